"""Change history of every record with django-reversion: who changed what, when and why, revertible.

A *revision* is one change: who made it (``user``), why (``comment``: the curator's
reason, else a summary), and a *version* (a serialized copy) of every row it covers.
The registrations below make a version of a record hold its rows: an event's
participations, outcomes, citations, links, agenda items and proposals; a person's
name variants and offices; a partnership's parties and figures. So reverting a
record to a version restores its rows too, and a deleted record comes back whole.

Rows also follow the record they belong to: a participation changed on its own admin
page, or a citation of one of its figures, is recorded as a new version of the event.
Every path that writes here records one record (with its rows) per revision, so that
reverting one record never reverts another.

Writers use :func:`recording` around a change and :func:`delete` to delete; the admin
(``cooperation.admin.history``) and the write services (``cooperation.services``) do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import reversion
from django.db import transaction
from django.db.models.signals import m2m_changed
from reversion.errors import RevisionManagementError
from reversion.models import Version

from cooperation.models import (
    AgendaItem,
    Citation,
    Council,
    CouncilSession,
    Country,
    Document,
    Event,
    EventLink,
    Exercise,
    JointOperation,
    Meeting,
    Metric,
    Organization,
    Outcome,
    Participation,
    Partnership,
    PartnershipParty,
    Person,
    PersonName,
    Position,
    Proposal,
    Source,
    Statement,
    Topic,
)
from cooperation.models.sources import CITED

REASON_MAX_LENGTH = 500
BASELINE_COMMENT = "As it stood before its first recorded change."

# Every tracked model → the rows a version of it holds (reversion's ``follow``). An event kind's
# version holds its ``Event`` row (``event_ptr``, where the common fields live), and an ``Event``
# its kind's row (``typed``), so a version reached from either side is complete.
HOLDS: dict[type, tuple[str, ...]] = {
    Event: ("typed", "participations", "outcomes", "citations", "links_out"),
    CouncilSession: ("event_ptr", "agenda_items", "proposals"),
    JointOperation: ("event_ptr",),
    Exercise: ("event_ptr",),
    Meeting: ("event_ptr",),
    Statement: ("event_ptr",),
    Partnership: ("parties", "figures", "citations"),
    Person: ("names", "positions"),
    Organization: (),
    Council: (),
    Source: (),
    Document: (),
    Country: (),
    Topic: (),
    Metric: (),
    Participation: ("citations",),
    Outcome: ("citations",),
    Proposal: ("citations",),
    Position: ("citations",),
    AgendaItem: (),
    EventLink: (),
    Citation: (),
    PersonName: (),
    PartnershipParty: (),
}

# Rows → what they belong to: a change to a row is recorded as a version of its record.
BELONGS_TO: dict[type, tuple[str, ...]] = {
    Participation: ("event",),
    Outcome: ("event", "partnership"),
    Proposal: ("session",),
    AgendaItem: ("session",),
    EventLink: ("source",),
    Citation: CITED,
    PersonName: ("person",),
    Position: ("person",),
    PartnershipParty: ("partnership",),
}

for _model, _rows in HOLDS.items():
    reversion.register(_model, follow=BELONGS_TO.get(_model, ()) + _rows)


def _record_parent_row(sender, instance, action, reverse, **kwargs):
    """Re-record an event's ``Event`` row when its topics change.

    reversion re-records a record when one of its many-to-many sets changes, but for an
    event kind that is the kind's row; the topics live on the ``Event`` row, whose version
    was taken when the record was saved, before the form or request set them.
    """
    if reverse or not action.startswith("post_") or not reversion.is_active():
        return
    for link in type(instance)._meta.parents.values():
        reversion.add_to_revision(getattr(instance, link.name))


m2m_changed.connect(_record_parent_row, sender=Event.topics.through, dispatch_uid="cooperation.history.topics")


@contextmanager
def recording(*changing, user=None, reason: str = "") -> Iterator[None]:
    """Record what is saved inside the block as one revision: by ``user``, for ``reason``.

    ``changing`` names the existing records (or rows) about to change: one that has no
    version yet — loaded from a fixture, say — first gets one as it stands, so the change
    can be reverted. Inside another ``recording`` block this one joins it (reversion saves a
    revision when the outermost block ends), and the outer block has taken those versions.
    All in one transaction: a change refused (an exception) leaves no version behind.
    """
    with transaction.atomic():
        if not reversion.is_active():
            for instance in changing:
                ensure_version(instance)
        with reversion.create_revision():
            if user is not None and user.is_authenticated:
                reversion.set_user(user)
            if reason:
                reversion.set_comment(reason)
            yield


def delete(instance, *, user=None, reason: str = "") -> None:
    """Delete ``instance`` so that nothing is lost.

    - A record: its last state, with its rows, is recorded first; the admin's “Recover
      deleted” brings it back from that version.
    - A row: its record gets a new version without it; the version before still has it,
      and the record's history reverts to it.

    Must run outside any revision block: reversion saves a revision when its outermost
    block ends, and versions of rows that are gone by then are dropped.
    """
    if reversion.is_active():
        raise RevisionManagementError("history.delete() must not run inside a revision block.")
    reason = reason or f"Deleted {instance._meta.verbose_name} “{instance}”."
    owners = [getattr(instance, name) for name in BELONGS_TO.get(type(instance), ())]
    owners = [owner for owner in owners if owner is not None]
    with transaction.atomic():  # a delete refused (ProtectedError) leaves no version behind
        if not owners:
            record_current(instance, user=user, reason=reason)
            instance.delete()
            return
        with recording(instance, user=user, reason=reason):
            instance.delete()
            for owner in owners:
                reversion.add_to_revision(owner)


def record_current(instance, *, user=None, reason: str = "") -> None:
    """A revision of ``instance`` as it now stands, for a write that sent no signal (a queryset ``update()``)."""
    with recording(user=user, reason=reason):
        reversion.add_to_revision(instance)


def ensure_version(instance) -> None:
    """Give ``instance`` a first version as it stands, unless it has one: the state a first change reverts to."""
    if instance.pk is None or Version.objects.get_for_object(instance).exists():
        return
    with reversion.create_revision():
        reversion.set_comment(BASELINE_COMMENT)
        reversion.add_to_revision(instance)
