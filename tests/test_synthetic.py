"""The synthetic-data generator: reproducible, complete, valid, and kept apart from curated data."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection, models
from django.db.models import Count

from bench import synthetic
from cooperation.choices import EventKind, Status
from cooperation.dates import parse_edtf
from cooperation.models import (
    EVENT_MODELS,
    Citation,
    Council,
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
    Tombstone,
    Topic,
)

ROOT = Path(__file__).resolve().parent.parent
EVENTS = 25
N = str(EVENTS)  # as given on the command line
WRITTEN = (
    Topic,
    Metric,
    Source,
    Document,
    Organization,
    Council,
    Person,
    PersonName,
    Event,
    *EVENT_MODELS.values(),
    Event.topics.through,
    Participation,
    Outcome,
    Citation,
    EventLink,
    Partnership,
    PartnershipParty,
    Partnership.events.through,
)
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY writer is PostgreSQL's")


def natural(field: models.Field) -> str:
    """How a snapshot names a column: a foreign key by the target's natural key, as ids differ between runs."""
    if not field.is_relation:
        return field.attname
    target = field.related_model
    key = next((name for name in ("slug", "uid") if any(f.name == name for f in target._meta.fields)), "pk")
    return f"{field.name}__{key}"


def rows(model) -> list[tuple]:
    """Every column ``model``'s own table holds but the surrogate id and the timestamps, in a stable order."""
    pk = model._meta.pk
    skip = ("created_at", "updated_at")
    names = [
        natural(f)
        for f in model._meta.local_concrete_fields
        if f.name not in skip and not (f is pk and isinstance(f, models.AutoField))
    ]
    return list(model._base_manager.order_by(*names).values_list(*names))


def snapshot() -> dict[str, list[tuple]]:
    """What a seed determines: every row of every table the generator writes."""
    return {model._meta.label: rows(model) for model in WRITTEN}


@pytest.mark.django_db
def test_same_seed_same_data_other_seed_other_data():
    synthetic.main([N, "--seed=7"])
    first = snapshot()
    synthetic.main(["--clear"])
    synthetic.main([N, "--seed=7"])
    assert snapshot() == first
    synthetic.main(["--clear"])
    synthetic.main([N, "--seed=8"])
    assert snapshot() != first


@pytest.mark.django_db
def test_every_kind_with_children_that_hold_the_model_rules():
    synthetic.main([N])
    kinds = dict(Event.objects.values_list("kind").annotate(n=Count("pk")))
    assert set(kinds) == set(EventKind.values)
    for event in Event.objects.all():
        typed = event.typed  # the kind's own table has the row
        typed.full_clean()  # every constraint and validator, as the write path checks them
        bounds = parse_edtf(event.date)
        assert (event.date_lower, event.date_upper, event.date_precision) == (
            bounds.lower,
            bounds.upper,
            bounds.precision,
        )
    models_with_rules = (Participation, Outcome, Citation, EventLink, Partnership, PartnershipParty, Person, PersonName)
    for model in (*models_with_rules, Organization):
        records = list(model.objects.all())
        assert records, model
        for record in records:
            record.full_clean()
    for partnership in Partnership.objects.all():
        assert partnership.parties.count() == 2
        assert partnership.events.count() == 3
    assert Participation.objects.filter(person__isnull=False).exists()
    assert Participation.objects.filter(organization__isnull=False).exists()
    for operation in Event.objects.filter(kind=EventKind.OPERATION):
        assert operation.outcomes.count() == 2
        assert operation.citations.count() == 1
    assert not Person.objects.annotate(n=Count("names")).filter(n=0).exists()  # name variants to search by
    assert not Organization.objects.filter(abbreviation="").exists()


@pytest.mark.django_db
def test_defaults_django_would_apply_are_written():
    """The rows bypass Django's defaults (COPY on PostgreSQL): the generator fills them itself."""
    synthetic.main([N])
    assert not Outcome.objects.filter(counts=False).exists()
    for model in (Event, Participation, Outcome, Citation, Person):
        assert not model.objects.filter(created_at__isnull=True).exists()
        assert not model.objects.exclude(updated_at=models.F("created_at")).exists()
    assert Participation.objects.values("uid").distinct().count() == Participation.objects.count()
    detail = Event.objects.get(slug="syn-event-1")  # the benchmark's detail page
    assert (detail.kind, detail.status) == (EventKind.OPERATION, Status.PUBLISHED)
    assert set(
        Event.objects.filter(slug__in=[f"syn-event-{i}" for i in range(5)]).values_list("status", flat=True)
    ) == {Status.PUBLISHED}


@pytest.mark.django_db
def test_chunk_size_does_not_change_the_data(monkeypatch):
    synthetic.generate(EVENTS, seed=3)
    whole = snapshot()
    synthetic.clear()
    monkeypatch.setattr(synthetic, "CHUNK", 7)
    synthetic.generate(EVENTS, seed=3)
    assert snapshot() == whole


def foreign_key_definitions() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated "
            "FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2"
        )
        return cursor.fetchall()


@postgres_only
@pytest.mark.django_db
def test_copy_writes_what_bulk_inserts_write():
    """The same seed gives the same rows through COPY as through the generic bulk-insert path."""
    synthetic.generate(EVENTS, seed=5, writer=synthetic.BulkWriter())
    generic = snapshot()
    synthetic.clear()
    foreign_keys = foreign_key_definitions()
    synthetic.generate(EVENTS, seed=5, writer=synthetic.CopyWriter())
    assert snapshot() == generic
    assert foreign_key_definitions() == foreign_keys  # set aside for the load, back as they were
    # ids came from the tables' sequences: ordinary inserts afterwards do not collide
    Topic.objects.create(slug="after", name="After")
    Event.objects.create(slug="after", kind=EventKind.OPERATION, title="After", date="2001")


@pytest.mark.django_db
def test_refuses_curated_database_unless_allowed(article):
    events = Event.objects.count()
    with pytest.raises(SystemExit, match="curated"):
        synthetic.main([N])
    assert Event.objects.count() == events
    synthetic.main([N, "--allow-curated"])
    assert Event.objects.count() == events + EVENTS


@pytest.mark.django_db
def test_clear_removes_only_synthetic_data(article):
    curated = synthetic.curated_count()
    sources = set(Source.objects.values_list("slug", flat=True))
    synthetic.main([N, "--allow-curated"])
    synthetic.main(["--clear"])
    assert synthetic.synthetic_count() == 0
    assert synthetic.curated_count() == curated
    assert set(Source.objects.values_list("slug", flat=True)) == sources
    assert not Citation.objects.filter(document__slug__startswith=synthetic.PREFIX).exists()


@pytest.mark.django_db
def test_clear_in_bulk_leaves_what_deleting_one_by_one_leaves(monkeypatch):
    """Without curated data, clear empties the tables in bulk; the tombstones are those the delete handler writes."""

    def tombstones():
        return sorted(Tombstone.objects.values_list("resource", "slug", "reason", "public"))

    synthetic.generate(EVENTS, seed=4)
    synthetic._clear_by_orm()
    one_by_one = tombstones()
    assert len(one_by_one) > 2 * EVENTS
    Tombstone.objects.all().delete()
    Topic.objects.filter(slug__startswith=synthetic.PREFIX).delete()
    Metric.objects.filter(slug__startswith=synthetic.PREFIX).delete()
    synthetic.generate(EVENTS, seed=4)
    monkeypatch.setattr(synthetic, "_clear_by_orm", lambda: pytest.fail("took the ORM path"))
    assert synthetic.clear() == EVENTS
    assert tombstones() == one_by_one
    for model in WRITTEN:  # the database held synthetic data only
        rows = model._base_manager.all()
        if model in (Topic, Metric):  # reference data: only the synthetic vocabulary goes
            rows = rows.filter(slug__startswith=synthetic.PREFIX)
        assert not rows.exists(), model


@pytest.mark.django_db
def test_refuses_to_generate_twice():
    synthetic.main([N])
    with pytest.raises(SystemExit, match="already present"):
        synthetic.main([N])


@pytest.mark.django_db
def test_says_what_it_wrote_and_what_it_removed(capsys):
    synthetic.main([N])
    out = capsys.readouterr().out
    assert out.startswith(f"Generated {EVENTS} events, ")
    assert out.endswith(f" s ({synthetic.default_writer().name}).\n")
    synthetic.main(["--clear"])
    assert capsys.readouterr().out == f"Removed {EVENTS} synthetic events and their records.\n"


def test_runs_as_a_script_and_refuses_with_its_reason(tmp_path):
    """``python -m bench.synthetic`` sets Django up itself; a bad N exits non-zero before any database is opened."""
    database = tmp_path / "untouched.sqlite3"
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-m", "bench.synthetic", "0"],
        cwd=ROOT,
        env={**env, "DATABASE_URL": f"sqlite:///{database}"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "N must be at least 1." in result.stderr
    assert not database.exists()
