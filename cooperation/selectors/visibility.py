"""Who sees what through what: the records a visible record refers to.

A record is visible by its queryset's ``visible_to(user)`` (``models.base``): staff see everything, everyone else
published records only. Here that rule reaches the references between records, so that nobody learns of a record
they may not see through one they may — not its name, slug, id, URL nor its figures:

- a **row about a hidden record is left out** (``rows``): a participant that is a draft organization or person, a
  partnership's party, a citation of a draft document (or of a document whose outlet is a draft, or of a hidden
  participant), a link to a draft event;
- a **single reference to a hidden record reads null** (``shows``), where the record or row referring to it stands
  on its own: a session's council, a document's outlet, an organization's parent, a council's organization, an
  office's organization.

Every read uses these two: the API's querysets and prefetches, its readout (pages, details, CSV), the filters and
search (a hidden row never matches), and the aggregates (a hidden row never counts).
"""

from __future__ import annotations

from functools import cache, reduce
from operator import and_

from django.db.models import Exists, OuterRef, Q, QuerySet

from cooperation.models import (
    Citation,
    Document,
    Event,
    EventLink,
    Organization,
    Participation,
    PartnershipParty,
    Person,
    Source,
)
from cooperation.models.base import Curated, is_curator, sees_status, visible_at

# Each kind of row → its references to the records it is about; it is shown only if each leads to a record the
# reader may see (or nowhere). A row reached through its parent is already narrowed to visible parents.
ROW_REFERENCES: dict[type, tuple[tuple[str, type], ...]] = {
    Participation: (("organization", Organization), ("person", Person)),
    PartnershipParty: (("organization", Organization),),
    Citation: (("document", Document), ("participation", Participation)),  # a hidden participant's too
    EventLink: (("source", Event), ("target", Event)),
}
# Kinds with many records and many drafts, checked on the joined row rather than against every hidden one: every read
# of an event link joins the event at its other end anyway (to show it), where an anti-join would hash ~10% of the
# timeline for each page or CSV chunk.
JOINED = {Event}
# What a record shown through a row rests on: a document is shown with its outlet, or not at all.
RESTS_ON: dict[type, tuple[tuple[str, type], ...]] = {Document: (("source", Source),)}


def rows(queryset: QuerySet, user, *, via: str | None = None, unset: tuple[str, ...] = ()) -> QuerySet:
    """The rows of ``queryset`` (a kind in ``ROW_REFERENCES``) that ``user`` may see.

    ``via`` names the reference the rows are reached through (an event's links ``via="source"``), which the
    caller has narrowed already, and ``unset`` those the rows cannot have (a citation of an event has no
    participation): neither is checked again.
    """
    if is_curator(user):
        return queryset
    for name, model in ROW_REFERENCES[queryset.model]:
        if name != via and name not in unset:
            queryset = queryset.filter(reference(name, model, user))
    return queryset


def parties(queryset: QuerySet, party: str, user) -> QuerySet:
    """The rows of ``queryset`` (participations or partnership parties) whose party, a ``party`` (``"country"``,
    ``"organization"``, ``"person"``), ``user`` may see.

    A row has exactly one party (a database constraint): only that one is checked, so a search or a filter by one
    kind of party carries one condition, not one per kind.
    """
    others = tuple(name for name, _ in ROW_REFERENCES[queryset.model] if name != party)
    return rows(queryset, user, unset=others)


def reference(name: str, model: type, user) -> Q:
    """Rows whose foreign key ``name`` leads to no ``model`` record that ``user`` may not see; for a kind of row
    (a citation's participation), to no row about one.

    Said as ``NOT EXISTS (a hidden record with that key)``, not a join nor ``IN (every visible one)``: PostgreSQL
    hashes the few hidden records once, and the row's own conditions (a search's text index) still lead the plan.
    A row referred to is checked through its own keys (``participation__organization``), not by listing every
    hidden row; an event (``JOINED``) on the joined row. An empty key leads nowhere, so it is never hidden.
    """
    if is_curator(user):
        return Q()
    if model in JOINED:
        return visible_at(name, user)
    return public_reference(name, model)


@cache
def public_reference(name: str, model: type) -> Q:
    """``reference()`` for every reader who is not a curator: the same condition for all of them, built once."""
    if model in ROW_REFERENCES:
        return reduce(and_, (public_reference(f"{name}__{key}", target) for key, target in ROW_REFERENCES[model]))
    return ~Exists(hidden(model, None).filter(pk=OuterRef(name)))


def hidden(model: type[Curated], user) -> QuerySet:
    """The ``model`` records ``user`` may not see, or may not see through a row (a document of a hidden outlet)."""
    records = model.objects.hidden_from(user)
    for name, target in RESTS_ON.get(model, ()):
        records = records | model.objects.filter(**{f"{name}__in": hidden(target, user)})
    return records


def shows(user, record) -> bool:
    """Whether a single reference to ``record`` may show it to ``user`` (reference data always)."""
    return not isinstance(record, Curated) or sees_status(user, record.status)


def user_of(context) -> object | None:
    """The user a serializer reads for (``None`` outside a request: shown what anonymous clients see)."""
    return getattr(context.get("request"), "user", None)
