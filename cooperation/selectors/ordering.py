"""The order of every list, in every format: the chosen fields, records without a value last, ties by id.

PostgreSQL sorts nulls first when descending and SQLite last; a list says where they go, so that the JSON pages,
their keyset cursors and the CSV of the same query agree on both databases. Undated events close the timeline,
newest first (the index ``models.events.TIMELINE_ORDER`` serves exactly this order).
"""

from __future__ import annotations

from django.db.models import F, OrderBy, QuerySet

TIMELINE = ("-date_lower", "title")  # the event lists' default ``ordering`` (``pk`` is added to break ties)


def term(model, name: str, descending: bool, *, reverse: bool = False) -> OrderBy:
    """``name`` of ``model`` in order, nulls last — first when walking the list backwards (``reverse``).

    Said only where the field can be null, so that a non-null key keeps the database's default and its index
    serves both directions.
    """
    descending = descending != reverse
    nulls = ({"nulls_first": True} if reverse else {"nulls_last": True}) if nullable(model, name) else {}
    return F(name).desc(**nulls) if descending else F(name).asc(**nulls)


def nullable(model, name: str) -> bool:
    """Whether the field ``name`` of ``model`` (or ``pk``) can be empty, and so sorts last."""
    return name != "pk" and model._meta.get_field(name).null


def ordered(queryset: QuerySet, names) -> QuerySet:
    """``queryset`` ordered by ``names`` (``-`` for descending), each a field of its model, nulls last."""
    return queryset.order_by(*(term(queryset.model, name.removeprefix("-"), name.startswith("-")) for name in names))


def fields_of(queryset: QuerySet) -> list[tuple[str, bool]]:
    """The ``(field name, descending)`` terms ``ordered()`` gave ``queryset``."""
    terms = []
    for order in queryset.query.order_by:
        if isinstance(order, str):
            terms.append((order.removeprefix("-"), order.startswith("-")))
        else:
            terms.append((order.expression.name, order.descending))
    return terms
