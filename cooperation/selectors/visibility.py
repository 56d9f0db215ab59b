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

from django.db.models import Q, QuerySet

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

# Each kind of row → the paths from it to the curated records it is about; it is shown only if each is visible
# (or empty). Paths only: a row reached through its parent is already narrowed to visible parents.
ROW_REFERENCES: dict[type, tuple[tuple[str, type[Curated]], ...]] = {
    Participation: (("organization", Organization), ("person", Person)),
    PartnershipParty: (("organization", Organization),),
    Citation: (
        ("document", Document),
        ("document__source", Source),
        ("participation__organization", Organization),
        ("participation__person", Person),
    ),
    EventLink: (("source", Event), ("target", Event)),
}


def rows(queryset: QuerySet, user, *, via: str | None = None) -> QuerySet:
    """The rows of ``queryset`` (a kind in ``ROW_REFERENCES``) that ``user`` may see.

    ``via`` names the reference the rows are reached through (an event's links ``via="source"``), which the
    caller has narrowed already: not checked again.
    """
    if is_curator(user):
        return queryset
    for path, model in ROW_REFERENCES[queryset.model]:
        if path != via:
            queryset = queryset.filter(reference(path, model, user, nullable=_nullable(queryset.model, path)))
    return queryset


def reference(path: str, model: type[Curated], user, *, nullable: bool = True) -> Q:
    """Rows whose ``path`` leads to a ``model`` record ``user`` may see (or, if ``nullable``, to none)."""
    if is_curator(user):
        return Q()
    visible = Q(**{f"{path}__in": model.objects.visible_to(user)})
    # Said only where the path can be empty: an OR on a required key would keep PostgreSQL from a semi-join.
    return Q(**{f"{path}__isnull": True}) | visible if nullable else visible


def shows(user, record) -> bool:
    """Whether a single reference to ``record`` may show it to ``user`` (reference data always)."""
    return not isinstance(record, Curated) or sees_status(user, record.status)


def user_of(context) -> object | None:
    """The user a serializer reads for (``None`` outside a request: shown what anonymous clients see)."""
    return getattr(context.get("request"), "user", None)


def _nullable(model, path: str) -> bool:
    """Whether ``path`` from ``model`` can lead nowhere: some foreign key along it is nullable."""
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if field.null:
            return True
        model = field.related_model
    return False
