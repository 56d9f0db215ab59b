"""Who acts: organizations, councils, people with their name variants and offices."""

from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter

from cooperation.admin.base import (
    DATE_FIELDSET_FIELDS,
    RECORD_FIELDSET,
    CuratedAdmin,
    UncertainDateMixin,
    related_count,
)
from cooperation.admin.history import RowAdmin
from cooperation.admin.inlines import PersonNameInline, PositionCitationInline, PositionInline
from cooperation.admin.transfer import TransferMixin
from cooperation.admin.workflow import StatusFilter, status_badge
from cooperation.models import Council, Organization, Person, PersonName, Position


@admin.register(Organization)
class OrganizationAdmin(TransferMixin, CuratedAdmin):
    list_display = ("name", "abbreviation", "kind", "country", "parent", status_badge, "updated_at")
    list_filter = ("kind", StatusFilter, ("country", RelatedOnlyFieldListFilter))
    list_select_related = ("country", "parent")
    search_fields = ("name", "abbreviation", "slug")
    autocomplete_fields = ("country", "parent", "members")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "abbreviation", "slug", "status")}),
        ("Identity", {"fields": ("kind", "country", "parent", "members", "description")}),
        RECORD_FIELDSET,
    )


@admin.register(Council)
class CouncilAdmin(CuratedAdmin):
    list_display = ("name", "abbreviation", "organization", "session_count", status_badge, "updated_at")
    list_filter = (StatusFilter, ("organization", RelatedOnlyFieldListFilter))
    list_select_related = ("organization",)
    search_fields = ("name", "abbreviation", "slug", "organization__name", "organization__abbreviation")
    autocomplete_fields = ("organization", "members")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "abbreviation", "slug", "status")}),
        ("Membership", {"fields": ("organization", "members", "description")}),
        RECORD_FIELDSET,
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(session_count=related_count(Council, "sessions"))

    @admin.display(description="sessions", ordering="session_count")
    def session_count(self, obj):
        return obj.session_count


@admin.register(Person)
class PersonAdmin(TransferMixin, CuratedAdmin):
    list_display = ("name", "variants", "country", status_badge, "updated_at")
    list_filter = (StatusFilter, ("country", RelatedOnlyFieldListFilter))
    list_select_related = ("country",)
    # Any spelling finds the person: transliterations differ (Rahmonov / Rakhmonov / Rahmon).
    search_fields = ("name", "slug", "names__name")
    autocomplete_fields = ("country",)
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "slug", "status")}),
        ("About", {"fields": ("country", "note")}),
        RECORD_FIELDSET,
    )
    inlines = (PersonNameInline, PositionInline)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("names")

    @admin.display(description="also spelled")
    def variants(self, obj):
        return ", ".join(variant.name for variant in obj.names.all() if variant.name != obj.name)


@admin.register(PersonName)
class PersonNameAdmin(RowAdmin):
    list_display = ("name", "person", "note")
    list_select_related = ("person",)
    search_fields = ("name", "person__name", "note")
    autocomplete_fields = ("person",)


@admin.register(Position)
class PositionAdmin(UncertainDateMixin, RowAdmin):
    list_display = ("person", "title", "rank", "organization", "country", "date_as_given", "date_bounds")
    list_filter = (("country", RelatedOnlyFieldListFilter), ("organization", RelatedOnlyFieldListFilter))
    list_select_related = ("person", "organization", "country")
    search_fields = ("title", "rank", "person__name", "person__names__name", "organization__name")
    autocomplete_fields = ("person", "organization", "country")
    readonly_fields = ("date_bounds", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("person", "title", "rank", "organization", "country")}),
        ("Held", {"fields": DATE_FIELDSET_FIELDS}),
        RECORD_FIELDSET,
    )
    inlines = (PositionCitationInline,)
