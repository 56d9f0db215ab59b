"""The review workflow's rules: what may be published, and with what.

Records move draft → reviewed → published (or withdrawn); ``status`` says where one
stands and ``visible_to()`` shows anonymous clients the published ones only. What
may be *published* is decided here, and enforced wherever status is written: the
admin's form (``cooperation.admin.workflow``), its bulk “Publish” actions, the
API's write services (``cooperation.services``) and imports.

1. **Cited**: an event or a partnership is published only with at least one citation
   (``selectors.citations`` says which count: its own or its rows'). Sources, documents
   and actors need none: they are the provenance and what facts are about.
2. **With what it refers to**: a published record whose rows name unpublished actors or
   provenance — a draft organization taking part, a draft document cited, a session of a
   draft council — would show anonymous readers nothing of them (``selectors.visibility``
   leaves them out), so publishing it is refused with their list, unless asked to publish
   them together (``publish_linked``). A withdrawn one is never published along: refer to
   another record, or publish it again on its own. Linked events and a partnership's
   evidencing events are not prerequisites: they appear once they are published.
3. **By a reviewer**: only a user with the permission ``cooperation.publish_record`` (the
   Reviewers group) publishes a record, publishes linked drafts along with it, or takes a published
   record away from anonymous readers — withdraws it, sets it back to draft or reviewed, deletes it
   (``may_publish``, ``status_refusal``; API deletes: ``api.permissions``). A curator without it edits
   and deletes unpublished records, and edits a published one's content with its status left as it is.
"""

from __future__ import annotations

from django.db import models

from cooperation.choices import Status
from cooperation.models import Citation, Council, CouncilSession, Document, Event, Organization, Partnership, Person
from cooperation.models.base import Curated
from cooperation.selectors.citations import citation_paths, cited

# Kinds of record → the paths to the curated records it shows, which must be published with it. A kind has its
# parents' paths (a council session, an event's).
REFERENCE_PATHS: dict[type[models.Model], tuple[str, ...]] = {
    Event: (
        "participations__organization",
        "participations__person",
        "citations__document",
        "participations__citations__document",
        "outcomes__citations__document",
    ),
    CouncilSession: ("council", "proposals__citations__document"),
    Partnership: ("parties__organization", "citations__document", "figures__citations__document"),
    Person: ("positions__organization", "positions__citations__document"),
    Organization: ("parent",),
    Council: ("organization",),
    Document: ("source",),
}


PUBLISH_PERMISSION = "cooperation.publish_record"
PUBLISH_REFUSAL = (
    f"Publishing needs the permission “{PUBLISH_PERMISSION}” (the Reviewers group): save it as draft or reviewed, "
    "and a reviewer publishes it."
)
UNPUBLISH_REFUSAL = (
    f"A published record is withdrawn, set back or deleted by a reviewer: that needs the permission "
    f"“{PUBLISH_PERMISSION}” (the Reviewers group)."
)


def may_publish(user) -> bool:
    """Whether ``user`` may publish and unpublish: what the API, the admin's forms and actions, and imports ask."""
    return bool(user is not None and user.is_active and user.has_perm(PUBLISH_PERMISSION))


def status_refusal(user, before: str | None, after: str | None, *, publish_linked: bool = False) -> str | None:
    """Why ``user`` may not take a record from status ``before`` to ``after``, or ``None`` if they may.

    ``before`` is the status stored (``None``: a new record), ``after`` the one to be saved (``None``: deleted).
    Publishing, publishing linked drafts along, and taking a published record off ``published`` are refused to
    whoever ``may_publish`` says no to; any other change is not this rule's business.
    """
    publishing = after == Status.PUBLISHED and (before != Status.PUBLISHED or publish_linked)
    unpublishing = before == Status.PUBLISHED and after != Status.PUBLISHED
    if not (publishing or unpublishing) or may_publish(user):
        return None
    return PUBLISH_REFUSAL if publishing else UNPUBLISH_REFUSAL


def stored_status(record: models.Model) -> str | None:
    """The status ``record`` has in the database (``None`` if it is not saved), whatever its attribute holds now."""
    if record.pk is None:
        return None
    return type(record)._default_manager.filter(pk=record.pk).values_list("status", flat=True).first()


def save_refusal(user, record: models.Model, status: str | None = None, *, publish_linked: bool = False) -> str | None:
    """``status_refusal`` for saving ``record`` with ``status`` (by default the one it holds), as stored before."""
    if not isinstance(record, Curated):
        return None
    after = record.status if status is None else status
    return status_refusal(user, stored_status(record), after, publish_linked=publish_linked)


def unpublishable(queryset: models.QuerySet) -> models.QuerySet:
    """The records of ``queryset`` that may not be published yet: of a kind that needs a citation, with none.

    One query for any number of records (an ``EXISTS`` per path); none at all for a kind
    that needs no citation.
    """
    if not citation_paths(queryset.model):
        return queryset.none()
    return queryset.exclude(cited(queryset.model))


def unpublished_references(record: models.Model) -> list[models.Model]:
    """The unpublished records ``record`` shows, and those they show in turn (a draft document's draft source)."""
    found: dict[tuple[type, int], models.Model] = {}
    pending = [record]
    while pending:
        current = pending.pop()
        model = type(current)
        for path in (path for cls in model.__mro__ for path in REFERENCE_PATHS.get(cls, ())):
            target = _model_at(model, path)
            ids = model._default_manager.filter(pk=current.pk, **{f"{path}__isnull": False}).values(path)
            for other in target._default_manager.filter(pk__in=ids).exclude(status=Status.PUBLISHED):
                if (target, other.pk) not in found:
                    found[target, other.pk] = other
                    pending.append(other)
    return sorted(found.values(), key=lambda other: (other._meta.verbose_name, str(other)))


def publish_refusal(record: models.Model, *, publish_linked: bool = False) -> str | None:
    """Why ``record`` may not be saved as it now stands in the database, or ``None`` if it may.

    Called after the record and its rows are written, inside the transaction that wrote
    them, so that citations entered in the same form or request count; a refusal rolls it all back.
    With ``publish_linked``, the unpublished records it refers to are published here, in that transaction.
    """
    if getattr(record, "status", None) != Status.PUBLISHED:
        return None
    model = type(record)
    if unpublishable(model._default_manager.filter(pk=record.pk)).exists():
        return uncited_message(model)
    linked = unpublished_references(record)
    if not linked:
        return None
    if publish_linked and not any(other.status == Status.WITHDRAWN for other in linked):
        publish(linked)
        return None
    return linked_message(record, linked)


def publish(records) -> None:
    """Publish ``records`` one by one, through ``save()``: its handlers stamp them, and the open revision keeps them."""
    for record in records:
        record.status = Status.PUBLISHED
        record.save()


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


def linked_message(record: models.Model, linked: list[models.Model]) -> str:
    """“Joint operation “Arsenal” refers to records that are not published: organization “X” (draft), …”."""
    listed = ", ".join(
        f"{other._meta.verbose_name} “{other}” ({other.get_status_display().lower()})" for other in linked
    )
    withdrawn = any(other.status == Status.WITHDRAWN for other in linked)
    advice = (
        "A withdrawn record is not published along with it: refer to another record, or publish that one on its own."
        if withdrawn
        else "Publish them first, or publish them together with it."
    )
    name = f"{record._meta.verbose_name} “{record}”"
    return f"{name[0].upper()}{name[1:]} refers to records that are not published: {listed}. {advice}"


def _model_at(model: type[models.Model], path: str) -> type[models.Model]:
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
    return model
