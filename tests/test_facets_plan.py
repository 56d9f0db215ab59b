"""The plan of a list found through a facet, on PostgreSQL: a walk of the facet's index, newest first, that stops
after the page — never a scan or a sort of the events that have the facet, whose number grows with the data.

The data set is big enough for the walk to be the cheapest plan (on a few hundred events a sort of the match is
cheaper, and the planner rightly takes it), loaded once for the module and removed after it.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from bench import synthetic
from cooperation.models import Event, EventFacet, Organization, Tombstone, Topic

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner under test is PostgreSQL's")
API = "/api/v1"
EVENTS = 30_000


@pytest.fixture(scope="module")
def timeline(django_db_setup, django_db_blocker):
    """A committed synthetic timeline, its statistics fresh; and the busiest key of each kind in it."""
    with django_db_blocker.unblock():
        synthetic.generate(EVENTS, seed=3)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        yield {prefix: busiest(prefix) for prefix in ("c:", "o:", "t:")}
        synthetic.clear()
        Tombstone.objects.filter(slug__startswith=synthetic.PREFIX).delete()


def busiest(prefix: str) -> str:
    keys = EventFacet.objects.filter(key__startswith=prefix, public=True).values("key").order_by()
    return keys.annotate(n=Count("id")).order_by("-n", "key")[0]["key"].removeprefix(prefix)


def plan_of_page(client, url, query) -> str:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, query).status_code == 200
    page = next(
        q["sql"] for q in queries if "cooperation_eventfacet" in q["sql"] or "cooperation_eventtext" in q["sql"]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {page}")
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("resource", "params", "reader"),
    [
        ("events", {"country": None}, "anonymous"),
        ("events", {"country": None, "date_after": "2001-01-01"}, "anonymous"),
        ("events", {"country": None, "date_before": "2015-12-31"}, "curator"),
        ("operations", {"country": None, "date_after": "2001-01-01"}, "anonymous"),
        ("exercises", {"country": None}, "curator"),
        ("events", {"topic": None}, "anonymous"),
        ("events", {"organization": None, "date_after": "2001-01-01"}, "anonymous"),
    ],
)
def test_the_planner_walks_the_facet_index_and_never_scans_the_events(
    timeline, db, api, staff_api, resource, params, reader
):
    params = {**params, "fields": "id"}
    if "country" in params:
        params["country"] = timeline["c:"]
    if "topic" in params:
        params["topic"] = Topic.objects.get(pk=timeline["t:"]).slug
    if "organization" in params:
        params["organization"] = Organization.objects.get(pk=timeline["o:"]).slug
    client = api if reader == "anonymous" else staff_api
    first = client.get(f"{API}/{resource}/", params).json()
    assert first["next"], "the test needs a second page"
    kind = "_kind" if resource != "events" else ""  # one kind's list walks that kind's rows
    index = f"cooperation_facet{kind}_pub_tl" if reader == "anonymous" else f"cooperation_facet{kind}_tl"

    for url, query in ((f"{API}/{resource}/", params), (first["next"], None)):  # the first page, and one after it
        plan = plan_of_page(client, url, query)
        assert f"using {index} on cooperation_eventfacet hit" in plan, plan
        assert "Sort" not in plan, plan
        assert "Seq Scan on cooperation_event" not in plan, plan
        assert "cooperation_event_tl" not in plan, plan  # nor a walk of the whole timeline


@pytest.mark.parametrize(
    ("resource", "params", "reader", "index"),
    [
        ("events", {"search": "synthetic"}, "anonymous", "cooperation_text_pub_tl"),
        ("events", {"search": "synthetic operation"}, "curator", "cooperation_text_tl"),
        ("operations", {"search": "synthetic"}, "anonymous", "cooperation_text_kind_pub_tl"),
        ("events", {"search": "synthetic", "country": None}, "anonymous", "cooperation_facet_pub_tl"),
    ],
)
def test_a_search_for_a_common_word_walks_the_timeline_and_stops_after_the_page(
    timeline, db, api, staff_api, resource, params, reader, index
):
    params = {**params, "fields": "id"}
    if "country" in params:
        params["country"] = timeline["c:"]
    client = api if reader == "anonymous" else staff_api
    first = client.get(f"{API}/{resource}/", params).json()
    assert first["next"], "the test needs a second page"

    for url, query in ((f"{API}/{resource}/", params), (first["next"], None)):
        plan = plan_of_page(client, url, query)
        assert f"using {index} on " in plan, plan
        assert "Sort" not in plan and "Seq Scan" not in plan, plan


@pytest.mark.parametrize("reader", ["anonymous", "curator"])
def test_a_search_for_a_rare_word_reads_the_text_index_and_sorts_the_few_it_finds(timeline, db, api, staff_api, reader):
    title = Event.objects.filter(status="published", title__startswith="Synthetic").order_by("pk").last().title
    rare = title.split()[-1]  # the event's number: a word of a few events only
    client = api if reader == "anonymous" else staff_api

    plan = plan_of_page(client, f"{API}/events/", {"search": rare, "fields": "id"})

    index = "cooperation_text_public_doc" if reader == "anonymous" else "cooperation_text_document"
    assert f"Bitmap Index Scan on {index}" in plan, plan
    assert "Seq Scan" not in plan, plan
