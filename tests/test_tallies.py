"""The unfiltered event aggregates read the events' counts (``models.EventTally``, ``selectors.tallies``): the answers
counting the timeline gives, for each reader, in one query of a few rows.

That the counts stay exact on every write path is checked with the facets' (``tests/test_facets.py``: its oracle,
``facets.differences()``, compares the counts too).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation import facets
from cooperation.api.stats import aggregates
from cooperation.choices import Role, Status
from cooperation.models import Country, Event, EventTally, Partnership
from tests.factories import (
    ExerciseFactory,
    JointOperationFactory,
    MeetingFactory,
    OrganizationFactory,
    ParticipationFactory,
    PersonFactory,
)
from tests.test_api_stats import stats
from tests.test_facets import assert_exact

pytestmark = pytest.mark.django_db

EVENT_AGGREGATES = ("events-by-kind", "events-by-year", "events-by-country", "network")


@pytest.fixture
def mixed(article):
    """The article, and what only curators count: a draft operation, a draft organization and a draft person taking
    part in a published exercise; a country that only hosts; an event with no country."""
    country = Country.objects.get
    draft = JointOperationFactory(status=Status.DRAFT, date="2007-03")
    for code in ("UA", "US", "KZ"):
        ParticipationFactory(event=draft, country=country(code=code))
    exercise = ExerciseFactory(status=Status.PUBLISHED, date="2008", place_country=country(code="KG"))
    ParticipationFactory(event=exercise, country=country(code="RU"))
    ParticipationFactory(event=exercise, country=country(code="KZ"), role=Role.HOST)
    hidden = OrganizationFactory(status=Status.DRAFT, country=country(code="UZ"))
    ParticipationFactory(event=exercise, country=None, organization=hidden)
    ParticipationFactory(
        event=exercise, country=None, person=PersonFactory(status=Status.DRAFT, country=country(code="CN"))
    )
    MeetingFactory(status=Status.PUBLISHED, date="../2009")
    assert_exact()


def readers(staff_user):
    return {"anonymous": AnonymousUser(), "curator": staff_user}


@pytest.mark.parametrize("reader", ["anonymous", "curator"])
def test_each_count_is_the_one_counting_the_timeline_gives(mixed, staff_user, reader):
    user = readers(staff_user)[reader]
    events = Event.objects.visible_to(user)
    partnerships = Partnership.objects.visible_to(user)

    for aggregate in (aggregates.events_by_kind, aggregates.events_by_year, aggregates.events_by_country):
        assert list(aggregate(events, user, whole=True)) == list(aggregate(events, user))
    for min_weight in (1, 2):
        counted = aggregates.network(
            user, events=events, partnerships=partnerships, min_weight=min_weight, whole=frozenset({"events"})
        )
        assert counted == aggregates.network(user, events=events, partnerships=partnerships, min_weight=min_weight)
    codes = {row["code"] for row in aggregates.events_by_country(events, user, whole=True)}
    assert "KZ" in codes and "KG" not in codes  # hosting as a participant counts, the place alone does not
    assert ("UZ" in codes) is (reader == "curator")  # through a draft organization


@pytest.mark.parametrize("name", EVENT_AGGREGATES)
def test_an_unfiltered_aggregate_is_one_query_of_the_counts(mixed, api, name):
    with CaptureQueriesContext(connection) as queries:
        whole = stats(api, name, edges="co-participation") if name == "network" else stats(api, name)
    (query,) = queries.captured_queries
    assert "cooperation_eventtally" in query["sql"] and 'cooperation_event"' not in query["sql"]

    # The same records through a parameter, which the timeline is counted for: the same answer.
    narrowed = {"status": "published", **({"edges": "co-participation"} if name == "network" else {})}
    assert stats(api, name, **narrowed) == whole


def test_a_parameter_that_only_qualifies_another_leaves_the_counts_read(mixed, api):
    with CaptureQueriesContext(connection) as queries:
        stats(api, "events-by-kind", date_mode="within")
    assert "cooperation_eventtally" in queries.captured_queries[0]["sql"]

    with CaptureQueriesContext(connection) as queries:
        stats(api, "events-by-kind", date_mode="within", date_after="2006-01-01")
    assert "cooperation_eventtally" not in queries.captured_queries[0]["sql"]


def test_counts_written_past_the_triggers_are_found_and_mended(article, capsys):
    EventTally.objects.filter(key="c:TJ").update(events=100)
    EventTally.objects.create(key="c:ZZ", public=True, events=1)

    with pytest.raises(CommandError, match="1 derived rows missing and 2 unexpected"):
        call_command("facets")
    call_command("facets", "--rebuild")

    assert capsys.readouterr().out.startswith("Rebuilt")
    assert facets.differences() == (set(), set())
    assert EventTally.objects.get(key="c:TJ", public=True).events == 8
