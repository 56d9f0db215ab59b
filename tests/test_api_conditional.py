"""Conditional requests: ETag and Last-Modified on lists and details, cheap 304s, and If-Match for safe writes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date

from cooperation.api.serializers import JointOperationSerializer
from cooperation.choices import Status
from cooperation.models import JointOperation, Source
from tests.factories import JointOperationFactory, OrganizationFactory, SourceFactory, populate_event

API = "/api/v1"
LONG_AGO = "Sat, 01 Jan 2000 00:00:00 GMT"


@pytest.fixture
def operation(db):
    return populate_event(JointOperationFactory(title="Passenger"))


def detail(record) -> str:
    return f"{API}/operations/{record.pk}/"


def latest_shown(operation):
    """The latest change of an operation or of a row or record its payload shows (its rows are written after it)."""
    participations = list(operation.participations.all())
    shown = [operation, *participations, *operation.outcomes.all(), *operation.links_out.all()]
    shown += [link.target for link in operation.links_out.all()] + [link.source for link in operation.links_in.all()]
    shown += [
        *operation.links_in.all(),
        *(row.organization or row.person for row in participations if row.country_id is None),
    ]
    return max(row.updated_at for row in shown)


def refuse_to_serialize(monkeypatch, serializer_class):
    """A 304 must not build the payload: any attempt fails the test."""

    def fail(self, instance):
        raise AssertionError("the payload was serialized for a 304")

    monkeypatch.setattr(serializer_class, "to_representation", fail)


# Details ------------------------------------------------------------------------------------------------------------


def test_a_detail_has_a_strong_etag_and_last_modified(api, operation):
    response = api.get(detail(operation))

    assert response.status_code == 200
    assert response["ETag"].startswith('"')  # strong: usable with If-Match
    # The latest change of the record or of what it shows.
    assert response["Last-Modified"] == http_date(latest_shown(operation).timestamp())


def test_a_current_detail_is_304_with_one_query_and_no_payload(api, operation, monkeypatch):
    etag = api.get(detail(operation))["ETag"]
    refuse_to_serialize(monkeypatch, JointOperationSerializer)

    with CaptureQueriesContext(connection) as queries:
        response = api.get(detail(operation), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert len(queries) == 1  # the record's id and timestamp, nothing else


def test_a_changed_detail_is_200_with_a_new_etag(api, operation):
    etag = api.get(detail(operation))["ETag"]
    operation.title = "Passenger-2006"
    operation.save()

    response = api.get(detail(operation), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag
    assert response.json()["title"] == "Passenger-2006"


def test_if_modified_since(api, operation):
    last_modified = api.get(detail(operation))["Last-Modified"]

    assert api.get(detail(operation), HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert api.get(detail(operation), HTTP_IF_MODIFIED_SINCE=LONG_AGO).status_code == 200


def test_the_etag_depends_on_the_format_and_on_what_the_client_may_see(api, staff_api, operation):
    json_etag = api.get(detail(operation))["ETag"]

    assert api.get(detail(operation), {"format": "csv"})["ETag"] != json_etag
    assert staff_api.get(detail(operation))["ETag"] != json_etag  # staff see links to drafts


@pytest.mark.parametrize("path", ["", "{id}/"])
def test_responses_vary_on_the_credentials_that_decide_what_is_visible(api, operation, path):
    response = api.get(f"/api/v1/operations/{path.format(id=operation.pk)}")

    vary = {name.strip().lower() for name in response["Vary"].split(",")}
    assert {"authorization", "cookie"} <= vary


def test_a_hidden_record_is_404_whatever_the_etag(api, db):
    draft = JointOperationFactory(status=Status.DRAFT)

    assert api.get(detail(draft), HTTP_IF_NONE_MATCH="*").status_code == 404


# Lists --------------------------------------------------------------------------------------------------------------


def test_a_counted_list_has_a_weak_etag_from_one_aggregate_and_the_page_is_not_counted_again(api, db):
    organization = OrganizationFactory()
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"{API}/organizations/")

    assert response["ETag"].startswith('W/"')
    assert response["Last-Modified"] == http_date(organization.updated_at.timestamp())
    counts = [query["sql"] for query in queries if "COUNT(" in query["sql"].upper()]
    assert len(counts) == 1, counts  # the aggregate, reused as the paginator's count
    assert response.json()["count"] == 1


def test_a_keyset_list_has_a_weak_etag_from_its_page_and_counts_nothing(api, operation):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"{API}/operations/")

    assert response["ETag"].startswith('W/"')
    assert response["Last-Modified"] == http_date(latest_shown(operation).timestamp())
    # No count of the list (what the rows embed is counted per row, in the page's query: ``api.stamps``).
    assert not [query["sql"] for query in queries if "COUNT(*)" in query["sql"].upper()]
    assert "count" not in response.json()


def test_a_current_list_is_304_for_the_cost_of_reading_the_page(api, operation, monkeypatch):
    etag = api.get(f"{API}/operations/", {"country": "RU"})["ETag"]
    refuse_to_serialize(monkeypatch, JointOperationSerializer)

    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"{API}/operations/", {"country": "RU"}, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert len(queries) <= 2  # the page's rows (nothing prefetched), and the country filter looking up its code


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda op: JointOperationFactory(), id="created"),
        pytest.param(
            lambda op: JointOperation.objects.filter(pk=op.pk).update(status=Status.WITHDRAWN), id="withdrawn"
        ),
        pytest.param(lambda op: op.delete(), id="deleted"),
        pytest.param(lambda op: op.save(), id="updated"),
    ],
)
def test_any_change_to_the_listed_records_changes_the_list_etag(api, operation, change):
    etag = api.get(f"{API}/operations/")["ETag"]

    change(operation)

    response = api.get(f"{API}/operations/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_the_list_etag_depends_on_the_query(api, operation):
    etags = {
        api.get(f"{API}/operations/", params)["ETag"]
        for params in ({}, {"page_size": 1}, {"ordering": "title"}, {"format": "csv"})
    }

    assert len(etags) == 4


def test_a_csv_list_is_304_before_streaming(api, operation):
    etag = api.get(f"{API}/operations/", {"format": "csv"})["ETag"]

    assert api.get(f"{API}/operations/", {"format": "csv"}, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_aggregates_and_reference_data_get_an_etag_from_their_body(api, operation):
    for url in (f"{API}/stats/events-by-kind/", f"{API}/countries/UA/"):
        etag = api.get(url)["ETag"]

        assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


# Writes --------------------------------------------------------------------------------------------------------------


@pytest.fixture
def source(db):
    return SourceFactory(name="Interfax")


def source_url(source) -> str:
    return f"{API}/sources/{source.pk}/"


def test_a_write_with_the_current_etag_succeeds_and_returns_the_new_one(staff_api, source):
    etag = staff_api.get(source_url(source))["ETag"]

    response = staff_api.patch(source_url(source), {"name": "Interfax-Kazakhstan"}, HTTP_IF_MATCH=etag)

    assert response.status_code == 200, response.content
    assert response["ETag"] not in {None, etag}
    assert response["ETag"] == staff_api.get(source_url(source))["ETag"]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_stale_etag_is_412_and_nothing_is_written(staff_api, source, method):
    read = staff_api.get(source_url(source))
    stale, body = read["ETag"], {**read.json(), "name": "Overwritten"}  # a valid body: only the ETag is wrong
    Source.objects.get(pk=source.pk).save()  # someone else's change
    before = Source.objects.values().get(pk=source.pk)

    response = getattr(staff_api, method)(source_url(source), body, HTTP_IF_MATCH=stale)

    assert response.status_code == 412, response.content
    assert "changed" in response.json()["detail"]
    assert Source.objects.values().get(pk=source.pk) == before


def test_if_unmodified_since_before_the_last_change_is_412(staff_api, source):
    response = staff_api.patch(source_url(source), {"name": "Changed"}, HTTP_IF_UNMODIFIED_SINCE=LONG_AGO)

    assert response.status_code == 412
    assert Source.objects.get(pk=source.pk).name == "Interfax"


def test_a_delete_with_the_current_etag_deletes(staff_api, source):
    etag = staff_api.get(source_url(source))["ETag"]

    assert staff_api.delete(source_url(source), HTTP_IF_MATCH=etag).status_code == 204
    assert not Source.objects.filter(pk=source.pk).exists()


def test_a_write_without_if_match_is_allowed_by_default(staff_api, source):
    assert staff_api.patch(source_url(source), {"name": "Interfax-Ukraine"}).status_code == 200


def test_if_match_can_be_required(staff_api, source, settings):
    settings.API_REQUIRE_IF_MATCH = True
    etag = staff_api.get(source_url(source))["ETag"]

    refused = staff_api.patch(source_url(source), {"name": "Interfax-Ukraine"})
    accepted = staff_api.patch(source_url(source), {"name": "Interfax-Ukraine"}, HTTP_IF_MATCH=etag)

    assert refused.status_code == 428
    assert "If-Match" in refused.json()["detail"]
    assert accepted.status_code == 200
