"""Payload shape: ``?fields=``, ``?brief=``, ``?include=citations`` — what a response carries, and what it costs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.models import Citation, JointOperation
from tests.factories import DocumentFactory, JointOperationFactory, StatementFactory, populate_event
from tests.test_api_read import CURATED, REFERENCE, detail_url
from tests.test_api_write import passenger

API = "/api/v1"
EVENT_BRIEF = {"id", "url", "slug", "title", "kind", "date"}
BRIEF = {
    "organizations": {"id", "url", "slug", "name", "kind"},
    "councils": {"id", "url", "slug", "name"},
    "people": {"id", "url", "slug", "name"},
    "sessions": EVENT_BRIEF,
    "operations": EVENT_BRIEF,
    "exercises": EVENT_BRIEF,
    "meetings": EVENT_BRIEF,
    "statements": EVENT_BRIEF,
    "events": EVENT_BRIEF,
    "partnerships": {"id", "url", "slug", "title", "kind", "date"},
    "sources": {"id", "url", "slug", "name", "kind"},
    "documents": {"id", "url", "slug", "title", "kind", "published_on"},
    "countries": {"code", "url", "name"},
    "topics": {"id", "url", "slug", "name"},
    "metrics": {"id", "url", "slug", "name"},
}
# Where a populated record's payload embeds citations with include=citations ("[]": every row of a list).
CITED = {
    "organizations": set(),
    "councils": set(),
    "people": {"positions[].citations"},
    "sessions": {"citations", "participants[].citations", "proposals[].citations"},
    "operations": {"citations", "participants[].citations", "outcomes[].citations"},
    "exercises": {"citations", "participants[].citations"},
    "meetings": {"citations", "participants[].citations"},
    "statements": {"citations", "participants[].citations", "speaker.citations"},
    "events": {"citations", "participants[].citations"},
    "partnerships": {"citations", "figures[].citations"},
    "sources": set(),
    "documents": set(),
}
# The queries include=citations adds to a list: one per kind of row that carries citations, never one per row.
CITATION_QUERIES = {
    "organizations": 0,
    "councils": 0,
    "people": 1,
    "sessions": 3,
    "operations": 3,
    "exercises": 2,
    "meetings": 2,
    "statements": 2,  # the speaker is read from the participants
    "events": 2,
    "partnerships": 2,
    "sources": 0,
    "documents": 0,
}


def citation_paths(payload, path: str = "") -> set[str]:
    """Every path at which ``payload`` has a ``citations`` key, list indices written ``[]``."""
    found = set()
    if isinstance(payload, dict):
        for key, value in payload.items():
            child = f"{path}.{key}" if path else key
            if key == "citations":
                found.add(child)
            found |= citation_paths(value, child)
    elif isinstance(payload, list):
        for item in payload:
            found |= citation_paths(item, f"{path}[]")
    return found


def reference_url(resource: str, key: str) -> str:
    return f"http://testserver{API}/{resource}/{key}/"


# fields= -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", CURATED, ids=str)
def test_fields_picks_top_level_fields_of_lists_and_details(api, db, resource):
    record = resource.make()

    listing = api.get(f"{API}/{resource.name}/", {"fields": "id, slug,updated_at"})
    detail = api.get(detail_url(resource.name, record), {"fields": "slug,id"})

    assert listing.status_code == detail.status_code == 200
    assert listing.json()["results"]
    assert all(set(row) == {"id", "slug", "updated_at"} for row in listing.json()["results"])
    assert detail.json() == {"id": record.pk, "slug": record.slug}


def test_fields_keep_the_fields_they_pick_whole(api, db):
    url = detail_url("statements", populate_event(StatementFactory()))

    full = api.get(url).json()
    picked = api.get(url, {"fields": "id,participants,speaker,date"}).json()

    assert picked == {key: full[key] for key in ("id", "participants", "speaker", "date")}
    assert set(picked["speaker"]) == {"uid", "role", "detail", "country", "organization", "person"}


@pytest.mark.parametrize(("resource", "key"), REFERENCE)
def test_fields_on_reference_data(api, db, resource, key):
    detail = api.get(reference_url(resource, key), {"fields": "url"})

    assert detail.json() == {"url": reference_url(resource, key)}


@pytest.mark.parametrize(
    ("resource", "valid"),
    [*((resource.name, "slug") for resource in CURATED), ("countries", "code"), ("deleted", "reason")],
)
def test_unknown_field_is_a_400_listing_the_valid_ones(api, db, resource, valid):
    response = api.get(f"{API}/{resource}/", {"fields": "slug,secret", "since": "2006-01-01T00:00:00Z"})

    assert response.status_code == 400
    assert list(response.json()) == ["fields"]
    unknown, _, choices = response.json()["fields"][0].partition("Choose from:")
    assert "secret" in unknown
    assert valid in [name.strip(" .") for name in choices.split(",")]


def test_fields_naming_citations_needs_include(api, db):
    operation = populate_event(JointOperationFactory())

    refused = api.get(detail_url("operations", operation), {"fields": "id,citations"})
    included = api.get(detail_url("operations", operation), {"fields": "id,citations", "include": "citations"})

    assert refused.status_code == 400
    assert list(refused.json()) == ["fields"]
    assert set(included.json()) == {"id", "citations"}
    assert included.json()["citations"]


# brief ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", CURATED, ids=str)
@pytest.mark.parametrize("brief", ["1", "true", "True"])
def test_brief_is_the_minimal_form(api, db, resource, brief):
    record = resource.make()

    listing = api.get(f"{API}/{resource.name}/", {"brief": brief})
    detail = api.get(detail_url(resource.name, record), {"brief": brief})

    assert listing.json()["results"]
    assert all(set(row) == BRIEF[resource.name] for row in listing.json()["results"])
    assert set(detail.json()) == BRIEF[resource.name]
    assert detail.json()["url"] == detail_url(resource.name, record)


@pytest.mark.parametrize(("resource", "key"), REFERENCE)
def test_brief_reference_data(api, db, resource, key):
    assert set(api.get(reference_url(resource, key), {"brief": "1"}).json()) == BRIEF[resource]


def test_brief_false_is_the_full_form(api, db):
    operation = JointOperationFactory()

    full = api.get(detail_url("operations", operation)).json()

    assert api.get(detail_url("operations", operation), {"brief": "false"}).json() == full
    assert api.get(detail_url("operations", operation), {"brief": "0"}).json() == full


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"brief": "yes"}, "brief"),
        ({"brief": "1", "fields": "id"}, "brief"),
        ({"include": "citations,sources"}, "include"),
        ({"include": "everything"}, "include"),
    ],
)
def test_bad_shape_parameters_are_a_400_naming_them(api, db, params, parameter):
    operation = JointOperationFactory()

    for url in (f"{API}/operations/", detail_url("operations", operation)):
        response = api.get(url, params)
        assert response.status_code == 400
        assert list(response.json()) == [parameter]


# include=citations ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", CURATED, ids=str)
def test_citations_are_embedded_only_on_request_and_then_everywhere(api, db, resource):
    url = detail_url(resource.name, resource.make())

    plain = api.get(url).json()
    cited = api.get(url, {"include": "citations"}).json()

    assert citation_paths(plain) == set()
    assert citation_paths(cited) == CITED[resource.name]
    assert {key: value for key, value in cited.items() if key != "citations"}.keys() == plain.keys()


def test_embedded_citations_carry_document_and_source(api, db):
    operation = populate_event(JointOperationFactory())

    payload = api.get(detail_url("operations", operation), {"include": "citations"}).json()

    citation = payload["outcomes"][1]["citations"][0]
    assert citation["quote"]
    assert citation["document"]["source"]["slug"]


def test_writes_accept_nested_citations_whatever_the_shape(staff_api, db):
    document = DocumentFactory()

    response = staff_api.post(f"{API}/operations/?fields=id,title", passenger(document), format="json")

    assert response.status_code == 201, response.json()
    assert set(response.json()) == {"id", "title"}
    operation = JointOperation.objects.get(pk=response.json()["id"])
    assert Citation.objects.filter(document=document).count() == 3
    read = staff_api.get(detail_url("operations", operation), {"include": "citations"}).json()
    assert read["citations"][0]["claim"] == "code_name"
    assert [row["citations"][0]["quote"] for row in read["participants"] if row["citations"]] == ["with Ukraine"]


# Query budget --------------------------------------------------------------------------------------------------------

SHAPES = {
    "full": {},
    "citations": {"include": "citations"},
    "fields": {"fields": "id,slug,updated_at"},
    "brief": {"brief": "1"},
}


KEYSET_PAGED = {"events", "sessions", "operations", "exercises", "meetings", "statements"}


def list_queries(client, resource: str, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{API}/{resource}/", params)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("resource", CURATED, ids=str)
def test_list_queries_do_not_grow_with_rows_or_page_size(api, db, resource, shape):
    # Oldest first, so that even a one-row page shows a populated record (not one it links to).
    params = {"ordering": "id", **SHAPES[shape]}
    resource.make()
    one_row = list_queries(api, resource.name, page_size=1, **params)
    for _ in range(4):
        resource.make()

    assert list_queries(api, resource.name, page_size=1, **params) == one_row
    assert list_queries(api, resource.name, page_size=200, **params) == one_row


@pytest.mark.parametrize("resource", CURATED, ids=str)
def test_smaller_payloads_cost_fewer_queries(api, db, resource):
    resource.make()

    costs = {shape: list_queries(api, resource.name, **params) for shape, params in SHAPES.items()}

    # The page and nothing else (and, on the counted lists, the count; event lists are keyset-paged).
    assert costs["fields"] == costs["brief"] == (1 if resource.name in KEYSET_PAGED else 2)
    assert costs["citations"] == costs["full"] + CITATION_QUERIES[resource.name]
    assert costs["full"] <= resource.query_budget


def test_fields_fetch_only_what_they_show(api, db):
    populate_event(JointOperationFactory())

    assert list_queries(api, "operations", fields="id,outcomes") == 2  # page, outcomes
    assert list_queries(api, "operations", fields="id,outcomes", include="citations") == 3  # and their citations
    assert list_queries(api, "operations", fields="id,place") == 1  # its country is joined to the page
