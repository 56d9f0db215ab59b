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

Every read uses these two: the API's querysets and prefetches, its lean pages and CSV, the filters and search (a
hidden row never matches), and the aggregates (a hidden row never counts).
"""

from __future__ import annotations

from functools import reduce
from operator import or_

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
from cooperation.models.base import Curated, is_curator, sees_status

# Each kind of row → its references to the records it is about; it is shown only if each leads to a record the
# reader may see (or nowhere). A row reached through its parent is already narrowed to visible parents.
ROW_REFERENCES: dict[type, tuple[tuple[str, type], ...]] = {
    Participation: (("organization", Organization), ("person", Person)),
    PartnershipParty: (("organization", Organization),),
    Citation: (("document", Document), ("participation", Participation)),  # a hidden participant's too
    EventLink: (("source", Event), ("target", Event)),
}
# What a record shown through a row rests on: a document is shown with its outlet, or not at all.
RESTS_ON: dict[type, tuple[tuple[str, type], ...]] = {Document: (("source", Source),)}


def rows(queryset: QuerySet, user, *, via: str | None = None) -> QuerySet:
    """The rows of ``queryset`` (a kind in ``ROW_REFERENCES``) that ``user`` may see.

    ``via`` names the reference the rows are reached through (an event's links ``via="source"``), which the
    caller has narrowed already: not checked again.
    """
    if is_curator(user):
        return queryset
    for name, model in ROW_REFERENCES[queryset.model]:
        if name != via:
            queryset = queryset.filter(reference(name, model, user))
    return queryset


def reference(name: str, model: type, user) -> Q:
    """Rows whose foreign key ``name`` leads to no ``model`` record (or row) that ``user`` may not see.

    Said as ``NOT EXISTS (a hidden record with that key)``, never a join nor ``IN (every visible one)``: PostgreSQL
    answers it along the hidden records' primary key for the few rows of a page (a page's links, among many draft
    events) or by hashing the few hidden ones for many rows, and the row's own conditions (a search's text index)
    still lead the plan. An empty key leads nowhere, so it is never hidden.
    """
    if is_curator(user):
        return Q()
    return ~Exists(hidden(model, user).filter(pk=OuterRef(name)))


def hidden(model: type, user) -> QuerySet:
    """The ``model`` records ``user`` may not see, or may not see through a row (a document of a hidden outlet);
    for a kind of row, the rows about such a record."""
    if model in ROW_REFERENCES:
        about = [Q(**{f"{name}__in": hidden(target, user)}) for name, target in ROW_REFERENCES[model]]
        return model.objects.filter(reduce(or_, about))
    if model not in RESTS_ON:
        return model.objects.hidden_from(user)
    resting = [Q(**{f"{name}__in": hidden(target, user)}) for name, target in RESTS_ON[model]]
    return model.objects.filter(reduce(or_, resting, Q(pk__in=model.objects.hidden_from(user))))


def shows(user, record) -> bool:
    """Whether a single reference to ``record`` may show it to ``user`` (reference data always)."""
    return not isinstance(record, Curated) or sees_status(user, record.status)


def user_of(context) -> object | None:
    """The user a serializer reads for (``None`` outside a request: shown what anonymous clients see)."""
    return getattr(context.get("request"), "user", None)
