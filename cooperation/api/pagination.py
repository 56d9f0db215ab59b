"""How lists are paged: page numbers for reference data and actors, keyset cursors for the events.

Both bound ``?page_size=`` (a value above the bound is lowered to it; one that is not a positive
whole number is a 400 rather than silently replaced by the default).

The event lists grow without bound and dashboards page through them, so they use keyset
pagination (``KeysetPagination``): a page is "the rows after this one" in the list's ordering,
found through an index, never ``OFFSET`` (which reads and drops every row before the page) nor a
``COUNT(*)`` over the whole match. The 1,000th page costs what the first does. ``next`` and
``previous`` are links carrying an opaque ``?cursor=``; there is no ``count`` and no page number.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.db.models import Q
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from cooperation.selectors import ordering

NEXT, PREVIOUS = "next", "prev"
INVALID_CURSOR = "Invalid cursor: follow the next/previous links as given."


class BoundedPageSize:
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        try:
            size = int(value)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError(
                {self.page_size_query_param: [f"Enter a whole number from 1 to {self.max_page_size}."]}
            )
        return min(size, self.max_page_size)


class PageNumberPagination(BoundedPageSize, pagination.PageNumberPagination):
    """``?page=`` and a client-chosen ``?page_size=``, with ``count``: for the lists that stay small."""


# Keyset pagination ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One term of a list's ordering: a model field, its direction, whether it can be null (nulls sort last), and
    where the query sorts on it (``ordering.sort_lookup``: the field, or a facet's copy of it)."""

    model: type
    name: str  # as ordered by: "date_lower", "title", "pk"
    descending: bool
    nullable: bool
    lookup: str

    def ordered(self, reverse: bool = False):
        return ordering.term(self.model, self.name, self.descending, reverse=reverse, lookup=self.lookup)

    def equal(self, value) -> Q:
        return Q(**{f"{self.lookup}__isnull": True}) if value is None else Q(**{self.lookup: value})

    def beyond(self, value, direction: str) -> Q:
        """Rows strictly after (``next``) or before (``prev``) ``value`` on this key alone."""
        if direction == NEXT:
            if value is None:
                return Q(pk__in=[])  # nothing sorts after a null
            later = Q(**{f"{self.lookup}__{'lt' if self.descending else 'gt'}": value})
            return later | Q(**{f"{self.lookup}__isnull": True}) if self.nullable else later
        if value is None:
            return Q(**{f"{self.lookup}__isnull": False})
        return Q(**{f"{self.lookup}__{'gt' if self.descending else 'lt'}": value})

    def bound(self, value, direction: str) -> Q:
        """The same as ``beyond`` but inclusive and without nulls: a range the index can seek to."""
        going_down = self.descending == (direction == NEXT)
        return Q(**{f"{self.lookup}__{'lte' if going_down else 'gte'}": value})


@dataclass(frozen=True)
class Cursor:
    direction: str
    ordering: tuple[str, ...]
    values: tuple

    def encode(self) -> str:
        payload = {"d": self.direction, "o": list(self.ordering), "v": [_jsonable(v) for v in self.values]}
        raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            payload = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            cursor = cls(payload["d"], tuple(payload["o"]), tuple(payload["v"]))
        except (ValueError, TypeError, KeyError, binascii.Error):
            raise ValidationError({"cursor": [INVALID_CURSOR]}) from None
        if cursor.direction not in (NEXT, PREVIOUS) or len(cursor.values) != len(cursor.ordering):
            raise ValidationError({"cursor": [INVALID_CURSOR]})
        return cursor


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


class KeysetPagination(BoundedPageSize, pagination.BasePagination):
    """``?cursor=`` pages in the list's ordering (``?ordering=`` still applies); see the module docstring.

    The ordering always ends with the primary key (``StrictOrderingFilter`` adds it), so a position is
    unique. A page is fetched with one query, ``LIMIT page_size + 1`` (the extra row says whether there is
    more); only when the walk crosses from dated to undated rows does it take a second.
    """

    page_size = 50
    cursor_query_param = "cursor"
    # How a row's field is read: model instances by default; the view sets it for rows of another kind.
    value_of = staticmethod(getattr)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.keys = keys_of(queryset)
        self.ordering = tuple(("-" if key.descending else "") + key.name for key in self.keys)
        self.cursor = self.current_cursor(request)
        if self.cursor is None:
            rows = list(self.ordered(queryset)[: self.page_size + 1])
            self.has_more, self.has_before = len(rows) > self.page_size, False
            self.page = rows[: self.page_size]
            return self.page
        direction = self.cursor.direction
        values = self.typed_values(queryset.model)
        rows: list = []
        for segment in self.segments(queryset, values, direction):
            rows += segment[: self.page_size + 1 - len(rows)]
            if len(rows) > self.page_size:
                break
        more, rows = len(rows) > self.page_size, rows[: self.page_size]
        if direction == NEXT:
            self.has_more, self.has_before = more, True
        else:
            rows.reverse()
            self.has_more, self.has_before = True, more
        self.page = rows
        return rows

    def current_cursor(self, request) -> Cursor | None:
        text = request.query_params.get(self.cursor_query_param)
        if not text:
            return None
        cursor = Cursor.decode(text)
        if cursor.ordering != self.ordering:
            raise ValidationError({"cursor": ["This cursor belongs to another ordering: start again from page one."]})
        return cursor

    def typed_values(self, model) -> tuple:
        """The cursor's values as the fields' Python types (dates, datetimes), so comparisons are typed."""
        typed = []
        for key, value in zip(self.keys, self.cursor.values, strict=True):
            field = model._meta.pk if key.name == "pk" else model._meta.get_field(key.name)
            try:
                typed.append(None if value is None else field.to_python(value))
            except Exception:
                raise ValidationError({"cursor": [INVALID_CURSOR]}) from None
        return tuple(typed)

    def ordered(self, queryset, reverse: bool = False):
        return queryset.order_by(*(key.ordered(reverse) for key in self.keys))

    def segments(self, queryset, values: tuple, direction: str):
        """Querysets whose rows, concatenated, are the rows beyond ``values`` in ``direction``, in that order.

        Usually one: the rows past the position, bounded on the leading key so the index seeks to it. The
        undated rows (a nullable leading key's nulls, always last) are a segment of their own, reached only
        when a page crosses into them.
        """
        lead, first = self.keys[0], values[0]
        beyond = self.beyond(values, direction)
        reverse = direction == PREVIOUS
        if first is None:
            null_lead = Q(**{f"{lead.lookup}__isnull": True})
            yield self.ordered(queryset.filter(null_lead, beyond), reverse)
            if reverse:
                yield self.ordered(queryset.filter(~null_lead), reverse)
            return
        yield self.ordered(queryset.filter(lead.bound(first, direction), beyond), reverse)
        if lead.nullable and not reverse:
            yield self.ordered(queryset.filter(**{f"{lead.lookup}__isnull": True}))

    def beyond(self, values: tuple, direction: str) -> Q:
        """Rows after the position in lexicographic order: equal on the first keys, beyond on the next one."""
        terms = []
        for i, key in enumerate(self.keys):
            equal = [k.equal(v) for k, v in zip(self.keys[:i], values[:i], strict=True)]
            terms.append(reduce(and_, [*equal, key.beyond(values[i], direction)]))
        return reduce(or_, terms)

    def link(self, row, direction: str) -> str:
        values = tuple(self.value_of(row, key.name) for key in self.keys)
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, Cursor(direction, self.ordering, values).encode())

    def get_next_link(self) -> str | None:
        return self.link(self.page[-1], NEXT) if self.has_more and self.page else None

    def get_previous_link(self) -> str | None:
        if not self.has_before:
            return None
        if not self.page:  # an empty page past the end: back to the first
            return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
        return self.link(self.page[0], PREVIOUS)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }


def keys_of(queryset) -> tuple[Key, ...]:
    """The queryset's ordering (``StrictOrderingFilter``'s, through ``selectors.ordering``) as keys."""
    model, keys = queryset.model, []
    for name, descending in ordering.fields_of(queryset):
        keys.append(Key(model, name, descending, ordering.nullable(model, name), ordering.sort_lookup(queryset, name)))
    if not keys or keys[-1].name != "pk":
        raise ValueError("Keyset pagination needs an ordering that ends with the primary key.")
    return tuple(keys)
