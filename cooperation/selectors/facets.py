"""Events found under facet keys (``models.EventFacet``): the reading side of ``cooperation.facets``.

The first key is joined as ``hit``, and the list is ordered and paged on the hit's copies of the event's sort keys
(``ordering.sort_lookup``): PostgreSQL walks one index range of that key, newest first, and stops after the page.
Every further key is a probe of the facets' unique ``(event, key)`` index for each event the walk meets.
"""

from __future__ import annotations

from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, QuerySet
from django.db.models.functions import Substr

from cooperation.models import Country, Event, EventFacet
from cooperation.models.base import is_curator
from cooperation.models.facets import COUNTRY, country_key

HIT = "hit"
# The hit's columns, as aliases made with the join: a later ``filter(hit__…)`` would join the facets again (a
# multi-valued relation joins anew in each ``filter()``), an alias refers to this one join.
COLUMNS = ("key", "date_lower", "date_upper", "title", "event_id")
# The hit's copies of the timeline's sort keys (``ordering.TIMELINE`` and the primary key).
COPIES = {"date_lower": f"{HIT}_date_lower", "title": f"{HIT}_title", "pk": f"{HIT}_event_id"}


def under(queryset: QuerySet, keys: list[str], user) -> QuerySet:
    """The events of ``queryset`` (the timeline or one kind's) found under every one of ``keys`` by ``user``."""
    first, *others = keys
    seen = found(user)
    condition = Q(**{f"facets__{name}": value for name, value in {"key": first, **seen}.items()})
    if queryset.model is not Event:  # one kind's list walks that kind's rows only
        condition &= Q(facets__kind=queryset.model.KIND)
    queryset = queryset.annotate(**{HIT: FilteredRelation("facets", condition=condition)})
    queryset = queryset.alias(**{f"{HIT}_{column}": F(f"{HIT}__{column}") for column in COLUMNS})
    queryset = queryset.filter(**{f"{HIT}_key": first})  # events without the key are out: an inner join
    for key in others:
        queryset = queryset.filter(
            Exists(EventFacet.objects.filter(event=OuterRef(f"{HIT}_event_id"), key=key, **seen))
        )
    return queryset


def found(user, *, place: bool = True) -> dict:
    """The condition on facet rows that ``user`` finds an event under the key by: with ``place``, hosting counts
    (the API's ``country`` filter: “events in or with Tajikistan”); without, only taking part does (the aggregates
    and the admin: the place alone would count a venue as a party)."""
    if is_curator(user):
        return {} if place else {"party": True}
    return {"public": True} if place else {"public_party": True}


def events_of(country: Country, user, *, place: bool) -> QuerySet:
    """Ids of the events ``user`` finds ``country`` in (``found``)."""
    return EventFacet.objects.filter(key=country_key(country.code), **found(user, place=place)).values("event")


def country_pairs(events: QuerySet, user) -> QuerySet:
    """Each event of ``events`` with each country taking part in it (not the place alone), once: ``(event_id, code)``
    rows, for the aggregates to group."""
    rows = EventFacet.objects.filter(event__in=events, key__startswith=COUNTRY, **found(user, place=False))
    return rows.order_by().values("event_id", code=Substr("key", len(COUNTRY) + 1))


def walked(queryset: QuerySet) -> bool:
    """Whether ``queryset`` walks a facet's index (``under()``)."""
    return HIT in queryset.query._filtered_relations


def date_prefix(queryset: QuerySet) -> str:
    """Where ``queryset``'s uncertain date is filtered: the hit's copy when there is one, so the walk seeks to it."""
    return f"{HIT}_date" if walked(queryset) else "date"
