"""What drf-spectacular cannot see for itself in this API, told once for every endpoint.

- **References** (``fields.ReferenceField``): read as the small object of their ``representation``
  serializer, written as the natural key (an ISO code, a slug or an id).
- **Filters** of our own classes (``filters.CountryFilter``, ``filters.SlugFilter``): their type and form;
  the meaning comes from each filter's ``help_text``. ``ordering`` lists the view's own fields, and
  ``page_size`` its bounds.
- **CSV**: every ``text/csv`` answer is a table (a string), not the JSON shape, and a CSV list is unpaginated.
- **Conditional requests**: ``If-None-Match`` / ``ETag`` / ``304`` on reads (every GET, see
  ``conditional`` and ``ConditionalGetMiddleware``); ``If-Match`` / ``412`` / ``428`` on the writes of
  viewsets with ``conditional.ConditionalWriteMixin``.
"""

from __future__ import annotations

from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiFilterExtension, OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import build_parameter_type, get_doc
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from cooperation.api import filters
from cooperation.api.conditional import ConditionalWriteMixin
from cooperation.api.renderers import CSVRenderer

SLUG = {"type": "string", "pattern": r"^[-a-zA-Z0-9_]+$"}
COUNTRY_CODE = {"type": "string", "pattern": r"^[A-Za-z]{2}$", "example": "UA"}

# Key types of references by their lookup field, as written in a request.
REFERENCE_KEYS = {"code": COUNTRY_CODE, "slug": SLUG, "id": {"type": "integer", "example": 7}}

# Filters whose values the stock extension cannot type (a method, or a queryset that needs the request).
FILTER_SCHEMAS = {filters.CountryFilter: COUNTRY_CODE, filters.SlugFilter: SLUG}

CSV_TABLE = {
    "type": "string",
    "description": "CSV, one row per record: nested objects as dotted columns (country.code, date.lower), "
    'lists joined with "; " (participants as "RU (lead); UA (participant)"). A list is every matching row, '
    "unpaginated and streamed.",
}

READ_HEADERS = [
    OpenApiParameter(
        "If-None-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="The ETag of your copy: 304 Not Modified, with no body, while it is still current.",
    ),
    OpenApiParameter(
        "If-Modified-Since",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="HTTP date: 304 if nothing changed since (to the second; If-None-Match is exact).",
    ),
    OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=["200"],
        description="Validator of this answer: weak (W/) on a list of records, strong otherwise.",
    ),
    OpenApiParameter(
        "Last-Modified",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=["200"],
        description="HTTP date of the latest change among the records answered (curated records only).",
    ),
]
WRITE_HEADERS = [
    OpenApiParameter(
        "If-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="The ETag of the record as you last read it: 412 if it has changed since, and nothing is "
        "written. Optional unless the server sets API_REQUIRE_IF_MATCH (then 428 without it).",
    ),
    OpenApiParameter(
        "If-Unmodified-Since",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="HTTP date: 412 if the record changed after it (If-Match is exact and preferred).",
    ),
    OpenApiParameter(
        "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=["200"], description="The record's new ETag."
    ),
]
NOT_MODIFIED = {"304": {"description": "Not Modified: your copy (If-None-Match / If-Modified-Since) is current."}}
PRECONDITIONS = {
    "412": {"description": "Precondition Failed: the record changed since the ETag in If-Match; nothing written."},
    "428": {"description": "Precondition Required: this server requires If-Match on writes."},
}


class AutoSchema(SpectacularAutoSchema):
    """Adds CSV, the conditional-request headers and their answers to every operation they apply to."""

    def get_description(self):
        """The view's own docstring; else its serializer's, which describes the payload for clients.

        Base viewsets' docstrings are written for developers ("the core prefetches…"): not inherited here.
        """
        if type(self.view).__dict__.get("__doc__"):
            return super().get_description()
        serializer = self._get_serializer()
        return get_doc(type(serializer)) if serializer is not None else super().get_description()

    def writes_conditionally(self) -> bool:
        return self.method in {"PUT", "PATCH", "DELETE"} and isinstance(self.view, ConditionalWriteMixin)

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.method == "GET":
            return [*parameters, *READ_HEADERS]
        if self.writes_conditionally():
            return [*parameters, *WRITE_HEADERS]
        return parameters

    def _get_format_parameters(self):
        parameters = super()._get_format_parameters()
        for parameter in parameters:
            parameter["description"] = (
                "Response format, instead of an Accept header. csv: every matching row, unpaginated "
                "(page and page_size do not apply)."
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.method == "GET":
            responses.update(NOT_MODIFIED)
        elif self.writes_conditionally():
            responses.update(PRECONDITIONS)
        return responses

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        content = response.get("content", {})
        if CSVRenderer.media_type in content:
            content[CSVRenderer.media_type] = {"schema": CSV_TABLE}
        return response


class ReferenceFieldSchema(OpenApiSerializerFieldExtension):
    """A reference: its ``representation`` object in responses, its natural key in requests."""

    target_class = "cooperation.api.fields.ReferenceField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        if direction == "response":
            return auto_schema.resolve_serializer(field.representation, direction).ref
        model = field.get_queryset().model._meta.verbose_name
        return {**REFERENCE_KEYS[field.lookup_field], "description": f"The {model}'s {field.lookup_field}."}


class FilterSchema(DjangoFilterExtension):
    """django-filter parameters, with our own filter classes typed (the stock extension would guess)."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        schema = next((schema for cls, schema in FILTER_SCHEMAS.items() if isinstance(filter_field, cls)), None)
        if schema is None:
            return super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        return [
            build_parameter_type(
                name=field_name,
                schema=dict(schema),
                location=OpenApiParameter.QUERY,
                required=filter_field.extra["required"],
                description=self._get_field_description(filter_field, None),
            )
        ]


class OrderingSchema(OpenApiFilterExtension):
    """``ordering``: the view's public field names, comma-separated, ``-`` for descending."""

    target_class = "cooperation.api.filters.StrictOrderingFilter"

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        view = auto_schema.view
        names = list(getattr(view, "ordering_fields", None) or {})
        if not names:
            return []
        default = ",".join(getattr(view, "ordering", ()))
        return [
            build_parameter_type(
                name=self.target.ordering_param,
                schema={"type": "array", "items": {"type": "string", "enum": [*names, *(f"-{n}" for n in names)]}},
                location=OpenApiParameter.QUERY,
                description=f"Sort by these fields, in order; - for descending. Unknown names are a 400. "
                f"Default: {default or 'none'}.",
                style="form",
                explode=False,
            )
        ]


class PaginationSchema(OpenApiFilterExtension):
    """``page`` and ``page_size`` with the bounds ``pagination.PageNumberPagination`` enforces."""

    target_class = "cooperation.api.pagination.PageNumberPagination"

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        paginator = self.target
        return [
            build_parameter_type(
                name=paginator.page_query_param,
                schema={"type": "integer", "minimum": 1},
                location=OpenApiParameter.QUERY,
                description="Page number, from 1 (the answer's next and previous link to the neighbours).",
            ),
            build_parameter_type(
                name=paginator.page_size_query_param,
                schema={"type": "integer", "minimum": 1},
                location=OpenApiParameter.QUERY,
                description=f"Rows per page (default {paginator.page_size}); above {paginator.max_page_size} "
                f"it is lowered to {paginator.max_page_size}.",
            ),
        ]
