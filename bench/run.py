"""``make bench``: the app, the mirror and the limit under gunicorn, side by side, on the same requests.

Four servers answer every scenario (``bench.scenarios``): the *app* as deployed, which caches its answers under the
data version (so under wrk, which repeats one request, it serves a cache hit after the first); the app *uncached*
(``PAGE_CACHE_SECONDS=0``, ``STATS_CACHE_SECONDS=0``: what a miss costs, a new page, filter or data version); the
*mirror* (``bench.baseline``: the app's own SQL without the framework, so what the framework costs); the *limit*
(``bench.limit``: one statement per request, the fastest SQL the schema allows, so what the queries cost). For each
scenario it first GETs the path once from each server and compares the other bodies with the app's (the "same
JSON" column, ``bench.compare``) and their query counts (``bench.queries``), then loads each server with wrk, in
``--rounds`` runs alternating the order (app … limit, then limit … app) so that other work on the machine weighs on
all of them alike: requests/s, p50, p99, and throughput shares (the app's and the uncached app's of the limit's, the
uncached app's of the mirror's). A request too slow for wrk to say anything (``--slow``) is timed alone instead. The CSV
export is never a wrk run: one request to the app and to the mirror (the limit serves none), its duration, rows/s
and the worker's peak memory growth, stopped at ``--export-timeout``. Then every scenario again at each of
``--scales``: each read's p50 there, and how far it grew from the smallest dataset to the largest. Last, the targets
of issue 12, each said met or not.

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
from contextlib import ExitStack, contextmanager
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
# The servers, in the order they are loaded, with what their environment adds: the app as deployed (answers cached
# under the data version, so wrk's repeated request is a cache hit after the first), the app with its answer caches
# off (what a miss costs: a new page, filter or data version), its SQL without the framework, the fastest SQL.
UNCACHED = {"PAGE_CACHE_SECONDS": "0", "STATS_CACHE_SECONDS": "0"}
SERVERS = {
    "app": ("tracker.wsgi:application", {}),
    "uncached": ("tracker.wsgi:application", UNCACHED),
    "mirror": ("bench.baseline:application", {}),
    "limit": ("bench.limit:application", {}),
}
OTHERS = ("uncached", "mirror", "limit")  # compared with the app
EXPORTERS = ("app", "mirror")  # the export is never cached; the limit serves none
SHARES = (("app", "limit"), ("uncached", "limit"), ("uncached", "mirror"))  # throughput of one as a % of another
APPS = ("app", "uncached")  # whose targets are checked
# Issue 12's targets: the filtered lists at half the limit's throughput or more; every read's p50 at the largest
# scale within 1.5 times the smallest's; search ten times the 16 req/s measured before (on another machine).
SHARE_TARGET = 50.0  # % of the limit's throughput
SHARE_SCENARIOS = ("timeline", "operations-filtered", "operations")
GROWTH_TARGET = 1.5
SEARCH_BEFORE = 16.0  # req/s, issue 12's figure from another machine
SEARCH_TARGET = 10 * SEARCH_BEFORE
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
    """One scenario on one dataset: whether the mirror and the limit answered as the app, and each server's figures.

    Each dict is by server name (``SERVERS``); ``same`` by the server compared with the app.
    """

    events: int
    scenario: str
    key: str = ""  # the scenario's, the same on every dataset
    path: str = ""
    csv: bool = False
    same: dict[str, str] = field(default_factory=dict)
    queries: dict[str, int | None] = field(default_factory=dict)
    first: dict[str, float | None] = field(default_factory=dict)  # ms of each server's first request, before load
    loads: dict[str, Load | Export | None] = field(default_factory=dict)

    def load(self, name: str) -> Load | Export | None:
        return self.loads.get(name)


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


def combined(rounds: list[Load]) -> Load:
    """Runs of equal length as one: their mean throughput and median, the worst p99, every failure."""
    return Load(
        statistics.fmean(load.rps for load in rounds),
        statistics.fmean(load.p50 for load in rounds),
        max(load.p99 for load in rounds),
        errors=sum(load.errors for load in rounds),
    )


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
        # Fresh tables (generated here or by hand, ``python -m bench.synthetic``) need statistics and visibility
        # maps, as a live database has; with autovacuum off, or not yet round, a table may have none.
        unanalyzed = conn.execute(
            "SELECT count(*) FROM pg_stat_user_tables WHERE relname LIKE 'cooperation%%' AND n_live_tup > 0 "
            "AND last_analyze IS NULL AND last_autoanalyze IS NULL"
        ).fetchone()[0]
        if present != events or unanalyzed:
            log(f"VACUUM (ANALYZE) of {database}…")
            conn.execute("VACUUM (ANALYZE)")
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


def measure_json(scenario: Scenario, dataset: Dataset, servers: dict[str, Server], binary: str, options) -> Result:
    """Compare the answers with the app's, then load each server with wrk (or time requests alone, when too slow)."""
    label = f"{dataset.events:,} events: {scenario.name}"
    log(f"{label} — same JSON?")
    answers = {name: server.get(scenario.path) for name, server in servers.items()}
    result = Result(dataset.events, scenario.name, scenario.key, scenario.path)
    result.queries = {name: queries for name, (_, _, _, queries) in answers.items()}
    result.first = {name: seconds * 1000 for name, (_, _, seconds, _) in answers.items()}
    app_status, app_body = answers["app"][:2]
    for name in OTHERS:
        status, body = answers[name][:2]
        if app_status != 200 or status != 200:
            result.same[name] = f"no: app {app_status}, {name} {status}"
            log(f"  {result.same[name]}: {(app_body if app_status != 200 else body)[:200]!r}")
            continue
        try:
            difference = first_difference(json.loads(app_body), json.loads(body))
        except ValueError as error:
            difference = f"a body is not JSON ({error})"
        result.same[name] = f"no: {difference}" if difference else "yes"
    if any(status != 200 for status, *_ in answers.values()):
        return result
    times = None
    if max(seconds for _, _, seconds, _ in answers.values()) > options.slow:  # or only cold: caches, plans
        times = alone(scenario.path, servers)
    if times is None or max(statistics.median(values) for values in times.values()) <= options.slow * 1000:
        rounds = {name: [] for name in servers}
        seconds = max(1, round(options.duration / options.rounds))
        for number in range(options.rounds):
            order = list(servers) if number % 2 == 0 else list(reversed(servers))
            for name in order:
                log(f"{label} — {name}, wrk {seconds} s (round {number + 1} of {options.rounds})")
                rounds[name].append(wrk(binary, servers[name].url(scenario.path), seconds, options.connections))
                servers[name].alive()
        if all(load.rps for runs in rounds.values() for load in runs):
            result.loads = {name: combined(runs) for name, runs in rounds.items()}
            return result
        times = alone(scenario.path, servers)  # wrk finished none
    result.loads = {
        name: Load(None, statistics.median(values), max(values), single=True) for name, values in times.items()
    }
    log("  timed alone: " + " / ".join(f"{load.p50 / 1000:.2f} s" for load in result.loads.values()))
    return result


def alone(path: str, servers: dict[str, Server]) -> dict[str, list[float]]:
    """Milliseconds of ``ALONE`` requests to each server, taken in turn so a change of load hits them all."""
    times = {name: [] for name in servers}
    for _ in range(ALONE):
        for name, server in servers.items():
            times[name].append(server.get(path)[2] * 1000)
    return times


def measure_export(scenario: Scenario, dataset: Dataset, servers: dict[str, Server], options) -> Result:
    """One export from the app and the mirror: duration, rows/s, peak RSS growth; header, first row, row count."""
    result = Result(dataset.events, scenario.name, scenario.key, scenario.path, csv=True)
    exports = {}
    for name in EXPORTERS:
        log(f"{dataset.events:,} events: {scenario.name} — {name}, one request (stops at {options.export_timeout} s)")
        try:
            export, count = servers[name].export(scenario.path, options.export_timeout)
        except urllib.error.HTTPError as error:
            result.same["mirror"] = f"no: {name} answered {error.code}"
            log(f"  {result.same['mirror']}: {error.read()[:200]!r}")
            return result
        exports[name] = result.loads[name] = export
        result.queries[name] = count
        log(f"  {export.rows:,} rows in {export.seconds:.1f} s" + ("" if export.complete else " (stopped)"))
    rows = {name: export.rows if export.complete else None for name, export in exports.items()}
    parts = {name: {"header": e.header, "first": e.first, "rows": rows[name]} for name, e in exports.items()}
    difference = first_csv_difference(parts["app"], parts["mirror"])
    result.same["mirror"] = f"no: {difference}" if difference else "yes" if None not in rows.values() else "header yes"
    return result


def measure(dataset: Dataset, options, binary: str) -> list[Result]:
    """The three servers on one dataset: every scenario."""
    env = server_env(dataset)
    results = []
    with ExitStack() as stack:
        servers = {
            name: stack.enter_context(gunicorn(name, wsgi, {**env, **extra}, options))
            for name, (wsgi, extra) in SERVERS.items()
        }
        # Each worker's first request pays for imports and lazy set-up: a request of no scenario, so that the app's
        # first answer to each scenario is still a miss of its cache (the "first request" column).
        for server in servers.values():
            for _ in range(2 * options.workers):
                server.get("/api/v1/events/?page_size=1")
        log(f"Walking the app's next links to page {deep_page_number(dataset.published):,} of {PAGE}…")
        deep = deep_page(servers["app"], dataset.published)
        for scenario in build(dataset, deep):
            if scenario.csv:
                results.append(measure_export(scenario, dataset, servers, options))
            else:
                results.append(measure_json(scenario, dataset, servers, binary, options))
    return results


# Report --------------------------------------------------------------------------------------------------------------


def markdown(head: list[str], rows: list[list[str]]) -> str:
    lines = [head, ["---"] * len(head), *rows]
    return "\n".join("| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |" for line in lines)


def count(value: int | None) -> str:
    return "—" if value is None else str(value)


def load_cells(load: Load | None) -> list[str]:
    """req/s and p50 of one server."""
    if load is None:
        return ["—", "—"]
    rps = "alone" if load.single else f"{load.rps:.1f}"
    if load.errors:
        rps += f" ({load.errors} failed)"
    return [rps, f"{load.p50:.1f}"]


def share(load: Load | None, reference: Load | None) -> float | None:
    """``load``'s throughput as a % of ``reference``'s; of two requests timed alone, by their medians."""
    if load is None or reference is None:
        return None
    if load.single or reference.single:
        return 100 * reference.p50 / load.p50 if load.p50 else None
    return 100 * load.rps / reference.rps if reference.rps else None


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} %"


def joined(values) -> str:
    return " / ".join(values)


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def same_cell(result: Result) -> str:
    """``yes`` when every server answered as the app; else each one's verdict."""
    verdicts = [result.same.get(name, "—") for name in OTHERS]
    return "yes" if set(verdicts) == {"yes"} else "; ".join(f"{name}: {verdicts[i]}" for i, name in enumerate(OTHERS))


def json_table(results: list[Result]) -> str:
    """The wrk scenarios of one dataset: each server's req/s and p50, the app's share of the mirror's and limit's."""
    rows = []
    for result in results:
        loads = [result.load(name) for name in SERVERS]
        row = [result.scenario, same_cell(result)]
        for load in loads:
            row += load_cells(load)
        row += [percent(share(result.load(one), result.load(other))) for one, other in SHARES]
        row.append(joined(ms(load.p99 if load else None) for load in loads))
        row.append(joined(count(result.queries.get(name)) for name in SERVERS))
        row.append(joined(ms(result.first.get(name)) for name in SERVERS))
        rows.append(row)
    head = ["scenario", f"same JSON ({', '.join(OTHERS)})"]
    for name in SERVERS:
        head += [f"{name} req/s", f"{name} p50 ms"]
    head += [f"{one} % of {other}" for one, other in SHARES]
    head += [f"p99 ms {joined(SERVERS)}", f"queries {joined(SERVERS)}", f"first request ms {joined(SERVERS)}"]
    return markdown(head, rows)


def growth(results: list[Result], name: str) -> float | None:
    """How many times ``name``'s p50 grew from the smallest dataset to the largest (``results`` of one scenario)."""
    first, last = (results[0].load(name), results[-1].load(name)) if len(results) > 1 else (None, None)
    return last.p50 / first.p50 if first and last and first.p50 else None


def by_scenario(results: list[Result]) -> dict[str, list[Result]]:
    """The wrk scenarios' results by scenario (in the order they ran), each list from the smallest dataset up."""
    grouped: dict[str, list[Result]] = {}
    for result in sorted((r for r in results if not r.csv), key=lambda r: r.events):
        grouped.setdefault(result.key, []).append(result)
    order = [r.key for r in results if not r.csv]
    return dict(sorted(grouped.items(), key=lambda item: order.index(item[0])))


def scaling_table(results: list[Result]) -> str:
    """Each read's p50 on each dataset (app / mirror / limit), and its growth from the smallest to the largest."""
    grouped = by_scenario(results)
    scales = sorted({result.events for result in results})
    rows = []
    for runs in grouped.values():
        at = {result.events: result for result in runs}
        row = [runs[-1].scenario]
        for events in scales:
            result = at.get(events)
            row.append(joined(ms(load.p50 if (load := result and result.load(name)) else None) for name in SERVERS))
        row.append(joined("—" if (g := growth(runs, name)) is None else f"x{g:.2f}" for name in SERVERS))
        rows.append(row)
    head = ["scenario", *(f"p50 ms at {events:,} ({joined(SERVERS)})" for events in scales)]
    head.append(f"largest / smallest ({joined(SERVERS)})")
    return markdown(head, rows)


def targets(main: list[Result], scaled: list[Result]) -> list[str]:
    """Issue 12's targets, each with the figures and whether it is met."""

    def verdict(met: bool | None) -> str:
        return "not measured" if met is None else "**met**" if met else "**not met**"

    lines = []
    found = {result.key: result for result in main if not result.csv}
    for key in SHARE_SCENARIOS:
        if (result := found.get(key)) is None:
            continue
        figures = []
        for name in APPS:
            value = share(result.load(name), result.load("limit"))
            figures.append(f"{name} {percent(value)}: {verdict(None if value is None else value >= SHARE_TARGET)}")
        lines.append(f"- {result.scenario}, ≥ {SHARE_TARGET:.0f} % of the limit's throughput — {'; '.join(figures)}")
    grouped = by_scenario(scaled)
    scales = sorted({result.events for result in scaled})
    if len(scales) < 2:
        lines.append(
            f"- every read's p50 at the largest scale within {GROWTH_TARGET} times the smallest's — "
            f"{verdict(None)}: one scale ({', '.join(f'{n:,}' for n in scales)} events); run with `--scales` of two"
        )
    else:
        figures = []
        for name in APPS:
            grown = {runs[-1].scenario: growth(runs, name) for runs in grouped.values()}
            over = [
                f"{read} x{value:.2f}" for read, value in grown.items() if value is not None and value > GROWTH_TARGET
            ]
            worst = max((value for value in grown.values() if value is not None), default=None)
            verdicts = verdict(None if worst is None else not over)
            figures.append(
                f"{name}: largest x{worst or 0:.2f}" + (f" ({', '.join(over)})" if over else "") + f", {verdicts}"
            )
        lines.append(
            f"- every read's p50 at {scales[-1]:,} events within {GROWTH_TARGET} times its p50 at {scales[0]:,} — "
            + "; ".join(figures)
        )
    if (search := found.get("search")) is not None:
        figures = []
        for name in APPS:
            load = search.load(name)
            value = None if load is None or load.single else load.rps
            figure = "timed alone" if value is None else f"{value:.1f} req/s"
            figures.append(f"{name} {figure}: {verdict(None if value is None else value >= SEARCH_TARGET)}")
        lines.append(
            f"- search, ≥ {SEARCH_TARGET:.0f} req/s, ten times the {SEARCH_BEFORE:.0f} req/s measured before (a figure "
            f"from another machine: compare with care) — {'; '.join(figures)}"
        )
    return lines


def export_cells(export: Export | None) -> list[str]:
    if export is None:
        return ["—", "—", "—"]
    seconds = (
        f"{export.seconds:.1f}" if export.complete else f"> {export.seconds:.0f} (stopped at {export.rows:,} rows)"
    )
    return [seconds, f"{export.rows_per_second:,.0f}", f"{export.peak_mb:.0f}"]


def export_table(results: list[Result]) -> str:
    """The CSV exports, app and mirror: seconds, rows/s, peak memory growth; the mirror's throughput over the app's."""
    rows = []
    for result in results:
        app, mirror = result.load("app"), result.load("mirror")
        rows_read = max(app.rows if app else 0, mirror.rows if mirror else 0)
        ratio = f"{mirror.rows_per_second / app.rows_per_second:.2f}" if app and mirror and app.rows_per_second else "—"
        rows.append(
            [
                f"{result.events:,}",
                f"{rows_read:,}",
                result.same.get("mirror", "—"),
                *export_cells(app),
                *export_cells(mirror),
                ratio,
                joined(count(result.queries.get(name)) for name in EXPORTERS),
            ]
        )
    head = ["events", "rows", "same header & rows", "app s", "app rows/s", "app peak RSS growth MB"]
    head += ["mirror s", "mirror rows/s", "mirror peak RSS growth MB", "mirror/app", "queries app / mirror"]
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
            f"- {options.events:,} events in the main dataset; wrk {options.duration} s per scenario and server in "
            f"{options.rounds} alternating rounds, {options.connections} connections; gunicorn {options.workers} sync "
            f"workers per server; run took {wall / 60:.0f} min",
            "",
            "Same requests to the four servers: *app* as deployed (its answers cached under the data version: under "
            "wrk, which repeats one request, a cache hit after the first); *uncached*, the app with those caches off "
            "(`PAGE_CACHE_SECONDS=0 STATS_CACHE_SECONDS=0`: what a new page, filter or data version costs); *mirror* "
            "(`bench/baseline.py`: the app's SQL, no framework); *limit* (`bench/limit.py`: one statement per "
            "request, the fastest SQL the schema allows, JSON built by PostgreSQL). *same JSON*: each body parsed "
            "and compared with the app's (URLs' host:port and the next/previous links' cursors aside), or the first "
            "path where they differ. *x % of y*: x's throughput as a share of y's (100 %: as fast). "
            f"*alone*: a request slower than {options.slow:g} s is not loaded with wrk but timed alone, "
            f"{ALONE} times per server, in turn (p50: the median, p99: the slowest; shares by the medians). Queries "
            "are counted inside each server, for one request. *first request*: the one compared for same JSON, "
            "before any load, so the app's answers are not cached yet (its caches are per worker): that "
            "column is what a miss costs, the app's wrk columns what polling dashboards get from its cache.",
            "",
            json_table([result for result in main if not result.csv]),
            "",
            "## Targets (issue 12)",
            "",
            *targets(main, scaled),
            "",
            f"## CSV export of every event: one request to the app and the mirror (stopped after "
            f"{options.export_timeout} s)",
            "",
            export_table(sorted(exports.values(), key=lambda result: result.events)),
            "",
            "## Scaling: each read's p50 on each dataset",
            "",
            scaling_table(scaled),
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
    parser.add_argument(
        "--rounds", type=int, default=2, help="wrk runs the duration is split into, alternating the servers' order."
    )
    parser.add_argument("--connections", type=int, default=8, help="Concurrent wrk connections.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server.")
    parser.add_argument(
        "--scales",
        default="10000,100000,1000000",
        help="Event counts measured again, besides the main dataset's (default 10000,100000,1000000).",
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
    options.rounds = max(1, options.rounds)
    database = options.database or ("tracker_bench_quick" if options.quick else "tracker_bench")
    scales = [int(n) for n in options.scales.split(",") if n]
    options.load_average = " ".join(f"{value:.1f}" for value in os.getloadavg())
    started = datetime.now(UTC)
    binary = ensure_wrk()

    log(f"Main dataset: {options.events:,} events in {database}")
    dataset = ensure_dataset(database, options.events)
    main_results = measure(dataset, options, binary)
    scaled = []
    for events in sorted({*scales, options.events}):
        if events == options.events:  # the main dataset: measured already
            scaled += main_results
            continue
        name = f"{database}_{events}"
        log(f"Scaling: {events:,} events in {name}")
        scaled += measure(ensure_dataset(name, events, dataset.country), options, binary)

    text = report(options, started, postgres_version(dataset.url), main_results, scaled)
    print("\n" + text)
    RESULTS.mkdir(exist_ok=True)
    for name in (f"{started:%Y%m%dT%H%M}-{options.events}.md", "latest.md"):
        (RESULTS / name).write_text(text)
    log(f"Written to {RESULTS / 'latest.md'}")


if __name__ == "__main__":
    main()
