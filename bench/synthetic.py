"""Synthetic data for benchmarks: a seeded, reproducible dataset of N events of every kind.

Rows bypass ``services.record_create`` and the ``pre_save`` handlers on purpose (a
million events must load in minutes), so this module derives what those handlers
would: date bounds from the EDTF text, timestamps, uids. Every synthetic curated row
has a slug starting with ``syn-`` and every child row hangs off a synthetic parent or
cites the synthetic document, which is how ``clear`` finds them and
``curated_count`` tells real data apart.

One generator, two writers. ``Generator`` makes the rows, ``CHUNK`` events at a
time, and hands each chunk to the writer before making the next, so memory stays
flat at any N (about 110 MB at 100k and at 1M). Primary keys are reserved up front
(``Ids``: from the tables' sequences on PostgreSQL), so children point at parents
before anything is written. The rows depend only on the seed, never on the database
or the writer. ``CopyWriter`` streams them into PostgreSQL with binary ``COPY …
FROM STDIN``: one statement per table and chunk instead of a parameterised INSERT
per thousand rows, and values encoded as PostgreSQL's own binary types, so the
client costs a sixth of what the ORM's inserts did; with the foreign keys set aside
for the load and checked once at the end, the server does little more than store
rows and maintain indexes. That is what makes 1M events practical.
``BulkWriter`` writes the same rows with Django's bulk inserts on any other
database (SQLite in the tests). COPY applies no Django defaults, so ``Table`` fills
every concrete column of every row explicitly, on both paths alike.

It is bench tooling, not part of the domain: ``bench.run`` creates its datasets with it
and the tests check it. Run it with the app's settings::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench .venv/bin/python -m bench.synthetic 100000

``--seed S`` picks the data (default 1), ``--clear`` deletes synthetic rows only, and it
refuses a database holding curated records unless given ``--allow-curated``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from array import array
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from operator import itemgetter

import django

if __name__ == "__main__":  # run as a script: the models imported below need Django set up
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    django.setup()

from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone
from psycopg import sql

from cooperation import facets
from cooperation.choices import (
    EventKind,
    ExerciseKind,
    LinkKind,
    MeetingKind,
    OrganizationKind,
    PartnershipKind,
    Qualifier,
    Role,
    SourceKind,
    StatementForm,
    Status,
)
from cooperation.models import (
    Citation,
    Council,
    Country,
    Document,
    Event,
    EventLink,
    Metric,
    Organization,
    Outcome,
    Participation,
    Partnership,
    PartnershipParty,
    Person,
    PersonName,
    Source,
    Topic,
)
from cooperation.models.base import Curated
from cooperation.models.events import EVENT_MODELS
from cooperation.models.sync import EVENT_KIND_RESOURCES, RESOURCES, Tombstone, TombstoneReason

PREFIX = "syn-"
CHUNK = 10_000  # events generated and written at a time
BATCH = 1000  # rows per INSERT on the generic path
FIRST_DAY = date(1992, 1, 1)
DAYS = 365 * 34
PUBLISHED, DRAFT = Status.PUBLISHED.value, Status.DRAFT.value
LINKED = 0.1  # the share of events linked to an earlier one (a follow-up, a session it was held during…)
# Each choice list once (``TextChoices.values`` rebuilds its list on every access).
CHOICES = {
    choices: choices.values
    for choices in (OrganizationKind, ExerciseKind, MeetingKind, StatementForm, Qualifier, PartnershipKind, LinkKind)
}
# Spellings of "Synthetic Person" the way transliterations of one name differ, for name-variant search.
NAME_VARIANTS = ("Synthetic Persson {}", "Sintetik Person {}", "Syntetic Persone {}")

# Curated models whose rows are either synthetic (slug ``syn-…``) or curated data.
CURATED = (Event, Organization, Council, Person, Partnership, Source, Document)


@dataclass(frozen=True)
class Sizes:
    """How many of each parent record N events bring, so the dataset keeps its shape at every scale."""

    events: int

    @property
    def organizations(self) -> int:
        return max(5, self.events // 200)

    @property
    def people(self) -> int:
        return max(5, self.events // 50)

    @property
    def partnerships(self) -> int:
        return max(2, self.events // 100)

    @property
    def documents(self) -> int:
        return max(2, self.events // 20)


def curated_count() -> int:
    """Curated (non-synthetic) records in the database: the generator refuses to mix with them."""
    return sum(model.objects.exclude(slug__startswith=PREFIX).count() for model in CURATED)


def synthetic_count() -> int:
    return Event.objects.filter(slug__startswith=PREFIX).count()


class Table:
    """One table's columns, in order, and what each column holds unless a row says otherwise.

    Django fills defaults when it builds a model instance; COPY does not, so the
    defaults are resolved here once: literal defaults, ``""`` for blank text, NULL for
    nullable columns, the run's ``stamp`` for ``created_at``/``updated_at``. What has
    no such value (required fields, random defaults such as ``uid``) each row must
    give; ``row`` refuses one that does not, or that names an unknown column.
    """

    def __init__(self, model: type[models.Model], stamp: datetime, *, with_id: bool = True):
        self.model = model
        pk = model._meta.pk
        self.fields = [
            f for f in model._meta.local_concrete_fields if with_id or not (f is pk and isinstance(f, models.AutoField))
        ]
        self.names = [f.attname for f in self.fields]
        self.columns = [f.column for f in self.fields]
        self.defaults = {}
        for field in self.fields:
            if field.attname in ("created_at", "updated_at"):
                self.defaults[field.attname] = stamp
            elif field.has_default() and not callable(field.default):
                default = field.default
                self.defaults[field.attname] = default.value if isinstance(default, models.Choices) else default
            elif field.null:
                self.defaults[field.attname] = None
            elif field.blank and isinstance(field, models.CharField | models.TextField):
                self.defaults[field.attname] = ""

        self.pick = itemgetter(*self.names)

    def row(self, **values) -> tuple:
        merged = self.defaults.copy()
        merged.update(values)
        if len(merged) != len(self.names):
            unknown, missing = merged.keys() - set(self.names), set(self.names) - merged.keys()
            raise ValueError(f"{self.model.__name__}: missing {sorted(missing)}, unknown {sorted(unknown)}")
        return self.pick(merged)


class Ids:
    """Primary keys handed out before rows are written, so children can point at parents chunk by chunk.

    PostgreSQL: from each table's identity sequence, so later inserts never collide
    whichever writer wrote. Elsewhere: counted on from the largest id in use (on
    SQLite from the largest ever handed out, as AUTOINCREMENT never reuses one).
    """

    def __init__(self):
        self.next: dict[type[models.Model], int] = {}

    def reserve(self, model: type[models.Model], n: int) -> list[int]:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [model._meta.db_table, model._meta.pk.column, n],
                )
                return sorted(value for (value,) in cursor.fetchall())
        if model not in self.next:
            self.next[model] = self.first_free(model)
        start = self.next[model]
        self.next[model] = start + n
        return list(range(start, start + n))

    @staticmethod
    def first_free(model: type[models.Model]) -> int:
        highest = model._base_manager.aggregate(top=models.Max("pk"))["top"] or 0
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [model._meta.db_table])
                found = cursor.fetchone()
            highest = max(highest, found[0] if found else 0)
        return highest + 1


class BulkWriter:
    """Any database: Django's bulk inserts, ``BATCH`` rows a statement."""

    name = "bulk insert"

    def write(self, table: Table, rows: list[tuple]) -> None:
        model = table.model
        objects = [model(**dict(zip(table.names, row, strict=True))) for row in rows]
        if model._meta.parents:  # Django will not bulk-create a multi-table child: insert its own table only
            size = connection.ops.bulk_batch_size(table.fields, objects) or BATCH
            for start in range(0, len(objects), size):
                model._base_manager._insert(objects[start : start + size], fields=table.fields)
        else:
            model._base_manager.bulk_create(objects, batch_size=BATCH)

    def begin(self, tables: list[Table]) -> None:
        """Nothing to set up: the inserts run in the surrounding transaction as they are."""

    def end(self) -> None:
        """Nothing to undo."""

    def analyze(self, tables: list[Table]) -> None:
        """Nothing to do: SQLite plans fine without statistics at test sizes."""


class CopyWriter:
    """PostgreSQL: rows stream in with ``COPY … FROM STDIN``, in the surrounding transaction."""

    name = "PostgreSQL COPY"

    def __init__(self):
        connection.ensure_connection()
        self.raw = connection.connection  # the psycopg 3 connection under Django's
        self.oids: dict[Table, list[int]] = {}

    def begin(self, tables: list[Table]) -> None:
        """Set the foreign keys of the tables about to be loaded aside, as PostgreSQL's docs advise for bulk loads.

        Each would otherwise run a lookup per row (a third of the load's time); ``end``
        adds them back, under the same names, and adding one checks every row in one
        query. Constraint changes are transactional: a load that fails leaves them
        as they were. Meanwhile those tables are locked, which a benchmark load can afford.
        """
        names = sorted({table.model._meta.db_table for table in tables})
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
                [names],
            )
            self.foreign_keys = cursor.fetchall()
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # checks still pending block ALTER TABLE: run them now
            for table, name, _ in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")

    def end(self) -> None:
        with connection.cursor() as cursor:
            for table, name, definition in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to Django's: its constraints are INITIALLY DEFERRED

    def write(self, table: Table, rows: list[tuple]) -> None:
        """Binary COPY: the values go as PostgreSQL's own binary types, several times cheaper to encode than text."""
        types = self.types(table)
        with self.raw.cursor() as cursor, cursor.copy(self.statement(table)) as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)

    @staticmethod
    def statement(table: Table) -> sql.Composed:
        return sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
            sql.Identifier(table.model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, table.columns))
        )

    def types(self, table: Table) -> list[int]:
        """The columns' type oids, as the database has them (binary COPY must send exactly those)."""
        if table not in self.oids:
            query = sql.SQL("SELECT {} FROM {} LIMIT 0").format(
                sql.SQL(", ").join(map(sql.Identifier, table.columns)), sql.Identifier(table.model._meta.db_table)
            )
            with self.raw.cursor() as cursor:
                cursor.execute(query)
                self.oids[table] = [column.type_code for column in cursor.description]
        return self.oids[table]

    def analyze(self, tables: list[Table]) -> None:
        """Fresh statistics, so the planner knows the tables are big right away rather than after autovacuum."""
        names = sorted({table.model._meta.db_table for table in tables})
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(name) for name in names))


def default_writer() -> BulkWriter | CopyWriter:
    return CopyWriter() if connection.vendor == "postgresql" else BulkWriter()


class Generator:
    """Makes the rows for one seed and hands them to a writer in dependency order."""

    def __init__(self, events: int, seed: int, writer: BulkWriter | CopyWriter):
        self.sizes = Sizes(events)
        self.rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
        self.writer = writer
        self.ids = Ids()
        self.countries = list(Country.objects.order_by("code").values_list("code", flat=True))
        stamp = timezone.now()
        self.tables = {
            model: Table(model, stamp)
            for model in (Topic, Metric, Source, Document, Organization, Council, Person, Event, Outcome, Partnership)
        }
        for model in (*EVENT_MODELS.values(), PersonName, Participation, Citation, PartnershipParty, EventLink):
            self.tables[model] = Table(model, stamp, with_id=False)
        self.tables["event_topics"] = Table(Event.topics.through, stamp, with_id=False)
        self.tables["partnership_events"] = Table(Partnership.events.through, stamp, with_id=False)
        self.counts: Counter[str] = Counter()

    # -- random values --------------------------------------------------------

    def uid(self) -> uuid.UUID:
        """A UUID from the seeded stream, so the same seed gives the same natural keys."""
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def dated(self, **fields) -> dict:
        """Fields for an UncertainDate row: mostly exact days, some months and two-day intervals.

        The bounds are computed here rather than by ``parse_edtf`` (≈20 ms a call,
        half an hour for 100k events); the tests check they agree with it.
        """
        day = FIRST_DAY + timedelta(days=self.rng.randrange(DAYS))
        shape = self.rng.random()
        if shape < 0.15:
            first = day.replace(day=1)
            last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
            text, lower, upper, precision = f"{day:%Y-%m}", first, last, "month"
        elif shape < 0.25:
            upper = day + timedelta(days=1)
            text, lower, precision = f"{day:%Y-%m-%d}/{upper:%Y-%m-%d}", day, "day"
        else:
            text, lower, upper, precision = f"{day:%Y-%m-%d}", day, day, "day"
        return {**fields, "date": text, "date_lower": lower, "date_upper": upper, "date_precision": precision}

    def status(self) -> str:
        return PUBLISHED if self.rng.random() < 0.9 else DRAFT

    # -- writing --------------------------------------------------------------

    def write(self, key, rows: list[dict]) -> None:
        """Hand ``rows`` (column values by attname) for table ``key`` to the writer as complete tuples."""
        table = self.tables[key]
        self.writer.write(table, [table.row(**row) for row in rows])
        self.counts[table.model._meta.model_name] += len(rows)

    def run(self) -> dict[str, int]:
        # The facets' triggers would re-derive an event's facets for each row written about it: derived once instead.
        with transaction.atomic(), facets.suspended():
            self.writer.begin(list(self.tables.values()))
            self.vocabulary()
            self.parents()
            self.event_ids = array("q")  # every event's id by index, 8 bytes each, for partnerships to pick from
            for start in range(0, self.sizes.events, CHUNK):
                self.events(start, min(start + CHUNK, self.sizes.events))
            self.partnerships()
            self.writer.end()
        self.writer.analyze(list(self.tables.values()))
        return {
            "events": self.sizes.events,
            "participations": self.counts["participation"],
            "outcomes": self.counts["outcome"],
            "citations": self.counts["citation"],
            "people": self.counts["person"],
            "name variants": self.counts["personname"],
            "partnerships": self.counts["partnership"],
            "event links": self.counts["eventlink"],
        }

    # -- the dataset ----------------------------------------------------------

    def vocabulary(self):
        self.topics = self.ids.reserve(Topic, 8)
        self.write(
            Topic,
            [
                {"id": pk, "slug": f"{PREFIX}topic-{i}", "name": f"Synthetic topic {i}"}
                for i, pk in enumerate(self.topics)
            ],
        )
        self.metrics = self.ids.reserve(Metric, 4)
        self.write(
            Metric,
            [
                {"id": pk, "slug": f"{PREFIX}metric-{i}", "name": f"Synthetic metric {i}", "default_unit": "persons"}
                for i, pk in enumerate(self.metrics)
            ],
        )

    def parents(self):
        """The source and its documents, organizations and their council, people and their name variants."""
        sizes, rng, reserve = self.sizes, self.rng, self.ids.reserve
        (source,) = reserve(Source, 1)
        kind = SourceKind.choices[0][0]
        self.write(
            Source,
            [{"id": source, "slug": f"{PREFIX}source", "name": "Synthetic source", "kind": kind, "status": PUBLISHED}],
        )
        self.documents = reserve(Document, sizes.documents)
        self.write(
            Document,
            [
                {
                    "id": pk,
                    "slug": f"{PREFIX}doc-{i}",
                    "source_id": source,
                    "title": f"Synthetic report {i}",
                    "published_on": FIRST_DAY + timedelta(days=rng.randrange(DAYS)),
                    "status": PUBLISHED,
                }
                for i, pk in enumerate(self.documents)
            ],
        )
        self.organizations = reserve(Organization, sizes.organizations)
        self.write(
            Organization,
            [
                {
                    "id": pk,
                    "slug": f"{PREFIX}org-{i}",
                    "name": f"Synthetic agency {i}",
                    "abbreviation": f"SA{i}",
                    "kind": rng.choice(CHOICES[OrganizationKind]),
                    "country_id": rng.choice(self.countries),
                    "status": self.status(),
                }
                for i, pk in enumerate(self.organizations)
            ],
        )
        (self.council,) = reserve(Council, 1)
        self.write(
            Council,
            [
                {
                    "id": self.council,
                    "slug": f"{PREFIX}council",
                    "name": "Synthetic council",
                    "organization_id": self.organizations[0],
                    "status": PUBLISHED,
                }
            ],
        )
        self.people = reserve(Person, sizes.people)
        people, names = [], []
        for i, pk in enumerate(self.people):
            people.append(
                {
                    "id": pk,
                    "slug": f"{PREFIX}person-{i}",
                    "name": f"Synthetic Person {i}",
                    "country_id": rng.choice(self.countries),
                    "status": self.status(),
                }
            )
            for variant in rng.sample(NAME_VARIANTS, rng.randint(1, 2)):
                names.append({"person_id": pk, "name": variant.format(i), "note": "Synthetic transliteration."})
        self.write(Person, people)
        self.write(PersonName, names)

    def detail(self, kind: str) -> dict:
        """The typed fields of one event kind."""
        rng = self.rng
        if kind == EventKind.SESSION:
            return {"council_id": self.council, "number": str(rng.randrange(1, 60))}
        if kind == EventKind.OPERATION:
            return {"code_name": f"Op {rng.randrange(10_000)}", "aim": "Synthetic aim."}
        if kind == EventKind.EXERCISE:
            return {"exercise_kind": rng.choice(CHOICES[ExerciseKind])}
        if kind == EventKind.MEETING:
            return {"meeting_kind": rng.choice(CHOICES[MeetingKind]), "subject": "Synthetic."}
        return {"form": rng.choice(CHOICES[StatementForm]), "text": "Synthetic words."}

    def events(self, first: int, stop: int):
        """Events ``first``…``stop - 1`` with everything hanging off them, written before the next chunk is made."""
        rng = self.rng
        kinds = [kind.value for kind in EVENT_MODELS]
        ids = self.ids.reserve(Event, stop - first)
        self.event_ids.extend(ids)
        events, typed, topics, parts, outcomes, citations, links = [], {kind: [] for kind in kinds}, [], [], [], [], []
        operations = sum(kinds[i % len(kinds)] == EventKind.OPERATION for i in range(first, stop))
        outcome_ids = iter(self.ids.reserve(Outcome, 2 * operations))
        for i, pk in zip(range(first, stop), ids, strict=True):
            kind = kinds[i % len(kinds)]
            events.append(
                self.dated(
                    id=pk,
                    slug=f"{PREFIX}event-{i}",
                    kind=kind,
                    title=f"Synthetic {kind} {i}",
                    summary="Generated for benchmarks.",
                    place_country_id=rng.choice(self.countries),
                    # the first event of each kind is published: a known detail page for the benchmark
                    status=PUBLISHED if i < len(kinds) else self.status(),
                )
            )
            typed[kind].append({"event_ptr_id": pk, **self.detail(kind)})
            topics.append({"event_id": pk, "topic_id": rng.choice(self.topics)})
            parts.extend(self.participations(pk, kind))
            citations.append(self.citation(event_id=pk))
            if i and rng.random() < LINKED:  # to an earlier event, so never to itself nor twice
                target = self.event_ids[rng.randrange(i)]
                links.append(
                    {"uid": self.uid(), "source_id": pk, "target_id": target, "kind": rng.choice(CHOICES[LinkKind])}
                )
            if kind == EventKind.OPERATION:
                for metric in rng.sample(self.metrics, 2):
                    outcome = next(outcome_ids)
                    outcomes.append(
                        {
                            "id": outcome,
                            "uid": self.uid(),
                            "event_id": pk,
                            "metric_id": metric,
                            "value": Decimal(rng.randrange(1, 5000)),
                            "unit": "persons",
                            "qualifier": rng.choice(CHOICES[Qualifier]),
                        }
                    )
                    citations.append(self.citation(outcome_id=outcome))
        self.write(Event, events)
        for kind, model in EVENT_MODELS.items():
            self.write(model, typed[kind])
        self.write("event_topics", topics)
        self.write(Participation, parts)
        self.write(Outcome, outcomes)
        self.write(Citation, citations)
        self.write(EventLink, links)

    def participations(self, event: int, kind: str) -> list[dict]:
        """Three countries (a host and two participants), plus the speaker or visitor, or the agency of an operation."""
        rng = self.rng
        roles = (Role.HOST.value, Role.PARTICIPANT.value, Role.PARTICIPANT.value)
        rows = [
            {"uid": self.uid(), "event_id": event, "country_id": code, "role": role}
            for role, code in zip(roles, rng.sample(self.countries, 3), strict=True)
        ]
        if kind in (EventKind.STATEMENT, EventKind.MEETING):
            role = Role.SPEAKER.value if kind == EventKind.STATEMENT else Role.VISITOR.value
            rows.append({"uid": self.uid(), "event_id": event, "person_id": rng.choice(self.people), "role": role})
        if kind == EventKind.OPERATION:
            rows.append(
                {
                    "uid": self.uid(),
                    "event_id": event,
                    "organization_id": rng.choice(self.organizations),
                    "role": Role.PARTICIPANT.value,
                }
            )
        return rows

    def citation(self, **target) -> dict:
        return {
            "uid": self.uid(),
            "document_id": self.rng.choice(self.documents),
            "quote": "Synthetic quote.",
            **target,
        }

    def partnerships(self):
        """Partnerships of two countries, each evidenced by three events picked from all of them."""
        rng = self.rng
        ids = self.ids.reserve(Partnership, self.sizes.partnerships)
        partnerships, parties, links = [], [], []
        for i, pk in enumerate(ids):
            partnerships.append(
                self.dated(
                    id=pk,
                    slug=f"{PREFIX}partnership-{i}",
                    title=f"Synthetic partnership {i}",
                    kind=rng.choice(CHOICES[PartnershipKind]),
                    status=self.status(),
                )
            )
            parties.extend(
                {"uid": self.uid(), "partnership_id": pk, "country_id": code} for code in rng.sample(self.countries, 2)
            )
            for index in rng.sample(range(len(self.event_ids)), min(3, len(self.event_ids))):
                links.append({"partnership_id": pk, "event_id": self.event_ids[index]})
        self.write(Partnership, partnerships)
        self.write(PartnershipParty, parties)
        self.write("partnership_events", links)


def generate(events: int, seed: int = 1, *, writer: BulkWriter | CopyWriter | None = None) -> dict[str, int]:
    """Insert a synthetic dataset of ``events`` events; returns the row counts. Callers check ``curated_count``.

    The writer is COPY on PostgreSQL and bulk inserts elsewhere unless one is given
    (the tests pass ``BulkWriter()`` on PostgreSQL to compare the two).
    """
    return Generator(events, seed, writer or default_writer()).run()


def clear() -> int:
    """Delete synthetic rows only; returns the number of events removed.

    In a database that holds synthetic records only (the benchmark's), every row hanging
    off a curated record is synthetic: the tables are emptied in bulk and the tombstones
    the delete handler would leave are written in bulk too. The ORM's cascade loads every
    row as an instance and fires a handler for each (minutes at 100k events, hours and
    gigabytes at 1M); it remains the way when curated records share the database.
    """
    with transaction.atomic():
        removed = synthetic_count()
        if curated_count() or not _clear_in_bulk():
            _clear_by_orm()
        for model in (Topic, Metric):
            model.objects.filter(slug__startswith=PREFIX).delete()
    return removed


def _clear_by_orm() -> None:
    Citation.objects.filter(document__slug__startswith=PREFIX).delete()
    Event.objects.filter(slug__startswith=PREFIX).delete()
    for model in (Partnership, Council, Person, Organization, Document, Source):
        model.objects.filter(slug__startswith=PREFIX).delete()


def hanging_off_curated() -> list[type[models.Model]] | None:
    """Curated models and every model deleted with them by cascade; None if other rows point into them."""
    every = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    found = {m for m in every if issubclass(m, Curated)}
    grew = True
    while grew:
        grew = False
        for model in every:
            if model not in found and any(
                # DO_NOTHING: rows the database deletes with them (the facets' triggers), which TRUNCATE does not
                f.related_model in found and f.remote_field.on_delete in (models.CASCADE, models.DO_NOTHING)
                for f in model._meta.concrete_fields
                if f.is_relation
            ):
                found.add(model)
                grew = True
    pointing_in = (  # rows that would be protected or nulled rather than deleted: the ORM's business
        model._base_manager.filter(**{f"{field.name}__isnull": False})
        for model in every
        if model not in found
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model in found
    )
    if any(rows.exists() for rows in pointing_in):
        return None
    return sorted(found, key=lambda m: m._meta.db_table)


def _clear_in_bulk() -> bool:
    """Empty the curated tables and everything hanging off them, leaving tombstones; False if it may not."""
    tables = hanging_off_curated()
    if tables is None:
        return False
    _bury_in_bulk()
    names = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in tables)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses tables with checks still pending
            cursor.execute(f"TRUNCATE {names}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for model in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        facets.recount(cursor)  # TRUNCATE fires no trigger: the counts of the facets and texts it emptied stay
    return True


def _bury_in_bulk() -> None:
    """The tombstones ``Tombstone.objects.record_deleted`` leaves for each synthetic record, one INSERT a resource."""
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    for model in CURATED:
        buried = [(RESOURCES[model._meta.model_name], None)]
        if model is Event:  # an event is also listed under its kind's resource
            buried += [(resource, kind.value) for kind, resource in EVENT_KIND_RESOURCES.items()]
        for resource, kind in buried:
            where, params = "slug LIKE %s", [f"{PREFIX}%"]
            if kind:
                where, params = f"{where} AND kind = %s", [*params, kind]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {Tombstone._meta.db_table} (resource, record_id, slug, reason, public, at) "  # noqa: S608
                    f"SELECT %s, id, slug, %s, status = %s, %s FROM {model._meta.db_table} WHERE {where}",
                    [resource, TombstoneReason.DELETED.value, PUBLISHED, at, *params],
                )


# Entry point ---------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.synthetic``: generate (or clear) the dataset; a refusal exits non-zero with its reason."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.synthetic",
        description="Bulk-insert a reproducible synthetic dataset of N events (slugs prefixed syn-); "
        "refuses a database with curated data unless told to.",
    )
    parser.add_argument(
        "events", metavar="N", type=int, nargs="?", default=10_000, help="How many events (default 10000)."
    )
    parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
    parser.add_argument("--clear", action="store_true", help="Delete synthetic data only, then stop.")
    parser.add_argument(
        "--allow-curated", action="store_true", help="Generate even though the database holds curated records."
    )
    args = parser.parse_args(argv)
    if args.clear:
        removed = clear()
        print(f"Removed {removed} synthetic events and their records.")
        return
    if args.events < 1:
        parser.error("N must be at least 1.")
    curated = curated_count()
    if curated and not args.allow_curated:
        raise SystemExit(
            f"This database holds {curated} curated (non-synthetic) records; "
            "use a dedicated database or pass --allow-curated."
        )
    if synthetic_count():
        raise SystemExit("Synthetic data already present; run with --clear first.")
    started = time.monotonic()
    writer = default_writer()
    counts = generate(args.events, args.seed, writer=writer)
    summary = ", ".join(f"{n} {name}" for name, n in counts.items())
    elapsed = time.monotonic() - started
    print(f"Generated {summary} in {elapsed:.1f} s ({writer.name}).")


if __name__ == "__main__":
    main(sys.argv[1:])
