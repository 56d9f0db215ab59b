"""The review workflow in the admin: status at a glance, counts per status, and the publish rule.

The rules themselves — published needs a citation, and the records it refers to published with
it, by a reviewer — are ``cooperation.workflow``'s; here they are applied to the change form (inlines
included), to deleting, and, in ``actions``, to the bulk actions.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Count
from django.utils.html import format_html

from cooperation import workflow
from cooperation.admin.history import ChangeReasonForm
from cooperation.choices import Status

# Badge colours: white text on each reads at WCAG AA contrast.
STATUS_COLOURS = {
    Status.DRAFT: "#5f6b76",
    Status.REVIEWED: "#8a5a00",
    Status.PUBLISHED: "#1e7b34",
    Status.WITHDRAWN: "#b02a37",
}


@admin.display(description="status", ordering="status")
def status_badge(obj):
    """The record's status as a coloured label, so a list shows where each record stands."""
    return format_html(
        '<span style="background:{};color:#fff;border-radius:9px;padding:1px 8px;white-space:nowrap">{}</span>',
        STATUS_COLOURS.get(obj.status, "#5f6b76"),
        obj.get_status_display(),
    )


class StatusFilter(admin.SimpleListFilter):
    """Filter by status, each choice with how many of the model's records are in it: “Draft (12)”."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        counts = dict(model_admin.model._default_manager.order_by().values_list("status").annotate(Count("pk")))
        return [(value, f"{label} ({counts.get(value, 0)})") for value, label in Status.choices]

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


class PublishRefused(Exception):
    """A save that would leave a published record uncited; raised to roll the whole save back."""


PUBLISH_LINKED_FIELD = "publish_linked"
STORED_STATUS = "stored_status"  # on the request, when the record in the database is not what the form shows


class PublishableForm(ChangeReasonForm):
    """A curated record's form; shows on ``status`` why the last attempt to save it was refused."""

    publish_linked = forms.BooleanField(
        label="Publish linked drafts too",
        required=False,
        help_text="When publishing: also publish the unpublished organizations, people, councils, documents and "
        "sources this record refers to. Without it, publishing is refused with their list.",
    )
    publish_refusal: str | None = None  # set by ``PublishRuleMixin.get_form`` on the retry
    # Set by ``PublishRuleMixin.get_form``: who saves, and the record's status as stored (None: a new record).
    request_user = None
    stored_status: str | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request_user is None or workflow.may_publish(self.request_user):
            return
        # Not a reviewer (``workflow.may_publish``): “published” is not offered, nor taken away once it is.
        self.fields.pop(PUBLISH_LINKED_FIELD, None)
        status = self.fields.get("status")
        if status is None:
            return
        if self.stored_status == Status.PUBLISHED:
            status.disabled = True
            status.help_text = workflow.UNPUBLISH_REFUSAL
        else:
            status.choices = [(value, label) for value, label in status.choices if value != Status.PUBLISHED]

    def clean(self):
        cleaned_data = super().clean()
        if self.publish_refusal:
            self.add_error("status" if "status" in self.fields else None, self.publish_refusal)
        if self.request_user is not None and "status" in cleaned_data:
            linked = bool(cleaned_data.get(PUBLISH_LINKED_FIELD))
            refusal = workflow.status_refusal(
                self.request_user, self.stored_status, cleaned_data["status"], publish_linked=linked
            )
            if refusal:
                self.add_error("status", refusal)
        return cleaned_data


class PublishRuleMixin:
    """Refuses to save a published record that nothing cites, judging what the form and its inlines wrote.

    Django validates the form and each inline formset on their own, and a citation entered
    inline on a new event is not in the database until the inlines are saved. So the rule
    is checked after everything is saved (``save_related``), inside the admin's transaction:
    a refusal rolls it all back, revision included, and the same POST is shown again with
    the reason on ``status`` — the curator's input kept, nothing written.
    """

    form = PublishableForm

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        linked = bool(form.cleaned_data.get(PUBLISH_LINKED_FIELD))
        if refusal := workflow.publish_refusal(form.instance, publish_linked=linked):
            others = [] if linked else workflow.unpublished_references(form.instance)
            if others and all(other.status != Status.WITHDRAWN for other in others):
                refusal += " To publish them together, tick “Publish linked drafts too” below and save again."
            raise PublishRefused(refusal)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.publish_refusal = getattr(request, "publish_refusal", None)
        form.request_user = request.user
        form.stored_status = getattr(request, STORED_STATUS, obj.status if obj is not None else None)
        return form

    def has_publish_permission(self, request):
        """Whether the bulk actions that publish or withdraw are offered (their ``permissions=["publish"]``)."""
        return workflow.may_publish(request.user) and self.has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and workflow.status_refusal(request.user, obj.status, None):
            return False  # a published record, and not a reviewer
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if any(workflow.status_refusal(request.user, obj.status, None) for obj in objs):
            perms_needed.add(f"published {self.opts.verbose_name_plural} (a reviewer deletes those)")
        return deleted, counts, perms_needed, protected

    def add_view(self, request, form_url="", extra_context=None):
        return self._refusable(super().add_view, request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self._refusable(super().change_view, request, object_id, form_url, extra_context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # The form shows the version as written back to the database; the status it is judged from is today's.
        stored = self.model._default_manager.filter(pk=unquote(object_id)).values_list("status", flat=True).first()
        setattr(request, STORED_STATUS, stored)
        return self._refusable(super().revision_view, request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        setattr(request, STORED_STATUS, None)  # a deleted record, made anew
        return self._refusable(super().recover_view, request, version_id, extra_context)

    def _refusable(self, view, request, *args):
        try:
            return view(request, *args)
        except PublishRefused as refusal:
            request.publish_refusal = str(refusal)
            return view(request, *args)
