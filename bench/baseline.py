"""The framework-free baseline: a bare WSGI app, psycopg 3 and the stdlib, answering the scenarios' paths.

It runs each scenario's SQL on one connection per worker and returns the first
query's rows as JSON (or streams them as CSV): the floor the app's ratio is
measured against. Served by the same gunicorn as the app.
"""

import csv
import io
import json
import os

import psycopg

from bench import scenarios

_connection = None
BY_PATH = {
    scenario.path: scenario
    for scenario in scenarios.build(int(os.environ["BENCH_EVENTS"]), int(os.environ["BENCH_DETAIL"]))
}


def connection() -> psycopg.Connection:
    """One autocommit connection per worker process, opened on first use (after gunicorn forks)."""
    global _connection  # a per-process cache, like Django's persistent connections
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["BENCH_DSN"], autocommit=True)
    return _connection


def stream_csv(sql: str):
    """Rows as CSV in chunks, read through a server-side cursor so memory stays flat."""
    with connection().transaction(), connection().cursor(name="export") as cursor:
        cursor.execute(sql)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([column.name for column in cursor.description])
        while rows := cursor.fetchmany(2000):
            writer.writerows(rows)
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
        if buffer.tell():
            yield buffer.getvalue().encode()


def application(environ, start_response):
    query = environ.get("QUERY_STRING")
    scenario = BY_PATH.get(environ["PATH_INFO"] + (f"?{query}" if query else ""))
    if scenario is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not a benchmark scenario"]
    if scenario.csv:
        start_response("200 OK", [("Content-Type", "text/csv")])
        return stream_csv(scenario.queries[0])
    with connection().cursor() as cursor:
        results = []
        for sql in scenario.queries:
            cursor.execute(sql)
            columns = [column.name for column in cursor.description]
            results.append([dict(zip(columns, row, strict=True)) for row in cursor.fetchall()])
    body = json.dumps({"results": results[0], "related": results[1:]}, default=str).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
