# Convenience wrappers around tasks.py, which needs nothing but Python >= 3.11 (make is optional).
#   make test ARGS="-k dates -x"     extra pytest arguments
#   make test-pg PG_URL=postgres://postgres@127.0.0.1:5432/tracker_dev

PYTHON ?= python3
PG_URL ?= postgres://postgres@127.0.0.1:5432/tracker
ARGS ?=

.PHONY: help demo setup test test-pg lint format ci

help:  ## list the targets (the default, so a bare `make` starts nothing)
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

demo:  ## set up and serve the demo on http://127.0.0.1:8000
	$(PYTHON) tasks.py demo

setup:  ## the set-up part of demo, without the server
	$(PYTHON) tasks.py setup

test:  ## the whole suite on SQLite (or on DATABASE_URL if exported)
	$(PYTHON) tasks.py test $(ARGS)

test-pg:  ## the whole suite on PostgreSQL (pytest-django creates and drops test_<name>)
	DATABASE_URL=$(PG_URL) $(PYTHON) tasks.py test $(ARGS)

lint:  ## ruff check and format check
	$(PYTHON) tasks.py lint

format:  ## apply ruff formatting and safe fixes
	$(PYTHON) tasks.py format

ci:  ## what CI runs: fresh venv, SQLite and PostgreSQL suites, lint, demo set-up check
	.ci/run
