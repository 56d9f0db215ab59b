"""Provenance: outlets, their documents, and the citations tying facts to them."""

from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.utils.text import Truncator

from cooperation.admin.base import RECORD_FIELDSET, CuratedAdmin, related_count
from cooperation.admin.filters import CitedRecordFilter
from cooperation.admin.history import RowAdmin
from cooperation.admin.inlines import COMPACT_TEXT
from cooperation.admin.transfer import TransferMixin
from cooperation.admin.workflow import StatusFilter, status_badge
from cooperation.models import Citation, Document, Source
from cooperation.models.sources import CITED


@admin.register(Source)
class SourceAdmin(CuratedAdmin):
    list_display = ("name", "kind", "country", "language", "state_affiliated", "document_count", status_badge)
    list_filter = ("kind", "state_affiliated", StatusFilter, ("country", RelatedOnlyFieldListFilter))
    list_select_related = ("country",)
    search_fields = ("name", "slug")
    autocomplete_fields = ("country",)
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "slug", "status")}),
        ("Outlet", {"fields": ("kind", "country", "language", "state_affiliated", "url")}),
        RECORD_FIELDSET,
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(document_count=related_count(Source, "documents"))

    @admin.display(description="documents", ordering="document_count")
    def document_count(self, obj):
        return obj.document_count


@admin.register(Document)
class DocumentAdmin(TransferMixin, CuratedAdmin):
    list_display = ("title", "source", "published_on", "kind", "volume", "issue", "citation_count", status_badge)
    list_filter = ("kind", StatusFilter, ("source", RelatedOnlyFieldListFilter))
    list_select_related = ("source",)
    date_hierarchy = "published_on"
    search_fields = ("title", "slug", "url", "source__name")
    autocomplete_fields = ("source",)
    prepopulated_fields = {"slug": ("title",)}
    fieldsets = (
        (None, {"fields": ("title", "slug", "status")}),
        ("Publication", {"fields": ("source", "kind", "published_on", "url", ("volume", "issue"), "language")}),
        ("Content", {"fields": ("text",)}),
        RECORD_FIELDSET,
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_count=related_count(Document, "citations"))

    @admin.display(description="citations", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count


@admin.register(Citation)
class CitationAdmin(RowAdmin):
    """Every citation, whatever it supports; most are entered inline on the record they support."""

    list_display = ("document", "supports", "claim", "locator", "quote_excerpt")
    list_filter = (CitedRecordFilter, ("document__source", RelatedOnlyFieldListFilter))
    # What ``supports`` prints for each kind of target (Participation.__str__ names its party…).
    list_select_related = (
        "document__source",
        "event",
        "participation__country",
        "participation__organization",
        "participation__person",
        "outcome__metric",
        "partnership",
        "position__person",
        "proposal",
    )
    search_fields = ("quote", "claim", "note", "document__title", "document__source__name")
    autocomplete_fields = ("document", *CITED)
    formfield_overrides = COMPACT_TEXT
    fieldsets = (
        (None, {"fields": ("document", "quote", "locator", "claim", "note")}),
        ("Supports (exactly one)", {"fields": CITED}),
    )

    @admin.display(description="quote")
    def quote_excerpt(self, obj):
        return Truncator(obj.quote).chars(120)

    @admin.display(description="supports")
    def supports(self, obj):
        return f"{obj.target._meta.verbose_name}: {obj.target}"
