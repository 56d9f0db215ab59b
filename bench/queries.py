"""Queries per request: each path requested once through Django's test client, its SQL captured.

Run as ``python -m bench.queries PATH…`` with the benchmark's environment (the
app's settings and database); prints ``{path: count}`` as JSON. A separate
process because each scale of the benchmark is its own database.
"""

import json
import os
import sys


def count_queries(paths: list[str]) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for path in paths:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
            if response.streaming:
                b"".join(response.streaming_content)  # the export's queries run while it streams
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}: the scenario is wrong, not slow.")
        counts[path] = len(captured)
    return counts


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    django.setup()
    print(json.dumps(count_queries(sys.argv[1:])))
