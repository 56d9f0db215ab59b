"""What drf-spectacular cannot see for itself in this API, told once for every endpoint.

- **References** (``fields.ReferenceField``): read as the small object of their ``representation``
  serializer, written as the natural key (an ISO code, a slug or an id).
- **Filters** of our own classes (``filters.CountryFilter``, ``filters.SlugFilter``): their type and form;
  the meaning comes from each filter's ``help_text``. ``ordering`` lists the view's own fields, and
  ``page_size`` its bounds.
- **CSV**: every ``text/csv`` answer is a table (a string), not the JSON shape, and a CSV list is unpaginated.
- **Payload shape** (``serializers.shape``): ``fields``, ``brief`` and ``include`` on the lists and details of every
  view that parses them (``views.VisibleQuerysetMixin``), ``fields`` naming that view's own top-level fields.
  As they pick a record's top-level fields, a record's response component requires none of them (its request
  components, and the rows and objects it embeds, keep theirs); without them, every field is there.
- **Conditional requests**: ``If-None-Match`` / ``ETag`` / ``304`` on reads (every GET, see
  ``conditional`` and ``ConditionalGetMiddleware``); ``If-Match`` / ``412`` (and ``428`` when the server sets
  ``API_REQUIRE_IF_MATCH``) on the writes of viewsets with ``conditional.ConditionalWriteMixin``.
- **Errors** (``errors``): every error an operation can answer, with its body: ``ValidationError``
  (``{"path": ["message", …]}``) for a 400, ``Error`` (``{"detail": "…"}``) otherwise; ``Retry-After`` on 429 and 503.
- **Nulls**: a field reading a nullable model column reads null, whatever its ``allow_null`` (DRF writes null
  for any field whose value is ``None``): ``date.lower`` of an open-ended date, an organization's ``country``.
  A reference that reads null only when it is hidden (``allow_null`` for reads) is not null in a write when its
  column is ``NOT NULL``: a session's ``council``, a document's ``source``, a council's ``organization``.
- **Slugs** are lowercase (``models.base.lowercase_slug``), written or referred to.
- **Anonymous reads**: a read the permissions let anyone make needs no credentials (security ``{}``).
"""

from __future__ import annotations

from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiFilterExtension, OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ComponentIdentity, ResolvedComponent, build_parameter_type, get_doc
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import pagination, serializers
from rest_framework.permissions import SAFE_METHODS

from cooperation import history
from cooperation.api import filters, views
from cooperation.api.conditional import ConditionalWriteMixin
from cooperation.api.fields import ReferenceField
from cooperation.api.renderers import CSVRenderer
from cooperation.api.serializers.shape import INCLUDES, readable_fields
from cooperation.models.base import lowercase_slug

# ECMA anchors, as drf-spectacular writes a RegexValidator's pattern.
SLUG_PATTERN = lowercase_slug.regex.pattern.replace(r"\Z", "$")
SLUG = {"type": "string", "pattern": SLUG_PATTERN}
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
CHANGE_REASON = OpenApiParameter(
    views.CHANGE_REASON_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=f"Why: the comment of this change in the record's history. Percent-encoded UTF-8, at most "
    f"{history.REASON_MAX_LENGTH} characters once decoded (else a 400).",
)
NOT_MODIFIED = {"304": {"description": "Not Modified: your copy (If-None-Match / If-Modified-Since) is current."}}

# Errors (cooperation.api.errors) ------------------------------------------------------------------------------------

ERROR = {
    "type": "object",
    "description": "An error other than a validation error: what went wrong, in words.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": "What is invalid: each path of the body or query parameter at fault (participants[1].country, "
    "page_size; non_field_errors for the whole) with its messages. Nothing was written.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"participants[1].country": ["Unknown country code “XX”; use an ISO 3166-1 alpha-2 code such as UA."]},
}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 0},
        "required": True,
        "description": "Seconds to wait before sending the request again.",
    }
}
ERROR_BODY, VALIDATION_BODY, EITHER_BODY = "error", "validation", "either"
# Every error response, once (components/responses): its description, its body, its headers.
ERROR_RESPONSES = {
    "InvalidWrite": (
        "Bad Request: the body is invalid ({path: [messages]}), or a header such as X-Change-Reason is; or the "
        "body is not JSON ({detail}). Nothing is written.",
        EITHER_BODY,
    ),
    "InvalidQuery": (
        "Bad Request: a malformed query parameter (a filter, ordering, page_size, cursor, fields, brief, include): "
        "{parameter: [messages]}.",
        VALIDATION_BODY,
    ),
    "Unauthenticated": ("Unauthorized: no credentials, or invalid ones (WWW-Authenticate: Token).", ERROR_BODY),
    "InvalidCredentials": ("Unauthorized: the credentials sent are invalid (a read needs none).", ERROR_BODY),
    "Forbidden": (
        "Forbidden: a read-only token, or a user without the permission this change needs (named in the detail).",
        ERROR_BODY,
    ),
    "RecordNotFound": (
        "Not Found: no such record, or none you may see (drafts are for staff); or an unknown format.",
        ERROR_BODY,
    ),
    "PageNotFound": ("Not Found: a page past the last one; or an unknown format.", ERROR_BODY),
    "FormatNotFound": ("Not Found: an unknown format.", ERROR_BODY),
    "Conflict": (
        "Conflict: the record is still referenced by others (a delete: change or delete those first), or another "
        "request wrote the same unique value at the same moment ({field: [messages]}). Nothing of this one is written.",
        EITHER_BODY,
    ),
    "ContentTooLarge": ("Content Too Large: the body is over the server's size limit.", ERROR_BODY),
    "UnsupportedMediaType": ("Unsupported Media Type: send the body as application/json.", ERROR_BODY),
    "PreconditionFailed": (
        "Precondition Failed: the record changed since the ETag in If-Match (or If-Unmodified-Since); nothing written.",
        ERROR_BODY,
    ),
    "PreconditionRequired": (
        "Precondition Required: this server requires If-Match on writes (API_REQUIRE_IF_MATCH).",
        ERROR_BODY,
    ),
    "Throttled": (
        "Too Many Requests: over this client's request budget (API_ANON_RATE anonymous, API_USER_RATE signed in).",
        ERROR_BODY,
        RETRY_AFTER,
    ),
    "DatabaseBusy": (
        "Service Unavailable: the database is busy (a write waited too long for a lock); nothing was written.",
        ERROR_BODY,
        RETRY_AFTER,
    ),
}
READ_ERRORS = {"400": "InvalidQuery", "401": "InvalidCredentials"}
WRITE_ERRORS = {"400": "InvalidWrite", "401": "Unauthenticated", "403": "Forbidden", "409": "Conflict"}
BODY_ERRORS = {"413": "ContentTooLarge", "415": "UnsupportedMediaType"}
EVERY_ERROR = {"429": "Throttled", "503": "DatabaseBusy"}


class AutoSchema(SpectacularAutoSchema):
    """Adds CSV, the conditional-request headers, the errors and their answers to every operation they apply to."""

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

    def writes(self) -> bool:
        return self.method not in SAFE_METHODS

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.method == "GET":
            return [*parameters, *self.shape_parameters(), *READ_HEADERS]
        if self.writes() and isinstance(self.view, views.CuratedViewSet):
            parameters = [*parameters, CHANGE_REASON]
        if self.writes_conditionally():
            return [*parameters, *WRITE_HEADERS]
        return parameters

    def shape_parameters(self) -> list[OpenApiParameter]:
        """``fields``, ``brief`` and ``include`` (``serializers.shape``), where the view parses them."""
        if not isinstance(self.view, views.VisibleQuerysetMixin):
            return []
        serializer_class = self.view.get_serializer_class()
        names = readable_fields(serializer_class)
        cited = "citations" in names or any(has_citations(field) for field in serializer_class().fields.values())
        refused = "citations without include=citations, " if "citations" in names else ""
        parameters = [
            OpenApiParameter(
                "fields",
                {"type": "array", "items": {"type": "string", "enum": names}},
                OpenApiParameter.QUERY,
                style="form",
                explode=False,
                description=f"Only these top-level fields of each record, comma-separated "
                f"(fields={','.join(names[:3])}), each of them whole. An unknown name is a 400, as are "
                f"{refused}fields with brief.",
            ),
            OpenApiParameter(
                "brief",
                OpenApiTypes.BOOL,
                OpenApiParameter.QUERY,
                description=f"true (or 1): the minimal form of each record, "
                f"{', '.join(serializer_class.Meta.brief_fields)}. Not with fields.",
            ),
        ]
        if cited:
            parameters.append(
                OpenApiParameter(
                    "include",
                    {"type": "array", "items": {"type": "string", "enum": list(INCLUDES)}},
                    OpenApiParameter.QUERY,
                    style="form",
                    explode=False,
                    description="citations: embed provenance, the citations of the record and of its rows "
                    "(participants, figures, positions, proposals). Left out by default.",
                )
            )
        return parameters

    def get_auth(self):
        """The authentication schemes, and none at all (``{}``) where the permissions let anyone in (reads)."""
        auths = super().get_auth()
        if self.method in SAFE_METHODS and {} not in auths and self.admits_anonymous():
            auths.append({})
        return auths

    def admits_anonymous(self) -> bool:
        """Whether every permission of the view lets an anonymous client make this operation's request.

        Asked of reads only: at schema time the view has no handler bound to its methods, which permissions may
        take for a method it does not offer (405, left to the view), so a write would read as admitted.
        """
        request = SimpleNamespace(method=self.method, user=AnonymousUser(), auth=None)
        try:
            return all(permission.has_permission(request, self.view) for permission in self.view.get_permissions())
        except Exception:  # a permission that needs more of a request than this: say nothing
            return False

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        column = column_of(field)
        if direction == "response" and column is not None and column.null:
            meta["nullable"] = True
        if direction == "request" and isinstance(field, ReferenceField) and column is not None and not column.null:
            meta.pop("nullable", None)  # allow_null for a hidden record's read; a write needs one
        return meta

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response" and hasattr(getattr(serializer, "Meta", None), "brief_fields"):
            # A record's (a serializer with a brief form): ?fields= and ?brief= pick its top-level fields, so none
            # is sure to be in a response. Its rows and the objects it embeds keep theirs: those come whole.
            schema.pop("required", None)
        return schema

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        # A write is validated by its model column too (the services run full_clean), and only the field's first
        # pattern shows: Django's validate_slug, which allows capitals. Ours is the one that holds.
        column = column_of(field) if isinstance(field, serializers.Field) else None
        if lowercase_slug in [*getattr(field, "validators", ()), *(column.validators if column else ())]:
            schema["pattern"] = SLUG_PATTERN

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
        return {**responses, **self.error_responses()}

    def error_responses(self) -> dict[str, dict]:
        """What this operation answers when it fails, by status code: references to ``ERROR_RESPONSES``."""
        names = dict(WRITE_ERRORS if self.writes() else READ_ERRORS)
        if self.method in {"POST", "PUT", "PATCH"}:
            names.update(BODY_ERRORS)
        if "{" in self.path:
            names["404"] = "RecordNotFound"
        elif self._is_list_view() and isinstance(self._get_paginator(), pagination.PageNumberPagination):
            names["404"] = "PageNotFound"
        else:
            names["404"] = "FormatNotFound"
        if self.writes_conditionally():
            names["412"] = "PreconditionFailed"
            if settings.API_REQUIRE_IF_MATCH:
                names["428"] = "PreconditionRequired"
        names.update(EVERY_ERROR)
        return {code: self.error_response(names[code]) for code in sorted(names)}

    def error_response(self, name: str) -> dict:
        description, body, *headers = ERROR_RESPONSES[name]
        error = self.schema_component("Error", ERROR)
        schema = {
            ERROR_BODY: error,
            VALIDATION_BODY: self.schema_component("ValidationError", VALIDATION_ERROR),
            EITHER_BODY: {"anyOf": [self.schema_component("ValidationError", VALIDATION_ERROR), error]},
        }[body]
        response = {"description": description, "content": {"application/json": {"schema": schema}}}
        if headers:
            response["headers"] = headers[0]
        return self.component(name, ResolvedComponent.RESPONSE, response)

    def schema_component(self, name: str, schema: dict) -> dict:
        return self.component(name, ResolvedComponent.SCHEMA, schema)

    def component(self, name: str, kind: str, schema: dict) -> dict:
        component = ResolvedComponent(name, kind, schema=schema, object=ComponentIdentity(name))
        self.registry.register_on_missing(component)
        return component.ref

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        content = response.get("content", {})
        if CSVRenderer.media_type in content:
            content[CSVRenderer.media_type] = {"schema": CSV_TABLE}
        return response


def has_citations(field) -> bool:
    """Whether ``field`` reads out rows (or objects) with ``citations`` of their own, at any depth."""
    if isinstance(field, serializers.ListSerializer):
        field = field.child
    if not isinstance(field, serializers.Serializer):
        return False
    return any(name == "citations" or has_citations(child) for name, child in field.fields.items())


def column_of(field):
    """The model column ``field`` reads (through its serializer's model, and ``source="*"`` sub-objects), if any.

    Along a dotted source the first nullable column is the answer (null there, null read out); fields that read
    no column (methods, properties, reverse relations) have none. DRF reads out ``None`` as null for any field,
    so a field on a nullable column is nullable in responses even without ``allow_null`` (which is about what a
    write accepts): ``date.lower`` (``date_lower``), an organization reference's ``country``.
    """
    serializer = field.parent
    while serializer is not None and not isinstance(serializer, serializers.ModelSerializer):
        if serializer.source != "*":
            return None
        serializer = serializer.parent
    if serializer is None or not field.source_attrs:
        return None
    model, column = serializer.Meta.model, None
    for name in field.source_attrs:
        try:
            column = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not column.concrete:
            return None
        if column.null or not column.is_relation:
            return column
        model = column.related_model
    return column


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


def page_size_parameter(paginator) -> dict:
    """``page_size`` as ``pagination.BoundedPageSize`` reads it: 1 to the maximum (a larger one is lowered to it)."""
    return build_parameter_type(
        name=paginator.page_size_query_param,
        schema={"type": "integer", "minimum": 1, "maximum": paginator.max_page_size},
        location=OpenApiParameter.QUERY,
        description=f"Rows per page, 1 to {paginator.max_page_size} (default {paginator.page_size}); a larger "
        f"number is lowered to {paginator.max_page_size}, anything else is a 400.",
    )


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
                description="Page number, from 1 (the answer's next and previous link to the neighbours); "
                "past the last page is a 404.",
            ),
            page_size_parameter(paginator),
        ]


class KeysetPaginationSchema(OpenApiFilterExtension):
    """``cursor`` and ``page_size`` of ``pagination.KeysetPagination`` (the event lists)."""

    target_class = "cooperation.api.pagination.KeysetPagination"

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        paginator = self.target
        return [
            build_parameter_type(
                name=paginator.cursor_query_param,
                schema={"type": "string"},
                location=OpenApiParameter.QUERY,
                description="Opaque position from a next/previous link; one that is not, or is of another "
                "ordering, is a 400.",
            ),
            page_size_parameter(paginator),
        ]
