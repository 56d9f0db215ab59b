"""Bytes on the wire of the event list, plain and gzipped: ``manage.py payload_sizes``.

A measuring tool, not a test. It never touches the configured database: it creates a scratch one the way the test
runner does (SQLite: in memory; PostgreSQL: ``payload_sizes_<random>`` on the configured server, dropped at the end),
then asks the whole app (every middleware, compression included) as an anonymous client would, twice:

- with the seed article's records (``fixtures/edm-2006-v3-i79.yaml``);
- with ``--events`` synthetic events (``bench.synthetic``, every one published, so that a page holds all of them).

For each, the default page of ``/api/v1/events/``, ``?brief=true``, ``?fields=`` the fields of a timeline row, and
the CSV (every event), each without and with ``Accept-Encoding: gzip``. The figures are the response bodies as sent
(headers left out), and each gzipped body is checked to decode to exactly the plain one.
"""

from __future__ import annotations

import gzip
import json
import secrets
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings

from cooperation.choices import Status
from cooperation.models import Event

ARTICLE = "edm-2006-v3-i79"
HOST = "127.0.0.1:8000"  # the demo's address: it is in every absolute URL of a payload
EVENTS = "/api/v1/events/"
# What a dashboard's timeline row shows (see the README, "Compression").
TIMELINE_ROW = "id,kind,title,date,place,participants,topics"
REQUESTS = (
    ("default page", EVENTS),
    ("?brief=true", f"{EVENTS}?brief=true"),
    (f"?fields={TIMELINE_ROW}", f"{EVENTS}?fields={TIMELINE_ROW}"),
    ("CSV, every event", f"{EVENTS}?format=csv"),
)


@dataclass(frozen=True)
class Size:
    what: str
    plain: int
    gzipped: int

    def line(self, width: int) -> str:
        share = f"{100 * self.gzipped / self.plain:.0f} %" if self.plain else "-"
        return f"  {self.what:<{width}}  {self.plain:>9,}  {self.gzipped:>9,}  {share:>6}"


class Command(BaseCommand):
    help = (
        "Print the bytes on the wire (plain and gzip) of the event list: default page, brief, fields, CSV; for the "
        "seed article and for a page of synthetic events, on a scratch database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=50, help="Synthetic events to measure (default 50).")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the synthetic data (default 1).")

    def handle(self, *args, events, seed, **options):
        if events < 1:
            raise CommandError("--events: at least 1.")
        try:
            from bench import synthetic  # tooling: in a clone, not in the production image
        except ImportError as exc:
            raise CommandError("bench/ is needed for the synthetic events: run this in a clone.") from exc

        with scratch_database(), override_settings(ALLOWED_HOSTS=[HOST.partition(":")[0]]):
            with transaction.atomic():
                call_command("loaddata", ARTICLE, verbosity=0)
                self.report(f"Seed article ({ARTICLE})", measure())
                transaction.set_rollback(True)
            with transaction.atomic():
                synthetic.generate(events, seed)
                Event.objects.filter(slug__startswith=synthetic.PREFIX).update(status=Status.PUBLISHED)
                self.report(f"{events} synthetic events (bench.synthetic, seed {seed}, all published)", measure())
                transaction.set_rollback(True)

    def report(self, title: str, sizes: list[Size]) -> None:
        width = max(len(size.what) for size in sizes)
        page = len(json.loads(Client(HTTP_HOST=HOST).get(EVENTS).content)["results"])
        self.stdout.write(f"{title}, {page} events on the default page: bytes on the wire (body as sent, anonymous)")
        self.stdout.write(f"  {'request':<{width}}  {'plain':>9}  {'gzip':>9}  {'ratio':>6}")
        for size in sizes:
            self.stdout.write(size.line(width))
        self.stdout.write("")


@contextmanager
def scratch_database():
    """A throwaway database as the test runner makes one, in place of the configured one until the end."""
    name = connection.settings_dict["NAME"]
    if connection.vendor != "sqlite":  # SQLite's is in memory; elsewhere, a name nobody else uses
        connection.settings_dict["TEST"]["NAME"] = f"payload_sizes_{secrets.token_hex(4)}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


def measure() -> list[Size]:
    """Each request of ``REQUESTS`` without and with gzip; a gzipped body must decode to the plain one."""
    client = Client(HTTP_HOST=HOST)
    sizes = []
    for what, url in REQUESTS:
        plain = body(client.get(url))
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        gzipped = body(response)
        if response.get("Content-Encoding") != "gzip" or gzip.decompress(gzipped) != plain:
            raise CommandError(f"{url}: the gzipped answer is not the plain one compressed.")
        sizes.append(Size(what, len(plain), len(gzipped)))
    return sizes


def body(response) -> bytes:
    if response.status_code != 200:
        raise CommandError(f"{response.request['PATH_INFO']}: {response.status_code}")
    return b"".join(response.streaming_content) if response.streaming else response.content
