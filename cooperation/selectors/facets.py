"""Events found under facet keys (``models.EventFacet``) or by their texts (``models.EventText``): the reading side
of ``cooperation.facets``.

The first key's row (or, for a search alone, the event's texts) is joined as ``hit``, and the list is ordered and
paged on the hit's copies of the event's sort keys (``ordering.sort_lookup``): PostgreSQL walks one index range,
newest first, and stops after the page. Every further key, and a search under a key, is a probe of the facets'
unique ``(event, key)`` index or of the texts' primary key for each event the walk meets.
"""

from __future__ import annotations

from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, QuerySet
from django.db.models.functions import Substr

from cooperation.models import Country, Event, EventFacet, EventText
from cooperation.models.base import is_curator
from cooperation.models.facets import COUNTRY, country_key
from cooperation.search import document_matches

HIT = "hit"
# The hit's columns, as aliases made with the join: a later ``filter(hit__…)`` would join the facets again (a
# multi-valued relation joins anew in each ``filter()``), an alias refers to this one join.
COLUMNS = ("date_lower", "date_upper", "title", "event_id")
# The hit's copies of the timeline's sort keys (``ordering.TIMELINE`` and the primary key).
COPIES = {"date_lower": f"{HIT}_date_lower", "title": f"{HIT}_title", "pk": f"{HIT}_event_id"}


def under(queryset: QuerySet, keys: list[str], user) -> QuerySet:
    """The events of ``queryset`` (the timeline or one kind's) found under every one of ``keys`` by ``user``."""
    first, *others = keys
    seen = found(user)
    queryset = joined(queryset, "facets", Q(facets__key=first, **{f"facets__{name}": v for name, v in seen.items()}))
    queryset = queryset.alias(**{f"{HIT}_key": F(f"{HIT}__key")}).filter(**{f"{HIT}_key": first})  # an inner join
    for key in others:
        queryset = queryset.filter(
            Exists(EventFacet.objects.filter(event=OuterRef(f"{HIT}_event_id"), key=key, **seen))
        )
    return queryset


def joined(queryset: QuerySet, relation: str, condition: Q) -> QuerySet:
    """``queryset`` joined to the row of ``relation`` (the facets, or the texts) that ``condition`` picks, as ``HIT``,
    with aliases of its sort keys (``COLUMNS``); one kind's list, to the rows of that kind.

    The join is an outer one until the caller filters on the hit (a key, a search word): then PostgreSQL can walk
    the hit's index and join the events to it."""
    if queryset.model is not Event:
        condition &= Q(**{f"{relation}__kind": queryset.model.KIND})
    queryset = queryset.annotate(**{HIT: FilteredRelation(relation, condition=condition)})
    return queryset.alias(**{f"{HIT}_{column}": F(f"{HIT}__{column}") for column in COLUMNS})


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


def matching(queryset: QuerySet, words: list[str], user) -> QuerySet:
    """The events of ``queryset`` whose texts (``facets.texts``, those ``user`` may see) have every one of ``words``.

    Alone, the search walks the events' texts (``models.EventText``) in the timeline's order, each checked against
    its stored document, or reads the documents' text index and sorts what it finds: PostgreSQL takes the walk for
    a common word (it stops after the page) and the index for a rare one (few to sort). Under a facet's walk, each
    event met is probed.
    """
    column = "document" if is_curator(user) else "public_document"
    if walked(queryset):
        texts = EventText.objects.filter(event=OuterRef(f"{HIT}_event_id"))
        for word in words:
            texts = texts.filter(document_matches(column, word))
        return queryset.filter(Exists(texts))
    seen = {"search_text__public": True} if not is_curator(user) else {}
    queryset = joined(queryset, "search_text", Q(**seen))
    queryset = queryset.alias(**{f"{HIT}_{column}": F(f"{HIT}__{column}")})
    for word in words:
        queryset = queryset.filter(document_matches(f"{HIT}_{column}", word))
    return queryset


def walked(queryset: QuerySet) -> bool:
    """Whether ``queryset`` walks a facet's or the texts' index (``under()``, ``matching()``)."""
    return HIT in queryset.query._filtered_relations


def date_prefix(queryset: QuerySet) -> str:
    """Where ``queryset``'s uncertain date is filtered: the hit's copy when there is one, so the walk seeks to it."""
    return f"{HIT}_date" if walked(queryset) else "date"
