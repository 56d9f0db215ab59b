"""Changelist filters that list only values actually in use."""

from django.contrib import admin
from django.db.models import Q, QuerySet

from cooperation.models import Citation, Country
from cooperation.models.sources import CITED
from cooperation.selectors import citations, facets, involvement


class CountryInvolvedFilter(admin.SimpleListFilter):
    """Records a country is involved in, by the rule of ``selectors.involvement`` (``involving``).

    Offers only the countries that occur in this model's records through ``country_paths`` — not
    all 249 — and filters through a subquery, so a country reached by several paths (the state
    itself and its ministry) never duplicates a row.
    """

    title = "country involved"
    parameter_name = "country"
    country_paths: tuple[str, ...] = ()  # lookups from the model to a Country, for the choices

    def lookups(self, request, model_admin):
        records = model_admin.model._default_manager.all()
        used = Q()
        for path in self.country_paths:
            used |= Q(code__in=records.filter(**{f"{path}__isnull": False}).values(path))
        return [(country.code, country.name) for country in Country.objects.filter(used)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        country = Country.objects.filter(code=self.value()).first()
        return queryset.filter(pk__in=self.involving(country, request.user)) if country else queryset.none()

    def involving(self, country, user) -> QuerySet:
        """Ids of the records ``country`` is involved in."""
        raise NotImplementedError


class EventCountryFilter(CountryInvolvedFilter):
    """Events a country took part in: as a state, or through one of its bodies or people (not as the place alone)."""

    country_paths = (
        "participations__country",
        "participations__organization__country",
        "participations__person__country",
    )

    def involving(self, country, user):
        return facets.events_of(country, user, place=False)


class PartnershipCountryFilter(CountryInvolvedFilter):
    """Partnerships a country is a party to, itself or through one of its bodies."""

    country_paths = ("parties__country", "parties__organization__country")

    def involving(self, country, user):
        return involvement.partnership_parties_from(country, user).values("partnership")


class CitedFilter(admin.SimpleListFilter):
    """Whether a record has at least one citation (``selectors.citations``: its own or its rows')."""

    title = "citations"
    parameter_name = "cited"

    def lookups(self, request, model_admin):
        return [("yes", "Cited"), ("no", "Not cited yet")]

    def queryset(self, request, queryset):
        if self.value() not in {"yes", "no"}:
            return queryset
        cited = citations.cited(queryset.model)
        return queryset.filter(cited if self.value() == "yes" else ~cited)


class CitedRecordFilter(admin.SimpleListFilter):
    """Citations by the kind of record they support (event, figure, participation…)."""

    title = "supports"
    parameter_name = "supports"

    def lookups(self, request, model_admin):
        return [(name, Citation._meta.get_field(name).related_model._meta.verbose_name) for name in CITED]

    def queryset(self, request, queryset):
        if self.value() not in CITED:
            return queryset
        return queryset.filter(**{f"{self.value()}__isnull": False})
