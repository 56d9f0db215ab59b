"""Query parameters of the API's lists: one FilterSet per resource, and a strict ordering backend.

Common parameters:

- ``country`` — ISO code; what it matches depends on the resource (an event: any
  participant from that country, directly or through its organization or person,
  or the place). Matching goes through ``Exists()`` subqueries, never joins, so a
  record is listed once however many of its rows match.
- ``kind`` — the resource's own kind (events: the event kind; exercises: the
  exercise kind; statements: the form; …).
- ``date_after`` / ``date_before`` — ISO dates. By default a record matches when its
  uncertain date *may* fall in the range (overlap); ``date_mode=within`` asks for
  records *certainly* inside it.
- ``search`` — case-insensitive; every word must match one of the resource's names,
  titles or texts (name variants of people included).
- ``status`` — curation status. Anonymous clients only ever see published records.
- ``updated_since`` — ISO date-time, for incremental sync.
- ``ordering`` — comma-separated names from the view's ``ordering_fields``, ``-`` for descending.

A malformed or unknown value is a 400 naming the parameter, never silently ignored.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django_filters import rest_framework as filters
from rest_framework import serializers
from rest_framework.filters import OrderingFilter

from cooperation.choices import (
    DocumentKind,
    EventKind,
    ExerciseKind,
    MeetingKind,
    OrganizationKind,
    PartnershipKind,
    PartnershipStage,
    SourceKind,
    StatementForm,
    Status,
)
from cooperation.dates import overlap_q, within_q
from cooperation.models import (
    Council,
    CouncilSession,
    Country,
    Document,
    Event,
    Exercise,
    JointOperation,
    Meeting,
    Metric,
    Organization,
    Outcome,
    Participation,
    Partnership,
    PartnershipParty,
    Person,
    PersonName,
    Source,
    Statement,
    Topic,
)

ISO_DATE_FORMATS = ["%Y-%m-%d"]
ISO_DATE_ERRORS = {"invalid": "Enter an ISO date, e.g. 2005-12-31."}


# Filters -------------------------------------------------------------------------------------------------------------


class CountryCodeField(forms.CharField):
    """An ISO 3166-1 alpha-2 code, cleaned to its ``Country``; unknown codes are an error."""

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        try:
            return Country.objects.get(code=code.strip().upper())
        except Country.DoesNotExist:
            raise ValidationError(
                "Unknown country code “%(code)s”; use an ISO 3166-1 alpha-2 code such as UA.",
                code="unknown_country",
                params={"code": code},
            ) from None


class CountryFilter(filters.Filter):
    """``?country=UA``; what it matches is the FilterSet's ``method``."""

    field_class = CountryCodeField


class SlugFilter(filters.ModelChoiceFilter):
    """A related record by slug, among those the client may see (others are “unknown”, not revealed)."""

    def __init__(self, model, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": f"No {model._meta.verbose_name} with slug “%(value)s”."},
        )
        super().__init__(queryset=lambda request: model.objects.visible_to(getattr(request, "user", None)), **kwargs)


class SearchFilter(filters.CharFilter):
    """Every word must match one of ``fields``, case-insensitively.

    An entry of ``fields`` is a lookup path (``title``) or, for to-many relations,
    a callable ``term -> Exists(...)`` so that matches never duplicate rows.
    """

    def __init__(self, *, fields, **kwargs):
        kwargs.setdefault("help_text", "Words to look for (case-insensitive), all of which must match.")
        super().__init__(**kwargs)
        self.search_fields = fields

    def filter(self, queryset, value):
        for term in value.split():
            queryset = queryset.filter(reduce(or_, (self._match(field, term) for field in self.search_fields)))
        return queryset

    @staticmethod
    def _match(field, term) -> Q:
        return Q(field(term)) if callable(field) else Q(**{f"{field}__icontains": term})


def kind_filter(field_name: str, choices) -> filters.ChoiceFilter:
    return filters.ChoiceFilter(field_name=field_name, choices=choices, help_text="The record's kind.")


# Base FilterSets ---------------------------------------------------------------------------------------------------


class CuratedFilterSet(filters.FilterSet):
    """``status`` and ``updated_since``, for every curated resource."""

    status = filters.ChoiceFilter(
        choices=Status.choices, help_text="Curation status; anonymous clients see published records only."
    )
    updated_since = filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="ISO date-time; records changed since then."
    )


class UncertainDateFilterSet(filters.FilterSet):
    """``date_after`` / ``date_before`` / ``date_mode`` over an uncertain ``date`` (overlap by default)."""

    date_after = filters.DateFilter(
        method="filter_date_range",
        input_formats=ISO_DATE_FORMATS,
        error_messages=ISO_DATE_ERRORS,
        help_text="ISO date; records that may (or, with date_mode=within, certainly) end on or after it.",
    )
    date_before = filters.DateFilter(
        method="filter_date_range",
        input_formats=ISO_DATE_FORMATS,
        error_messages=ISO_DATE_ERRORS,
        help_text="ISO date; records that may (or, with date_mode=within, certainly) start on or before it.",
    )
    date_mode = filters.ChoiceFilter(
        method="filter_date_range",
        choices=[("overlap", "may fall in the range"), ("within", "certainly inside the range")],
        help_text="overlap (default) or within.",
    )

    def filter_date_range(self, queryset, name, value):
        # The three parameters make one condition, applied together in filter_queryset().
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        after, before = data.get("date_after"), data.get("date_before")
        if not (after or before):
            return queryset
        condition = within_q if data.get("date_mode") == "within" else overlap_q
        return queryset.filter(condition("date", after, before))


def participant_from(country: Country) -> Q:
    """A participation of ``country``: directly, or through its organization's or person's country."""
    return Q(country=country) | Q(organization__country=country) | Q(person__country=country)


# Events --------------------------------------------------------------------------------------------------------------

EVENT_SEARCH = ("title", "summary", "place_name")


class EventCoreFilterSet(CuratedFilterSet, UncertainDateFilterSet):
    """Parameters every event resource has; the kinds' FilterSets add their own."""

    country = CountryFilter(
        method="filter_country",
        help_text="ISO code: a participant from that country (directly, or its organization or person), or the place.",
    )
    # A join, not Exists(): an event has a topic at most once, so one topic cannot duplicate rows.
    topic = SlugFilter(Topic, field_name="topics", help_text="Topic slug.")
    organization = SlugFilter(Organization, method="filter_participant", help_text="Participating organization slug.")
    person = SlugFilter(Person, method="filter_participant", help_text="Participating person slug.")
    search = SearchFilter(fields=EVENT_SEARCH)

    class Meta:
        model = Event
        fields = []

    def filter_country(self, queryset, name, country):
        participations = Participation.objects.filter(participant_from(country), event=OuterRef("pk"))
        return queryset.filter(Exists(participations) | Q(place_country=country))

    def filter_participant(self, queryset, name, record):
        return queryset.filter(Exists(Participation.objects.filter(event=OuterRef("pk"), **{name: record})))


class EventFilterSet(EventCoreFilterSet):
    """``/events/``: the timeline; ``kind`` is the event kind, ``search`` includes operations' code names."""

    kind = kind_filter("kind", EventKind.choices)
    search = SearchFilter(fields=(*EVENT_SEARCH, "jointoperation__code_name"))


class CouncilSessionFilterSet(EventCoreFilterSet):
    council = SlugFilter(Council, help_text="Council slug.")
    search = SearchFilter(fields=(*EVENT_SEARCH, "council__name", "council__abbreviation"))

    class Meta(EventCoreFilterSet.Meta):
        model = CouncilSession


class JointOperationFilterSet(EventCoreFilterSet):
    metric = SlugFilter(Metric, method="filter_metric", help_text="Metric slug: operations with a figure of it.")
    search = SearchFilter(fields=(*EVENT_SEARCH, "code_name", "aim"))

    class Meta(EventCoreFilterSet.Meta):
        model = JointOperation

    def filter_metric(self, queryset, name, metric):
        return queryset.filter(Exists(Outcome.objects.filter(event=OuterRef("pk"), metric=metric)))


class ExerciseFilterSet(EventCoreFilterSet):
    kind = kind_filter("exercise_kind", ExerciseKind.choices)

    class Meta(EventCoreFilterSet.Meta):
        model = Exercise


class MeetingFilterSet(EventCoreFilterSet):
    kind = kind_filter("meeting_kind", MeetingKind.choices)
    search = SearchFilter(fields=(*EVENT_SEARCH, "subject"))

    class Meta(EventCoreFilterSet.Meta):
        model = Meeting


class StatementFilterSet(EventCoreFilterSet):
    kind = kind_filter("form", StatementForm.choices)
    search = SearchFilter(fields=(*EVENT_SEARCH, "text"))

    class Meta(EventCoreFilterSet.Meta):
        model = Statement


# Partnerships, actors, provenance ------------------------------------------------------------------------------------


class PartnershipFilterSet(CuratedFilterSet, UncertainDateFilterSet):
    country = CountryFilter(
        method="filter_country", help_text="ISO code: a party that is that country or an organization of it."
    )
    kind = kind_filter("kind", PartnershipKind.choices)
    stage = filters.ChoiceFilter(choices=PartnershipStage.choices)
    topic = SlugFilter(Topic, field_name="topics", help_text="Topic slug.")
    search = SearchFilter(fields=("title", "summary"))

    class Meta:
        model = Partnership
        fields = []

    def filter_country(self, queryset, name, country):
        parties = PartnershipParty.objects.filter(
            Q(country=country) | Q(organization__country=country), partnership=OuterRef("pk")
        )
        return queryset.filter(Exists(parties))


class OrganizationFilterSet(CuratedFilterSet):
    country = CountryFilter(method="filter_country", help_text="ISO code: the organization's state or a member state.")
    kind = kind_filter("kind", OrganizationKind.choices)
    search = SearchFilter(fields=("name", "abbreviation"))

    class Meta:
        model = Organization
        fields = []

    def filter_country(self, queryset, name, country):
        members = Organization.members.through.objects.filter(organization=OuterRef("pk"), country=country)
        return queryset.filter(Q(country=country) | Exists(members))


class CouncilFilterSet(CuratedFilterSet):
    country = CountryFilter(method="filter_country", help_text="ISO code: a member state, or its organization's state.")
    organization = SlugFilter(Organization, help_text="Organization slug.")
    search = SearchFilter(fields=("name", "abbreviation"))

    class Meta:
        model = Council
        fields = []

    def filter_country(self, queryset, name, country):
        members = Council.members.through.objects.filter(council=OuterRef("pk"), country=country)
        return queryset.filter(Q(organization__country=country) | Exists(members))


class PersonFilterSet(CuratedFilterSet):
    country = CountryFilter(field_name="country", help_text="ISO code of the person's state.")
    search = SearchFilter(
        fields=("name", lambda term: Exists(PersonName.objects.filter(person=OuterRef("pk"), name__icontains=term))),
        help_text="Words to look for in the name or any of its spellings.",
    )

    class Meta:
        model = Person
        fields = []


class SourceFilterSet(CuratedFilterSet):
    country = CountryFilter(field_name="country", help_text="ISO code of the outlet's state.")
    kind = kind_filter("kind", SourceKind.choices)
    search = SearchFilter(fields=("name",))

    class Meta:
        model = Source
        fields = []


class DocumentFilterSet(CuratedFilterSet):
    country = CountryFilter(field_name="source__country", help_text="ISO code of the publishing outlet's state.")
    kind = kind_filter("kind", DocumentKind.choices)
    source = SlugFilter(Source, help_text="Source slug.")
    date_after = filters.DateFilter(
        field_name="published_on",
        lookup_expr="gte",
        input_formats=ISO_DATE_FORMATS,
        error_messages=ISO_DATE_ERRORS,
        help_text="ISO date; published on or after it.",
    )
    date_before = filters.DateFilter(
        field_name="published_on",
        lookup_expr="lte",
        input_formats=ISO_DATE_FORMATS,
        error_messages=ISO_DATE_ERRORS,
        help_text="ISO date; published on or before it.",
    )
    search = SearchFilter(fields=("title", "source__name"))

    class Meta:
        model = Document
        fields = []


# Reference data ------------------------------------------------------------------------------------------------------


class CountryFilterSet(filters.FilterSet):
    search = SearchFilter(fields=("code", "alpha3", "name", "official_name"))

    class Meta:
        model = Country
        fields = []


class VocabularyFilterSet(filters.FilterSet):
    """Topics and metrics."""

    search = SearchFilter(fields=("slug", "name"))


# Ordering ------------------------------------------------------------------------------------------------------------


class StrictOrderingFilter(OrderingFilter):
    """``?ordering=`` as DRF's, except that an unknown field is a 400 instead of silently ignored.

    A view's ``ordering_fields`` maps each public name to a model path
    (``{"date": "date_lower"}``), and the primary key breaks ties so pages never
    overlap or skip rows.
    """

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if not params:
            return self._break_ties(self.get_default_ordering(view) or ())
        allowed = view.ordering_fields
        ordering, unknown = [], []
        for term in filter(None, (param.strip() for param in params.split(","))):
            name = term.removeprefix("-")
            if name in allowed:
                ordering.append(("-" if term.startswith("-") else "") + allowed[name])
            else:
                unknown.append(name)
        if unknown:
            raise serializers.ValidationError(
                {
                    self.ordering_param: [
                        f"Unknown ordering field(s): {', '.join(unknown)}. Choose from: {', '.join(allowed)} "
                        "(prefix - for descending)."
                    ]
                }
            )
        return self._break_ties(ordering)

    @staticmethod
    def _break_ties(ordering):
        ordering = list(ordering)
        if ordering and not {"pk", "-pk"} & set(ordering):
            ordering.append("pk")
        return ordering
