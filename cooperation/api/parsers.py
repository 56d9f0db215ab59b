"""The API's only request parser: JSON, bounded before any serializer sees it.

Writes are JSON only (form and multipart bodies are a 415), so one parser decides what a body may
be: at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes (413), valid UTF-8 JSON (400), nested at most
``MAX_DEPTH`` deep, no list longer than ``MAX_ITEMS``, and no NUL character in any string or key
(PostgreSQL cannot store one, and a lookup with one fails there) — each a 400 naming the path.
The bounds are far above any real record (an event with its participants, their citations and
documents is five levels deep) and keep a hostile body from costing a query per item or a
recursion error.
"""

from __future__ import annotations

import io

from django.conf import settings
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError, ValidationError

MAX_DEPTH = 16
MAX_ITEMS = 1000
NUL = "\x00"
NUL_MESSAGE = "Null characters are not allowed."


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(body) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        try:  # DRF's parsing (exact integers, no NaN), whose C decoder recurses: a deep body is a RecursionError
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested more than {MAX_DEPTH} levels deep.") from None
        if errors := bounds_errors(data):
            raise ValidationError(errors)
        return data


def bounds_errors(data) -> dict[str, list[str]]:
    """Where ``data`` is too deep, too long or holds a NUL: ``{"path": ["message"]}``, empty when within bounds."""
    errors: dict[str, list[str]] = {}
    pending = [(data, "", 0)]  # iterative: a recursive walk is what a deep body would break
    while pending:
        value, path, depth = pending.pop()
        if isinstance(value, dict | list) and depth >= MAX_DEPTH:
            errors[path or "body"] = [f"Nested more than {MAX_DEPTH} levels deep."]
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}" if path else key
                if NUL in key:
                    errors[child.replace(NUL, "\\u0000")] = [NUL_MESSAGE]
                else:
                    pending.append((item, child, depth + 1))
        elif isinstance(value, list):
            if len(value) > MAX_ITEMS:
                errors[path or "body"] = [f"Give at most {MAX_ITEMS} items; this list has {len(value)}."]
            else:
                pending.extend((item, f"{path}[{index}]", depth + 1) for index, item in enumerate(value))
        elif isinstance(value, str) and NUL in value:
            errors[path or "body"] = [NUL_MESSAGE]
    return errors
