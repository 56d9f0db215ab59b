"""Event pages and details read out from ``values()`` rows (``api.readout``) are exactly what DRF reads out.

The serializer is the one description of an event's payload; ``Readout`` compiles it. Every event resource, every
payload shape (``fields``, ``brief``, ``include=citations``), lists and details, for anonymous clients and staff:
the same bytes as DRF's own reading of the same serializer — and never DRF's reading in their stead.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.api import readout
from cooperation.api.conditional import ConditionalListMixin, ConditionalRetrieveMixin
from cooperation.choices import Status
from tests.factories import (
    CitationFactory,
    CouncilSessionFactory,
    EventLinkFactory,
    ExerciseFactory,
    JointOperationFactory,
    MeetingFactory,
    OrganizationFactory,
    ParticipationFactory,
    StatementFactory,
    populate_event,
)
from tests.test_api_export import EVENTS  # each event resource, and its own fields to ask for by name

API = "/api/v1"
SHAPES = {
    "default": lambda own: {},
    "format": lambda own: {"format": "json"},  # DRF's reverse keeps ?format= in every URL it builds: so must this
    "fields": lambda own: {"fields": f"id,title,participants,topics,{own}"},
    "place,links": lambda own: {"fields": "id,place,links"},
    "brief": lambda own: {"brief": "1"},
    "citations": lambda own: {"include": "citations"},
    "fields+citations": lambda own: {"include": "citations", "fields": f"id,url,citations,participants,{own}"},
    "ordered": lambda own: {"ordering": "-title", "page_size": "2"},
    "filtered": lambda own: {"country": "RU"},
}


@pytest.fixture
def varied(article):
    """The article's records, plus rows of every shape: organizations and people, figures with subsets, links."""
    for event in (
        JointOperationFactory(),
        MeetingFactory(),
        StatementFactory(date="../2006-04-21"),
        CouncilSessionFactory(),
        ExerciseFactory(),
    ):
        populate_event(event)
        CitationFactory(event=event, quote="As reported.")
    organization = OrganizationFactory(country=None, status=Status.DRAFT)
    ParticipationFactory(event=JointOperationFactory(place_country=None), country=None, organization=organization)
    EventLinkFactory(source=MeetingFactory(), target=MeetingFactory(status=Status.DRAFT))


def through_drf(client, monkeypatch, url, params):
    """The same request read out by DRF: the readout refuses every serializer."""

    def refused(self, *args, **kwargs):
        raise readout.Unsupported("read out by DRF, for the comparison")

    cache.clear()  # the throttles' counts: these tests ask more than a client may in a minute
    with monkeypatch.context() as patch:
        patch.setattr(readout.Readout, "__init__", refused)
        patch.setattr(readout, "compiled", lambda key, compile: compile())  # none compiled before either
        return client.get(url, params)


def through_readout(client, monkeypatch, url, params):
    """The request as served, with DRF's reading of events refused: the readout must answer it alone."""

    def refused(*args, **kwargs):
        raise AssertionError("an event was read out by DRF")

    with monkeypatch.context() as patch:
        patch.setattr(ConditionalListMixin, "rows_of", refused)
        patch.setattr(ConditionalRetrieveMixin, "detail_response", refused)
        return client.get(url, params)


CLIENTS = ("api", "staff_api")


@pytest.mark.parametrize("resource", EVENTS)
def test_a_page_reads_out_what_drf_reads_out(request, varied, monkeypatch, resource):
    compared = []
    for who in CLIENTS:
        client = request.getfixturevalue(who)
        for shape, params in SHAPES.items():
            url, params = f"{API}/{resource}/", params(EVENTS[resource])
            fast = through_readout(client, monkeypatch, url, params)
            slow = through_drf(client, monkeypatch, url, params)
            assert fast.status_code == slow.status_code == 200, (who, shape)
            assert fast.json() == slow.json(), (who, shape)  # a readable diff, if not
            assert fast.content == slow.content, (who, shape)
            compared += fast.json()["results"]
    assert len(compared) >= len(CLIENTS) * len(SHAPES), "nothing compared"


@pytest.mark.parametrize("resource", EVENTS)
def test_a_detail_reads_out_what_drf_reads_out(request, varied, monkeypatch, resource):
    for who in CLIENTS:
        client = request.getfixturevalue(who)
        rows = client.get(f"{API}/{resource}/", {"page_size": 200}).json()["results"]
        assert len(rows) >= 2
        for shape in ("default", "fields", "brief", "citations", "format"):
            params = SHAPES[shape](EVENTS[resource])
            for row in rows:
                url = f"{API}/{resource}/{row['id']}/"
                fast = through_readout(client, monkeypatch, url, params)
                slow = through_drf(client, monkeypatch, url, params)
                assert fast.status_code == slow.status_code == 200, (who, shape, url)
                assert fast.content == slow.content, (who, shape, url)


def test_a_detail_reads_one_query_per_related_table(api, varied):
    operation = JointOperationFactory(status=Status.PUBLISHED)
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"{API}/operations/{operation.pk}/")

    assert response.status_code == 200
    # The ETag's (id, updated_at), the record, topics, participants, links out, links in, figures.
    assert len(queries) == 7, [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("resource", EVENTS)
def test_a_detail_is_a_404_for_what_the_client_may_not_see(api, staff_api, varied, resource):
    draft = {
        "events": JointOperationFactory,
        "operations": JointOperationFactory,
        "sessions": CouncilSessionFactory,
        "exercises": ExerciseFactory,
        "meetings": MeetingFactory,
        "statements": StatementFactory,
    }[resource](status=Status.DRAFT)

    assert api.get(f"{API}/{resource}/{draft.pk}/").status_code == 404
    assert api.get(f"{API}/{resource}/{draft.pk}/", {"format": "csv"}).status_code == 404
    assert staff_api.get(f"{API}/{resource}/{draft.pk}/").status_code == 200


@pytest.mark.parametrize("resource", ["events", "operations"])
def test_the_page_costs_one_query_per_related_table(api, varied, resource):
    with CaptureQueriesContext(connection) as queries:
        api.get(f"{API}/{resource}/", {"page_size": 200})

    # The page, then topics, participants, links out, links in (and, for operations, their figures).
    assert len(queries) == 5 + (resource == "operations")


def test_a_statements_speaker_is_read_from_its_participants_rows(api, varied):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"{API}/statements/", {"fields": "id,participants,speaker", "include": "citations"})

    assert response.json()["results"]
    # The page, participants (once for both fields), and their citations.
    assert len(queries) == 3, [query["sql"] for query in queries.captured_queries]
