"""The SQL of a request, the app's and the baseline's, one after the other: to keep the baseline's in step.

Run with the app's settings and a benchmark database::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench DJANGO_SECRET_KEY=x \\
        .venv/bin/python -m bench.sql "/api/v1/events/?country=BE&date_after=2000-01-01"

When the app's SQL for a scenario changes (a filter, a prefetch, an aggregate), change the
matching statement of ``bench.baseline``; the benchmark's same-JSON check catches a different
answer, not a different query.
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


def baseline_statements(path: str) -> list[str]:
    from bench.baseline import Baseline

    baseline = Baseline(os.environ["DATABASE_URL"])
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
    for path in sys.argv[1:]:
        for name, statements in (("app", app_statements(path)), ("baseline", baseline_statements(path))):
            print(f"## {name}: {path} ({len(statements)} queries)\n")
            print("\n\n".join(statements), end="\n\n")
