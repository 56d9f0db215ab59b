"""Bulk curation actions: move selected records along draft → reviewed → published (or withdraw them)."""

from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext
from django.db import transaction
from django.utils import timezone

from cooperation import history, workflow
from cooperation.choices import Status
from cooperation.models import Tombstone


def status_action(status: Status, name: str, description: str):
    """An admin action that sets ``status`` on the selected curated records.

    One ``UPDATE`` for the lot; ``updated_at`` is set with it, and the tombstones of
    published records leaving ``published`` are written with it, because a queryset
    update skips the ``pre_save`` handlers that normally do both, and dashboards sync
    on ``updated_at`` and ``/api/v1/deleted/``. Each changed record gets a history entry
    and a revision of its own, so that reverting one record never reverts the others.

    Publishing skips the records that may not be published yet (``workflow.unpublishable``:
    no citation) and names them in a warning.
    """

    @admin.action(description=description, permissions=["change"])
    def action(modeladmin, request, queryset):
        candidates = queryset.exclude(status=status)
        refused = list(workflow.unpublishable(candidates)) if status == Status.PUBLISHED else []
        if refused:
            names = ", ".join(f"“{obj}”" for obj in refused)
            modeladmin.message_user(
                request, f"Not published, as nothing cites them yet: {names}. Add a citation first.", messages.WARNING
            )
        changing = list(candidates.exclude(pk__in=[obj.pk for obj in refused]))
        pks = [obj.pk for obj in changing]
        with transaction.atomic():
            for obj in changing:
                history.ensure_version(obj)  # the state before, for a record changed here for the first time
            modeladmin.model._default_manager.filter(pk__in=pks).update(status=status, updated_at=timezone.now())
            Tombstone.objects.record_status_changes(changing, status)
            for obj in modeladmin.model._default_manager.filter(pk__in=pks):
                history.record_current(obj, user=request.user, reason=f"Status set to “{status.label}”.")
        for obj in changing:
            modeladmin.log_change(request, obj, [{"changed": {"fields": ["Status"]}}])
        modeladmin.message_user(
            request,
            f"{len(changing)} {model_ngettext(modeladmin.opts, len(changing))} set to “{status.label}”.",
        )

    action.__name__ = name
    return action


mark_reviewed = status_action(Status.REVIEWED, "mark_reviewed", "Mark selected %(verbose_name_plural)s reviewed")
publish = status_action(Status.PUBLISHED, "publish", "Publish selected %(verbose_name_plural)s")
withdraw = status_action(Status.WITHDRAWN, "withdraw", "Withdraw selected %(verbose_name_plural)s")
