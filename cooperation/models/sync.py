"""Incremental sync: tombstones of records that left the API, so a dashboard can drop them.

A dashboard syncs with ``?updated_since=``; that never tells it a record is gone. Each
deletion of a curated record, and each change of a published record to another status,
leaves a ``Tombstone`` naming the record as the API named it (resource and id), which
``/api/v1/deleted/?since=`` lists. A record published again later simply reappears
through ``updated_since``.

Tombstones are written by ``cooperation.signals`` (deletes and saves, the admin and
fixtures included) and by the admin's bulk status actions, always through
``Tombstone.objects.record_deleted()`` / ``record_status_changes()``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils import timezone

from cooperation.choices import EventKind, Status
from cooperation.models.base import CuratedQuerySet
from cooperation.models.events import Event

# The API resource of each curated model, by model name; an event is also listed under its kind's resource.
RESOURCES = {
    "organization": "organizations",
    "council": "councils",
    "person": "people",
    "source": "sources",
    "document": "documents",
    "partnership": "partnerships",
    "event": "events",
}
EVENT_KIND_RESOURCES = {
    EventKind.SESSION: "sessions",
    EventKind.OPERATION: "operations",
    EventKind.EXERCISE: "exercises",
    EventKind.MEETING: "meetings",
    EventKind.STATEMENT: "statements",
}


class TombstoneReason(models.TextChoices):
    DELETED = "deleted", "Deleted"
    WITHDRAWN = "withdrawn", "Withdrawn"
    UNPUBLISHED = "unpublished", "No longer published"


def resources_of(record: models.Model) -> list[str]:
    """The API resources listing ``record``: an event is under ``events`` and under its kind's resource."""
    if isinstance(record, Event):
        return [RESOURCES["event"], EVENT_KIND_RESOURCES[record.kind]]
    return [RESOURCES[record._meta.model_name]]


class TombstoneQuerySet(CuratedQuerySet):
    """``visible_to()`` is the curated records' rule; what counts as published is ``public``."""

    def published(self):
        return self.filter(public=True)


class TombstoneManager(models.Manager.from_queryset(TombstoneQuerySet)):
    def record_deleted(self, record: models.Model) -> list[Tombstone]:
        """Tombstones of a curated ``record`` being deleted; public if it was published until now."""
        return self._bury([record], TombstoneReason.DELETED, public=record.status == Status.PUBLISHED)

    def record_status_changes(self, records: Iterable[models.Model], new_status: str) -> list[Tombstone]:
        """Tombstones of the ``records`` (holding their stored status) that leave ``published`` for ``new_status``.

        The one place both the ``pre_save`` handler and the admin's bulk actions (a
        queryset ``update()`` sends no signal) record withdrawals.
        """
        if new_status == Status.PUBLISHED:
            return []
        reason = TombstoneReason.WITHDRAWN if new_status == Status.WITHDRAWN else TombstoneReason.UNPUBLISHED
        leaving = [record for record in records if record.status == Status.PUBLISHED]
        return self._bury(leaving, reason, public=True)

    def _bury(self, records, reason: str, *, public: bool) -> list[Tombstone]:
        now = timezone.now()
        rows = [
            self.model(resource=resource, record_id=record.pk, slug=record.slug, reason=reason, public=public, at=now)
            for record in records
            for resource in resources_of(record)
        ]
        return self.bulk_create(rows) if rows else []


class Tombstone(models.Model):
    """A record that left an API resource: deleted, withdrawn, or otherwise no longer published."""

    resource = models.CharField(
        max_length=24,
        choices=[(name, name) for name in (*RESOURCES.values(), *EVENT_KIND_RESOURCES.values())],
        help_text="The API resource the record was listed in, e.g. “operations”.",
    )
    record_id = models.PositiveBigIntegerField(help_text="The record's id in that resource.")
    slug = models.SlugField(max_length=120, help_text="The record's slug when it went.")
    reason = models.CharField(max_length=16, choices=TombstoneReason.choices)
    public = models.BooleanField(
        help_text="The record was published until then, so anonymous clients may have it; "
        "drafts that go are news to staff only."
    )
    at = models.DateTimeField(default=timezone.now, db_index=True, help_text="When it went.")

    objects = TombstoneManager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["resource", "at"], name="cooperation_tombstone_res_at")]

    def __str__(self):
        return f"{self.resource}/{self.record_id} ({self.slug}) {self.reason} at {self.at:%Y-%m-%d %H:%M}"
