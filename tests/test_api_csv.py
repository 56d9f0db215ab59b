"""CSV: every list and aggregate as a flat table, lists streamed row by row in chunks, visibility kept."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from cooperation.api import renderers
from cooperation.api.conditional import ConditionalListMixin
from cooperation.choices import Role, Status
from tests.factories import (
    CountryFactory,
    JointOperationFactory,
    MeetingFactory,
    OrganizationFactory,
    ParticipationFactory,
    PartnershipFactory,
    SourceFactory,
    TopicFactory,
    populate_organization,
    populate_partnership,
)

API = "/api/v1"


def read_csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode())))


@pytest.fixture
def operation(db):
    """A published operation with two participants and a topic."""
    operation = JointOperationFactory(title="Passenger", date="2005-41", date_text="late 2005")
    ParticipationFactory(event=operation, country=CountryFactory(code="RU"), role=Role.LEAD)
    ParticipationFactory(event=operation, country=CountryFactory(code="UA"), role=Role.PARTICIPANT)
    operation.topics.add(TopicFactory(slug="terrorism"), TopicFactory(slug="drug-trafficking"))
    return operation


@pytest.mark.parametrize(
    "request_csv",
    [
        pytest.param(lambda client, url: client.get(url, {"format": "csv"}), id="format=csv"),
        pytest.param(lambda client, url: client.get(url, HTTP_ACCEPT="text/csv"), id="Accept"),
    ],
)
def test_a_list_as_csv_flattens_nested_values(api, operation, request_csv):
    response = request_csv(api, f"{API}/operations/")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="operations.csv"'
    (row,) = read_csv(response)
    assert row["title"] == "Passenger"
    assert (row["date.edtf"], row["date.text"], row["date.lower"], row["date.upper"]) == (
        "2005-41",
        "late 2005",
        "2005-07-01",
        "2005-12-31",
    )
    assert row["participants"] == "RU (lead); UA (participant)"
    assert sorted(row["topics"].split("; ")) == ["drug-trafficking", "terrorism"]
    assert "place.country.code" in row  # a null object keeps its columns


def test_a_csv_list_is_every_matching_row_unpaginated(api, db):
    SourceFactory.create_batch(4)

    rows = read_csv(api.get(f"{API}/sources/", {"format": "csv", "page_size": 1, "ordering": "-id"}))

    assert len(rows) == 4
    assert [int(row["id"]) for row in rows] == sorted((int(row["id"]) for row in rows), reverse=True)


def test_csv_keeps_the_filters_and_the_visibility(api, staff_api, operation):
    draft = JointOperationFactory(status=Status.DRAFT)
    JointOperationFactory()  # published, but without Ukraine

    anonymous = {row["id"] for row in read_csv(api.get(f"{API}/operations/", {"format": "csv"}))}
    staff = {row["id"] for row in read_csv(staff_api.get(f"{API}/operations/", {"format": "csv"}))}
    ukraine = [row["id"] for row in read_csv(api.get(f"{API}/operations/", {"format": "csv", "country": "UA"}))]

    assert str(draft.pk) not in anonymous
    assert str(draft.pk) in staff
    assert ukraine == [str(operation.pk)]


def test_a_detail_as_csv_is_one_row_with_the_lists_columns(api, operation):
    response = api.get(f"{API}/operations/{operation.pk}/", {"format": "csv"})
    listed = read_csv(api.get(f"{API}/operations/", {"format": "csv"}))

    (row,) = read_csv(response)
    assert row["participants"] == "RU (lead); UA (participant)"
    assert list(row) == list(listed[0])
    assert response["Content-Disposition"] == f'attachment; filename="operations-{operation.pk}.csv"'


def test_an_aggregate_as_csv_is_its_results(api, operation):
    JointOperationFactory(status=Status.DRAFT)
    MeetingFactory()

    response = api.get(f"{API}/stats/events-by-kind/", {"format": "csv"})
    by_country = read_csv(api.get(f"{API}/stats/events-by-country/", HTTP_ACCEPT="text/csv"))

    assert response["Content-Disposition"] == 'attachment; filename="stats-events-by-kind.csv"'
    counts = {row["kind"]: row["count"] for row in read_csv(response)}
    assert (counts["operation"], counts["meeting"], counts["exercise"]) == ("1", "1", "0")  # the draft is hidden
    assert {(row["country.code"], row["count"]) for row in by_country} == {("RU", "1"), ("UA", "1")}


def test_the_network_as_csv_is_one_table_of_nodes_and_edges(api, db):
    populate_partnership(PartnershipFactory())  # Tajikistan and an organization
    populate_partnership(PartnershipFactory(status=Status.DRAFT))

    rows = read_csv(api.get(f"{API}/stats/network/", {"format": "csv", "edges": "partnership"}))

    nodes = [row for row in rows if row["part"] == "nodes"]
    (edge,) = [row for row in rows if row["part"] == "edges"]
    assert {node["id"] for node in nodes} == {edge["source"], edge["target"]}
    assert (edge["kind"], edge["weight"]) == ("partnership", "1")  # the draft partnership is not counted
    assert next(node for node in nodes if node["type"] == "country")["code"] == "TJ"


def test_the_deleted_feed_as_csv_is_streamed_and_keeps_drafts_hidden(api, staff_api, db):
    published, draft = JointOperationFactory(), JointOperationFactory(status=Status.DRAFT)
    published.delete()
    draft.delete()
    params = {"format": "csv", "since": "2000-01-01T00:00:00Z", "resource": "operations"}

    response = api.get(f"{API}/deleted/", params)

    assert response.streaming
    assert [row["slug"] for row in read_csv(response)] == [published.slug]
    assert {row["slug"] for row in read_csv(staff_api.get(f"{API}/deleted/", params))} == {published.slug, draft.slug}


def test_errors_stay_json_when_csv_was_asked_for(api, db):
    response = api.get(f"{API}/operations/", {"format": "csv", "date_after": "late 2005"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "date_after" in response.json()


def test_a_csv_list_is_streamed_a_chunk_at_a_time(api, db, monkeypatch):
    """Rows are read, with their related rows, and written as the response is consumed: a chunk at a time."""
    monkeypatch.setattr(ConditionalListMixin, "csv_chunk_size", 2)
    for _ in range(5):
        populate_organization(OrganizationFactory())  # each with members: a query per chunk

    response = api.get(f"{API}/organizations/", {"format": "csv", "ordering": "id"})
    stream = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as header:
        next(stream)
    chunks = []
    for _ in range(3):  # the first three chunks, one at a time
        with CaptureQueriesContext(connection) as queries:
            chunk = next(stream)
        chunks.append((chunk.count(b"\r\n"), len(queries)))
    rest = list(stream)  # then the others: ten organizations in all, with the five parents

    assert isinstance(response, StreamingHttpResponse)
    assert len(header) == 0, "the header comes from the serializer, before any query"
    assert [rows for rows, _ in chunks] == [2, 2, 2]
    first, second, third = (queries for _, queries in chunks)
    assert second == third == first - 2 > 0, "each chunk reads its members; the first opens a transaction and SELECTs"
    assert sum(part.count(b"\r\n") for part in rest) == 4


# The flattening rules, one by one ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "true"),
        (585, "585"),
        (["terrorism", "drugs"], "terrorism; drugs"),
        ({"code": "RU", "name": "Russian Federation"}, "RU"),
        (
            {"role": "lead", "country": None, "organization": {"abbreviation": "CIS", "name": "Commonwealth"}},
            "CIS (lead)",
        ),
        (
            {"metric": {"slug": "crimes-solved", "name": "Crimes solved"}, "value": 585, "unit": "crimes"},
            "Crimes solved: 585 crimes",
        ),
        (
            {"metric": {"name": "Arms seized"}, "value": 30, "unit": "", "qualifier": "more_than"},
            "Arms seized: 30 (more_than)",
        ),
        ({"kind": "held_during", "event": {"id": 3, "title": "Session"}}, "Session (held_during)"),
        ([{"code": "RU"}, {"code": "TJ"}], "RU; TJ"),
    ],
)
def test_cell_text(value, text):
    assert renderers.text(value) == text


def test_data_columns_prefer_the_dotted_form_of_an_object_null_elsewhere():
    rows = [{"id": 1, "country": None}, {"id": 2, "country": {"code": "UA", "name": "Ukraine"}}]

    assert renderers.data_columns(rows) == ["id", "country.code", "country.name"]
    assert [renderers.cell(row, "country.code") for row in rows] == ["", "UA"]


@pytest.mark.parametrize(
    "query",
    [{}, {"ordering": "-date"}, {"ordering": "date"}, {"ordering": "title"}],
    ids=["timeline", "-date", "date", "title"],
)
def test_csv_and_json_list_events_in_the_same_order_undated_last(api, db, query):
    """On PostgreSQL a descending sort puts nulls first unless told; every format says last (``selectors.ordering``)."""
    titles = {"2006-04-21": "Dushanbe", "../2005-12": "Open start", "2005-41": "Late 2005", "2004-07/..": "Since 2004"}
    for date, title in titles.items():
        JointOperationFactory(title=title, date=date)
    PartnershipFactory(title="Open start partnership", date="../2005")
    PartnershipFactory(title="Dated partnership", date="2006")

    for resource in ("events", "operations", "partnerships"):
        json_titles = [row["title"] for row in api.get(f"{API}/{resource}/", query).json()["results"]]
        csv_titles = [row["title"] for row in read_csv(api.get(f"{API}/{resource}/", {**query, "format": "csv"}))]
        assert csv_titles == json_titles, resource
        if query.get("ordering", "-date").endswith("date"):
            assert json_titles[-1].startswith("Open start"), (resource, json_titles)
