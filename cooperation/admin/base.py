"""Building blocks every ModelAdmin here shares: curated-record base, date columns, related counts."""

from django.contrib import admin
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from cooperation.admin.actions import mark_reviewed, publish, publish_with_linked, withdraw
from cooperation.admin.history import HistoryAdmin
from cooperation.admin.workflow import PublishRuleMixin

RECORD_FIELDSET = ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)})
DATE_FIELDSET_FIELDS = ("date", "date_text", "date_bounds")


def related_count(model, relation: str):
    """The number of ``relation`` rows of each ``model`` row, as a correlated subquery.

    Several ``Count()`` annotations on one queryset join their relations together and
    multiply each other's rows; a subquery per count keeps each one exact and cheap.
    ``relation`` is a reverse relation name (``"citations"``, ``"events"``).
    """
    pointing_back = model._meta.get_field(relation).field  # the FK or M2M on the related model
    rows = (
        pointing_back.model._default_manager.filter(**{pointing_back.name: OuterRef("pk")})
        .order_by()
        .values(pointing_back.name)
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


class CuratedAdmin(PublishRuleMixin, HistoryAdmin):
    """Base for records with a review status and a slug (``cooperation.models.base.Curated``).

    Gives the draft → reviewed → published flow as bulk actions, the publish rule on
    save, the record's history, and its timestamps read-only; each subclass lists
    ``workflow.status_badge`` in its columns and ``workflow.StatusFilter`` in its filters.
    """

    actions = (mark_reviewed, publish, publish_with_linked, withdraw)
    readonly_fields = ("created_at", "updated_at")
    save_on_top = True
    # Django 6's default, chosen now: a scheme-less URL typed by a curator means https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class UncertainDateMixin:
    """Columns and a read-only form field for models with an EDTF ``date`` (``UncertainDate``)."""

    @admin.display(description="date", ordering="date_lower")
    def date_as_given(self, obj):
        """The source's wording with the EDTF it was encoded as, e.g. “late 2005 (2005-41)”."""
        if obj.date_text and obj.date:
            return f"{obj.date_text} ({obj.date})"
        return obj.date_text or obj.date or None

    @admin.display(description="bounds", ordering="date_lower")
    def date_bounds(self, obj):
        """The derived earliest and latest day and the precision; empty until a date is saved."""
        if obj.date_lower is None and obj.date_upper is None:
            return None
        lower = obj.date_lower.isoformat() if obj.date_lower else "open"
        upper = obj.date_upper.isoformat() if obj.date_upper else "open"
        return f"{lower} to {upper} ({obj.date_precision})"
