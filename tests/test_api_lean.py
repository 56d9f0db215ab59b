"""The hot lists' lean read path (``api.lean``) returns exactly what the serializers return."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.api import views
from cooperation.api.conditional import ConditionalListMixin, ConditionalRetrieveMixin
from cooperation.choices import Status
from tests.factories import (
    EventLinkFactory,
    JointOperationFactory,
    MeetingFactory,
    OrganizationFactory,
    ParticipationFactory,
    StatementFactory,
    populate_event,
)

API = "/api/v1"
LEAN_LISTS = {"events": views.EventViewSet, "operations": views.JointOperationViewSet}
SHAPES = [
    {},
    {"format": "json"},  # DRF's reverse keeps ?format= in every URL it builds: so must the lean path
    {"fields": "id,title,participants,topics"},
    {"fields": "id,place,links"},
    {"brief": "1"},
    {"ordering": "-title", "page_size": "2"},
    {"country": "RU"},
]


@pytest.fixture
def varied(article):
    """The article's records, plus rows of every shape: organizations and people, figures with subsets, links."""
    for event in (JointOperationFactory(), MeetingFactory(), StatementFactory(date="../2006-04-21")):
        populate_event(event)
    organization = OrganizationFactory(country=None, status=Status.DRAFT)
    ParticipationFactory(event=JointOperationFactory(place_country=None), country=None, organization=organization)
    EventLinkFactory(source=MeetingFactory(), target=MeetingFactory(status=Status.DRAFT))


def serializer_payload(client, monkeypatch, url, params):
    """The same request answered through the serializers."""
    for viewset in LEAN_LISTS.values():
        monkeypatch.setattr(viewset, "page_payload", ConditionalListMixin.page_payload)
        monkeypatch.setattr(viewset, "detail_response", ConditionalRetrieveMixin.detail_response)
    try:
        return client.get(url, params)
    finally:
        monkeypatch.undo()


@pytest.mark.parametrize("params", SHAPES, ids=lambda params: ",".join(params) or "default")
@pytest.mark.parametrize("resource", LEAN_LISTS)
@pytest.mark.parametrize("who", ["api", "staff_api"])
def test_the_lean_path_answers_what_the_serializers_answer(request, varied, monkeypatch, resource, params, who):
    client = request.getfixturevalue(who)
    url = f"{API}/{resource}/"

    lean = client.get(url, params)
    slow = serializer_payload(client, monkeypatch, url, params)

    assert lean.status_code == slow.status_code == 200
    assert lean.json()["results"], "nothing compared"
    assert lean.content == slow.content


@pytest.mark.parametrize(
    "params", [{}, {"fields": "id,title,participants,links"}, {"brief": "1"}, {"format": "json"}], ids=str
)
@pytest.mark.parametrize("resource", LEAN_LISTS)
@pytest.mark.parametrize("who", ["api", "staff_api"])
def test_a_lean_detail_is_what_the_serializers_answer(request, varied, monkeypatch, resource, params, who):
    client = request.getfixturevalue(who)
    rows = client.get(f"{API}/{resource}/", {"page_size": 200}).json()["results"]
    compared = 0
    for row in rows:
        url = f"{API}/{resource}/{row['id']}/"
        lean = client.get(url, params)
        slow = serializer_payload(client, monkeypatch, url, params)
        assert lean.status_code == slow.status_code == 200
        assert lean.content == slow.content, url
        compared += 1
    assert compared >= 3


def test_a_lean_detail_reads_one_query_per_related_table(api, varied):
    operation = JointOperationFactory(status=Status.PUBLISHED)
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"{API}/operations/{operation.pk}/")

    assert response.status_code == 200
    # The ETag's (id, updated_at), the record, topics, participants, links out, links in, figures.
    assert len(queries) == 7, [query["sql"] for query in queries.captured_queries]


def test_a_lean_detail_is_a_404_for_what_the_client_may_not_see(api, staff_api, varied):
    draft = JointOperationFactory(status=Status.DRAFT)

    assert api.get(f"{API}/operations/{draft.pk}/").status_code == 404
    assert staff_api.get(f"{API}/operations/{draft.pk}/").status_code == 200


@pytest.mark.parametrize("resource", LEAN_LISTS)
def test_embedded_citations_still_come_from_the_serializers(api, varied, resource):
    rows = api.get(f"{API}/{resource}/", {"include": "citations"}).json()["results"]

    assert any(row["citations"] for row in rows)


@pytest.mark.parametrize("resource", LEAN_LISTS)
def test_the_lean_page_costs_one_query_per_related_table(api, varied, resource):
    with CaptureQueriesContext(connection) as queries:
        api.get(f"{API}/{resource}/", {"page_size": 200})

    # The page, then topics, participants, links out, links in (and, for operations, their figures).
    assert len(queries) == 5 + (resource == "operations")
