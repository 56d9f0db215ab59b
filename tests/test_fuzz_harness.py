"""The fuzzing harness (``.ci/fuzz.py``) asks the pinned schemathesis only for checks and settings it has.

The harness itself runs in CI (``python3 tasks.py fuzz``); these catch a schemathesis upgrade that renames
a check or a configuration key before that run would, in seconds.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
import schemathesis.specs.openapi.checks  # noqa: F401 (registers the OpenAPI checks)
from schemathesis.checks import CHECKS
from schemathesis.config import SchemathesisConfig

HARNESS = Path(__file__).resolve().parent.parent / ".ci" / "fuzz.py"


@pytest.fixture(scope="module")
def fuzz():
    spec = importlib.util.spec_from_file_location("fuzz_harness", HARNESS)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_the_checks_are_schemathesis_checks(fuzz):
    assert set(fuzz.CHECKS) <= set(CHECKS.get_all_names())
    assert {"not_a_server_error", "response_schema_conformance", "status_code_conformance"} <= set(fuzz.CHECKS)


@pytest.mark.parametrize("run", ["anonymous", "curator"])
def test_each_runs_configuration_is_valid(fuzz, run):
    config = SchemathesisConfig.from_str(fuzz.CONFIG.format(methods=fuzz.RUNS[run]))  # a ConfigError if not

    assert config.cache.enabled is False  # nothing carried from one run to the next
    (operations,) = config.projects.default.operations.operations
    assert operations.phases.coverage.enabled is False


def test_the_coverage_phase_sweeps_reads_anonymously_and_creates_and_deletes_as_a_curator(fuzz):
    left_out = {run: set(json.loads(methods)) for run, methods in fuzz.RUNS.items()}  # TOML arrays of strings

    assert "GET" not in left_out["anonymous"]
    assert not {"POST", "DELETE"} & left_out["curator"]
