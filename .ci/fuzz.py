"""Fuzz the API against its own OpenAPI schema with schemathesis: ``python3 tasks.py fuzz`` (and a section of .ci/run).

1. A throwaway PostgreSQL database (``FUZZ_DATABASE``, else ``fuzz_<random>``; it must not exist yet) is created,
   migrated and loaded with the article fixtures, as ``tasks.py setup`` does; a curator with an API token is added.
2. The app runs under gunicorn (as in the Dockerfile: production settings, 2 workers) on a free 127.0.0.1 port,
   with the throttles off (``API_ANON_RATE=""``, ``API_USER_RATE=""``) so the fuzzer is never answered 429.
3. schemathesis runs twice on the schema the server serves, with the checks in ``CHECKS``: anonymously, then with
   ``Authorization: Token <key>``. Every operation goes through the examples, fuzzing and stateful phases; the
   coverage phase — the deterministic sweep of boundary and invalid values, which costs most — is spent where it
   tells most: on reads in the anonymous run (its writes are all 401s, the body never read), on creates and
   deletes in the curator's (an update takes a create's body and a delete's preconditions; reads take the
   parameters the anonymous run swept). Fuzzing draws at most ``FUZZ_MAX_EXAMPLES`` cases per operation from a
   fixed seed, with no example database or cache kept between runs, so the same commit sends the same cases.
   No ``--max-time``: schemathesis would repeat fuzzing until the budget is spent, and what it sends would
   depend on the machine's speed. A run past ``FUZZ_RUN_TIMEOUT`` seconds is stopped and fails.
4. Each run's figures are printed (operations, cases, failures, time). Reports go to ``FUZZ_REPORT_DIR``
   (default ``artifacts/fuzz/``): ``<run>.json`` and ``<run>.junit.xml``, the schema fuzzed, and ``server.log``
   (the server's tracebacks for any 500).

Exit status 0 only when both runs found nothing. The server and the database are removed however the run ends.
Extra arguments go to both ``schemathesis run`` calls, e.g. ``python3 tasks.py fuzz --include-path-regex events``.

Environment: ``FUZZ_POSTGRES`` (server, default ``postgres://postgres@127.0.0.1:5432``), ``FUZZ_DATABASE``,
``FUZZ_MAX_EXAMPLES`` (default 10), ``FUZZ_SEED`` (default 11), ``FUZZ_WORKERS`` (schemathesis workers,
default 1), ``FUZZ_RUN_TIMEOUT`` (default 600), ``FUZZ_REPORT_DIR``.
"""

# ruff: noqa: S603 -- every subprocess here runs fixed commands: this interpreter, manage.py, gunicorn, schemathesis.

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
FIXTURES = ("edm-2006-v3-i79",)  # the article, as tasks.py setup loads it
SCHEMA_PATH = "/api/v1/schema/?format=json"
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# schemathesis.toml of each run: nothing kept between runs, and the coverage phase where it tells most (see above).
CONFIG = """
[cache]
enabled = false

[[operations]]
include-method = {methods}
phases.coverage.enabled = false
"""
# The operations each run leaves out of the coverage phase.
RUNS = {"anonymous": '["POST", "PUT", "PATCH", "DELETE"]', "curator": '["GET", "PUT", "PATCH"]'}


def log(message: str) -> None:
    print(f"fuzz: {message}", flush=True)


def setting(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


@contextmanager
def throwaway_database(server: str, name: str) -> Iterator[str]:
    """``name`` created on ``server`` (refused if it exists: it is dropped at the end), yielding its URL."""
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            raise SystemExit(f"Database {name} exists already; the fuzzer drops its database, so name a new one.")
        conn.execute(f'CREATE DATABASE "{name}"')
    log(f"created database {name}")
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        log(f"dropped database {name}")


def app_env(database_url: str) -> dict[str, str]:
    """Production settings on the throwaway database, without throttles (a fuzzer is not a client to slow down)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": f"fuzz-only-{secrets.token_hex(16)}",  # a throwaway local server
        "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost",
        "API_ANON_RATE": "",
        "API_USER_RATE": "",
        "PYTHONUNBUFFERED": "1",
    }


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=False, capture_output=True, text=True
    )
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {args[0]} failed (exit {result.returncode})")
    return result.stdout


CURATOR = """
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
user, _ = get_user_model().objects.get_or_create(
    username="fuzz-curator", defaults={"is_staff": True, "is_superuser": True}
)
print(Token.objects.get_or_create(user=user)[0].key)
"""


def curator_token(env: dict[str, str]) -> str:
    """The API token of a curator, who may write: for now a staff superuser with a DRF token."""
    return manage(env, "shell", "--no-imports", "-v", "0", "-c", CURATOR).strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextmanager
def app_server(env: dict[str, str], log_file: Path) -> Iterator[str]:
    """gunicorn serving the app on a free port, yielding its base URL once the schema answers."""
    port = free_port()
    base = f"http://{HOST}:{port}"
    command = [
        *(sys.executable, "-m", "gunicorn", "tracker.wsgi:application", f"--bind={HOST}:{port}"),
        *("--workers=2", "--timeout=60", "--graceful-timeout=5", "--log-level=warning"),
    ]
    with log_file.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + SCHEMA_PATH, timeout=10) as response:  # noqa: S310 (our http URL)
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                sys.stderr.write(log_file.read_text()[-4000:])
                raise SystemExit(f"gunicorn did not start (log: {log_file})")
            time.sleep(0.3)
        log(f"server at {base} (gunicorn pid {process.pid}, log {log_file})")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log("server stopped")


@dataclass
class Result:
    name: str
    exit_code: int
    seconds: float
    report: dict | None

    @property
    def passed(self) -> bool:
        return self.exit_code == 0

    def figures(self) -> str:
        if self.report is None:
            return f"{self.name}: no report (exit {self.exit_code}) after {self.seconds:.0f} s"
        operations, cases = self.report["operations"], self.report["test_cases"]
        errors = len(self.report.get("errors") or [])
        return (
            f"{self.name}: {operations['tested']}/{operations['selected']} operations, {cases['generated']} cases, "
            f"{cases['unique_failures']} failures (in {cases['with_failures']} cases), {errors} errors, "
            f"{self.seconds:.0f} s (exit {self.exit_code})"
        )

    def failure_kinds(self) -> list[str]:
        return [f"{item['code']} {item['title']}: {item['count']}" for item in (self.report or {}).get("failures", [])]


def fuzz(name: str, schema: Path, base: str, headers: list[str], reports: Path, extra: list[str]) -> Result:
    """One schemathesis run (in a scratch directory: Hypothesis leaves files behind); figures from its JSON report."""
    report = reports / f"{name}.json"
    report.unlink(missing_ok=True)
    scratch = tempfile.TemporaryDirectory(prefix=f"fuzz-{name}-")
    config = Path(scratch.name) / "schemathesis.toml"
    config.write_text(CONFIG.format(methods=RUNS[name]))
    command = [
        *(str(SCHEMATHESIS), f"--config-file={config}", "run", str(schema), f"--url={base}"),
        f"--checks={','.join(CHECKS)}",
        f"--max-examples={setting('FUZZ_MAX_EXAMPLES', 10)}",
        f"--seed={setting('FUZZ_SEED', 11)}",
        "--generation-database=none",  # no replay of an earlier run's finds: the same cases every time
        f"--workers={setting('FUZZ_WORKERS', 1)}",
        "--request-timeout=30",
        "--no-color",
        "--report=json,junit",
        f"--report-json-path={report}",
        f"--report-junit-path={reports / f'{name}.junit.xml'}",
        *(arg for header in headers for arg in ("--header", header)),
        *extra,
    ]
    print(f"\n---- schemathesis, {name} ----", flush=True)
    started = time.monotonic()
    timeout = setting("FUZZ_RUN_TIMEOUT", 600)
    try:
        exit_code = subprocess.run(command, cwd=scratch.name, check=False, timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        log(f"{name}: stopped after {timeout} s (FUZZ_RUN_TIMEOUT)")
        exit_code = 124
    finally:
        scratch.cleanup()
    seconds = time.monotonic() - started
    return Result(name, exit_code, seconds, json.loads(report.read_text()) if report.exists() else None)


def main(extra: list[str]) -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up (server, database) on a CI time-out too
    started = time.monotonic()
    server = os.environ.get("FUZZ_POSTGRES") or "postgres://postgres@127.0.0.1:5432"
    database = os.environ.get("FUZZ_DATABASE") or f"fuzz_{secrets.token_hex(4)}"
    reports = Path(os.environ.get("FUZZ_REPORT_DIR") or ROOT / "artifacts" / "fuzz").resolve()
    reports.mkdir(parents=True, exist_ok=True)
    with throwaway_database(server.rstrip("/"), database) as url:
        env = app_env(url)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_demo", *FIXTURES, "-v", "0")
        token = curator_token(env)
        log(f"database ready: {', '.join(FIXTURES)} loaded, curator token created")
        with app_server(env, reports / "server.log") as base:
            schema = reports / "schema.json"
            with urllib.request.urlopen(base + SCHEMA_PATH, timeout=30) as response:  # noqa: S310 (our http URL)
                schema.write_bytes(response.read())
            results = [
                fuzz("anonymous", schema, base, [], reports, extra),
                fuzz("curator", schema, base, [f"Authorization: Token {token}"], reports, extra),
            ]
    print("\n---- fuzzing: figures ----")
    for result in results:
        print(result.figures())
        for kind in result.failure_kinds():
            print(f"    {kind}")
    print(f"total {time.monotonic() - started:.0f} s; reports and server log in {reports}")
    return 0 if all(result.passed for result in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
