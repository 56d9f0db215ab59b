"""Partnerships between states and organizations, with their parties and figures."""

from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.db.models import Prefetch

from cooperation.admin.base import (
    DATE_FIELDSET_FIELDS,
    RECORD_FIELDSET,
    CuratedAdmin,
    UncertainDateMixin,
    related_count,
)
from cooperation.admin.filters import CitedFilter, PartnershipCountryFilter
from cooperation.admin.history import RowAdmin
from cooperation.admin.inlines import PartnershipCitationInline, PartnershipFigureInline, PartnershipPartyInline
from cooperation.admin.transfer import TransferMixin
from cooperation.admin.workflow import StatusFilter, status_badge
from cooperation.models import Partnership, PartnershipParty
from cooperation.selectors import citations


@admin.register(Partnership)
class PartnershipAdmin(TransferMixin, UncertainDateMixin, CuratedAdmin):
    list_display = (
        "title",
        "kind",
        "stage",
        "party_list",
        "date_as_given",
        "figure_count",
        "citation_count",
        status_badge,
        "updated_at",
    )
    list_filter = (
        "kind",
        "stage",
        StatusFilter,
        CitedFilter,
        PartnershipCountryFilter,
        ("topics", RelatedOnlyFieldListFilter),
    )
    search_fields = ("title", "slug", "summary", "parties__country__name", "parties__organization__name")
    autocomplete_fields = ("topics", "events")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("date_bounds", *CuratedAdmin.readonly_fields)
    save_as = True  # as for events: rows copied with fresh UIDs, the slug to be changed
    fieldsets = (
        (None, {"fields": ("title", "slug", "status")}),
        ("Relation", {"fields": ("kind", "stage", "summary", "topics")}),
        ("Period", {"fields": DATE_FIELDSET_FIELDS}),
        ("Evidence", {"fields": ("events",)}),
        RECORD_FIELDSET,
    )
    inlines = (PartnershipPartyInline, PartnershipFigureInline, PartnershipCitationInline)

    def get_queryset(self, request):
        parties = PartnershipParty.objects.select_related("country", "organization")
        return (
            super()
            .get_queryset(request)
            .annotate(
                figure_count=related_count(Partnership, "figures"),
                citation_count=citations.citation_count(Partnership),
            )
            .prefetch_related(Prefetch("parties", queryset=parties))
        )

    @admin.display(description="parties")
    def party_list(self, obj):
        return ", ".join(str(party) for party in obj.parties.all())

    @admin.display(description="figures", ordering="figure_count")
    def figure_count(self, obj):
        return obj.figure_count

    @admin.display(description="citations", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count


@admin.register(PartnershipParty)
class PartnershipPartyAdmin(RowAdmin):
    list_display = ("partnership", "country", "organization", "role")
    list_filter = (("country", RelatedOnlyFieldListFilter),)
    list_select_related = ("partnership", "country", "organization")
    search_fields = ("partnership__title", "country__name", "organization__name", "organization__abbreviation", "role")
    autocomplete_fields = ("partnership", "country", "organization")
    fields = ("partnership", "country", "organization", "role")
