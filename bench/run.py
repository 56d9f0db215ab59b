"""``make bench``: the app and the framework-free baseline under gunicorn, side by side, on the same requests.

For each scenario (``bench.scenarios``) it first GETs the path once from both servers and
compares the bodies (the "same JSON" column, ``bench.compare``) and their query counts
(``bench.queries``), then loads each server with wrk: requests/s, p50, p99 and their ratio.
A request too slow for wrk to say anything (``--slow``) is timed alone instead. The CSV
export is never a wrk run: one request per server, its duration, rows/s and the worker's
peak memory growth, stopped at ``--export-timeout``. Then the timeline, an aggregate and the
export again at each of ``--scales``.

Everything runs against PostgreSQL on 127.0.0.1, in databases of its own (``--database``,
and ``<database>_<N>`` for the other scales), generated with ``bench.synthetic`` when
missing. The report (date, machine, PostgreSQL, commit, tables) is printed and written to
``bench/results/latest.md`` and a dated copy.
"""

# ruff: noqa: S603, S607 -- every subprocess here runs fixed commands (this interpreter, gunicorn, wrk, git, apt-get).

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from bench.baseline import remove_query_param, replace_query_param
from bench.compare import first_csv_difference, first_difference
from bench.queries import HEADER
from bench.scenarios import PAGE, Dataset, Scenario, build, deep_page_number

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SERVER = "postgres://postgres@127.0.0.1:5432"
HOST = "127.0.0.1"
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}  # wrk's latency units, to milliseconds
WALK_PAGE = 200  # rows per page while walking to the deep page (the API's maximum)
ALONE = 3  # requests per server when one is too slow for wrk
STARTED = time.monotonic()


def log(message: str) -> None:
    elapsed = int(time.monotonic() - STARTED)
    print(f"[{elapsed // 60:02d}:{elapsed % 60:02d}] {message}", flush=True)


# Measurements --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """Throughput and latency percentiles in milliseconds: a wrk run, or one request timed alone (``single``)."""

    rps: float | None
    p50: float
    p99: float
    errors: int = 0
    single: bool = False


@dataclass(frozen=True)
class Export:
    """One streamed CSV export: how long, how many rows (all of them when ``complete``), peak memory growth."""

    seconds: float
    rows: int
    complete: bool
    peak_mb: float
    header: list[str] | None = None
    first: list[str] | None = None

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass
class Result:
    """One scenario on one dataset: whether both answered the same, queries, and each server's figures."""

    events: int
    scenario: str
    same: str
    path: str = ""
    csv: bool = False
    scaling: bool = False
    queries: tuple[int | None, int | None] = (None, None)
    first: tuple[float | None, float | None] = (None, None)  # ms of each server's first request, before any load
    app: Load | Export | None = None
    baseline: Load | Export | None = None
    notes: list[str] = field(default_factory=list)


def parse_wrk(output: str) -> Load:
    """Requests/s, the 50th/99th percentiles and the failed requests from ``wrk --latency`` output."""

    def latency(percent: str) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        return float(match[1]) * UNITS[match[2]] if match else float("nan")

    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failed = int(errors[1]) if errors else 0
    failed += sum(map(int, socket_errors.groups())) if socket_errors else 0
    return Load(float(rps[1]) if rps else 0.0, latency("50"), latency("99"), errors=failed)


def wrk(binary: str, url: str, seconds: int, connections: int) -> Load:
    command = [binary, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout=60s", "--latency", url]
    return parse_wrk(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def rss_kb(pid: int) -> int:
    try:
        return int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())[1])
    except (OSError, TypeError):
        return 0  # a worker gone (restarted) mid-measurement


@contextmanager
def peak_growth(workers: list[int]) -> Iterator[Callable[[], float]]:
    """While the block runs, samples the workers' resident memory; yields how far it rose (MB) above the start."""
    start = {pid: rss_kb(pid) for pid in workers}
    peak = dict(start)
    done = threading.Event()

    def sample():
        while not done.is_set():
            for pid in workers:
                peak[pid] = max(peak[pid], rss_kb(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield lambda: max(peak[pid] - start[pid] for pid in workers) / 1024
    finally:
        done.set()
        sampler.join()


# Servers -------------------------------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    query_log: Path

    def workers(self) -> list[int]:
        pid = self.process.pid
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]

    def alive(self) -> None:
        if (code := self.process.poll()) is not None:
            raise SystemExit(f"The {self.name} server (gunicorn) exited with status {code} during the run.")

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def get(self, path: str, timeout: float = 600) -> tuple[int, bytes, float, int | None]:
        """One GET: status, body, seconds, and the queries it ran (``bench.queries``)."""
        token = uuid.uuid4().hex
        request = urllib.request.Request(self.url(path), headers={HEADER: token})  # noqa: S310 -- a 127.0.0.1 URL
        started = time.perf_counter()
        try:
            with self.open(request, timeout) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        return status, body, time.perf_counter() - started, self.queries(token)

    def export(self, path: str, timeout: float) -> tuple[Export, int | None]:
        """The CSV at ``path`` streamed and parsed, stopped after ``timeout`` seconds; and its query count."""
        token = uuid.uuid4().hex
        request = urllib.request.Request(self.url(path), headers={HEADER: token})  # noqa: S310 -- a 127.0.0.1 URL
        header = first = None
        rows, complete = 0, True
        with peak_growth(self.workers()) as growth:
            started = time.perf_counter()
            deadline = started + timeout
            with self.open(request, timeout) as response:
                reader = csv.reader(io.TextIOWrapper(response, encoding="utf-8", newline=""))
                header = next(reader, None)
                for row in reader:
                    rows += 1
                    if rows == 1:
                        first = row
                    if rows % 1000 == 0 and time.perf_counter() > deadline:
                        complete = False
                        break
            seconds = time.perf_counter() - started
            peak = growth()
        # A stopped export's worker notices when it next writes; give it a moment to log its count.
        return Export(seconds, rows, complete, peak, header, first), self.queries(token, wait=10 if complete else 3)

    def open(self, request: urllib.request.Request, timeout: float):
        try:
            return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 -- a 127.0.0.1 URL we built
        except urllib.error.HTTPError:
            raise
        except urllib.error.URLError:
            self.alive()  # a server gone is the news, not the refused connection
            raise

    def queries(self, token: str, wait: float = 5) -> int | None:
        """The count ``bench.queries`` logged for ``token``: written once the response is fully sent."""
        deadline = time.monotonic() + wait
        while True:
            if self.query_log.exists():
                for line in self.query_log.read_text().splitlines():
                    logged, _, count = line.partition(" ")
                    if logged == token:
                        return int(count)
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)


def free_port() -> int:
    """A port nobody listens on: fixed ones would collide with another benchmark running on the same machine."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(name: str, wsgi: str, env: dict, options) -> Iterator[Server]:
    """A gunicorn on a free 127.0.0.1 port with the query-counting hooks, ready when it accepts connections."""
    port = free_port()
    handle, log_name = tempfile.mkstemp(prefix=f"bench-{name}-", suffix=".log")
    os.close(handle)  # the workers append to it by name
    query_log = Path(log_name)
    command = [
        *(sys.executable, "-m", "gunicorn", wsgi, "--config=python:bench.queries"),
        *(f"--bind={HOST}:{port}", f"--workers={options.workers}", "--log-level=warning"),
        # A sync worker busy longer than the timeout is killed: let the longest export finish.
        f"--timeout={int(options.export_timeout) + 120}",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env={**env, "BENCH_QUERY_LOG": str(query_log)})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection((HOST, port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"gunicorn {wsgi} did not start") from None
                time.sleep(0.2)
        yield Server(name, port, process, query_log)
    finally:
        process.terminate()
        process.wait(timeout=60)
        query_log.unlink(missing_ok=True)


def server_env(dataset: Dataset) -> dict[str, str]:
    """Production settings, with the anonymous throttle off so the load measures the app, not the 429s."""
    return {
        **os.environ,
        "DATABASE_URL": dataset.url,
        "BENCH_DSN": dataset.url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-only-not-a-secret",  # a throwaway local server
        "API_ANON_RATE": "",
        "API_USER_RATE": "",
    }


def ensure_wrk() -> str:
    """The wrk binary, installed from Debian when we may; otherwise say how."""
    apt = shutil.which("apt-get")
    if not shutil.which("wrk") and os.geteuid() == 0 and apt:
        log("Installing wrk (apt-get install -y wrk)…")
        subprocess.run([apt, "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    if not (path := shutil.which("wrk")):
        raise SystemExit("The benchmark needs wrk: sudo apt-get update && sudo apt-get install -y wrk")
    return path


# Datasets ------------------------------------------------------------------------------------------------------------


def ensure_dataset(database: str, events: int, country: str | None = None) -> Dataset:
    """``database`` created, migrated and holding exactly ``events`` synthetic events, and what the scenarios need."""
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
            conn.execute(f'CREATE DATABASE "{database}"')
    url = f"{SERVER}/{database}"
    env = {**os.environ, "DATABASE_URL": url}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    with psycopg.connect(url) as conn:
        present = conn.execute("SELECT count(*) FROM cooperation_event WHERE slug LIKE 'syn-%%'").fetchone()[0]
    if present != events:
        log(f"Generating {events:,} synthetic events in {database} (had {present:,})…")
        generate = [sys.executable, "-m", "bench.synthetic"]  # run from ROOT, where -m finds bench
        if present:
            subprocess.run([*generate, "--clear"], cwd=ROOT, env=env, check=True)
        subprocess.run([*generate, str(events)], cwd=ROOT, env=env, check=True)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")  # fresh tables: statistics and visibility maps, as a live database has
    with psycopg.connect(url) as conn:
        published = conn.execute("SELECT count(*) FROM cooperation_event WHERE status = 'published'").fetchone()[0]
        detail = conn.execute(
            "SELECT j.event_ptr_id FROM cooperation_jointoperation j JOIN cooperation_event e ON e.id = j.event_ptr_id "
            "WHERE e.status = 'published' AND EXISTS (SELECT 1 FROM cooperation_outcome o WHERE o.event_id = e.id) "
            "ORDER BY j.event_ptr_id LIMIT 1"
        ).fetchone()[0]
        if country is None:  # the busiest participant country; kept for the other scales
            country = conn.execute(
                "SELECT p.country_id FROM cooperation_participation p JOIN cooperation_event e ON e.id = p.event_id "
                "WHERE e.status = 'published' AND p.country_id IS NOT NULL "
                "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
            ).fetchone()[0]
    return Dataset(url, events, published, detail, country)


def deep_page(app: Server, published: int) -> str:
    """The deep page's path, found by following the app's ``next`` links as a client would.

    Cursors are positions, so the walk takes pages of 200 and then of 50, and asks only for
    ``fields=id`` (the position does not depend on what a page shows); the path it returns is
    the full page of 50 there.
    """
    passed, target = 0, (deep_page_number(published) - 1) * PAGE
    path = "/api/v1/events/?fields=id"
    while passed < target:
        path = replace_query_param(path, "page_size", str(WALK_PAGE if target - passed >= WALK_PAGE else PAGE))
        status, body, _, _ = app.get(path)
        if status != 200:
            raise SystemExit(f"Walking to the deep page: {path} answered {status}: {body[:300]!r}")
        page = json.loads(body)
        passed += len(page["results"])
        if not page.get("next") or "cursor=" not in page["next"]:
            raise SystemExit(f"Walking to the deep page: no cursor after {passed} rows (is the list keyset-paged?)")
        path = page["next"].split(f":{app.port}", 1)[1]
        if passed // 10_000 != (passed - len(page["results"])) // 10_000:
            log(f"  … {passed:,} of {target:,} rows passed")
    return replace_query_param(remove_query_param(path, "fields"), "page_size", str(PAGE))


# Scenarios -----------------------------------------------------------------------------------------------------------


def measure_json(scenario: Scenario, dataset: Dataset, app: Server, baseline: Server, binary: str, options) -> Result:
    """Compare the two answers, then load each server with wrk (or time requests alone, when too slow for wrk)."""
    label = f"{dataset.events:,} events: {scenario.name}"
    log(f"{label} — same JSON?")
    (app_status, app_body, app_seconds, app_queries) = app.get(scenario.path)
    (base_status, base_body, base_seconds, base_queries) = baseline.get(scenario.path)
    result = Result(dataset.events, scenario.name, "yes", scenario.path, scaling=scenario.scaling)
    result.queries = (app_queries, base_queries)
    result.first = (app_seconds * 1000, base_seconds * 1000)
    if app_status != 200 or base_status != 200:
        result.same = f"no: app {app_status}, baseline {base_status}"
        log(f"  {result.same}: {(app_body if app_status != 200 else base_body)[:200]!r}")
        return result
    try:
        difference = first_difference(json.loads(app_body), json.loads(base_body))
    except ValueError as error:
        difference = f"a body is not JSON ({error})"
    result.same = f"no: {difference}" if difference else "yes"
    times = None
    if max(app_seconds, base_seconds) > options.slow:  # or only cold: a first request may pay for caches
        times = alone(scenario.path, app, baseline)
    if times is None or max(statistics.median(values) for values in times.values()) <= options.slow * 1000:
        loads = {}
        for name, server in (("app", app), ("baseline", baseline)):
            log(f"{label} — {name}, wrk {options.duration} s")
            loads[name] = wrk(binary, server.url(scenario.path), options.duration, options.connections)
            server.alive()
        if all(load.rps for load in loads.values()):
            result.app, result.baseline = loads["app"], loads["baseline"]
            return result
        times = alone(scenario.path, app, baseline)  # wrk finished none
    for name, values in times.items():
        setattr(result, name, Load(None, statistics.median(values), max(values), single=True))
    log(f"  timed alone: {result.app.p50 / 1000:.1f} s / {result.baseline.p50 / 1000:.1f} s")
    return result


def alone(path: str, app: Server, baseline: Server) -> dict[str, list[float]]:
    """Milliseconds of ``ALONE`` requests to each server, taken alternately so a change of load hits both."""
    times = {"app": [], "baseline": []}
    for _ in range(ALONE):
        for name, server in (("app", app), ("baseline", baseline)):
            times[name].append(server.get(path)[2] * 1000)
    return times


def measure_export(scenario: Scenario, dataset: Dataset, app: Server, baseline: Server, options) -> Result:
    """One export from each server: duration, rows/s, peak RSS growth; header, first row and row count compared."""
    result = Result(dataset.events, scenario.name, "yes", scenario.path, csv=True, scaling=scenario.scaling)
    exports, queries = {}, []
    for name, server in (("app", app), ("baseline", baseline)):
        log(f"{dataset.events:,} events: {scenario.name} — {name}, one request (stops at {options.export_timeout} s)")
        try:
            export, count = server.export(scenario.path, options.export_timeout)
        except urllib.error.HTTPError as error:
            result.same = f"no: {name} answered {error.code}"
            log(f"  {result.same}: {error.read()[:200]!r}")
            return result
        exports[name] = export
        queries.append(count)
        setattr(result, name, export)
        log(f"  {export.rows:,} rows in {export.seconds:.1f} s" + ("" if export.complete else " (stopped)"))
    result.queries = tuple(queries)
    rows = {name: export.rows if export.complete else None for name, export in exports.items()}
    parts = {name: {"header": e.header, "first": e.first, "rows": rows[name]} for name, e in exports.items()}
    difference = first_csv_difference(parts["app"], parts["baseline"])
    result.same = f"no: {difference}" if difference else "yes" if None not in rows.values() else "header yes"
    return result


def measure(dataset: Dataset, options, binary: str, *, scaling: bool) -> list[Result]:
    """Both servers on one dataset: every scenario (or only the scaling ones), app then baseline."""
    env = server_env(dataset)
    results = []
    with (
        gunicorn("app", "tracker.wsgi:application", env, options) as app,
        gunicorn("baseline", "bench.baseline:application", env, options) as baseline,
    ):
        for server in (app, baseline):  # each worker's first request pays for imports and lazy set-up
            for _ in range(2 * options.workers):
                server.get(f"/api/v1/operations/{dataset.detail}/")
        deep = None
        if not scaling:
            log(f"Walking the app's next links to page {deep_page_number(dataset.published):,} of {PAGE}…")
            deep = deep_page(app, dataset.published)
        for scenario in build(dataset, deep):
            if scaling and not scenario.scaling:
                continue
            if scenario.csv:
                results.append(measure_export(scenario, dataset, app, baseline, options))
            else:
                results.append(measure_json(scenario, dataset, app, baseline, binary, options))
    return results


# Report --------------------------------------------------------------------------------------------------------------


def markdown(head: list[str], rows: list[list[str]]) -> str:
    lines = [head, ["---"] * len(head), *rows]
    return "\n".join("| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |" for line in lines)


def count(value: int | None) -> str:
    return "—" if value is None else str(value)


def load_cells(load: Load | None) -> list[str]:
    if load is None:
        return ["—", "—", "—"]
    rps = "alone" if load.single else f"{load.rps:.1f}"
    if load.errors:
        rps += f" ({load.errors} failed)"
    return [rps, f"{load.p50:.1f}", f"{load.p99:.1f}"]


def ratio(result: Result) -> str:
    """How many times the baseline outperforms the app: throughput under wrk, else the time of one request."""
    app, base = result.app, result.baseline
    if isinstance(app, Export) and isinstance(base, Export):
        return f"{base.rows_per_second / app.rows_per_second:.2f}" if app.rows_per_second else "—"
    if app is None or base is None:
        return "—"
    if app.single or base.single:
        return f"{app.p50 / base.p50:.2f}" if base.p50 else "—"
    return f"{base.rps / app.rps:.2f}" if app.rps else "— (none finished)"


def json_table(results: list[Result], scaled: bool = False) -> str:
    """The wrk scenarios; with ``scaled``, an events column and how the p50 grew since the smallest dataset."""
    smallest = {}
    for result in sorted(results, key=lambda result: result.events):
        smallest.setdefault(result.scenario, result)
    rows = []
    for result in results:
        row = [f"{result.events:,}"] if scaled else []
        row += [result.scenario, result.same, *load_cells(result.app), *load_cells(result.baseline), ratio(result)]
        row.append(f"{count(result.queries[0])} / {count(result.queries[1])}")
        row.append(" / ".join("—" if ms is None else f"{ms:.1f}" for ms in result.first))
        if scaled:
            first = smallest[result.scenario]
            row.append(" / ".join(growth(getattr(result, side), getattr(first, side)) for side in ("app", "baseline")))
        rows.append(row)
    head = [*(["events"] if scaled else []), "scenario", "same JSON"]
    head += ["app req/s", "app p50 ms", "app p99 ms", "baseline req/s", "baseline p50 ms", "baseline p99 ms"]
    head += ["baseline/app", "queries app / baseline", "first request ms app / baseline"]
    head += ["p50 growth app / baseline"] if scaled else []
    return markdown(head, rows)


def growth(load: Load | None, first: Load | None) -> str:
    return f"x{load.p50 / first.p50:.1f}" if load and first and first.p50 else "—"


def export_cells(export: Export | None) -> list[str]:
    if export is None:
        return ["—", "—", "—"]
    seconds = (
        f"{export.seconds:.1f}" if export.complete else f"> {export.seconds:.0f} (stopped at {export.rows:,} rows)"
    )
    return [seconds, f"{export.rows_per_second:,.0f}", f"{export.peak_mb:.0f}"]


def export_table(results: list[Result]) -> str:
    rows = []
    for result in results:
        rows_read = max(result.app.rows if result.app else 0, result.baseline.rows if result.baseline else 0)
        rows.append(
            [
                f"{result.events:,}",
                f"{rows_read:,}",
                result.same,
                *export_cells(result.app),
                *export_cells(result.baseline),
                ratio(result),
                f"{count(result.queries[0])} / {count(result.queries[1])}",
            ]
        )
    head = ["events", "rows", "same header & rows", "app s", "app rows/s", "app peak RSS growth MB"]
    head += ["baseline s", "baseline rows/s", "baseline peak RSS growth MB", "baseline/app", "queries app / baseline"]
    return markdown(head, rows)


def machine() -> str:
    """Cores, memory and CPU model of this host."""
    cpu = next((line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo") if line.startswith("model name")), "")
    memory = next((int(line.split()[1]) for line in _lines("/proc/meminfo") if line.startswith("MemTotal:")), 0)
    return f"{platform.node()}: {os.cpu_count()} cores{f' ({cpu})' if cpu else ''}, {memory / 1024**2:.1f} GB RAM"


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def git_commit() -> str:
    def git(*args: str) -> str:
        run = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return run.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return f"{commit} with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else commit


def postgres_version(url: str) -> str:
    with psycopg.connect(url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def report(options, started: datetime, postgres: str, main: list[Result], scaled: list[Result]) -> str:
    exports = {result.events: result for result in main + scaled if result.csv}  # each dataset's once
    wall = time.monotonic() - STARTED
    return "\n".join(
        [
            f"# Benchmark, {started:%Y-%m-%d %H:%M} UTC",
            "",
            f"- Machine: {machine()}; load average at start {options.load_average}",
            f"- PostgreSQL {postgres}; Python {platform.python_version()}; commit {git_commit()}",
            f"- {options.events:,} events in the main dataset; wrk {options.duration} s per run and server, "
            f"{options.connections} connections; gunicorn {options.workers} sync workers per server; "
            f"run took {wall / 60:.0f} min",
            "",
            "Same requests to both servers. *same JSON*: both bodies parsed and compared (URLs' host:port "
            "and the next/previous links' cursors aside), or the first path where they differ. "
            "*baseline/app*: how many times the baseline outperforms the app (1.00: the framework costs "
            f"nothing). *alone*: a request slower than {options.slow:g} s is not loaded with wrk but timed alone, "
            f"{ALONE} times per server, alternately (p50: the median, p99: the slowest). Queries are counted "
            "inside each server, for one request. *first request*: the one compared for same JSON, before any "
            "load; the app's aggregates are then not cached yet (the stats cache is per worker): that column is "
            "their cost in SQL, the wrk columns are what polling dashboards get.",
            "",
            json_table([result for result in main if not result.csv]),
            "",
            f"## CSV export of every event: one request per server (stopped after {options.export_timeout} s)",
            "",
            export_table(sorted(exports.values(), key=lambda result: result.events)),
            "",
            "## Scaling",
            "",
            json_table(
                sorted(
                    (result for result in scaled if not result.csv),
                    key=lambda result: (result.scenario, result.events),
                ),
                scaled=True,
            ),
            "",
            f"## Requests ({options.events:,} events)",
            "",
            *(f"- {result.scenario}: `{result.path}`" for result in main),
            "",
        ]
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="Events in the main dataset (default 100000).")
    parser.add_argument("--database", help="Database of the main dataset (default tracker_bench).")
    parser.add_argument("--duration", type=int, default=8, help="Seconds of wrk load per scenario and server.")
    parser.add_argument("--connections", type=int, default=8, help="Concurrent wrk connections.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server.")
    parser.add_argument(
        "--scales",
        default="10000,100000,1000000",
        help="Event counts of the scaling step, besides the main dataset's (default 10000,100000,1000000).",
    )
    parser.add_argument(
        "--slow", type=float, help="Time alone, without wrk, a request slower than this (s; default duration / 4)."
    )
    parser.add_argument("--export-timeout", type=int, default=600, help="Stop reading an export after this (s).")
    parser.add_argument("--quick", action="store_true", help="2,000 events, 3 s runs, scales 1000,2000.")
    options = parser.parse_args(argv)
    if options.quick:
        options.events, options.duration, options.scales, options.export_timeout = 2000, 3, "1000,2000", 60
    options.slow = options.slow or options.duration / 4
    database = options.database or ("tracker_bench_quick" if options.quick else "tracker_bench")
    scales = [int(n) for n in options.scales.split(",") if n]
    options.load_average = " ".join(f"{value:.1f}" for value in os.getloadavg())
    started = datetime.now(UTC)
    binary = ensure_wrk()

    log(f"Main dataset: {options.events:,} events in {database}")
    dataset = ensure_dataset(database, options.events)
    main_results = measure(dataset, options, binary, scaling=False)
    scaled = []
    for events in sorted({*scales, options.events}):
        if events == options.events:  # the main dataset: measured already
            scaled += [result for result in main_results if result.scaling]
            continue
        name = f"{database}_{events}"
        log(f"Scaling: {events:,} events in {name}")
        scaled += measure(ensure_dataset(name, events, dataset.country), options, binary, scaling=True)

    text = report(options, started, postgres_version(dataset.url), main_results, scaled)
    print("\n" + text)
    RESULTS.mkdir(exist_ok=True)
    for name in (f"{started:%Y%m%dT%H%M}-{options.events}.md", "latest.md"):
        (RESULTS / name).write_text(text)
    log(f"Written to {RESULTS / 'latest.md'}")


if __name__ == "__main__":
    main()
