"""Queries per request, counted inside the servers: gunicorn hooks, loaded with ``-c python:bench.queries``.

Both servers run with these hooks. A request carrying the header ``X-Bench-Count: <token>``
has its SQL statement count appended as ``<token> <count>`` to the file named by
``BENCH_QUERY_LOG`` once the response is completely sent — a streamed export included, whose
queries run while it streams. Requests without the header (wrk's) cost one comparison.

The app's statements are counted by a Django execute wrapper (what ``CaptureQueriesContext``
sees); the baseline counts its own (``Baseline.queries``).
"""

import os

HEADER = "X-BENCH-COUNT"
_executed = 0  # the app's statements so far, in this worker
_started: dict[int, int] = {}  # worker pid -> the count when its current request began


def _count(execute, sql, params, many, context):
    global _executed  # one counter per worker process, which serves one request at a time
    _executed += 1
    return execute(sql, params, many, context)


def executed(worker) -> int:
    """Statements this worker has run: the baseline keeps its own count, the app's is ours."""
    return getattr(worker.wsgi, "queries", _executed)


def post_worker_init(worker):
    if not hasattr(worker.wsgi, "queries"):
        from django.db import connection

        connection.execute_wrappers.append(_count)


def pre_request(worker, req):
    _started[worker.pid] = executed(worker)


def post_request(worker, req, environ, resp):
    token = next((value for name, value in req.headers if name == HEADER), None)
    if token and (log := os.environ.get("BENCH_QUERY_LOG")):
        with open(log, "a") as file:
            file.write(f"{token} {executed(worker) - _started.get(worker.pid, 0)}\n")
