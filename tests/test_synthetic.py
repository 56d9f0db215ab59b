"""The synthetic-data generator: reproducible, complete, valid, and kept apart from curated data."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from cooperation import synthetic
from cooperation.choices import EventKind
from cooperation.dates import parse_edtf
from cooperation.models import Citation, Event, Outcome, Participation, Partnership, Source

EVENTS = 25


def snapshot() -> list[tuple]:
    """What a seed determines: events with their dates, and their participations and figures."""
    events = list(Event.objects.order_by("slug").values_list("slug", "kind", "date", "status", "place_country"))
    parts = list(
        Participation.objects.order_by("uid").values_list("uid", "event__slug", "role", "country", "person__slug")
    )
    figures = list(Outcome.objects.order_by("uid").values_list("uid", "event__slug", "metric__slug", "value"))
    return [events, parts, figures]


@pytest.mark.django_db
def test_same_seed_same_data_other_seed_other_data():
    call_command("generate_synthetic", events=EVENTS, seed=7, verbosity=0)
    first = snapshot()
    call_command("generate_synthetic", clear=True, verbosity=0)
    call_command("generate_synthetic", events=EVENTS, seed=7, verbosity=0)
    assert snapshot() == first
    call_command("generate_synthetic", clear=True, verbosity=0)
    call_command("generate_synthetic", events=EVENTS, seed=8, verbosity=0)
    assert snapshot() != first


@pytest.mark.django_db
def test_every_kind_with_children_that_hold_the_model_rules():
    call_command("generate_synthetic", events=EVENTS, verbosity=0)
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
    for model in (Participation, Outcome, Citation):
        rows = list(model.objects.all())
        assert rows, model
        for row in rows:
            row.full_clean()
    assert Partnership.objects.filter(parties__isnull=False, events__isnull=False).exists()
    assert Participation.objects.filter(person__isnull=False).exists()


@pytest.mark.django_db
def test_refuses_curated_database_unless_allowed(article):
    events = Event.objects.count()
    with pytest.raises(CommandError, match="curated"):
        call_command("generate_synthetic", events=EVENTS, verbosity=0)
    assert Event.objects.count() == events
    call_command("generate_synthetic", events=EVENTS, allow_curated=True, verbosity=0)
    assert Event.objects.count() == events + EVENTS


@pytest.mark.django_db
def test_clear_removes_only_synthetic_data(article):
    curated = synthetic.curated_count()
    sources = set(Source.objects.values_list("slug", flat=True))
    call_command("generate_synthetic", events=EVENTS, allow_curated=True, verbosity=0)
    call_command("generate_synthetic", clear=True, verbosity=0)
    assert synthetic.synthetic_count() == 0
    assert synthetic.curated_count() == curated
    assert set(Source.objects.values_list("slug", flat=True)) == sources
    assert not Citation.objects.filter(document__slug__startswith=synthetic.PREFIX).exists()


@pytest.mark.django_db
def test_refuses_to_generate_twice():
    call_command("generate_synthetic", events=EVENTS, verbosity=0)
    with pytest.raises(CommandError, match="already present"):
        call_command("generate_synthetic", events=EVENTS, verbosity=0)
