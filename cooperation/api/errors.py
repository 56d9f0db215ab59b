"""Error bodies: one flat ``{"path": ["message", …]}`` object for every 400, whatever raised it.

Clients get the same shape from the serializers (``{"participants": [{}, {"country": …}]}``
in DRF's nested form), from the model validation run by ``cooperation.services``
(keyed in model terms, ``participations[1].country``) and from the filters: a path
such as ``participants[1].country`` naming the field of the request body or the
query parameter at fault.
"""

from __future__ import annotations

import re

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

SEGMENT = re.compile(r"([^.\[\]]+)(?:\[(\d+)\])?")


def exception_handler(exc, context):
    """DRF's handler, with validation errors flattened to paths."""
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, serializers.ValidationError):
        response.data = flatten_errors(response.data)
    return response


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
