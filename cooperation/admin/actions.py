"""Bulk curation actions: move selected records along draft → reviewed → published (or withdraw them)."""

from django.contrib import admin
from django.contrib.admin.utils import model_ngettext
from django.utils import timezone

from cooperation.choices import Status


def status_action(status: Status, name: str, description: str):
    """An admin action that sets ``status`` on the selected curated records.

    One ``UPDATE`` for the lot; ``updated_at`` is set with it because a queryset
    update skips the ``pre_save`` handler that normally stamps it, and dashboards
    sync on ``updated_at``. Each changed record gets a history entry.
    """

    @admin.action(description=description, permissions=["change"])
    def action(modeladmin, request, queryset):
        changing = list(queryset.exclude(status=status))
        modeladmin.model._default_manager.filter(pk__in=[obj.pk for obj in changing]).update(
            status=status, updated_at=timezone.now()
        )
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
