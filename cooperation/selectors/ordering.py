"""The order of every list, in every format: the chosen fields, records without a value last, ties by id.

PostgreSQL sorts nulls first when descending and SQLite last; a list says where they go, so that the JSON pages,
their keyset cursors and the CSV of the same query agree on both databases. Undated events close the timeline,
newest first (the index ``models.events.TIMELINE_ORDER`` serves exactly this order).

A list found through a facet (``selectors.facets``) is ordered on the facet's copies of the same keys
(``sort_lookup``), which its index holds in this order; the names stay the event's, in cursors and readouts.
"""

from __future__ import annotations

from django.db.models import F, OrderBy, QuerySet

from cooperation.selectors import facets

TIMELINE = ("-date_lower", "title")  # the event lists' default ``ordering`` (``pk`` is added to break ties)


def term(model, name: str, descending: bool, *, reverse: bool = False, lookup: str | None = None) -> OrderBy:
    """``name`` of ``model`` in order, nulls last — first when walking the list backwards (``reverse``); sorted on
    ``lookup`` when it is a copy of the field elsewhere (``sort_lookup``).

    Said only where the field can be null, so that a non-null key keeps the database's default and its index
    serves both directions.
    """
    descending = descending != reverse
    nulls = ({"nulls_first": True} if reverse else {"nulls_last": True}) if nullable(model, name) else {}
    column = F(lookup or name)
    return column.desc(**nulls) if descending else column.asc(**nulls)


def sort_lookup(queryset: QuerySet, name: str) -> str:
    """Where ``queryset`` sorts (and pages) on the field ``name``: a facet's copy of it, or the field itself."""
    return facets.COPIES.get(name, name) if facets.walked(queryset) else name


def nullable(model, name: str) -> bool:
    """Whether the field ``name`` of ``model`` (or ``pk``) can be empty, and so sorts last."""
    return name != "pk" and model._meta.get_field(name).null


def ordered(queryset: QuerySet, names) -> QuerySet:
    """``queryset`` ordered by ``names`` (``-`` for descending), each a field of its model, nulls last."""
    terms = []
    for name in names:
        field = name.removeprefix("-")
        terms.append(term(queryset.model, field, name.startswith("-"), lookup=sort_lookup(queryset, field)))
    return queryset.order_by(*terms)


def fields_of(queryset: QuerySet) -> list[tuple[str, bool]]:
    """The ``(field name, descending)`` terms ``ordered()`` gave ``queryset`` (a facet's copies by their fields'
    names)."""
    names = {copy: name for name, copy in facets.COPIES.items()}
    terms = []
    for order in queryset.query.order_by:
        if isinstance(order, str):
            terms.append((order.removeprefix("-"), order.startswith("-")))
        else:
            terms.append((names.get(order.expression.name, order.expression.name), order.descending))
    return terms
