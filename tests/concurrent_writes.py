"""Two simultaneous API writes against a real database file, for ``test_hostile_input`` (run as a subprocess).

    DATABASE_URL=sqlite:////tmp/x.sqlite3 python -m tests.concurrent_writes

Prints one JSON line: the statuses of two PATCHes sent at once with the same If-Match, and of two creates
with the same slug. The test database of pytest is in memory, where SQLite's locks are per table and
never wait, so the waiting a deployment relies on can only be seen on a file.
"""

from __future__ import annotations

import json
import os
import threading

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.update(API_ANON_RATE="", API_USER_RATE="", DJANGO_ALLOWED_HOSTS="testserver")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from cooperation.models import Organization  # noqa: E402


def at_once(*requests) -> list[int]:
    """Send each request from its own thread (and connection), released together; their statuses, sorted."""
    barrier = threading.Barrier(len(requests))
    statuses = []

    def send(request):
        try:
            barrier.wait()
            statuses.append(request().status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(request,)) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


def writer(user) -> APIClient:
    client = APIClient()  # one per thread: a client keeps state between its requests
    client.force_authenticate(user)
    return client


def main() -> None:
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_superuser("writer", password="writer-pass-1")
    organization = Organization.objects.create(slug="cis", name="CIS", kind="intergovernmental")
    url = f"/api/v1/organizations/{organization.pk}/"
    etag = writer(user).get(url)["ETag"]

    def patch(name):
        return lambda: writer(user).patch(url, {"name": name}, format="json", HTTP_IF_MATCH=etag)

    def create():
        body = {"slug": "sco", "name": "SCO", "kind": "intergovernmental"}
        return writer(user).post("/api/v1/organizations/", body, format="json")

    print(json.dumps({"patches": at_once(patch("CIS one"), patch("CIS two")), "creates": at_once(create, create)}))


if __name__ == "__main__":
    main()
