"""How much of a record a response carries: ``?fields=``, ``?brief=`` and ``?include=``.

- ``fields=id,title,date`` — only these top-level fields (any list or detail);
- ``brief=1`` (or ``true``) — the resource's minimal form, ``Meta.brief_fields`` of its
  serializer: ``{id, url, slug, title or name, kind?, date?}``;
- ``include=citations`` — embed provenance. By default no payload embeds ``citations``
  (the record's, nor its participants', figures', positions' or proposals'); writes
  accept them whatever the shape.

The view parses the shape once per request (``PayloadShape.from_request``: a bad value is
a 400 naming the parameter), fetches only what the shape shows, and hands it to the
serializers in their context as ``"shape"``. A serializer without a shape in its context
(the OpenAPI schema, code outside a request) shows everything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Prefetch
from rest_framework import serializers

INCLUDES = ("citations",)
TRUE, FALSE = ("1", "true"), ("0", "false", "")

Related = Mapping[str, Sequence[str | Prefetch]] | None


@dataclass(frozen=True)
class PayloadShape:
    """What a response shows: ``fields`` (top-level names; ``None`` = all) and whether citations are embedded."""

    fields: frozenset[str] | None = None
    citations: bool = False

    def shows(self, name: str) -> bool:
        """Whether the record's top-level field ``name`` is in the payload (what the view must fetch)."""
        return self.fields is None or name in self.fields

    def fetch(self, queryset, *, select: Related = None, prefetch: Related = None):
        """``queryset`` with the ``select_related``/``prefetch_related`` of the fields this shape shows.

        ``select`` and ``prefetch`` map a top-level serializer field to the lookups (or
        ``Prefetch`` objects) it reads; a lookup that several shown fields read is fetched once.
        """
        selected = [lookup for name, lookups in (select or {}).items() if self.shows(name) for lookup in lookups]
        prefetched = {}
        for name, lookups in (prefetch or {}).items():
            if self.shows(name):
                for lookup in lookups:
                    prefetched.setdefault(getattr(lookup, "prefetch_to", lookup), lookup)
        # Both without arguments would mean something else (select_related(): every foreign key).
        if selected:
            queryset = queryset.select_related(*selected)
        if prefetched:
            queryset = queryset.prefetch_related(*prefetched.values())
        return queryset

    @classmethod
    def from_request(cls, request, serializer_class) -> PayloadShape:
        """The shape ``request``'s query asks of ``serializer_class``; a ``ValidationError`` per bad parameter."""
        params = request.query_params
        errors: dict[str, list[str]] = {}
        include = _split(params.get("include", ""))
        unknown = [value for value in include if value not in INCLUDES]
        if unknown:
            errors["include"] = [f"Unknown include value(s): {', '.join(unknown)}. Choose from: {', '.join(INCLUDES)}."]
        citations = "citations" in include

        fields = None
        brief = params.get("brief", "").strip().lower()
        requested = _split(params.get("fields", ""))
        if brief not in TRUE + FALSE:
            errors["brief"] = ["Use brief=1 (or brief=true) for the minimal form of each record."]
        elif brief in TRUE and requested:
            errors["brief"] = ["Use either brief or fields, not both."]
        elif brief in TRUE:
            fields = frozenset(serializer_class.Meta.brief_fields)
        elif requested:
            valid = readable_fields(serializer_class)
            unknown = [name for name in requested if name not in valid]
            if unknown:
                errors["fields"] = [f"Unknown field(s): {', '.join(unknown)}. Choose from: {', '.join(valid)}."]
            elif "citations" in requested and not citations:
                errors["fields"] = ["citations are embedded only on request: add include=citations."]
            fields = frozenset(requested)

        if errors:
            raise serializers.ValidationError(errors)
        return cls(fields=fields, citations=citations)


EVERYTHING = PayloadShape(citations=True)  # what a view fetches when no request shaped it (the OpenAPI schema)


def readable_fields(serializer_class) -> list[str]:
    """The top-level field names a read of ``serializer_class`` returns, in payload order."""
    return [name for name, field in serializer_class().fields.items() if not field.write_only]


def _split(value: str) -> list[str]:
    return [item for item in (part.strip() for part in value.split(",")) if item]


class ShapedSerializerMixin:
    """Leaves out of the output what the request's shape does not show.

    A left-out field becomes write-only rather than being removed, so writes still
    accept it (nested citations, or a field a ``fields=`` read would not show) while
    reads neither return nor compute it. ``fields`` applies to the record itself (the
    serializer of a detail, or each row of a list); ``provenance_fields`` at every level.
    """

    provenance_fields = ("citations",)

    def get_fields(self):
        fields = super().get_fields()
        shape = self.context.get("shape")
        if shape is None:
            return fields
        for name, field in fields.items():
            left_out = name in self.provenance_fields and not shape.citations
            if self._is_record():
                left_out = left_out or not shape.shows(name)
            if left_out:
                field.write_only = True
        return fields

    def _is_record(self) -> bool:
        parent = self.parent
        return parent is None or (isinstance(parent, serializers.ListSerializer) and parent.parent is None)
