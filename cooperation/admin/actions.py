"""Bulk curation actions: move selected records along draft → reviewed → published (or withdraw them).

Publishing and withdrawing are offered to reviewers only (``workflow.may_publish``, the admin's
``has_publish_permission``); marking reviewed to anyone who may change the records.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext
from django.db import transaction
from django.utils import timezone

from cooperation import history, workflow
from cooperation.choices import Status
from cooperation.models import Tombstone


def status_action(
    status: Status, name: str, description: str, *, permission: str = "change", with_linked: bool = False
):
    """An admin action that sets ``status`` on the selected curated records.

    One ``UPDATE`` for the lot; ``updated_at`` is set with it, and the tombstones of
    published records leaving ``published`` are written with it, because a queryset
    update skips the ``pre_save`` handlers that normally do both, and dashboards sync
    on ``updated_at`` and ``/api/v1/deleted/``. Each changed record gets a history entry
    and a revision of its own, so that reverting one record never reverts the others.

    Publishing skips the records that may not be published yet and names them in a warning
    (``cooperation.workflow``): those nothing cites, and those referring to unpublished
    actors or documents — unless ``with_linked``, which publishes those along with them.

    ``permission`` is what the action is offered for: ``publish`` (``workflow.may_publish``) for those that
    publish or withdraw. Any other skips the published records of a user who may not take them off ``published``.
    """

    @admin.action(description=description, permissions=[permission])
    def action(modeladmin, request, queryset):
        candidates = queryset.exclude(status=status)
        if held := [obj for obj in candidates if workflow.status_refusal(request.user, obj.status, status)]:
            names = ", ".join(f"“{obj}”" for obj in held)
            refusal = workflow.status_refusal(request.user, held[0].status, status)
            modeladmin.message_user(request, f"Not changed: {names}. {refusal}", messages.WARNING)
            candidates = candidates.exclude(pk__in=[obj.pk for obj in held])
        refused, linked = [], {}
        if status == Status.PUBLISHED:
            refused, linked = refusals(modeladmin, request, candidates, with_linked=with_linked)
        changing = list(candidates.exclude(pk__in=[obj.pk for obj in refused]))
        pks = [obj.pk for obj in changing]
        with transaction.atomic():
            for obj in changing:
                history.ensure_version(obj)  # the state before, for a record changed here for the first time
            modeladmin.model._default_manager.filter(pk__in=pks).update(status=status, updated_at=timezone.now())
            Tombstone.objects.record_status_changes(changing, status)
            for obj in modeladmin.model._default_manager.filter(pk__in=pks):
                history.record_current(obj, user=request.user, reason=f"Status set to “{status.label}”.")
            publish_linked(request, [other for obj in changing for other in linked.get(obj.pk, [])])
        for obj in changing:
            modeladmin.log_change(request, obj, [{"changed": {"fields": ["Status"]}}])
        modeladmin.message_user(
            request,
            f"{len(changing)} {model_ngettext(modeladmin.opts, len(changing))} set to “{status.label}”.",
        )

    action.__name__ = name
    return action


def refusals(modeladmin, request, candidates, *, with_linked: bool):
    """The candidates that may not be published (named in a warning), and the linked drafts of the others by id."""
    uncited = list(workflow.unpublishable(candidates))
    if uncited:
        names = ", ".join(f"“{obj}”" for obj in uncited)
        modeladmin.message_user(
            request, f"Not published, as nothing cites them yet: {names}. Add a citation first.", messages.WARNING
        )
    linked, blocked = {}, []
    for obj in candidates.exclude(pk__in=[obj.pk for obj in uncited]):
        if others := workflow.unpublished_references(obj):
            withdrawn = any(other.status == Status.WITHDRAWN for other in others)
            if with_linked and not withdrawn:
                linked[obj.pk] = others
            else:
                blocked.append(obj)
                refusal = f"Not published: {workflow.linked_message(obj, others)}"
                modeladmin.message_user(request, refusal, messages.WARNING)
    return uncited + blocked, linked


def publish_linked(request, records) -> None:
    """Publish the linked drafts of the records published, each with a revision of its own."""
    unique = list({(type(record), record.pk): record for record in records}.values())
    for record in unique:
        history.ensure_version(record)
    workflow.publish(unique)
    for record in unique:
        history.record_current(record, user=request.user, reason="Published with a record that refers to it.")


mark_reviewed = status_action(Status.REVIEWED, "mark_reviewed", "Mark selected %(verbose_name_plural)s reviewed")
publish = status_action(Status.PUBLISHED, "publish", "Publish selected %(verbose_name_plural)s", permission="publish")
publish_with_linked = status_action(
    Status.PUBLISHED,
    "publish_with_linked",
    "Publish selected %(verbose_name_plural)s and the drafts they refer to",
    permission="publish",
    with_linked=True,
)
withdraw = status_action(
    Status.WITHDRAWN, "withdraw", "Withdraw selected %(verbose_name_plural)s", permission="publish"
)
