"""The OpenAPI schema and its docs: valid, warning-free, complete (every resource, aggregate and filter,
typed and explained), public, and served without any CDN."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from jsonschema import Draft4Validator
from rest_framework.throttling import AnonRateThrottle

from cooperation.api.conditional import ConditionalWriteMixin
from cooperation.api.pagination import BoundedPageSize
from cooperation.api.stats.views import AGGREGATES
from cooperation.api.urls import router

API = "/api/v1"
WRITES = ("put", "patch", "delete")
ALL_WRITES = ("post", *WRITES)

# Every operation of every router resource and aggregate: (path, view class, is a list).
RESOURCES = [(f"{API}/{prefix}/", viewset) for prefix, viewset, _ in router.registry]
AGGREGATE_PATHS = [(f"{API}/stats/{name}/", view) for name, view in AGGREGATES.items()]
FILTERED = [pytest.param(path, view, id=path) for path, view in [*RESOURCES, *AGGREGATE_PATHS] if view.filterset_class]


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def parameters(operation: dict, location: str = "query") -> dict[str, dict]:
    return {p["name"]: p for p in operation.get("parameters", []) if p["in"] == location}


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_spectacular_validate_fail_on_warn_passes(tmp_path):
    """The command CI users run: any warning (an untyped field or filter, an enum clash) fails it."""
    GENERATOR_STATS.reset()

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))

    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3.")


def test_schema_is_valid_openapi(schema):
    validate_schema(schema)  # raises on the first violation of the OpenAPI 3 JSON schema


@pytest.mark.parametrize(("path", "viewset"), RESOURCES, ids=[path for path, _ in RESOURCES])
def test_every_router_resource_is_described(schema, path, viewset):
    assert "get" in schema["paths"][path]
    if hasattr(viewset, "retrieve"):
        details = [p for p in schema["paths"] if re.fullmatch(rf"{re.escape(path)}\{{\w+\}}/", p)]
        assert details, f"no detail path under {path}"
        assert "get" in schema["paths"][details[0]]
    if hasattr(viewset, "create"):
        assert "post" in schema["paths"][path]


@pytest.mark.parametrize(("path", "view"), AGGREGATE_PATHS, ids=[path for path, _ in AGGREGATE_PATHS])
def test_every_aggregate_is_described_with_its_response(schema, path, view):
    response = schema["paths"][path]["get"]["responses"]["200"]

    assert "$ref" in response["content"]["application/json"]["schema"]


@pytest.mark.parametrize(("path", "view"), FILTERED)
def test_every_filter_is_a_typed_and_explained_parameter(schema, path, view):
    query = parameters(schema["paths"][path]["get"])

    for name in view.filterset_class.base_filters:
        assert name in query, f"{path}: filter {name} undocumented"
        assert query[name]["schema"].get("type"), f"{path}: {name} has no type"
        assert query[name].get("description"), f"{path}: {name} has no meaning"


def test_filters_have_their_real_types(schema):
    query = parameters(schema["paths"][f"{API}/events/"]["get"])

    assert query["country"]["schema"]["pattern"] == "^[A-Za-z]{2}$"
    assert query["date_after"]["schema"] == {"type": "string", "format": "date"}
    assert query["updated_since"]["schema"] == {"type": "string", "format": "date-time"}
    assert query["date_mode"]["schema"]["enum"] == ["overlap", "within"]
    assert query["page_size"]["schema"]["type"] == "integer"
    assert "200" in query["page_size"]["description"]  # the bound


def test_ordering_lists_the_views_own_fields(schema):
    ordering = parameters(schema["paths"][f"{API}/operations/"]["get"])["ordering"]

    assert set(ordering["schema"]["items"]["enum"]) == {"id", "date", "title", "updated_at"} | {
        "-id",
        "-date",
        "-title",
        "-updated_at",
    }
    assert (ordering["style"], ordering["explode"]) == ("form", False)  # ordering=date,-title


def test_references_are_objects_out_and_natural_keys_in(schema):
    components = schema["components"]["schemas"]
    country_out = components["Participant"]["properties"]["country"]
    country_in = components["ParticipantRequest"]["properties"]["country"]

    assert country_out["allOf"] == [{"$ref": "#/components/schemas/CountryReference"}]
    assert set(components["CountryReference"]["properties"]) == {"code", "name"}
    assert country_in["type"] == "string"
    assert country_in["pattern"] == "^[A-Za-z]{2}$"


def test_every_read_offers_json_and_csv_and_conditional_get(schema):
    reads = [(path, op) for path, method, op in operations(schema) if method == "get"]

    assert reads
    for path, operation in reads:
        content = operation["responses"]["200"]["content"]
        assert "$ref" in str(content["application/json"]["schema"]), path
        assert content["text/csv"]["schema"]["type"] == "string", path
        assert "If-None-Match" in parameters(operation, "header"), path
        assert "304" in operation["responses"], path
        assert "ETag" in operation["responses"]["200"]["headers"], path


def test_writes_document_if_match_and_412(schema):
    conditional_prefixes = [
        prefix for prefix, viewset, _ in router.registry if issubclass(viewset, ConditionalWriteMixin)
    ]
    writes = [
        (path, op)
        for path, method, op in operations(schema)
        if method in WRITES and any(path.startswith(f"{API}/{prefix}/") for prefix in conditional_prefixes)
    ]

    assert writes
    for path, operation in writes:
        assert "If-Match" in parameters(operation, "header"), path
        assert "412" in operation["responses"], path
        assert "428" not in operation["responses"], f"{path}: If-Match is optional on this server"


def test_428_is_documented_where_the_server_requires_if_match(settings):
    settings.API_REQUIRE_IF_MATCH = True

    schema = SchemaGenerator().get_schema(request=None, public=True)

    assert "428" in schema["paths"][f"{API}/operations/{{id}}/"]["patch"]["responses"]
    assert "428" not in schema["paths"][f"{API}/operations/"]["post"]["responses"]  # a create has no If-Match


def resolved(schema: dict, item: dict) -> dict:
    """``item``, or what its ``$ref`` names in ``schema`` (error responses are components/responses)."""
    if "$ref" not in item:
        return item
    node = schema
    for key in item["$ref"].removeprefix("#/").split("/"):
        node = node[key]
    return node


def error_schema(schema: dict, response: dict) -> dict:
    response = resolved(schema, response)
    assert list(response["content"]) == ["application/json"]  # errors are JSON, whatever format was asked for
    return response["content"]["application/json"]["schema"]


def test_every_operation_documents_its_errors(schema):
    error = {"$ref": "#/components/schemas/Error"}
    for path, method, operation in operations(schema):
        responses = {code: resolved(schema, response) for code, response in operation["responses"].items()}
        expected = {"400", "401", "404", "429", "503"}
        if method in ALL_WRITES:
            expected |= {"403", "409"}
        if method in ("post", "put", "patch"):
            expected |= {"413", "415"}
        assert expected <= set(responses), f"{method} {path}: {sorted(expected - set(responses))} undocumented"
        if method == "get":
            assert not {"403", "409", "412", "413", "415"} & set(responses), f"{method} {path}: a read's errors"
        for code in ("401", "404", "429", "503"):
            assert error_schema(schema, responses[code]) == error, f"{method} {path} {code}"
        for code in ("429", "503"):
            retry_after = responses[code]["headers"]["Retry-After"]
            assert retry_after["schema"]["type"] == "integer", f"{method} {path} {code}"
            assert retry_after["required"] is True


def test_a_400_is_a_validation_error_keyed_by_path(schema):
    components = schema["components"]["schemas"]
    validation = {"$ref": "#/components/schemas/ValidationError"}

    assert components["ValidationError"]["additionalProperties"] == {"type": "array", "items": {"type": "string"}}
    assert components["Error"]["required"] == ["detail"]
    either = {"anyOf": [validation, {"$ref": "#/components/schemas/Error"}]}
    read = schema["paths"][f"{API}/events/"]["get"]["responses"]["400"]
    assert error_schema(schema, read) == validation  # a bad filter, ordering, page_size or cursor
    write = schema["paths"][f"{API}/operations/"]["post"]["responses"]["400"]
    assert error_schema(schema, write) == either  # or a body that is not JSON: {detail}
    conflict = schema["paths"][f"{API}/operations/{{id}}/"]["delete"]["responses"]["409"]
    assert error_schema(schema, conflict) == either  # still referenced: {detail}; a concurrent create: by field


def test_404_says_what_was_not_found(schema):
    def not_found(path: str) -> str:
        return resolved(schema, schema["paths"][path]["get"]["responses"]["404"])["description"]

    detail, paged, keyset = (
        not_found(f"{API}/operations/{{id}}/"),
        not_found(f"{API}/countries/"),
        not_found(f"{API}/events/"),
    )

    assert "no such record" in detail
    assert "page past the last" in paged
    assert "page" not in keyset  # cursors, no page numbers: only an unknown format


def test_reads_need_no_credentials_and_writes_do(schema):
    for path, method, operation in operations(schema):
        anonymous = {} in operation["security"]
        assert anonymous == (method == "get"), f"{method} {path}"


def test_writes_document_the_change_reason_header(schema):
    for path, method, operation in operations(schema):
        if method in ALL_WRITES:
            assert "X-Change-Reason" in parameters(operation, "header"), f"{method} {path}"


def test_open_ended_dates_and_stateless_organizations_read_null(schema):
    components = schema["components"]["schemas"]

    assert components["UncertainDate"]["properties"]["lower"]["nullable"] is True  # 2006/.. has no upper bound
    assert components["UncertainDate"]["properties"]["upper"]["nullable"] is True
    assert components["OrganizationReference"]["properties"]["country"]["nullable"] is True  # the CIS has none
    assert "nullable" not in components["CountryReference"]["properties"]["code"]
    assert "nullable" not in components["UncertainDate"]["properties"]["text"]  # blank, never null


@pytest.mark.parametrize(
    ("component", "field"), [("CouncilSession", "council"), ("Document", "source"), ("Council", "organization")]
)
def test_a_reference_that_reads_null_when_hidden_is_required_in_writes(schema, component, field):
    components = schema["components"]["schemas"]

    assert components[component]["properties"][field]["nullable"] is True
    assert "nullable" not in components[f"{component}Request"]["properties"][field]
    assert "nullable" not in components[f"Patched{component}Request"]["properties"][field]


def test_a_reference_to_a_nullable_column_stays_nullable_in_writes(schema):
    components = schema["components"]["schemas"]

    assert components["PlaceRequest"]["properties"]["country"]["nullable"] is True
    assert components["ParticipantRequest"]["properties"]["organization"]["nullable"] is True


def test_slugs_are_lowercase_wherever_they_are_written_or_filtered(schema):
    lowercase = "^[-a-z0-9_]+$"
    components = schema["components"]["schemas"]

    assert components["JointOperationRequest"]["properties"]["slug"]["pattern"] == lowercase  # the model's rule
    assert components["Topic"]["properties"]["slug"]["pattern"] == lowercase
    assert components["CouncilRequest"]["properties"]["organization"]["pattern"] == lowercase  # a reference
    assert parameters(schema["paths"][f"{API}/events/"]["get"])["organization"]["schema"]["pattern"] == lowercase


@pytest.mark.parametrize("path", [f"{API}/countries/", f"{API}/events/"])
def test_page_size_is_bounded(schema, path):
    page_size = parameters(schema["paths"][path]["get"])["page_size"]["schema"]

    assert page_size == {"type": "integer", "minimum": 1, "maximum": BoundedPageSize.max_page_size}


@pytest.fixture
def served(api, db) -> dict:
    return api.get(f"{API}/schema/", {"format": "json"}).json()


def conforms(served: dict, response, path: str, method: str) -> None:
    """``response`` has a status ``path``'s ``method`` documents, and a body and headers as documented."""
    documented = served["paths"][path][method]["responses"]
    code = str(response.status_code)
    assert code in documented, f"{method} {path}: {code} undocumented ({response.content[:200]!r})"
    schema = {"allOf": [error_schema(served, documented[code])], **served}
    Draft4Validator(schema).validate(response.json())
    for header, spec in resolved(served, documented[code]).get("headers", {}).items():
        if spec.get("required"):
            assert response.has_header(header), f"{method} {path} {code}: no {header}"


def test_the_errors_answered_are_the_documented_ones(served, api, staff_api, article):
    operations_ = f"{API}/operations/"
    operation = f"{API}/operations/{{id}}/"
    conforms(served, api.get(f"{API}/events/", {"page_size": 0}), f"{API}/events/", "get")  # 400
    conforms(served, api.get(f"{API}/events/", {"cursor": "nonsense"}), f"{API}/events/", "get")  # 400
    conforms(served, api.get(f"{API}/countries/", {"page": 999}), f"{API}/countries/", "get")  # 404
    conforms(served, api.get(f"{API}/operations/999999/"), operation, "get")  # 404
    conforms(served, api.get(f"{API}/events/", HTTP_AUTHORIZATION="Token nonsense"), f"{API}/events/", "get")  # 401
    conforms(served, api.post(operations_, {}, format="json"), operations_, "post")  # 401
    conforms(served, staff_api.post(operations_, {"title": ""}, format="json"), operations_, "post")  # 400
    unparsable = staff_api.generic("POST", operations_, "{not json", content_type="application/json")
    conforms(served, unparsable, operations_, "post")  # 400, {detail}
    conforms(served, staff_api.generic("POST", operations_, "x", content_type="text/plain"), operations_, "post")  # 415
    stale = staff_api.patch(f"{API}/operations/999999/", {}, format="json", HTTP_IF_MATCH='"stale"')
    conforms(served, stale, operation, "patch")  # 404


def test_a_stale_if_match_is_a_documented_412(served, staff_api, article):
    pk = staff_api.get(f"{API}/operations/").json()["results"][0]["id"]

    response = staff_api.patch(f"{API}/operations/{pk}/", {}, format="json", HTTP_IF_MATCH='"stale"')

    assert response.status_code == 412
    conforms(served, response, f"{API}/operations/{{id}}/", "patch")


def test_deleting_a_referenced_record_is_a_documented_409(served, staff_api, article):
    source = staff_api.get(f"{API}/documents/").json()["results"][0]["source"]["id"]  # a source of documents

    response = staff_api.delete(f"{API}/sources/{source}/")

    assert response.status_code == 409
    conforms(served, response, f"{API}/sources/{{id}}/", "delete")


def test_throttled_is_a_documented_429_with_retry_after(served, api, db, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "1/min"})
    cache.clear()
    api.get(f"{API}/topics/")

    response = api.get(f"{API}/topics/")

    assert response.status_code == 429
    conforms(served, response, f"{API}/topics/", "get")


@pytest.mark.parametrize("format_", ["yaml", "json"])
def test_schema_endpoint_is_public(api, db, format_):
    response = api.get(f"{API}/schema/", {"format": format_})

    assert response.status_code == 200
    assert b"openapi" in response.content
    if format_ == "json":
        validate_schema(response.json())


@pytest.mark.parametrize("page", ["docs", "redoc"])
def test_docs_render_from_our_own_static_files(api, db, page):
    response = api.get(f"{API}/{page}/")
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)

    assert response.status_code == 200
    assert not re.search(r"https?://", html), "the docs page must not load anything from another host"
    assert assets
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a static file of ours"
