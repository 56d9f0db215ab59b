"""The FilterSets of the event resources: the ``/events/`` timeline and each kind's own list.

Kept together because every event resource shares ``EventCoreFilterSet``'s parameters
(country, organization, person, topic, dates, search), which match through participations;
each kind adds its own ``kind`` or figure parameters and searched texts.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django_filters import rest_framework as filters

from cooperation.api.filters.base import CuratedFilterSet, UncertainDateFilterSet
from cooperation.api.filters.fields import CountryFilter, SearchFilter, SlugFilter, kind_filter, topic_filter
from cooperation.api.filters.search import (
    EVENT_TEXT,
    council_named,
    event_participant_named,
    event_quoted,
    operation_named,
)
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
    Participation,
    Person,
    Statement,
)
from cooperation.selectors import involvement

# Events --------------------------------------------------------------------------------------------------------------

EVENT_SEARCH = (EVENT_TEXT, event_participant_named, event_quoted)


class EventCoreFilterSet(CuratedFilterSet, UncertainDateFilterSet):
    """Parameters every event resource has; the kinds' FilterSets add their own.

    ``council_path`` is the lookup from the resource's rows to a session's council, for
    the resources that list sessions (``organization`` then also matches the council's).
    """

    council_path: str | None = None

    country = CountryFilter(
        method="filter_country",
        help_text="ISO code: a participant from that country (directly, or its organization or person), or the place.",
    )
    topic = topic_filter()
    organization = SlugFilter(
        Organization,
        method="filter_organization",
        help_text="Organization slug: a participant, or the organization whose council met.",
    )
    person = SlugFilter(Person, method="filter_person", help_text="Participating person slug.")
    search = SearchFilter(fields=EVENT_SEARCH)

    class Meta:
        model = Event
        fields = []

    def filter_country(self, queryset, name, country):
        # One ``pk IN (… UNION …)``, run once, where an Exists() under OR would be re-run for every event.
        return queryset.filter(pk__in=involvement.events_involving(country, self.user, place=True))

    def filter_organization(self, queryset, name, organization):
        # As filter_country: under OR, a set of ids computed once rather than an Exists() per row.
        # The organization is one the client may see (``SlugFilter``), and so is every participation of it.
        condition = Q(pk__in=Participation.objects.filter(organization=organization).values("event"))
        if self.council_path:
            condition |= Q(**{f"{self.council_path}__organization": organization})
        return queryset.filter(condition)

    def filter_person(self, queryset, name, person):
        return queryset.filter(Exists(Participation.objects.filter(event=OuterRef("pk"), person=person)))


class EventFilterSet(EventCoreFilterSet):
    """``/events/``: the timeline; ``kind`` is the event kind, ``council`` finds sessions of a council."""

    council_path = "councilsession__council"

    kind = kind_filter("kind", EventKind.choices)
    council = SlugFilter(Council, field_name=council_path, help_text="Council slug: its sessions.")
    search = SearchFilter(fields=(*EVENT_SEARCH, operation_named))


class CouncilSessionFilterSet(EventCoreFilterSet):
    council_path = "council"

    council = SlugFilter(Council, help_text="Council slug.")
    search = SearchFilter(fields=(*EVENT_SEARCH, council_named))

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
    search = SearchFilter(fields=(*EVENT_SEARCH, ("code_name", "aim")))

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
    search = SearchFilter(fields=(*EVENT_SEARCH, ("subject",)))

    class Meta(EventCoreFilterSet.Meta):
        model = Meeting


class StatementFilterSet(EventCoreFilterSet):
    kind = kind_filter("form", StatementForm.choices)
    search = SearchFilter(fields=(*EVENT_SEARCH, ("text",)))

    class Meta(EventCoreFilterSet.Meta):
        model = Statement
