"""gzip for the API's JSON and CSV (``cooperation.middleware.CompressAPIResponses``), never for HTML pages; ETags,
304s and If-Match through it; a streamed CSV compressed as it is sent."""

from __future__ import annotations

import gzip
import os

import pytest
from django.http import StreamingHttpResponse
from drf_spectacular.generators import SchemaGenerator

from cooperation.middleware import CompressAPIResponses
from cooperation.models import JointOperation, Organization
from tests.factories import OrganizationFactory

API = "/api/v1"
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


@pytest.fixture
def operation(article) -> JointOperation:
    return JointOperation.objects.get(code_name="Passenger")


def operation_url(operation) -> str:
    return f"{API}/operations/{operation.pk}/"


# What is compressed ----------------------------------------------------------------------------------------------

READS = {
    "event page": f"{API}/events/",
    "brief page": f"{API}/events/?brief=true",
    "counted list": f"{API}/organizations/",
    "reference data": f"{API}/countries/",
    "aggregate": f"{API}/stats/events-by-country/",
    "event list as CSV (streamed)": f"{API}/events/?format=csv",
    "detail as CSV": f"{API}/operations/{{operation}}/?format=csv",
    "network as CSV": f"{API}/stats/network/?format=csv",
    "schema": f"{API}/schema/",
}


@pytest.mark.parametrize("url", READS.values(), ids=READS.keys())
def test_gzip_decodes_to_exactly_the_uncompressed_bytes(api, operation, url):
    url = url.format(operation=operation.pk)
    plain = api.get(url)
    compressed = api.get(url, **GZIP)

    assert plain.status_code == compressed.status_code == 200
    assert "Content-Encoding" not in plain
    assert compressed["Content-Encoding"] == "gzip"
    assert compressed["Content-Type"] == plain["Content-Type"]
    assert len(body(compressed)) < len(body(plain))
    assert gzip.decompress(body(compressed)) == body(plain)
    assert "accept-encoding" in vary(plain)
    assert "accept-encoding" in vary(compressed)


def test_a_detail_is_compressed_and_its_length_is_the_compressed_one(api, operation):
    plain = api.get(operation_url(operation))
    compressed = api.get(operation_url(operation), **GZIP)

    assert gzip.decompress(compressed.content) == plain.content
    assert compressed["Content-Length"] == str(len(compressed.content))


@pytest.mark.parametrize("accept_encoding", [None, "identity", "br", "deflate"])
def test_no_compression_unless_gzip_is_accepted(api, article, accept_encoding):
    headers = {} if accept_encoding is None else {"HTTP_ACCEPT_ENCODING": accept_encoding}

    response = api.get(f"{API}/events/", **headers)

    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert response.json()["results"]
    assert "accept-encoding" in vary(response)  # a cache must not hand this one to a client that accepts gzip


def test_a_streamed_csv_stays_streamed(api, article):
    response = api.get(f"{API}/events/", {"format": "csv"}, **GZIP)

    assert response.streaming
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Encoding"] == "gzip"
    assert "Content-Length" not in response  # not known until it is all sent
    rows = gzip.decompress(body(response)).decode().splitlines()
    assert rows[0].startswith("id,url,slug,")
    assert len(rows) > 5


def streamed(count: int, read: list[int], closed: list[bool]):
    """``count`` rows of 128 characters that hardly compress, noting how many were read and whether it was closed."""
    try:
        for index in range(count):
            read.append(index)
            yield os.urandom(64).hex().encode()
    finally:
        closed.append(True)


def test_a_stream_is_compressed_as_it_is_read_not_buffered_whole(rf, db):
    read, closed = [], []
    response = StreamingHttpResponse(streamed(2000, read, closed), content_type="text/csv; charset=utf-8")
    middleware = CompressAPIResponses(lambda request: response)

    answer = middleware(rf.get(f"{API}/events/", **GZIP))
    stream = iter(answer.streaming_content)
    first = next(stream)  # the gzip header, before any row is read
    compressed = next(stream)  # the first compressed bytes, once a block of rows is in

    assert answer.streaming
    assert first.startswith(b"\x1f\x8b")
    assert compressed
    assert 0 < len(read) < 2000
    answer.close()  # a client gone mid-export: the rows' generator (its transaction) is closed too
    assert closed == [True]


# What is not -----------------------------------------------------------------------------------------------------


def test_the_admin_login_page_with_its_csrf_token_is_not_compressed(client, db):
    response = client.get("/admin/login/", **GZIP)

    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert "Content-Encoding" not in response


def test_the_browsable_api_with_its_csrf_token_is_not_compressed(client, staff_user, operation):
    client.force_login(staff_user)

    response = client.get(operation_url(operation), {"format": "api"}, **GZIP)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"csrfToken" in response.content  # the page's script sends it with the forms' writes
    assert "Content-Encoding" not in response


@pytest.mark.parametrize("page", ["docs", "redoc"])
def test_the_api_docs_pages_are_not_compressed(api, db, page):
    response = api.get(f"{API}/{page}/", **GZIP)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Encoding" not in response


def test_a_short_answer_is_left_as_it_is(api, db):
    response = api.get(f"{API}/countries/UA/", **GZIP)  # under 200 bytes: not worth compressing

    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert response.json()["code"] == "UA"


# ETags: conditional GETs and writes ------------------------------------------------------------------------------


def test_a_compressed_detail_sends_its_strong_etag_weak(api, operation):
    strong = api.get(operation_url(operation))["ETag"]

    weak = api.get(operation_url(operation), **GZIP)["ETag"]

    assert strong.startswith('"')
    assert weak == f"W/{strong}"


@pytest.mark.parametrize(
    "url",
    [f"{API}/events/", f"{API}/organizations/", f"{API}/countries/", f"{API}/events/?format=csv"],
    ids=["keyset page", "counted list", "reference data (ConditionalGetMiddleware)", "streamed CSV"],
)
def test_a_list_etag_from_a_compressed_read_gives_a_304(api, article, url):
    etag = api.get(url, **GZIP)["ETag"]

    again = api.get(url, HTTP_IF_NONE_MATCH=etag, **GZIP)

    assert etag.startswith('W/"')
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert "accept-encoding" in vary(again)


def test_a_detail_etag_from_a_compressed_read_gives_a_304_compressed_or_not(api, operation):
    weak = api.get(operation_url(operation), **GZIP)["ETag"]

    compressed = api.get(operation_url(operation), HTTP_IF_NONE_MATCH=weak, **GZIP)
    plain = api.get(operation_url(operation), HTTP_IF_NONE_MATCH=weak)

    assert compressed.status_code == plain.status_code == 304
    assert compressed["ETag"] == weak  # as its 200 would say
    assert plain["ETag"] == weak.removeprefix("W/")


def test_a_changed_record_is_200_for_the_weak_etag(api, operation):
    weak = api.get(operation_url(operation), **GZIP)["ETag"]
    operation.title = "Passenger-2006"
    operation.save()

    response = api.get(operation_url(operation), HTTP_IF_NONE_MATCH=weak, **GZIP)

    assert response.status_code == 200
    assert response["ETag"] != weak


@pytest.mark.parametrize("method", ["patch", "put"])
def test_a_write_with_the_etag_of_a_compressed_read_succeeds(staff_api, operation, method):
    read = staff_api.get(operation_url(operation), **GZIP)
    weak = read["ETag"]
    payload = staff_api.get(operation_url(operation)).json()
    body = {"aim": "Changed"} if method == "patch" else {**payload, "aim": "Changed"}

    response = getattr(staff_api, method)(operation_url(operation), body, HTTP_IF_MATCH=weak, **GZIP)

    assert weak.startswith('W/"')
    assert response.status_code == 200, response.content
    assert JointOperation.objects.get(pk=operation.pk).aim == "Changed"
    assert response["ETag"] not in {weak, weak.removeprefix("W/")}


def test_a_stale_etag_of_a_compressed_read_is_still_412(staff_api, operation):
    stale = staff_api.get(operation_url(operation), **GZIP)["ETag"]
    assert staff_api.patch(operation_url(operation), {"aim": "First"}, HTTP_IF_MATCH=stale).status_code == 200

    response = staff_api.patch(operation_url(operation), {"aim": "Second"}, HTTP_IF_MATCH=stale, **GZIP)

    assert response.status_code == 412
    assert JointOperation.objects.get(pk=operation.pk).aim == "First"


def test_a_delete_takes_the_etag_of_a_compressed_read(staff_api, db):
    organization = OrganizationFactory(description="A unit formed for one exercise. " * 8)
    url = f"{API}/organizations/{organization.pk}/"
    weak = staff_api.get(url, **GZIP)["ETag"]

    response = staff_api.delete(url, HTTP_IF_MATCH=weak)

    assert weak.startswith('W/"')
    assert response.status_code == 204
    assert not Organization.objects.filter(pk=organization.pk).exists()


def test_an_if_match_list_takes_weak_and_strong_etags(staff_api, operation):
    strong = staff_api.get(operation_url(operation))["ETag"]

    response = staff_api.patch(operation_url(operation), {"aim": "Changed"}, HTTP_IF_MATCH=f'"other", W/{strong}')

    assert response.status_code == 200, response.content


# The schema: the payload-shape parameters ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def query_parameters(schema: dict, path: str) -> dict[str, dict]:
    return {p["name"]: p for p in schema["paths"][path]["get"].get("parameters", []) if p["in"] == "query"}


@pytest.mark.parametrize("path", [f"{API}/events/", f"{API}/events/{{id}}/", f"{API}/operations/{{id}}/"])
def test_the_schema_documents_fields_brief_and_include(schema, path):
    query = query_parameters(schema, path)

    fields, brief, include = query["fields"], query["brief"], query["include"]
    assert {"kind", "date", "place", "participants", "topics", "citations"} <= set(fields["schema"]["items"]["enum"])
    assert (fields["style"], fields["explode"]) == ("form", False)  # fields=id,title,date
    assert brief["schema"] == {"type": "boolean"}
    assert "id, url, slug, title, kind, date" in brief["description"]
    assert include["schema"]["items"]["enum"] == ["citations"]
    assert all(parameter.get("description") for parameter in (fields, brief, include))


def test_shape_parameters_are_on_every_shaped_read_and_nowhere_else(schema):
    for path, methods in schema["paths"].items():
        query = query_parameters(schema, path) if "get" in methods else {}
        shaped = not path.startswith((f"{API}/stats/", f"{API}/schema/"))
        assert ({"fields", "brief"} <= set(query)) == shaped, path
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method != "get":
                names = {p["name"] for p in operation.get("parameters", [])}
                assert not {"fields", "brief", "include"} & names, f"{method} {path}"


def test_include_is_documented_where_there_are_citations_to_embed(schema):
    assert "include" in query_parameters(schema, f"{API}/people/")  # a person's positions are cited
    assert "include" not in query_parameters(schema, f"{API}/countries/")
    assert query_parameters(schema, f"{API}/countries/")["fields"]["schema"]["items"]["enum"][0] == "code"
