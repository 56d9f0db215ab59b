"""The FilterSets of every resource that is not an event: partnerships, actors, provenance, reference data, sync.

Each matches its own relations (parties, members, offices, sources) on the shared base
FilterSets and fields; reference data takes only ``search``, and ``/deleted/`` its ``since``.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django_filters import rest_framework as filters

from cooperation.api.filters.base import CuratedFilterSet, UncertainDateFilterSet
from cooperation.api.filters.fields import (
    SEARCH_HELP,
    CountryFilter,
    SearchFilter,
    SlugFilter,
    date_filter,
    datetime_filter,
    kind_filter,
    topic_filter,
)
from cooperation.api.filters.search import (
    COUNCIL_NAME,
    ORGANIZATION_NAME,
    partnership_party_named,
    partnership_quoted,
    person_spelled,
    source_named,
)
from cooperation.choices import DocumentKind, OrganizationKind, PartnershipKind, PartnershipStage, SourceKind
from cooperation.models import (
    Council,
    Country,
    Document,
    Organization,
    Partnership,
    PartnershipParty,
    Person,
    Position,
    Source,
    Tombstone,
)
from cooperation.selectors import involvement, visibility

# Partnerships, actors, provenance ------------------------------------------------------------------------------------


class PartnershipFilterSet(CuratedFilterSet, UncertainDateFilterSet):
    country = CountryFilter(
        method="filter_country", help_text="ISO code: a party that is that country or an organization of it."
    )
    organization = SlugFilter(Organization, method="filter_organization", help_text="Organization slug: a party.")
    kind = kind_filter("kind", PartnershipKind.choices)
    stage = filters.ChoiceFilter(choices=PartnershipStage.choices)
    topic = topic_filter()
    search = SearchFilter(fields=(("title", "summary"), partnership_party_named, partnership_quoted))

    class Meta:
        model = Partnership
        fields = []

    def filter_country(self, queryset, name, country):
        parties = involvement.partnership_parties_from(country, self.user).filter(partnership=OuterRef("pk"))
        return queryset.filter(Exists(parties))

    def filter_organization(self, queryset, name, organization):
        parties = PartnershipParty.objects.filter(organization=organization, partnership=OuterRef("pk"))
        return queryset.filter(Exists(parties))


class OrganizationFilterSet(CuratedFilterSet):
    country = CountryFilter(method="filter_country", help_text="ISO code: the organization's state or a member state.")
    kind = kind_filter("kind", OrganizationKind.choices)
    search = SearchFilter(fields=(ORGANIZATION_NAME, ("description",)))

    class Meta:
        model = Organization
        fields = []

    def filter_country(self, queryset, name, country):
        members = Organization.members.through.objects.filter(organization=OuterRef("pk"), country=country)
        return queryset.filter(Q(country=country) | Exists(members))


class CouncilFilterSet(CuratedFilterSet):
    country = CountryFilter(method="filter_country", help_text="ISO code: a member state, or its organization's state.")
    organization = SlugFilter(Organization, help_text="Organization slug.")
    search = SearchFilter(fields=(COUNCIL_NAME, ("description",)))

    class Meta:
        model = Council
        fields = []

    def filter_country(self, queryset, name, country):
        members = Council.members.through.objects.filter(council=OuterRef("pk"), country=country)
        through = Q(organization__country=country) & visibility.reference("organization", Organization, self.user)
        return queryset.filter(through | Exists(members))


class PersonFilterSet(CuratedFilterSet):
    country = CountryFilter(
        method="filter_country", help_text="ISO code: the person's state, or the state of an office they held."
    )
    organization = SlugFilter(
        Organization, method="filter_organization", help_text="Organization slug: they held an office in it."
    )
    search = SearchFilter(
        fields=(("name",), person_spelled), help_text=f"{SEARCH_HELP} Matched against every spelling of the name."
    )

    class Meta:
        model = Person
        fields = []

    def filter_country(self, queryset, name, country):
        through = Q(organization__country=country) & visibility.reference("organization", Organization, self.user)
        offices = Position.objects.filter(Q(country=country) | through, person=OuterRef("pk"))
        return queryset.filter(Q(country=country) | Exists(offices))

    def filter_organization(self, queryset, name, organization):
        return queryset.filter(Exists(Position.objects.filter(person=OuterRef("pk"), organization=organization)))


class SourceFilterSet(CuratedFilterSet):
    country = CountryFilter(field_name="country", help_text="ISO code of the outlet's state.")
    kind = kind_filter("kind", SourceKind.choices)
    search = SearchFilter(fields=(("name",),))

    class Meta:
        model = Source
        fields = []


class DocumentFilterSet(CuratedFilterSet):
    country = CountryFilter(method="filter_country", help_text="ISO code of the publishing outlet's state.")
    kind = kind_filter("kind", DocumentKind.choices)
    source = SlugFilter(Source, help_text="Source slug.")
    date_after = date_filter(field_name="published_on", lookup_expr="gte", help_text="ISO date; published on or after.")
    date_before = date_filter(
        field_name="published_on", lookup_expr="lte", help_text="ISO date; published on or before."
    )
    search = SearchFilter(fields=(("title",), source_named))

    class Meta:
        model = Document
        fields = []

    def filter_country(self, queryset, name, country):
        return queryset.filter(Q(source__country=country) & visibility.reference("source", Source, self.user))


# Reference data ------------------------------------------------------------------------------------------------------


class CountryFilterSet(filters.FilterSet):
    search = SearchFilter(fields=(("name",), ("code", "alpha3", "official_name")))

    class Meta:
        model = Country
        fields = []


class VocabularyFilterSet(filters.FilterSet):
    """Topics and metrics."""

    search = SearchFilter(fields=(("slug", "name"),))


# Sync ----------------------------------------------------------------------------------------------------------------


class TombstoneFilterSet(filters.FilterSet):
    """``/deleted/``: ``since`` (required) and ``resource``."""

    since = datetime_filter(
        field_name="at",
        lookup_expr="gte",
        required=True,
        error_messages={
            "required": "Give the ISO date-time of your last sync, e.g. 2006-04-21T09:30:00Z.",
        },
        help_text="ISO date-time (required): records gone since then.",
    )
    resource = filters.ChoiceFilter(
        choices=Tombstone._meta.get_field("resource").choices, help_text="Only records gone from this resource."
    )

    class Meta:
        model = Tombstone
        fields = []
