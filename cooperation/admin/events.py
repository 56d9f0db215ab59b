"""Events: the read-only timeline across every kind, one admin per kind, and the rows events own."""

from django import forms
from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from cooperation.admin.base import (
    DATE_FIELDSET_FIELDS,
    RECORD_FIELDSET,
    CuratedAdmin,
    UncertainDateMixin,
    related_count,
)
from cooperation.admin.filters import CitedFilter, EventCountryFilter
from cooperation.admin.history import RowAdmin
from cooperation.admin.inlines import (
    AgendaItemInline,
    EventCitationInline,
    EventLinkInline,
    OutcomeCitationInline,
    OutcomeInline,
    ParticipationCitationInline,
    ParticipationInline,
    ProposalCitationInline,
    ProposalInline,
)
from cooperation.admin.transfer import TransferMixin
from cooperation.admin.workflow import PublishableForm, StatusFilter, status_badge
from cooperation.dates import parse_edtf
from cooperation.duplicates import PARTY_FIELDS, find_lookalikes, party_key
from cooperation.models import (
    EVENT_MODELS,
    AgendaItem,
    CouncilSession,
    Event,
    EventLink,
    Exercise,
    JointOperation,
    Meeting,
    Outcome,
    Participation,
    Proposal,
    Statement,
)
from cooperation.selectors import citations

EVENT_COLUMNS = ("date_as_given", "date_bounds", "place", status_badge, "parties", "citation_count", "updated_at")
EVENT_FILTERS = (
    StatusFilter,
    CitedFilter,
    EventCountryFilter,
    ("place_country", RelatedOnlyFieldListFilter),
    ("topics", RelatedOnlyFieldListFilter),
)
EVENT_SEARCH = ("title", "slug", "summary", "place_name")


def event_change_url(event: Event) -> str:
    """The change page of ``event`` in its own kind's admin."""
    return reverse(f"admin:cooperation_{EVENT_MODELS[event.kind]._meta.model_name}_change", args=[event.pk])


def party_label(participation: Participation) -> str:
    """A participant, short enough to list several in one column: RU, MVD (TJ), CSTO, Emomali Rahmon.

    A national body's country is added because abbreviations repeat across states (every MVD).
    """
    if participation.country_id:
        return participation.country_id
    if participation.organization_id:
        organization = participation.organization
        label = organization.abbreviation or organization.name
        return f"{label} ({organization.country_id})" if organization.country_id else label
    return participation.person.name


class EventColumnsMixin(UncertainDateMixin):
    """Columns shared by the timeline and every kind's list, with the queryset they need."""

    list_select_related = ("place_country",)
    date_hierarchy = "date_lower"

    def get_queryset(self, request):
        parties = Participation.objects.select_related("country", "organization", "person")
        return (
            super()
            .get_queryset(request)
            .annotate(citation_count=citations.citation_count(self.model))
            .prefetch_related(Prefetch("participations", queryset=parties))
        )

    @admin.display(description="place", ordering="place_name")
    def place(self, obj):
        return ", ".join(part for part in (obj.place_name, obj.place_country and obj.place_country.name) if part)

    @admin.display(description="participants")
    def parties(self, obj):
        return ", ".join(party_label(participation) for participation in obj.participations.all())

    @admin.display(description="citations", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count


@admin.register(Event)
class EventAdmin(EventColumnsMixin, admin.ModelAdmin):
    """The timeline across every kind. Read-only: each row opens in its kind's admin, where it is edited."""

    list_display = ("title_link", "kind", *EVENT_COLUMNS)
    list_display_links = None
    list_filter = ("kind", *EVENT_FILTERS)
    search_fields = (*EVENT_SEARCH, "jointoperation__code_name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Send links to a bare event (from history, related-field widgets) to its kind's page."""
        event = self.get_object(request, unquote(object_id))
        if event is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, event):
            raise PermissionDenied
        return redirect(event_change_url(event))

    @admin.display(description="title", ordering="title")
    def title_link(self, obj):
        return format_html('<a href="{}">{}</a>', event_change_url(obj), obj.title)


def event_fieldsets(detail_title: str, *detail_fields: str):
    """The common event form — core, date, place, substance — then the kind's own detail."""
    return (
        (None, {"fields": ("title", "slug", "status")}),
        ("Date", {"fields": DATE_FIELDSET_FIELDS}),
        ("Place", {"fields": ("place_name", "place_country")}),
        ("Substance", {"fields": ("summary", "topics")}),
        (detail_title, {"fields": detail_fields}),
        RECORD_FIELDSET,
    )


MAX_SUBMITTED_ROWS = 1000  # Django's formset default ceiling (``DEFAULT_MAX_NUM``)


def submitted_parties(data, prefix: str = "participations") -> frozenset:
    """The participants in the submitted participation rows (those not marked for deletion), as party keys.

    Read from the raw inline formset data: the event's form is validated before its inlines,
    and the keys are only compared with existing rows, never saved from here.
    """
    total = data.get(f"{prefix}-TOTAL_FORMS", "")
    rows = range(min(int(total), MAX_SUBMITTED_ROWS)) if total.isdigit() else range(0)
    return frozenset(
        party_key(kind, data[f"{prefix}-{row}-{kind}"])
        for row in rows
        if not data.get(f"{prefix}-{row}-DELETE")
        for kind in PARTY_FIELDS
        if data.get(f"{prefix}-{row}-{kind}")
    )


class EventForm(PublishableForm):
    """An event's form: before saving, warns about look-alikes already recorded (``cooperation.duplicates``).

    The first submit that finds any is shown again, nothing saved, with the look-alikes
    listed above the form (``admin/cooperation/lookalikes.html``); ticking “Save anyway”
    and submitting again saves. A record being edited is checked again only when what
    identifies it changes: look-alikes already accepted must not stop every later edit.
    """

    IDENTIFYING_FIELDS = frozenset({"title", "date", "code_name"})
    lookalikes = ()  # set by ``clean``: what the template lists, each with its change page's URL

    save_anyway = forms.BooleanField(
        label="Save anyway",
        required=False,
        help_text="This is a different event from those listed: save it.",
    )

    def clean(self):
        cleaned_data = super().clean()
        self.lookalikes = []
        if self.errors or cleaned_data.get("save_anyway"):
            return cleaned_data
        if self.instance.pk and not self.IDENTIFYING_FIELDS.intersection(self.changed_data):
            return cleaned_data
        try:
            bounds = parse_edtf(cleaned_data.get("date", ""))
        except ValidationError:
            return cleaned_data  # the date's own error is reported by the model's validation
        found = find_lookalikes(
            self._meta.model,
            lower=bounds.lower,
            upper=bounds.upper,
            title=cleaned_data.get("title", ""),
            code_name=cleaned_data.get("code_name", ""),
            parties=submitted_parties(self.data),
            exclude_pk=self.instance.pk,
        )
        self.lookalikes = [
            {"event": item.event, "reasons": item.reasons, "url": event_change_url(item.event)} for item in found
        ]
        if found:
            raise ValidationError(
                "This looks like an event already recorded (listed above). If it is a different event, "
                "tick “Save anyway” and save again.",
                code="lookalike",
            )
        return cleaned_data


class EventKindAdmin(TransferMixin, EventColumnsMixin, CuratedAdmin):
    """Base for each kind's admin: the shared form, columns, filters and inlines."""

    form = EventForm
    # “Save as new” for similar events: inline rows are copied with fresh UIDs (a new row gets
    # ``Keyed.uid``'s default); the slug must be changed, or the form says it is taken.
    save_as = True
    list_display = ("title", *EVENT_COLUMNS)
    list_filter = EVENT_FILTERS
    search_fields = EVENT_SEARCH
    autocomplete_fields = ("place_country", "topics")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("date_bounds", *CuratedAdmin.readonly_fields)
    inlines = (ParticipationInline, EventCitationInline, EventLinkInline)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # A kind's record is deleted with its Event row, which the read-only timeline's admin would
        # refuse to delete on its own; deleting it here is deleting the record.
        perms_needed.discard(Event._meta.verbose_name)
        return deleted, counts, perms_needed, protected


@admin.register(CouncilSession)
class CouncilSessionAdmin(EventKindAdmin):
    list_display = ("title", "council", "number", *EVENT_COLUMNS)
    list_filter = (("council", RelatedOnlyFieldListFilter), *EVENT_FILTERS)
    list_select_related = ("place_country", "council")
    search_fields = (*EVENT_SEARCH, "council__name", "council__abbreviation")
    autocomplete_fields = ("council", *EventKindAdmin.autocomplete_fields)
    fieldsets = event_fieldsets("Session", "council", "number")
    inlines = (ParticipationInline, AgendaItemInline, ProposalInline, EventCitationInline, EventLinkInline)


@admin.register(JointOperation)
class JointOperationAdmin(EventKindAdmin):
    list_display = ("title", "code_name", *EVENT_COLUMNS, "outcome_count")
    list_filter = (*EVENT_FILTERS, ("outcomes__metric", RelatedOnlyFieldListFilter))
    search_fields = (*EVENT_SEARCH, "code_name", "aim")
    fieldsets = event_fieldsets("Operation", "code_name", "aim", "scale")
    inlines = (ParticipationInline, OutcomeInline, EventCitationInline, EventLinkInline)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(outcome_count=related_count(JointOperation, "outcomes"))

    @admin.display(description="outcomes", ordering="outcome_count")
    def outcome_count(self, obj):
        return obj.outcome_count


@admin.register(Exercise)
class ExerciseAdmin(EventKindAdmin):
    list_display = ("title", "exercise_kind", *EVENT_COLUMNS)
    list_filter = ("exercise_kind", *EVENT_FILTERS)
    fieldsets = event_fieldsets("Exercise", "exercise_kind", "scale")


@admin.register(Meeting)
class MeetingAdmin(EventKindAdmin):
    list_display = ("title", "meeting_kind", *EVENT_COLUMNS)
    list_filter = ("meeting_kind", *EVENT_FILTERS)
    search_fields = (*EVENT_SEARCH, "subject")
    fieldsets = event_fieldsets("Meeting", "meeting_kind", "subject", "duration")


@admin.register(Statement)
class StatementAdmin(EventKindAdmin):
    list_display = ("title", "form", *EVENT_COLUMNS)
    list_filter = ("form", *EVENT_FILTERS)
    search_fields = (*EVENT_SEARCH, "text")
    fieldsets = event_fieldsets("Statement", "form", "text", "medium")


@admin.register(Participation)
class ParticipationAdmin(RowAdmin):
    """One participation on its own page, where its citations are entered."""

    list_display = ("event", "party", "role", "detail")
    list_filter = ("role", ("country", RelatedOnlyFieldListFilter), "event__kind")
    list_select_related = ("event", "country", "organization", "person")
    search_fields = (
        "event__title",
        "country__name",
        "organization__name",
        "organization__abbreviation",
        "person__name",
        "person__names__name",
        "detail",
    )
    autocomplete_fields = ("event", "country", "organization", "person")
    fields = ("event", "country", "organization", "person", "role", "detail")
    inlines = (ParticipationCitationInline,)


@admin.register(Outcome)
class OutcomeAdmin(RowAdmin):
    """One figure on its own page, where its citations are entered."""

    list_display = ("metric", "amount", "unit", "qualifier", "scope", "subject", "part_of", "counts")
    list_filter = ("metric", "qualifier", "counts")
    list_select_related = ("metric", "event", "partnership", "part_of__metric")
    search_fields = ("metric__name", "scope", "note", "event__title", "partnership__title")
    autocomplete_fields = ("event", "partnership", "metric", "part_of")
    fieldsets = (
        ("Of", {"fields": ("event", "partnership")}),
        (None, {"fields": ("metric", "value", "unit", "qualifier", "scope", "part_of", "counts", "note")}),
    )
    inlines = (OutcomeCitationInline,)

    @admin.display(description="value", ordering="value")
    def amount(self, obj):
        """The figure as a reader writes it: 7250, not 7250.000."""
        return f"{obj.value.normalize():f}"

    @admin.display(description="of")
    def subject(self, obj):
        return obj.event or obj.partnership


@admin.register(AgendaItem)
class AgendaItemAdmin(RowAdmin):
    list_display = ("session", "order", "title", "topic")
    list_filter = (("topic", RelatedOnlyFieldListFilter),)
    list_select_related = ("session", "topic")
    search_fields = ("title", "session__title")
    autocomplete_fields = ("session", "topic")
    fields = ("session", "order", "title", "topic")


@admin.register(Proposal)
class ProposalAdmin(RowAdmin):
    list_display = ("title", "session", "status")
    list_filter = ("status",)
    list_select_related = ("session",)
    search_fields = ("title", "description", "session__title")
    autocomplete_fields = ("session",)
    fields = ("session", "title", "status", "description")
    inlines = (ProposalCitationInline,)


@admin.register(EventLink)
class EventLinkAdmin(RowAdmin):
    list_display = ("source", "kind", "target")
    list_filter = ("kind",)
    list_select_related = ("source", "target")
    search_fields = ("source__title", "target__title")
    autocomplete_fields = ("source", "target")
    fields = ("source", "kind", "target")
