# Convenience wrappers around tasks.py, which needs nothing but Python >= 3.11 (make is optional).
#   make test ARGS="-k dates -x"     extra pytest arguments
#   make test-pg PG_URL=postgres://postgres@127.0.0.1:5432/tracker_dev
#   make fuzz ARGS="--include-path-regex events"   extra schemathesis arguments

PYTHON ?= python3
PG_URL ?= postgres://postgres@127.0.0.1:5432/tracker
ARGS ?=

.PHONY: help demo setup test test-pg test-browser browser-deps fuzz lint format ci bench

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

test-browser: browser-deps  ## only the real-browser test (screenshots in artifacts/screenshots/)
	$(PYTHON) tasks.py test -m browser $(ARGS)

browser-deps:  ## install Debian's Chromium for the browser test (apt-get, as root)
	$(PYTHON) tasks.py browser-deps

fuzz:  ## schemathesis against the API, anonymous and as a curator, on a throwaway PostgreSQL database
	$(PYTHON) tasks.py fuzz $(ARGS)

lint:  ## ruff check and format check
	$(PYTHON) tasks.py lint

format:  ## apply ruff formatting and safe fixes
	$(PYTHON) tasks.py format

bench:  ## app vs framework-free baseline, same requests and JSON, on PostgreSQL (BENCH_ARGS="--quick", "--scales 10000")
	.venv/bin/python -m bench.run $(BENCH_ARGS)

ci:  ## what CI runs: fresh venv, SQLite and PostgreSQL suites, lint, the fuzzer, demo set-up check
	.ci/run
