"""``make bench``: the app and the framework-free baseline under gunicorn, driven by wrk, side by side.

For each scenario (``bench.scenarios``) it prints requests/s, p50 and p99 for both
servers, their ratio, queries per request, and for the CSV export the worker's
peak memory growth; then the timeline and an aggregate at each of ``--scales``.
The table is printed and written to ``bench/results/``. Everything runs against
PostgreSQL on 127.0.0.1 in databases of its own (``tracker_bench``, and
``tracker_bench_<N>`` for the other scales), generated with ``generate_synthetic`` when missing.
"""

# ruff: noqa: S603 -- every subprocess here runs fixed commands (this interpreter, gunicorn, wrk, apt-get).

import argparse
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from bench.scenarios import Scenario, build

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SERVER = "postgres://postgres@127.0.0.1:5432"
HOST = "127.0.0.1"
APP_PORT, BASELINE_PORT = 8701, 8702
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}  # wrk's latency units, to milliseconds


@dataclass(frozen=True)
class Load:
    """One wrk run: throughput and latency percentiles in milliseconds."""

    rps: float
    p50: float
    p99: float


def parse_wrk(output: str) -> Load:
    """Requests/s and the 50th/99th percentiles from ``wrk --latency`` output."""

    def latency(percent: str) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        return float(match[1]) * UNITS[match[2]] if match else float("nan")

    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"wrk saw {errors[1]} error responses:\n{output}")
    return Load(float(rps[1]) if rps else 0.0, latency("50"), latency("99"))


def ensure_wrk() -> str:
    """The wrk binary, installed from Debian when we may; otherwise say how."""
    apt = shutil.which("apt-get")
    if not shutil.which("wrk") and os.geteuid() == 0 and apt:
        print("Installing wrk (apt-get install -y wrk)…")
        subprocess.run([apt, "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    if not (path := shutil.which("wrk")):
        raise SystemExit("The benchmark needs wrk: sudo apt-get update && sudo apt-get install -y wrk")
    return path


def ensure_dataset(database: str, events: int) -> tuple[str, int]:
    """The database URL, created, migrated and holding exactly ``events`` synthetic events; and the detail's id."""
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
        if present:
            subprocess.run([*manage, "generate_synthetic", "--clear"], env=env, check=True)
        subprocess.run([*manage, "generate_synthetic", f"--events={events}"], env=env, check=True)
    with psycopg.connect(url) as conn:
        return url, conn.execute("SELECT id FROM cooperation_event WHERE slug = 'syn-event-1'").fetchone()[0]


def app_env(url: str, events: int, detail: int) -> dict[str, str]:
    """Production settings, with the anonymous throttle off so the load measures the app, not the 429s."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "BENCH_DSN": url,
        "BENCH_EVENTS": str(events),
        "BENCH_DETAIL": str(detail),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-only-not-a-secret",  # a throwaway local server
        "API_ANON_RATE": "",
        "API_USER_RATE": "",
    }


@contextmanager
def gunicorn(wsgi: str, port: int, env: dict, workers: int):
    """A gunicorn on 127.0.0.1:port, ready when it accepts connections; yields its worker pids."""
    command = [sys.executable, "-m", "gunicorn", wsgi, f"--bind={HOST}:{port}", f"--workers={workers}"]
    process = subprocess.Popen([*command, "--timeout=120"], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection((HOST, port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"gunicorn {wsgi} did not start") from None
                time.sleep(0.2)
        yield lambda: [int(pid) for pid in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()]
    finally:
        process.terminate()
        process.wait(timeout=30)


def rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status)[1])


def peak_growth_mb(url: str, workers: list[int]) -> float:
    """How far the workers' resident memory rises above where it started while one export streams."""
    start = {pid: rss_kb(pid) for pid in workers}
    peak = dict(start)
    done = threading.Event()

    def sample():
        while not done.is_set():
            for pid in workers:
                peak[pid] = max(peak[pid], rss_kb(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    with urllib.request.urlopen(url, timeout=300) as response:  # noqa: S310 -- a 127.0.0.1 URL we built
        while response.read(1 << 16):
            pass
    done.set()
    sampler.join()
    return max(peak[pid] - start[pid] for pid in workers) / 1024


def wrk(binary: str, url: str, seconds: int, connections: int) -> Load:
    command = [binary, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout=60s", "--latency", url]
    return parse_wrk(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def app_queries(env: dict, scenarios: list[Scenario]) -> dict[str, int]:
    command = [sys.executable, "-m", "bench.queries", *(s.path for s in scenarios)]
    output = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(output.stdout)


def measure(options, events: int, database: str, scaling: bool = False) -> list[dict]:
    """Both servers on one database: each scenario loaded against the app, then the baseline."""
    url, detail = ensure_dataset(database, events)
    scenarios = [s for s in build(events, detail) if s.scaling or not scaling]
    label = str(events) if scaling else ""
    binary, env = ensure_wrk(), app_env(url, events, detail)
    queries = app_queries(env, scenarios)
    rows = []
    with (
        gunicorn("tracker.wsgi:application", APP_PORT, env, options.workers) as app_workers,
        gunicorn("bench.baseline:application", BASELINE_PORT, env, options.workers) as base_workers,
    ):
        for scenario in scenarios:
            row = {"scale": label, "scenario": scenario.name, "queries": queries[scenario.path]}
            row["baseline queries"] = len(scenario.queries)
            for name, port, workers in (("app", APP_PORT, app_workers), ("baseline", BASELINE_PORT, base_workers)):
                target = f"http://{HOST}:{port}{scenario.path}"
                print(f"  {label or ''} {scenario.name} — {name}…", flush=True)
                row[name] = wrk(binary, target, options.duration, options.connections)
                if scenario.csv:
                    row[f"{name} peak MB"] = peak_growth_mb(target, workers())
            rows.append(row)
    return rows


def cell(row: dict) -> list[str]:
    app, base = row["app"], row["baseline"]
    ratio = f"{base.rps / app.rps:.2f}" if app.rps else "— (none finished)"
    peak = f"{row['app peak MB']:.0f} / {row['baseline peak MB']:.0f}" if "app peak MB" in row else ""
    return [
        *([row["scale"]] if row["scale"] else []),
        row["scenario"],
        f"{app.rps:.1f}",
        f"{app.p50:.1f}",
        f"{app.p99:.1f}",
        f"{base.rps:.1f}",
        f"{base.p50:.1f}",
        f"{base.p99:.1f}",
        ratio,
        f"{row['queries']} / {row['baseline queries']}",
        *([peak] if not row["scale"] else []),
    ]


def table(rows: list[dict], scaled: bool) -> str:
    head = [
        *(["events"] if scaled else []),
        "scenario",
        "app req/s",
        "app p50 ms",
        "app p99 ms",
        "baseline req/s",
        "baseline p50 ms",
        "baseline p99 ms",
        "baseline/app",
        "queries app / baseline",
        *([] if scaled else ["export peak RSS growth MB app / baseline"]),
    ]
    lines = [head, ["---"] * len(head), *(cell(row) for row in rows)]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="Events in the main dataset (default 100000).")
    parser.add_argument("--database", default="tracker_bench", help="Database of the main dataset.")
    parser.add_argument("--duration", type=int, default=10, help="Seconds of load per scenario and server.")
    parser.add_argument("--connections", type=int, default=8, help="Concurrent wrk connections.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server.")
    parser.add_argument(
        "--scales", default="10000,100000", help="Event counts for the scaling step, e.g. 10000,1000000."
    )
    parser.add_argument("--quick", action="store_true", help="2,000 events, 3 s per run, one small scale.")
    options = parser.parse_args(argv)
    if options.quick:
        options.events, options.duration = 2000, 3
    if options.scales is None:
        options.scales = "2000,5000" if options.quick else "10000,100000"
    scales = [int(n) for n in options.scales.split(",") if n]
    started = datetime.now(UTC)
    print(f"Dataset: {options.events} events in {options.database}")
    rows = measure(options, options.events, options.database)
    scaled = []
    for events in scales:
        database = options.database if events == options.events else f"{options.database}_{events}"
        print(f"Scaling: {events} events in {database}")
        scaled += measure(options, events, database, scaling=True)
    report = "\n".join(
        [
            f"Benchmark of {started:%Y-%m-%d %H:%M} UTC on {platform.node()} ({os.cpu_count()} cores, "
            f"{platform.platform()}): {options.events} events, {options.duration} s per run, "
            f"{options.connections} connections, {options.workers} gunicorn workers per server.",
            "Ratio = baseline req/s ÷ app req/s (1.00 means the framework costs nothing).",
            "",
            table(rows, scaled=False),
            "",
            "Scaling:",
            "",
            table(scaled, scaled=True),
            "",
        ]
    )
    print("\n" + report)
    RESULTS.mkdir(exist_ok=True)
    for name in (f"{started:%Y%m%dT%H%M}-{options.events}.md", "latest.md"):
        (RESULTS / name).write_text(report)
    print(f"Written to {RESULTS / 'latest.md'}")


if __name__ == "__main__":
    main()
