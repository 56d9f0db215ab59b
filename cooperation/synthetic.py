"""Synthetic data for benchmarks: a seeded, reproducible dataset of N events of every kind.

Rows are written with bulk inserts, bypassing ``services.record_create`` and the
``pre_save`` handlers on purpose (100k events must load in about a minute), so
this module derives what those handlers would: date bounds from the EDTF text.
Every synthetic curated row has a slug starting with ``syn-`` and every child row
hangs off a synthetic parent or cites the synthetic document, which is how
``clear`` finds them and ``curated_count`` tells real data apart.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from cooperation.choices import (
    EventKind,
    ExerciseKind,
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
    Metric,
    Organization,
    Outcome,
    Participation,
    Partnership,
    PartnershipParty,
    Person,
    Source,
    Topic,
)
from cooperation.models.events import EVENT_MODELS

PREFIX = "syn-"
BATCH = 1000
FIRST_DAY = date(1992, 1, 1)
DAYS = 365 * 34

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


class Generator:
    """Builds the rows for one seed; ``run`` inserts them in dependency order."""

    def __init__(self, events: int, seed: int):
        self.sizes = Sizes(events)
        self.rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
        self.countries = list(Country.objects.order_by("code").values_list("code", flat=True))

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
        return Status.PUBLISHED if self.rng.random() < 0.9 else Status.DRAFT

    def run(self) -> dict[str, int]:
        with transaction.atomic():
            self.vocabulary()
            self.parents()
            self.events()
            self.children()
            self.partnerships()
        return {
            "events": self.sizes.events,
            "participations": len(self.participations),
            "outcomes": len(self.outcomes),
            "citations": self.citation_count,
        }

    def vocabulary(self):
        self.topics = Topic.objects.bulk_create(
            [Topic(slug=f"{PREFIX}topic-{i}", name=f"Synthetic topic {i}") for i in range(8)]
        )
        self.metrics = Metric.objects.bulk_create(
            [Metric(slug=f"{PREFIX}metric-{i}", name=f"Synthetic metric {i}", default_unit="persons") for i in range(4)]
        )

    def parents(self):
        sizes, rng = self.sizes, self.rng
        self.source = Source.objects.create(
            slug=f"{PREFIX}source", name="Synthetic source", kind=SourceKind.choices[0][0], status=Status.PUBLISHED
        )
        self.documents = Document.objects.bulk_create(
            Document(
                slug=f"{PREFIX}doc-{i}",
                source=self.source,
                title=f"Synthetic report {i}",
                published_on=FIRST_DAY + timedelta(days=rng.randrange(DAYS)),
                status=Status.PUBLISHED,
            )
            for i in range(sizes.documents)
        )
        self.organizations = Organization.objects.bulk_create(
            Organization(
                slug=f"{PREFIX}org-{i}",
                name=f"Synthetic agency {i}",
                kind=rng.choice(OrganizationKind.values),
                country_id=rng.choice(self.countries),
                status=self.status(),
            )
            for i in range(sizes.organizations)
        )
        self.council = Council.objects.create(
            slug=f"{PREFIX}council", name="Synthetic council", organization=self.organizations[0]
        )
        self.people = Person.objects.bulk_create(
            Person(
                slug=f"{PREFIX}person-{i}",
                name=f"Synthetic Person {i}",
                country_id=rng.choice(self.countries),
                status=self.status(),
            )
            for i in range(sizes.people)
        )

    def detail(self, kind: str) -> dict:
        """The typed fields of one event kind."""
        rng = self.rng
        return {
            EventKind.SESSION: lambda: {"council_id": self.council.pk, "number": str(rng.randrange(1, 60))},
            EventKind.OPERATION: lambda: {"code_name": f"Op {rng.randrange(10_000)}", "aim": "Synthetic aim."},
            EventKind.EXERCISE: lambda: {"exercise_kind": rng.choice(ExerciseKind.values)},
            EventKind.MEETING: lambda: {"meeting_kind": rng.choice(MeetingKind.values), "subject": "Synthetic."},
            EventKind.STATEMENT: lambda: {"form": rng.choice(StatementForm.values), "text": "Synthetic words."},
        }[kind]()

    def events(self):
        """Parent rows by bulk insert, then each kind's table (Django will not bulk-create MTI children)."""
        kinds = list(EVENT_MODELS)
        rows = []
        for i in range(self.sizes.events):
            kind = kinds[i % len(kinds)]
            rows.append(
                (
                    Event(
                        **self.dated(
                            slug=f"{PREFIX}event-{i}",
                            kind=kind,
                            title=f"Synthetic {kind} {i}",
                            summary="Generated for benchmarks.",
                            place_country_id=self.rng.choice(self.countries),
                            # the first event of each kind is published: a known detail page for the benchmark
                            status=Status.PUBLISHED if i < len(kinds) else self.status(),
                        )
                    ),
                    self.detail(kind),
                )
            )
        self.event_list = Event.objects.bulk_create([event for event, _ in rows], batch_size=BATCH)
        for kind, model in EVENT_MODELS.items():
            children = [model(event_ptr_id=e.pk, **d) for e, d in rows if e.kind == kind]
            fields = model._meta.local_concrete_fields
            for start in range(0, len(children), BATCH):
                model._base_manager._insert(children[start : start + BATCH], fields=fields)
        through = Event.topics.through
        through.objects.bulk_create(
            (through(event_id=e.pk, topic_id=self.rng.choice(self.topics).pk) for e in self.event_list),
            batch_size=BATCH,
        )

    def children(self):
        """About three participations per event, figures for operations, a citation for each."""
        rng = self.rng
        self.participations, self.outcomes = [], []
        for event in self.event_list:
            for role, code in zip(
                (Role.HOST, Role.PARTICIPANT, Role.PARTICIPANT), rng.sample(self.countries, 3), strict=True
            ):
                self.participations.append(Participation(uid=self.uid(), event=event, country_id=code, role=role))
            if event.kind in (EventKind.STATEMENT, EventKind.MEETING):
                role = Role.SPEAKER if event.kind == EventKind.STATEMENT else Role.VISITOR
                person = rng.choice(self.people)
                self.participations.append(Participation(uid=self.uid(), event=event, person=person, role=role))
            if event.kind == EventKind.OPERATION:
                self.participations.append(
                    Participation(uid=self.uid(), event=event, organization=rng.choice(self.organizations))
                )
                for metric in rng.sample(self.metrics, 2):
                    self.outcomes.append(
                        Outcome(
                            uid=self.uid(),
                            event=event,
                            metric=metric,
                            value=rng.randrange(1, 5000),
                            unit="persons",
                            qualifier=rng.choice(Qualifier.values),
                        )
                    )
        Participation.objects.bulk_create(self.participations, batch_size=BATCH)
        Outcome.objects.bulk_create(self.outcomes, batch_size=BATCH)
        cited = [("event", e) for e in self.event_list] + [("outcome", o) for o in self.outcomes]
        Citation.objects.bulk_create(
            (
                Citation(uid=self.uid(), document=rng.choice(self.documents), quote="Synthetic quote.", **{name: row})
                for name, row in cited
            ),
            batch_size=BATCH,
        )
        self.citation_count = len(cited)

    def partnerships(self):
        rng = self.rng
        partnerships = Partnership.objects.bulk_create(
            Partnership(
                **self.dated(
                    slug=f"{PREFIX}partnership-{i}",
                    title=f"Synthetic partnership {i}",
                    kind=rng.choice(PartnershipKind.values),
                    status=self.status(),
                )
            )
            for i in range(self.sizes.partnerships)
        )
        PartnershipParty.objects.bulk_create(
            PartnershipParty(uid=self.uid(), partnership=p, country_id=code)
            for p in partnerships
            for code in rng.sample(self.countries, 2)
        )
        through = Partnership.events.through
        through.objects.bulk_create(
            (
                through(partnership_id=p.pk, event_id=e.pk)
                for p in partnerships
                for e in rng.sample(self.event_list, min(3, len(self.event_list)))
            ),
            batch_size=BATCH,
        )


def generate(events: int, seed: int = 1) -> dict[str, int]:
    """Insert a synthetic dataset of ``events`` events; returns the row counts. Callers check ``curated_count``."""
    return Generator(events, seed).run()


def clear() -> int:
    """Delete synthetic rows only (children go by cascade); returns the number of events removed."""
    with transaction.atomic():
        Citation.objects.filter(document__slug__startswith=PREFIX).delete()
        _, per_model = Event.objects.filter(slug__startswith=PREFIX).delete()
        for model in (Partnership, Council, Person, Organization, Document, Source):
            model.objects.filter(slug__startswith=PREFIX).delete()
        for model in (Topic, Metric):
            model.objects.filter(slug__startswith=PREFIX).delete()
    return per_model.get(Event._meta.label, 0)
