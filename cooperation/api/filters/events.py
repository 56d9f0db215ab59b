"""The FilterSets of the event resources: the ``/events/`` timeline and each kind's own list.

Kept together because every event resource shares ``EventCoreFilterSet``'s parameters
(country, organization, person, topic, dates, search), which match through the events' derived
facets and texts (``selectors.facets``); each kind adds its own ``kind`` or figure parameters.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django_filters import rest_framework as filters

from cooperation.api.filters.base import CuratedFilterSet, UncertainDateFilterSet
from cooperation.api.filters.fields import CountryFilter, EventSearchFilter, SlugFilter, kind_filter
from cooperation.choices import EventKind, ExerciseKind, MeetingKind, StatementForm
from cooperation.models import (
    Council,
    CouncilSession,
    Event,
    Exercise,
    JointOperation,
    Meeting,
    Metric,
    Organization,
    Outcome,
    Person,
    Statement,
    Topic,
)
from cooperation.models.facets import country_key, organization_key, person_key, topic_key
from cooperation.selectors import facets

# Events --------------------------------------------------------------------------------------------------------------


class EventCoreFilterSet(CuratedFilterSet, UncertainDateFilterSet):
    """Parameters every event resource has; the kinds' FilterSets add their own."""

    # Each names a facet key (``models.facets``); ``filter_queryset`` finds the events under all of them at once.
    country = CountryFilter(
        method="filter_facet",
        help_text="ISO code: a participant from that country (directly, or its organization or person), or the place.",
    )
    topic = SlugFilter(Topic, method="filter_facet", help_text="Topic slug.")
    organization = SlugFilter(
        Organization,
        method="filter_facet",
        help_text="Organization slug: a participant, or the organization whose council met.",
    )
    person = SlugFilter(Person, method="filter_facet", help_text="Participating person slug.")
    search = EventSearchFilter()

    class Meta:
        model = Event
        fields = []

    def filter_facet(self, queryset, name, value):
        # Applied together in filter_queryset(), before the dates, which then seek within the facet's index.
        return queryset

    def facet_keys(self) -> list[str]:
        """The keys the request's parameters name, the likeliest fewest events first: the first drives the walk."""
        data = self.form.cleaned_data
        keys = [
            (name, key(data[name].pk))
            for name, key in (("person", person_key), ("organization", organization_key), ("topic", topic_key))
            if data.get(name)
        ]
        if data.get("country"):
            keys.append(("country", country_key(data["country"].code)))
        return [key for _, key in keys]

    def filter_queryset(self, queryset):
        keys = self.facet_keys()
        if keys:
            queryset = facets.under(queryset, keys, self.user)
        return super().filter_queryset(queryset)


class EventFilterSet(EventCoreFilterSet):
    """``/events/``: the timeline; ``kind`` is the event kind, ``council`` finds sessions of a council."""

    kind = kind_filter("kind", EventKind.choices)
    council = SlugFilter(Council, field_name="councilsession__council", help_text="Council slug: its sessions.")


class CouncilSessionFilterSet(EventCoreFilterSet):
    council = SlugFilter(Council, help_text="Council slug.")

    class Meta(EventCoreFilterSet.Meta):
        model = CouncilSession


class JointOperationFilterSet(EventCoreFilterSet):
    """Operations also by figure: ``metric`` and ``value_min``, met by one and the same figure."""

    metric = SlugFilter(Metric, method="filter_figure", help_text="Metric slug: operations with a figure of it.")
    value_min = filters.NumberFilter(
        method="filter_figure",
        max_digits=20,
        help_text="Operations with a figure of at least this value (of the metric, if given).",
    )

    class Meta(EventCoreFilterSet.Meta):
        model = JointOperation

    def filter_figure(self, queryset, name, value):
        # metric and value_min make one condition on one figure, applied together in filter_queryset().
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        figure = {}
        if data.get("metric"):
            figure["metric"] = data["metric"]
        if data.get("value_min") is not None:
            figure["value__gte"] = data["value_min"]
        if not figure:
            return queryset
        return queryset.filter(Exists(Outcome.objects.filter(event=OuterRef("pk"), **figure)))


class ExerciseFilterSet(EventCoreFilterSet):
    kind = kind_filter("exercise_kind", ExerciseKind.choices)

    class Meta(EventCoreFilterSet.Meta):
        model = Exercise


class MeetingFilterSet(EventCoreFilterSet):
    kind = kind_filter("meeting_kind", MeetingKind.choices)

    class Meta(EventCoreFilterSet.Meta):
        model = Meeting


class StatementFilterSet(EventCoreFilterSet):
    kind = kind_filter("form", StatementForm.choices)

    class Meta(EventCoreFilterSet.Meta):
        model = Statement
