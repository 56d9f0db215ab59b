"""The aggregate endpoints: read the view's own parameters, filter each subject as its list does, aggregate."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from cooperation.api.answers import cached
from cooperation.api.json_renderer import JSONRenderer
from cooperation.api.stats import aggregates
from cooperation.api.stats.serializers import (
    CountryCountSerializer,
    KindCountSerializer,
    NetworkParameters,
    NetworkSerializer,
    OutcomeTotalSerializer,
    OutcomeTotalsParameters,
    YearCountSerializer,
    results_of,
)
from cooperation.api.stats.subjects import EVENTS, NETWORK_EDGES, OUTCOME_SUBJECTS, Subject, filtered


@extend_schema(filters=True)  # the response is an object, not a list; document the filters all the same
class StatsView(GenericAPIView):
    """Base of the aggregates: ``aggregate()`` receives the filtered records of ``subjects_for()``.

    ``filter_backends``, ``filterset_class`` and ``queryset`` tell the OpenAPI schema which
    parameters there are (the event list's; the docstrings name the others);
    ``subjects.filtered()`` applies them, to each subject the aggregate counts.
    """

    filter_backends = [DjangoFilterBackend]
    filterset_class = EVENTS.filterset_class
    queryset = EVENTS.model.objects.none()
    pagination_class = None
    parameters_class: type[serializers.Serializer] | None = None  # the view's own query parameters, if any

    def get(self, request):
        renderer = request.accepted_renderer
        if isinstance(renderer, JSONRenderer):
            # Kept as the bytes it is sent as: a hit of the network's megabytes then copies them, where keeping the
            # data had every hit unpickle and re-render a few hundred thousand objects (45-165 ms at 1M events).
            media_type = request.accepted_media_type
            context = self.get_renderer_context()
            body = cached(request, lambda: renderer.render(self.answer(), media_type, context), vary=(media_type,))
            return HttpResponse(body, content_type=renderer.media_type)
        return Response(cached(request, self.answer))

    def answer(self) -> dict:
        parameters = self.read_parameters(self.request)
        records, whole = filtered(self.request, self.subjects_for(parameters))
        return dict(self.get_serializer(self.aggregate(records, parameters, whole)).data)

    def read_parameters(self, request) -> dict:
        if self.parameters_class is None:
            return {}
        serializer = self.parameters_class(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def subjects_for(self, parameters: dict) -> tuple[Subject, ...]:
        return (EVENTS,)

    def aggregate(self, records: dict[str, QuerySet], parameters: dict, whole: frozenset[str]):
        """The answer's data from each subject's ``records``; ``whole`` names those no parameter narrowed."""
        raise NotImplementedError


class EventsByKindView(StatsView):
    """Events per kind: ``{"results": [{kind, label, count}]}``, every kind listed, zero counts included.

    Accepts the ``/events/`` parameters.
    """

    serializer_class = results_of(KindCountSerializer)

    def aggregate(self, records, parameters, whole):
        events = records["events"]
        return {"results": aggregates.events_by_kind(events, self.request.user, whole="events" in whole)}


class EventsByYearView(StatsView):
    """Events per year: ``{"results": [{year, count}]}``, oldest first.

    An event counts in the year of the earliest day its date may mean (``date.lower``):
    “late 2005” counts in 2005, an interval in the year it starts. Events whose date has
    an open start (``../2006-04-21``) are counted under ``year: null``, listed last.
    Accepts the ``/events/`` parameters.
    """

    serializer_class = results_of(YearCountSerializer)

    def aggregate(self, records, parameters, whole):
        events = records["events"]
        return {"results": aggregates.events_by_year(events, self.request.user, whole="events" in whole)}


class EventsByCountryView(StatsView):
    """Events per country: ``{"results": [{country: {code, name}, count}]}``, most events first.

    ``count`` is the number of distinct events the country takes part in: directly, or
    through one of its organizations or people (the ``country`` filter's rule, without the
    place: hosts are participants with role “host”). Countries without events are not
    listed. Accepts the ``/events/`` parameters.
    """

    serializer_class = results_of(CountryCountSerializer)

    def aggregate(self, records, parameters, whole):
        events = records["events"]
        return {"results": aggregates.events_by_country(events, self.request.user, whole="events" in whole)}


@extend_schema(parameters=[OutcomeTotalsParameters])
class OutcomeTotalsView(StatsView):
    """Figure totals: ``{"results": [{metric: {slug, name}, unit, total, figures, events, partnerships}]}``.

    Adds up the figures that count: a subset of another figure (“six of whom were on the
    wanted list”: ``part_of``) and a figure set aside as contradicted (``counts: false``)
    are left out, and each unit of a metric is a row of its own. ``subject`` picks whose
    figures: events' outcomes (the default; filtered by the ``/events/`` parameters),
    partnerships' figures such as projected investment (filtered by the ``/partnerships/``
    parameters), or all (each parameter then filters both, and must suit both).
    ``metric`` keeps one metric.
    """

    serializer_class = results_of(OutcomeTotalSerializer)
    parameters_class = OutcomeTotalsParameters

    def subjects_for(self, parameters):
        return OUTCOME_SUBJECTS[parameters["subject"]]

    def aggregate(self, records, parameters, whole):
        totals = aggregates.outcome_totals(
            events=records.get("events"), partnerships=records.get("partnerships"), metric=parameters.get("metric")
        )
        return {"results": totals}


@extend_schema(parameters=[NetworkParameters])
class NetworkView(StatsView):
    """The cooperation network: ``{nodes: [{id, type, code | slug, name, degree}], edges: [{source, target, kind,
    weight, partnerships}]}``.

    ``partnership`` edges join each pair of parties (countries or organizations) of a
    partnership: ``weight`` partnerships, listed in ``partnerships`` by id, filtered by the
    ``/partnerships/`` parameters. ``co-participation`` edges join each pair of countries
    taking part in the same event (as counted by events-by-country): ``weight`` shared
    events, filtered by the ``/events/`` parameters. Pairs are unordered, ``source <
    target``. A parameter filters each kind of edge whose list has it (``organization``:
    co-participation only) and must suit each: ``edges`` keeps one kind, as in
    ``?edges=partnership&kind=security`` (to the events' list, ``kind`` is an event kind).
    Every edge is listed by default; ``min_weight`` keeps the strong ones (``?min_weight=5``),
    and the nodes and degrees are then those of the edges kept.
    """

    serializer_class = NetworkSerializer
    parameters_class = NetworkParameters

    def subjects_for(self, parameters):
        return NETWORK_EDGES[parameters["edges"]]

    def aggregate(self, records, parameters, whole):
        return aggregates.network(
            self.request.user,
            partnerships=records.get("partnerships"),
            events=records.get("events"),
            min_weight=parameters["min_weight"],
            whole=whole,
        )


AGGREGATES = {
    "events-by-kind": EventsByKindView,
    "events-by-year": EventsByYearView,
    "events-by-country": EventsByCountryView,
    "outcome-totals": OutcomeTotalsView,
    "network": NetworkView,
}


class StatsRootView(APIView):
    """``/stats/``: the aggregate endpoints, as the API root lists the resources."""

    schema = None  # like DRF's API root: an index, not an operation

    def get(self, request):
        return Response({name: reverse(f"stats-{name}", request=request) for name in AGGREGATES})
