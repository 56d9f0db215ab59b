"""The events' counts (``models.EventTally``) as a reader counts them: what the unfiltered aggregates read.

Two rows at most per kind, year, country or pair of countries, however many events there are. Anonymous readers
count the ``public`` rows, curators every row (``visible_to``'s rule: staff see every event, others the published),
so each answer is the one counting the timeline would give (``tests/test_tallies.py`` compares the two).
"""

from __future__ import annotations

from django.db.models import F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Substr

from cooperation.models import Country, EventTally
from cooperation.models.base import is_curator
from cooperation.models.facets import COUNTRY, KIND, PAIR, YEAR


def counts(prefix: str, user) -> QuerySet:
    """``{key, count}`` rows: how many events ``user`` counts under each key of ``prefix``; keys no event counts
    under are left out. Grouped by the key itself, so that any part of it (``part``) can be selected beside."""
    rows = EventTally.objects.filter(key__startswith=prefix)
    if not is_curator(user):
        rows = rows.filter(public=True)
    return rows.order_by().values("key").annotate(count=Sum("events")).filter(count__gt=0)


def part(start: int, length: int | None = None, *, outer: bool = False) -> Substr:
    """Characters of a key from ``start`` (1 is the first), as ``SUBSTR``; ``outer``: of the row a subquery is for."""
    return Substr(OuterRef("key") if outer else "key", start, length)


def country_name(*code: int) -> Subquery:
    """The name of the country whose code is at ``code`` (``part``'s arguments) in the key."""
    return Subquery(Country.objects.filter(code=part(*code, outer=True)).order_by().values("name"))


def by_kind(user) -> dict[str, int]:
    return dict(counts(KIND, user).values_list(part(len(KIND) + 1), "count"))


def by_year(user) -> list[dict]:
    """``[{year, count}]``, oldest first, an open start (the key ``y:``) last as ``None``."""
    rows = counts(YEAR, user).values_list(part(len(YEAR) + 1), "count")
    years = sorted(((int(year) if year else None, count) for year, count in rows), key=lambda row: (not row[0], row[0]))
    return [{"year": year, "count": count} for year, count in years]


def by_country(user) -> QuerySet:
    """``[{code, name, count}]``, most events first (``aggregates.events_by_country``'s rows)."""
    code = (len(COUNTRY) + 1, 2)
    rows = counts(COUNTRY, user).annotate(code=part(*code), name=country_name(*code))
    return rows.values("code", "name", "count").order_by("-count", "name")


def pairs(user, min_weight: int = 1) -> QuerySet:
    """``[{source, source_name, target, target_name, weight}]``: pairs of countries and the events they share
    (``aggregates.co_participation_pairs``' rows); a pair's key is ``n:`` and the two codes, colon-separated."""
    source, target = (len(PAIR) + 1, 2), (len(PAIR) + 4, 2)
    rows = counts(PAIR, user).filter(count__gte=min_weight)
    rows = rows.annotate(
        source=part(*source), target=part(*target), source_name=country_name(*source), target_name=country_name(*target)
    )
    return rows.values("source", "source_name", "target", "target_name", weight=F("count"))
