"""History in the admin: who changed what, when and why, what exactly changed, and revert.

Built on django-reversion's ``VersionAdmin`` (its revert and “Recover deleted” pages),
with the versions ``cooperation.history`` registers, which hold each record's rows:

- the history page lists every version with its author and reason, and links to
- the changes page: the record and its rows, field by field, before and after;
- the change form has a “reason for change” that becomes the revision's comment;
- deleting records the last state first, so it can be recovered (``history.delete``).

Row admins (a participation or a citation on its own page) record their changes as
versions of the record the row belongs to, and are reverted from that record's history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import reversion
from django import forms
from django.contrib import admin
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import models, router, transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from reversion.admin import VersionAdmin
from reversion.models import Revision, Version

from cooperation import history

REASON_FIELD = "change_reason"
# Fields of the change forms that are not the record's, shown by the change form template beside the save buttons.
FORM_ONLY_FIELDS = (REASON_FIELD, "publish_linked")


class ChangeReasonForm(forms.ModelForm):
    """Every change form here: the model's fields, and why the change is made (not stored on the record)."""

    change_reason = forms.CharField(
        label="Reason for change",
        required=False,
        max_length=history.REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text="Optional. Shown with this change in the record's history, e.g. “Figure corrected per Interfax”.",
    )


class RecordedChangesMixin:
    """Every write through this admin is a revision: by whom, and why (the form's reason).

    The change form template (``admin/cooperation/change_form.html``) shows the reason
    field below the inlines, next to the save buttons.
    """

    form = ChangeReasonForm

    def get_fields(self, request, obj=None):
        # An admin without ``fields`` lists its form's fields; the reason is not the record's, and has its place.
        return [name for name in super().get_fields(request, obj) if name not in FORM_ONLY_FIELDS]

    def add_view(self, request, form_url="", extra_context=None):
        with history.recording(user=request.user):
            return super().add_view(request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        changing = self.get_object(request, unquote(object_id)) if request.method == "POST" else None
        with transaction.atomic(using=router.db_for_write(self.model)):
            with history.recording(*filter(None, [changing]), user=request.user):
                response = super().change_view(request, object_id, form_url, extra_context)
            if getattr(response, "context_data", {}).get("errors"):
                # The form is shown again with errors: nothing was saved, so no first version is kept either.
                transaction.set_rollback(True)
        return response

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self.comment_revision(request, entry)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self.comment_revision(request, entry)
        return entry

    def comment_revision(self, request, entry):
        """The revision's comment: the curator's reason if given, else Django's summary (“Changed title.”)."""
        if reversion.is_active():
            reason = request.POST.get(REASON_FIELD, "").strip()  # validated with the form, saved by now
            reversion.set_comment(reason or entry.get_change_message())

    def delete_model(self, request, obj):
        history.delete(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        # One revision per record, so that recovering one brings back that one only.
        for obj in queryset:
            history.delete(obj, user=request.user)


class RowAdmin(RecordedChangesMixin, admin.ModelAdmin):
    """A row on its own page (a participation, a figure, a citation…): changes are versions of its record."""


class HistoryAdmin(RecordedChangesMixin, VersionAdmin):
    """A record with its history: versions with reasons, what changed in each, revert and recover."""

    object_history_template = "admin/cooperation/history.html"
    changes_template = "admin/cooperation/changes.html"

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_changes"
        view = self.admin_site.admin_view(self.changes_view)
        return [path("<path:object_id>/history/<int:version_id>/changes/", view, name=name), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        # Not VersionAdmin's, which runs the whole list page in one revision: a revision is saved
        # when it ends, and by then “Delete selected” has removed the rows it had to record first.
        # Actions record their own revisions (``actions.status_action``, ``delete_queryset``).
        context = {"has_change_permission": self.has_change_permission(request), **(extra_context or {})}
        return admin.ModelAdmin.changelist_view(self, request, context)

    def versions(self, object_id: str):
        """The record's versions, newest first."""
        return (
            Version.objects.get_for_object_reference(self.model, object_id)
            .select_related("revision__user")
            .order_by("-pk")
        )

    def history_view(self, request, object_id, extra_context=None):
        """Django's history page listing the record's versions (reversion's own list is replaced)."""
        object_id = unquote(object_id)
        entries = [
            {
                "revision": version.revision,
                "revert_url": self.version_url("revision", object_id, version),
                "changes_url": self.version_url("changes", object_id, version),
            }
            for version in self.versions(object_id)
        ]
        return admin.ModelAdmin.history_view(
            self, request, quote(object_id), {**(extra_context or {}), "versions": entries}
        )

    def changes_view(self, request, object_id, version_id):
        """What changed in a version: against the version before it, or against ``?from=<version id>``."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        object_id = unquote(object_id)
        versions = self.versions(object_id)
        new = get_object_or_404(versions, pk=version_id)
        if "from" in request.GET:
            old = versions.filter(pk=request.GET["from"]).first() if request.GET["from"].isdigit() else None
            if old is None:
                return HttpResponseBadRequest("from: not a version of this record.")
        else:
            old = versions.filter(pk__lt=new.pk).first()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Changes to {new.object_repr}",
            "object_id": object_id,
            "new": new,
            "old": old,
            "rows": compare(old.revision if old else None, new.revision, record=self.model),
            "revert_url": self.version_url("revision", object_id, new),
        }
        return TemplateResponse(request, self.changes_template, context)

    def version_url(self, view: str, object_id: str, version: Version) -> str:
        return reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{view}",
            args=[quote(object_id), version.pk],
        )


# Comparing versions ------------------------------------------------------------------------------------------------

EMPTY = (None, "", [])


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class RowChange:
    """One row of a record (the record itself, or one of its participations, outcomes…) across two versions."""

    kind: str  # the model's verbose name: “outcome”
    name: str  # the row as it reads: “585 crimes solved”
    action: str  # added, removed or changed
    fields: list[FieldChange] = field(default_factory=list)


def compare(old: Revision | None, new: Revision, *, record: type[models.Model]) -> list[RowChange]:
    """The rows that differ between two revisions of one record, the record first.

    Each revision holds the whole record with its rows (see ``cooperation.history``), so a
    row in one and not the other was added or removed. Rows compare their editable fields;
    derived ones (date bounds, timestamps) and the link to the record are left out.
    """
    before, after = _rows(old), _rows(new)
    changes = []
    for key in before.keys() | after.keys():
        model = key[0]
        old_values = before[key].field_dict if key in before else {}
        new_values = after[key].field_dict if key in after else {}
        fields = []
        for model_field in _shown_fields(model):
            old_value, new_value = old_values.get(model_field.attname), new_values.get(model_field.attname)
            if _differ(model_field, old_value, new_value):
                label = str(model_field.verbose_name)
                fields.append(FieldChange(label, _display(model_field, old_value), _display(model_field, new_value)))
        if key not in before:
            action = "added"
        elif key not in after:
            action = "removed"
        elif fields:
            action = "changed"
        else:
            continue
        version = after.get(key) or before[key]
        changes.append(RowChange(str(model._meta.verbose_name), version.object_repr, action, fields))
    # The record first, then its rows by kind and name.
    changes.sort(key=lambda change: (change.kind != str(record._meta.verbose_name), change.kind, change.name))
    return changes


def _rows(revision: Revision | None) -> dict[tuple[type[models.Model], str], Version]:
    """The revision's versions by (model, id); an event kind's row stands for its ``Event`` row too."""
    if revision is None:
        return {}
    versions = {(version._model, version.object_id): version for version in revision.version_set.all()}
    parents = {(parent, object_id) for model, object_id in versions for parent in model._meta.parents}
    return {key: version for key, version in versions.items() if key not in parents}


def _shown_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields a curator edits, the parent's included for an event kind; not the row's link to its record."""
    links = set(history.BELONGS_TO.get(model, ()))
    return [
        model_field
        for model_field in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if model_field.editable
        and not model_field.auto_created
        and not model_field.primary_key
        and model_field.name not in links
    ]


def _differ(model_field: models.Field, old, new) -> bool:
    """Whether two stored values differ; a set's order and “empty” versus “not set” do not count."""
    if old in EMPTY and new in EMPTY:
        return False
    if model_field.many_to_many:
        return sorted(map(str, old or [])) != sorted(map(str, new or []))
    return old != new


def _display(model_field: models.Field, value) -> str:
    """A stored value as a curator reads it: a choice's label, a related record's name, 585 rather than 585.000."""
    if value in EMPTY:
        return "—"
    if model_field.many_to_many:
        return ", ".join(_related(model_field, pk) for pk in value)
    if model_field.is_relation:
        return _related(model_field, value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def _related(model_field: models.Field, pk) -> str:
    related = model_field.related_model._base_manager.filter(pk=pk).first()
    return str(related) if related is not None else f"#{pk} (deleted)"
