"""The OpenAPI schema and its docs: valid, warning-free, complete (every resource, aggregate and filter,
typed and explained), public, and served without any CDN."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from cooperation.api.conditional import ConditionalWriteMixin
from cooperation.api.stats.views import AGGREGATES
from cooperation.api.urls import router

API = "/api/v1"
WRITES = ("put", "patch", "delete")

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
        assert {"412", "428"} <= set(operation["responses"]), path


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
