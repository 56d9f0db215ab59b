"""The review workflow's one rule: a record is published only with at least one citation.

Records move draft → reviewed → published (or withdrawn); ``status`` says where one
stands and ``visible_to()`` shows anonymous clients the published ones only. What
may be *published* is decided here, and enforced wherever status is written: the
admin's form (``cooperation.admin.workflow``), its bulk “Publish” action, and the
API's write services (``cooperation.services``).

What counts as cited, by kind of record:

- an **event** (every kind): a citation of the event itself or of one of its
  participations or outcomes, and for a council session of one of its proposals;
- a **partnership**: a citation of the partnership or of one of its figures;
- **sources** and **documents** need none: they *are* the provenance;
- **organizations**, **councils** and **people** need none: they are the actors
  facts are about, and the facts about them that are claims — taking part in an
  event, holding an office — are cited on those rows (``Participation``,
  ``Position``), not on the actor.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q

from cooperation.choices import Status
from cooperation.models import Citation, CouncilSession, Event, Partnership

# Kinds of record that need a citation to be published → the paths from a Citation to such a record
# through which it counts. A kind inherits its parents' paths (a council session, an event's).
CITATION_PATHS: dict[type[models.Model], tuple[str, ...]] = {
    Event: ("event", "participation__event", "outcome__event"),
    CouncilSession: ("proposal__session",),
    Partnership: ("partnership", "outcome__partnership"),
}


def citation_paths(model: type[models.Model]) -> list[str]:
    """The paths from ``Citation`` through which a citation counts for ``model``; empty if it needs none."""
    return [path for cls in model.__mro__ for path in CITATION_PATHS.get(cls, ())]


def unpublishable(queryset: models.QuerySet) -> models.QuerySet:
    """The records of ``queryset`` that may not be published yet: of a kind that needs a citation, with none.

    One query for any number of records (an ``EXISTS`` per path); none at all for a kind
    that needs no citation.
    """
    paths = citation_paths(queryset.model)
    if not paths:
        return queryset.none()
    cited = Q()
    for path in paths:
        cited |= Exists(Citation.objects.filter(**{path: OuterRef("pk")}))
    return queryset.exclude(cited)


def publish_refusal(record: models.Model) -> str | None:
    """Why ``record`` may not be saved as it now stands in the database, or ``None`` if it may.

    Called after the record and its rows are written, inside the transaction that wrote
    them, so that citations entered in the same form or request count; a refusal rolls it all back.
    """
    if getattr(record, "status", None) != Status.PUBLISHED:
        return None
    model = type(record)
    if not unpublishable(model._default_manager.filter(pk=record.pk)).exists():
        return None
    return uncited_message(model)


def uncited_message(model: type[models.Model]) -> str:
    """“A published joint operation needs at least one citation: of the joint operation itself, or of one of its
    participations or outcomes. Add one, or keep it unpublished.”"""
    name = model._meta.verbose_name
    rows = [Citation._meta.get_field(path.split("__")[0]) for path in citation_paths(model) if "__" in path]
    names = [str(field.related_model._meta.verbose_name_plural) for field in rows]
    where = f"of the {name} itself"
    if names:
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        where = f"{where}, or of one of its {listed}"
    return f"A published {name} needs at least one citation: {where}. Add one, or keep it unpublished."
