"""The SQL of a request, the app's, the mirror's and the limit's, one after the other: to keep the mirror's in step.

Run with the app's settings and a benchmark database::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench DJANGO_SECRET_KEY=x \\
        .venv/bin/python -m bench.sql "/api/v1/events/?country=BE&date_after=2000-01-01"

When the app's SQL for a scenario changes (a filter, a prefetch, an aggregate), change the
matching statement of ``bench.baseline`` (the mirror); the benchmark's same-JSON check catches a
different answer, not a different query. ``bench.limit``'s one statement is printed last, to
``EXPLAIN`` it beside the app's.
"""

import os
import sys
from urllib.parse import urlsplit


def app_statements(path: str) -> list[str]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = Client(HTTP_HOST="127.0.0.1").get(path)
        if response.streaming:
            b"".join(response.streaming_content)  # an export's queries run while it streams
    return [query["sql"] for query in captured.captured_queries]


def server_statements(path: str, server) -> list[str]:
    """The statements ``server`` (the mirror's or the limit's WSGI application) runs for ``path``."""
    baseline = server(os.environ["DATABASE_URL"])
    baseline.statements = []
    url = urlsplit(path)
    environ = {
        **{"REQUEST_METHOD": "GET", "PATH_INFO": url.path, "QUERY_STRING": url.query},
        **{"HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http"},
    }
    b"".join(baseline(environ, lambda status, headers: None))
    return baseline.statements


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    django.setup()
    from bench.baseline import Baseline
    from bench.limit import Limit

    for path in sys.argv[1:]:
        servers = (("mirror", Baseline), ("limit", Limit))
        for name, statements in (("app", app_statements(path)), *((n, server_statements(path, s)) for n, s in servers)):
            print(f"## {name}: {path} ({len(statements)} queries)\n")
            print("\n\n".join(statements), end="\n\n")
