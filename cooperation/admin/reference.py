"""Reference data: countries (ISO 3166-1, loaded by migration) and the topic and metric vocabularies."""

from django.contrib import admin

from cooperation.admin.base import related_count
from cooperation.admin.history import HistoryAdmin
from cooperation.models import Country, Metric, Topic


@admin.register(Country)
class CountryAdmin(HistoryAdmin):
    list_display = ("name", "code", "alpha3", "official_name")
    search_fields = ("name", "code", "alpha3", "official_name")


class VocabularyAdmin(HistoryAdmin):
    """Topics and metrics: short curated lists, with how often each is used."""

    usage = ""  # the reverse relation counted in the “used” column
    list_display = ("name", "slug", "usage_count")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(usage_count=related_count(self.model, self.usage))

    @admin.display(description="used", ordering="usage_count")
    def usage_count(self, obj):
        return obj.usage_count


@admin.register(Topic)
class TopicAdmin(VocabularyAdmin):
    usage = "events"
    fields = ("name", "slug", "description")


@admin.register(Metric)
class MetricAdmin(VocabularyAdmin):
    usage = "outcomes"
    list_display = ("name", "slug", "default_unit", "usage_count")
    fields = ("name", "slug", "default_unit", "description")
