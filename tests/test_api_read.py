"""Reading the API v1: every resource lists and details, anonymous clients see published records only,
payloads keep their documented shape, and lists cost the same number of queries for few rows or many."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.choices import Role, Status
from tests.factories import (
    CouncilFactory,
    CouncilSessionFactory,
    DocumentFactory,
    EventLinkFactory,
    ExerciseFactory,
    JointOperationFactory,
    MeetingFactory,
    OrganizationFactory,
    PartnershipFactory,
    PersonFactory,
    SourceFactory,
    StatementFactory,
    populate_council,
    populate_event,
    populate_organization,
    populate_partnership,
    populate_person,
)

API = "/api/v1"


@dataclass(frozen=True)
class Resource:
    """A curated resource: its URL prefix, how to make one fully populated record, and its list's query budget.

    The budget is the full payload's, without citations (``?include=citations`` costs more: see test_api_shape).
    """

    name: str
    make: Callable
    query_budget: int

    def __str__(self):
        return self.name


def populated(factory, populate=lambda record: record):
    """A maker of one record by ``factory`` (keyword arguments go to it), filled in by ``populate``."""
    return lambda **kwargs: populate(factory(**kwargs))


def populated_event(factory):
    return populated(factory, populate_event)


CURATED = [
    Resource("organizations", populated(OrganizationFactory, populate_organization), 3),
    Resource("councils", populated(CouncilFactory, populate_council), 3),
    Resource("people", populated(PersonFactory, populate_person), 4),
    Resource("sessions", populated_event(CouncilSessionFactory), 8),
    Resource("operations", populated_event(JointOperationFactory), 7),
    Resource("exercises", populated_event(ExerciseFactory), 6),
    Resource("meetings", populated_event(MeetingFactory), 6),
    Resource("statements", populated_event(StatementFactory), 6),
    Resource("events", populated_event(JointOperationFactory), 6),  # the timeline, showing an operation
    Resource("partnerships", populated(PartnershipFactory, populate_partnership), 6),
    Resource("sources", populated(SourceFactory), 2),
    Resource("documents", populated(DocumentFactory), 2),
]
REFERENCE = [("countries", "UA"), ("topics", "terrorism"), ("metrics", "crimes-solved")]


def detail_url(resource: str, record) -> str:
    return f"http://testserver{API}/{resource}/{record.pk}/"


WITH_CITATIONS = {"include": "citations"}


def list_urls(client, resource: str, **params) -> list[str]:
    response = client.get(f"{API}/{resource}/", {"page_size": 200, **params})
    assert response.status_code == 200, response.content
    return [row["url"] for row in response.json()["results"]]


def test_root_lists_every_resource(api, db):
    response = api.get(f"{API}/")

    assert response.status_code == 200
    assert set(response.json()) == {resource.name for resource in CURATED} | {name for name, _ in REFERENCE} | {
        "deleted",
        "stats",
    }


@pytest.mark.parametrize("resource", CURATED, ids=str)
def test_anonymous_lists_and_details_a_published_record(api, db, resource):
    record = resource.make()

    listing = api.get(f"{API}/{resource.name}/")
    detail = api.get(detail_url(resource.name, record))

    assert listing.status_code == 200
    assert {"next", "previous", "results"} <= set(listing.json())  # event lists are keyset-paged: no count
    assert detail_url(resource.name, record) in list_urls(api, resource.name)
    assert detail.status_code == 200
    payload = detail.json()
    assert (payload["id"], payload["slug"], payload["url"]) == (
        record.pk,
        record.slug,
        detail_url(resource.name, record),
    )


@pytest.mark.parametrize(("resource", "key"), REFERENCE)
def test_reference_data_lists_and_details_by_natural_key(api, db, resource, key):
    listing = api.get(f"{API}/{resource}/")
    detail = api.get(f"{API}/{resource}/{key}/")

    assert listing.status_code == 200
    assert listing.json()["count"] > 0
    assert detail.status_code == 200
    assert detail.json()["url"] == f"http://testserver{API}/{resource}/{key}/"


@pytest.mark.parametrize("resource", CURATED, ids=str)
def test_drafts_are_hidden_from_anonymous_but_not_from_staff(api, staff_api, db, resource):
    draft = resource.make(status=Status.DRAFT)
    url = detail_url(resource.name, draft)

    assert url not in list_urls(api, resource.name)
    assert api.get(url).status_code == 404
    assert url in list_urls(staff_api, resource.name)
    assert staff_api.get(url).status_code == 200


@pytest.mark.parametrize("resource", CURATED, ids=str)
def test_list_queries_do_not_grow_with_rows(api, db, resource):
    resource.make()
    with CaptureQueriesContext(connection) as few:
        few_rows = len(api.get(f"{API}/{resource.name}/").json()["results"])
    for _ in range(5):
        resource.make()
    with CaptureQueriesContext(connection) as many:
        many_rows = len(api.get(f"{API}/{resource.name}/").json()["results"])

    assert many_rows >= few_rows + 5
    assert len(many) == len(few), "a list must not query once per row"
    assert len(few) <= resource.query_budget


@pytest.mark.parametrize(("resource", "_"), REFERENCE)
def test_reference_list_queries_do_not_grow_with_page_size(api, db, resource, _):
    with CaptureQueriesContext(connection) as one:
        assert len(api.get(f"{API}/{resource}/", {"page_size": 1}).json()["results"]) == 1
    with CaptureQueriesContext(connection) as page:
        assert len(api.get(f"{API}/{resource}/", {"page_size": 200}).json()["results"]) > 1

    assert len(one) == len(page) == 2  # the count, then the page


# Payload shape -------------------------------------------------------------------------------------------------------


def country_objects(payload, key=None):
    """Every value found under a ``country`` key or in ``members``, anywhere in ``payload``."""
    if isinstance(payload, dict):
        for name, value in payload.items():
            if name == "country" and value is not None:
                yield value
            elif name == "members":
                yield from value
            else:
                yield from country_objects(value, name)
    elif isinstance(payload, list):
        for item in payload:
            yield from country_objects(item, key)


@pytest.mark.parametrize("resource", CURATED, ids=str)
def test_countries_appear_as_code_and_name_in_every_payload(api, db, resource):
    payload = api.get(detail_url(resource.name, resource.make())).json()

    countries = list(country_objects(payload))

    assert all(set(country) == {"code", "name"} for country in countries), countries
    if resource.name != "documents":  # a document's country is its source's, not shown inline
        assert countries, "the populated record names at least one country"


def test_event_core_payload(api, db):
    operation = populate_event(JointOperationFactory(date="2005-41", date_text="late 2005"))

    payload = api.get(detail_url("operations", operation), WITH_CITATIONS).json()

    assert payload["kind"] == "operation"
    assert payload["date"] == {
        "edtf": "2005-41",
        "text": "late 2005",
        "lower": "2005-07-01",
        "upper": "2005-12-31",
        "precision": "season",
    }
    assert set(payload["place"]) == {"name", "country"}
    assert payload["topics"] == [topic.slug for topic in operation.topics.all()]
    targets = [[key for key in ("country", "organization", "person") if row[key]] for row in payload["participants"]]
    assert sorted(map(len, targets)) == [1, 1, 1]
    assert {row["organization"]["country"]["code"] for row in payload["participants"] if row["organization"]} == {"RU"}
    citation = payload["citations"][0]
    assert set(citation["document"]) == {"id", "source", "title", "published_on", "url"}
    assert citation["quote"]
    assert {(link["direction"], link["event"]["kind"]) for link in payload["links"]} == {
        ("out", "meeting"),
        ("in", "exercise"),
    }
    linked = payload["links"][0]["event"]
    assert api.get(linked["url"]).json()["id"] == linked["id"]


def test_operation_outcomes_are_numbers_with_their_subsets(api, db):
    operation = populate_event(JointOperationFactory())
    total, part = operation.outcomes.order_by("-value")

    payload = api.get(detail_url("operations", operation), WITH_CITATIONS).json()
    outcomes = {row["uid"]: row for row in payload["outcomes"]}

    assert outcomes[str(total.uid)]["value"] == 7250
    assert isinstance(outcomes[str(total.uid)]["value"], int | float)
    assert outcomes[str(total.uid)]["part_of"] is None
    assert outcomes[str(part.uid)]["part_of"] == str(total.uid)
    assert outcomes[str(part.uid)]["metric"] == {"slug": total.metric.slug, "name": total.metric.name}
    assert outcomes[str(part.uid)]["citations"]


def test_session_payload_has_council_agenda_and_proposals(api, db):
    session = populate_event(CouncilSessionFactory())

    payload = api.get(detail_url("sessions", session), WITH_CITATIONS).json()

    assert payload["council"]["slug"] == session.council.slug
    assert [item["title"] for item in payload["agenda_items"]] == [item.title for item in session.agenda_items.all()]
    assert payload["proposals"][0]["citations"][0]["document"]["id"]


def test_statement_speaker_is_its_speaking_participant(api, db):
    statement = populate_event(StatementFactory())
    speaker = statement.participations.get(role=Role.SPEAKER)

    payload = api.get(detail_url("statements", statement)).json()

    assert payload["speaker"]["person"]["slug"] == speaker.person.slug
    assert payload["text"] == statement.text


def test_timeline_items_link_to_their_kinds_resource(api, db):
    events = [populate_event(factory()) for factory in (CouncilSessionFactory, ExerciseFactory, StatementFactory)]

    rows = {row["id"]: row for row in api.get(f"{API}/events/", {"page_size": 200}).json()["results"]}

    for event in events:
        row = rows[event.pk]
        assert row["kind"] == event.kind
        assert row["url"] == detail_url("events", event)
        resource = api.get(row["resource_url"])
        assert resource.status_code == 200
        assert resource.json()["kind"] == event.kind


def test_person_payload_has_name_variants_and_positions(api, db):
    person = populate_person(PersonFactory())
    position = person.positions.get()

    payload = api.get(detail_url("people", person), WITH_CITATIONS).json()

    assert [row["name"] for row in payload["names"]] == [name.name for name in person.names.all()]
    assert payload["positions"][0]["title"] == position.title
    assert payload["positions"][0]["organization"]["slug"] == position.organization.slug
    assert payload["positions"][0]["date"]["edtf"] == position.date
    assert payload["positions"][0]["citations"]


def test_partnership_payload_has_parties_figures_and_evidence(api, db):
    partnership = populate_partnership(PartnershipFactory())

    payload = api.get(detail_url("partnerships", partnership), WITH_CITATIONS).json()

    assert {party["country"]["code"] for party in payload["parties"] if party["country"]} == {"TJ"}
    assert [figure["value"] for figure in payload["figures"]] == [2.5e9]
    assert [event["id"] for event in payload["events"]] == [event.pk for event in partnership.events.all()]
    assert payload["citations"]


def test_links_and_evidence_to_unpublished_events_are_hidden_from_anonymous(api, staff_api, db):
    session = CouncilSessionFactory()
    EventLinkFactory(source=ExerciseFactory(status=Status.DRAFT), target=session)
    partnership = PartnershipFactory()
    partnership.events.add(MeetingFactory(status=Status.DRAFT))

    assert api.get(detail_url("sessions", session)).json()["links"] == []
    assert api.get(detail_url("partnerships", partnership)).json()["events"] == []
    assert len(staff_api.get(detail_url("sessions", session)).json()["links"]) == 1
    assert len(staff_api.get(detail_url("partnerships", partnership)).json()["events"]) == 1


@pytest.mark.parametrize("page_size", ["0", "-3", "ten"])
def test_bad_page_size_is_a_400(api, db, page_size):
    response = api.get(f"{API}/events/", {"page_size": page_size})

    assert response.status_code == 400
    assert list(response.json()) == ["page_size"]


def test_page_size_is_bounded(api, db):
    response = api.get(f"{API}/countries/", {"page_size": 1000})

    assert len(response.json()["results"]) == 200


@pytest.mark.parametrize("resource", CURATED, ids=str)
def test_browsable_api_renders_lists_details_and_forms(api, staff_api, db, resource):
    url = detail_url(resource.name, resource.make())

    pages = [
        client.get(page, HTTP_ACCEPT="text/html")
        for client in (api, staff_api)
        for page in (url, f"{API}/{resource.name}/")
    ]

    assert [page.status_code for page in pages] == [200] * 4
