"""Error bodies: one flat ``{"path": ["message", …]}`` object for every 400, whatever raised it.

Clients get the same shape from the serializers (``{"participants": [{}, {"country": …}]}``
in DRF's nested form), from the model validation run by ``cooperation.services``
(keyed in model terms, ``participations[1].country``) and from the filters: a path
such as ``participants[1].country`` naming the field of the request body or the
query parameter at fault.

Every other error is ``{"detail": "message"}``, also where Django answers before or outside a view
(an unknown URL, a body too large: the ``handler404``/``handler400``… below), so that an API
client never gets an HTML page; a write that found the database locked is a 503 with ``Retry-After``.
"""

from __future__ import annotations

import logging
import re

from django.apps import apps
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError
from django.http import JsonResponse
from django.views import defaults
from psycopg import errors as psycopg_errors
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)
API_PREFIX = "/api/"
SEGMENT = re.compile(r"([^.\[\]]+)(?:\[(\d+)\])?")


def exception_handler(exc, context):
    """DRF's handler, with validation errors flattened to paths, and a busy database a 503 to retry."""
    if is_busy(exc):
        exc = DatabaseBusy()
    elif isinstance(exc, IntegrityError):
        exc = WriteConflict(conflicting_fields(exc))
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, serializers.ValidationError):
        response.data = flatten_errors(response.data)
    if isinstance(exc, DatabaseBusy):
        response["Retry-After"] = str(DatabaseBusy.retry_after)
    return response


class DatabaseBusy(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is busy with other writes; try again in a moment."
    default_code = "database_busy"
    retry_after = 2  # seconds


def is_busy(exc) -> bool:
    """A write that waited for a lock longer than the database allows: SQLite's busy timeout, or on PostgreSQL a
    deadlock or serialization failure. Nothing was written (the transaction rolled back); the same request may
    succeed when retried."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if cause is not None and type(cause).__module__.startswith("psycopg"):
        return isinstance(cause, psycopg_errors.TransactionRollback | psycopg_errors.LockNotAvailable)
    return "database is locked" in str(exc) or "database table is locked" in str(exc)


class WriteConflict(APIException):
    """A uniqueness the validation checked, broken by another write committed in between (two simultaneous creates
    with one slug): nothing of this one was written, and sending it again gets the field's usual 400."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


CONCURRENT = "Another request wrote a {model} with this {field} at the same time; nothing of this one was saved."
UNIQUE_KEYS = (
    re.compile(r"Key \((?P<columns>[^)]+)\)=", re.ASCII),  # PostgreSQL: Key (slug)=(x) already exists.
    re.compile(r"UNIQUE constraint failed: (?P<columns>.+)$"),  # SQLite: ... failed: cooperation_event.slug
)


def conflicting_fields(exc: IntegrityError) -> dict[str, list[str]]:
    """``{"slug": ["Another request wrote …"]}`` from the database's message: the columns of the broken key."""
    cause = exc.__cause__
    table = getattr(getattr(cause, "diag", None), "table_name", None)
    for pattern in UNIQUE_KEYS:
        if match := pattern.search(str(exc)):
            columns = [column.strip() for column in match["columns"].split(",")]
            break
    else:  # a foreign key or check broken in between (a row deleted meanwhile), or a bug: kept in the log
        logger.warning("Write refused by the database: %s", exc)
        return {api_settings.NON_FIELD_ERRORS_KEY: ["Another request changed the same records at the same time."]}
    errors = {}
    for column in columns:
        table, _, name = column.rpartition(".") if "." in column else (table, "", column)
        model = next((m for m in apps.get_models() if m._meta.db_table == table), None)
        kind = model._meta.verbose_name if model else "record"
        errors[name.removesuffix("_id")] = [CONCURRENT.format(model=kind, field=name.removesuffix("_id"))]
    return errors


# Django's own error pages under /api/: JSON as DRF's errors, for what fails before or outside a view --------------


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def json_error(status_code: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status_code)


def bad_request(request, exception):
    """``handler400``: a malformed request (too large a body, too many fields, a bad host)."""
    if not is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return json_error(413, f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.")
    return json_error(400, str(exception) or "Bad request.")


def permission_denied(request, exception):
    """``handler403``: Django's refusals, CSRF failures among them."""
    if not is_api(request):
        return defaults.permission_denied(request, exception)
    return json_error(403, str(exception) or "You do not have permission to perform this action.")


def page_not_found(request, exception):
    """``handler404``: a URL that is no resource of the API."""
    if not is_api(request):
        return defaults.page_not_found(request, exception)
    return json_error(404, f"No such resource: {request.path}. The list of resources is at {API_PREFIX}v1/.")


def server_error(request):
    """``handler500``: never an HTML page to an API client."""
    if not is_api(request):
        return defaults.server_error(request)
    return json_error(500, "A server error occurred; it has been logged.")


def flatten_errors(detail, path: str = "") -> dict[str, list]:
    """``{"a": {1: {"b": ["msg"]}}}`` → ``{"a[1].b": ["msg"]}``; a row's non-field errors keep the row's path.

    Rows come keyed by index (DRF's dict format) or as a list with ``{}`` for valid rows.
    """
    flat: dict[str, list] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            flat.update(flatten_errors(value, _child_path(path, key)))
    elif isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        for index, item in enumerate(detail):
            flat.update(flatten_errors(item, f"{path}[{index}]"))
    elif detail:
        messages = detail if isinstance(detail, list) else [detail]
        flat.setdefault(path or api_settings.NON_FIELD_ERRORS_KEY, []).extend(messages)
    return flat


def _child_path(path: str, key) -> str:
    if isinstance(key, int):  # a ListSerializer's errors are keyed by row index
        return f"{path}[{key}]"
    if not path:
        return str(key)
    return path if key == api_settings.NON_FIELD_ERRORS_KEY else f"{path}.{key}"


def model_errors(serializer: serializers.Serializer, exc: DjangoValidationError) -> serializers.ValidationError:
    """The services' errors (paths in model terms) as a DRF error in the serializer's field names."""
    detail = {}
    for path, messages in exc.message_dict.items():
        key = api_settings.NON_FIELD_ERRORS_KEY if path == NON_FIELD_ERRORS else api_path(serializer, path)
        detail.setdefault(key, []).extend(messages)
    return serializers.ValidationError(detail)


def api_path(serializer: serializers.Serializer, model_path: str) -> str:
    """Rename each segment of ``participations[1].country`` to the serializer field that writes it.

    A segment matches the field whose ``source`` it is, else the field of that name,
    else a field of a ``source="*"`` sub-object (``date_text`` → ``date.text``);
    segments nothing matches are kept as they are.
    """
    parts = []
    current = serializer
    for name, index in SEGMENT.findall(model_path):
        field, api_name = _find_field(current, name)
        parts.append(f"{api_name}[{index}]" if index else api_name)
        if isinstance(field, serializers.ListSerializer):
            field = field.child
        current = field if isinstance(field, serializers.Serializer) else None
    return ".".join(parts)


def _find_field(serializer, name: str):
    if serializer is None:
        return None, name
    fields = serializer.fields
    for field in fields.values():
        if field.source == name:
            return field, field.field_name
    if name in fields:
        return fields[name], name
    for field in fields.values():
        if field.source == "*" and isinstance(field, serializers.Serializer):
            for sub in field.fields.values():
                if sub.source == name:
                    return sub, f"{field.field_name}.{sub.field_name}"
    return None, name
