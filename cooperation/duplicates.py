"""Look-alikes: events already recorded that an event being entered may duplicate.

A selector (pure ORM, no request): the admin asks it before saving a new or changed
event, and could expose it to staff in the API later. An event looks like another
when it is of the same kind, their date bounds may overlap, and at least one of:

- the same code name (operations; case-insensitive),
- largely the same participants (Jaccard index of their party keys ≥ ``PARTY_OVERLAP``),
- a very similar title (``difflib`` ratio ≥ ``TITLE_SIMILARITY``, case-insensitive).

Two queries whatever the table size: the candidates, narrowed in SQL by kind and date
overlap (at most ``MAX_CANDIDATES``), then all their participants at once.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher

from cooperation.dates import overlap_q
from cooperation.models import Event, Participation

PARTY_OVERLAP = 0.5
TITLE_SIMILARITY = 0.8
# A guard, not a rule: an overlapping span this crowded is a timeline, not a duplicate.
MAX_CANDIDATES = 200
PARTY_FIELDS = ("country", "organization", "person")

PartyKey = tuple[str, str]  # ("country", "RU"), ("organization", "12"), ("person", "7")


@dataclass(frozen=True)
class LookAlike:
    """An existing event and why it looks like the one being entered (“same code name”…)."""

    event: Event
    reasons: tuple[str, ...]


def party_key(kind: str, pk) -> PartyKey:
    """A participant's key, comparable between submitted form data (strings) and database rows."""
    return (kind, str(pk))


def jaccard(a: frozenset, b: frozenset) -> float:
    """The Jaccard index: the size of the intersection over that of the union; 0 when both are empty."""
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def similar_titles(a: str, b: str) -> bool:
    return SequenceMatcher(None, a.casefold().strip(), b.casefold().strip()).ratio() >= TITLE_SIMILARITY


def find_lookalikes(
    model: type[Event],
    *,
    lower: datetime.date | None,
    upper: datetime.date | None,
    title: str,
    code_name: str = "",
    parties: frozenset[PartyKey] = frozenset(),
    exclude_pk: int | None = None,
) -> list[LookAlike]:
    """Events of ``model``'s kind within [lower, upper] that look like the one described.

    ``model`` is the kind's class (``JointOperation``…), so that its own fields (the
    code name) come with the candidates; ``exclude_pk`` is the event being edited.
    """
    candidates = (
        model._default_manager.filter(overlap_q("date", lower, upper))
        .exclude(pk=exclude_pk)
        .order_by("date_lower", "pk")[:MAX_CANDIDATES]
    )
    candidates = list(candidates)
    if not candidates:
        return []
    taking_part = defaultdict(set)
    rows = Participation.objects.filter(event__in=[event.pk for event in candidates]).values_list(
        "event_id", *(f"{kind}_id" for kind in PARTY_FIELDS)
    )
    for event_id, *keys in rows:
        taking_part[event_id].update(
            party_key(kind, pk) for kind, pk in zip(PARTY_FIELDS, keys, strict=True) if pk is not None
        )

    code_name = code_name.strip().casefold()
    lookalikes = []
    for event in candidates:
        reasons = []
        if code_name and getattr(event, "code_name", "").strip().casefold() == code_name:
            reasons.append("same code name")
        if jaccard(parties, frozenset(taking_part[event.pk])) >= PARTY_OVERLAP:
            reasons.append("largely the same participants")
        if similar_titles(title, event.title):
            reasons.append("similar title")
        if reasons:
            lookalikes.append(LookAlike(event, tuple(reasons)))
    return lookalikes
