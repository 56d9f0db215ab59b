"""Viewsets of the REST API v1: a visible queryset shaped for its serializer, a serializer, a FilterSet.

What a client may see is decided in one place: ``get_queryset()`` starts from
``Model.objects.visible_to(request.user)`` (staff: everything; others: published
records). Each viewset then adds the ``select_related``/``Prefetch`` its serializer
needs, so that a list page costs the same number of queries for one row or two hundred.

Writes (staff only, see ``permissions.StaffWriteOrReadOnly``) go through the
serializers to ``cooperation.services``; the response is the record read back.
"""

from __future__ import annotations

from django.db.models import Prefetch, ProtectedError
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import status, viewsets
from rest_framework.exceptions import APIException

from cooperation import services
from cooperation.api import filters, serializers
from cooperation.api.errors import exception_handler
from cooperation.models import (
    AgendaItem,
    Citation,
    Council,
    CouncilSession,
    Country,
    Document,
    Event,
    EventLink,
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
    Position,
    Proposal,
    Source,
    Statement,
    Topic,
)

ID = r"\d+"


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record is still referenced by others."
    default_code = "conflict"


# Querysets: what each serializer reads, fetched up front ------------------------------------------------------------


def citations() -> Prefetch:
    return Prefetch("citations", queryset=Citation.objects.select_related("document__source"))


def figures(lookup: str) -> Prefetch:
    return Prefetch(lookup, queryset=Outcome.objects.select_related("metric", "part_of").prefetch_related(citations()))


def event_prefetches(user) -> list[str | Prefetch]:
    """What every event payload reads; links only to events ``user`` may see."""
    visible = Event.objects.visible_to(user)
    return [
        "topics",
        Prefetch(
            "participations",
            queryset=Participation.objects.select_related(
                "country", "organization__country", "person__country"
            ).prefetch_related(citations()),
        ),
        citations(),
        Prefetch("links_out", queryset=EventLink.objects.filter(target__in=visible).select_related("target")),
        Prefetch("links_in", queryset=EventLink.objects.filter(source__in=visible).select_related("source")),
    ]


# Bases ---------------------------------------------------------------------------------------------------------------


class VisibleQuerysetMixin:
    """``get_queryset()`` = ``model.objects.visible_to(user)``, then the viewset's ``optimize()``."""

    model = None
    filter_backends = [DjangoFilterBackend, filters.StrictOrderingFilter]

    def get_queryset(self):
        return self.optimize(self.model.objects.visible_to(self.request.user))

    def optimize(self, queryset):
        """Add the select/prefetch the serializer needs."""
        return queryset

    def get_exception_handler(self):
        return exception_handler


class ReadOnlyViewSet(VisibleQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """Reference data and the timeline: list and detail only."""


class CuratedViewSet(VisibleQuerysetMixin, viewsets.ModelViewSet):
    """Curated records: anyone reads what ``visible_to`` allows; staff create, update and delete."""

    lookup_value_regex = ID

    def perform_create(self, serializer):
        serializer.save()
        serializer.instance = self.reload(serializer.instance)

    def perform_update(self, serializer):
        serializer.save()
        serializer.instance = self.reload(serializer.instance)

    def perform_destroy(self, instance):
        try:
            services.record_delete(instance)
        except ProtectedError as exc:
            referrers = sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects})
            raise Conflict(
                f"{instance} is still referenced by {', '.join(referrers)}; change or delete those first."
            ) from exc

    def reload(self, instance):
        """The record as a read returns it: fresh child rows, fetched through the same prefetches."""
        return self.get_queryset().get(pk=instance.pk)


# Reference data ------------------------------------------------------------------------------------------------------


class CountryViewSet(ReadOnlyViewSet):
    """Every ISO 3166-1 country; ``/countries/UA/``."""

    model = Country
    serializer_class = serializers.CountrySerializer
    filterset_class = filters.CountryFilterSet
    lookup_field = "code"
    lookup_value_regex = "[A-Z]{2}"
    ordering_fields = {"code": "code", "name": "name"}
    ordering = ("name",)


class TopicViewSet(ReadOnlyViewSet):
    """What events and partnerships are about; ``/topics/terrorism/``."""

    model = Topic
    serializer_class = serializers.TopicSerializer
    filterset_class = filters.VocabularyFilterSet
    lookup_field = "slug"
    ordering_fields = {"slug": "slug", "name": "name"}
    ordering = ("name",)


class MetricViewSet(ReadOnlyViewSet):
    """What figures count; ``/metrics/crimes-solved/``."""

    model = Metric
    serializer_class = serializers.MetricSerializer
    filterset_class = filters.VocabularyFilterSet
    lookup_field = "slug"
    ordering_fields = {"slug": "slug", "name": "name"}
    ordering = ("name",)


# Actors and provenance -----------------------------------------------------------------------------------------------


class OrganizationViewSet(CuratedViewSet):
    model = Organization
    serializer_class = serializers.OrganizationSerializer
    filterset_class = filters.OrganizationFilterSet
    ordering_fields = {
        "id": "pk",
        "name": "name",
        "abbreviation": "abbreviation",
        "kind": "kind",
        "updated_at": "updated_at",
    }
    ordering = ("name",)

    def optimize(self, queryset):
        return queryset.select_related("country", "parent__country").prefetch_related("members")


class CouncilViewSet(CuratedViewSet):
    model = Council
    serializer_class = serializers.CouncilSerializer
    filterset_class = filters.CouncilFilterSet
    ordering_fields = {"id": "pk", "name": "name", "updated_at": "updated_at"}
    ordering = ("name",)

    def optimize(self, queryset):
        return queryset.select_related("organization__country").prefetch_related("members")


class PersonViewSet(CuratedViewSet):
    model = Person
    serializer_class = serializers.PersonSerializer
    filterset_class = filters.PersonFilterSet
    ordering_fields = {"id": "pk", "name": "name", "updated_at": "updated_at"}
    ordering = ("name",)

    def optimize(self, queryset):
        positions = Position.objects.select_related("organization__country", "country").prefetch_related(citations())
        return queryset.select_related("country").prefetch_related("names", Prefetch("positions", queryset=positions))


class SourceViewSet(CuratedViewSet):
    model = Source
    serializer_class = serializers.SourceSerializer
    filterset_class = filters.SourceFilterSet
    ordering_fields = {"id": "pk", "name": "name", "kind": "kind", "updated_at": "updated_at"}
    ordering = ("name",)

    def optimize(self, queryset):
        return queryset.select_related("country")


class DocumentViewSet(CuratedViewSet):
    model = Document
    serializer_class = serializers.DocumentSerializer
    filterset_class = filters.DocumentFilterSet
    ordering_fields = {"id": "pk", "published_on": "published_on", "title": "title", "updated_at": "updated_at"}
    ordering = ("-published_on", "title")

    def optimize(self, queryset):
        return queryset.select_related("source")


class PartnershipViewSet(CuratedViewSet):
    model = Partnership
    serializer_class = serializers.PartnershipSerializer
    filterset_class = filters.PartnershipFilterSet
    ordering_fields = {"id": "pk", "title": "title", "date": "date_lower", "updated_at": "updated_at"}
    ordering = ("title",)

    def optimize(self, queryset):
        parties = PartnershipParty.objects.select_related("country", "organization__country")
        return queryset.prefetch_related(
            "topics",
            Prefetch("parties", queryset=parties),
            figures("figures"),
            Prefetch("events", queryset=Event.objects.visible_to(self.request.user)),
            citations(),
        )


# Events --------------------------------------------------------------------------------------------------------------

EVENT_ORDERING = {"id": "pk", "date": "date_lower", "title": "title", "updated_at": "updated_at"}


class EventViewSet(ReadOnlyViewSet):
    """``/events/``: the timeline of every kind, read-only; each item links to its kind's resource."""

    model = Event
    serializer_class = serializers.TimelineEventSerializer
    filterset_class = filters.EventFilterSet
    lookup_value_regex = ID
    ordering_fields = EVENT_ORDERING
    ordering = ("-date_lower", "title")

    def optimize(self, queryset):
        return queryset.select_related("place_country").prefetch_related(*event_prefetches(self.request.user))


class EventKindViewSet(CuratedViewSet):
    """Base of the per-kind event resources: the core prefetches plus the kind's ``detail_prefetches()``."""

    ordering_fields = EVENT_ORDERING
    ordering = ("-date_lower", "title")
    detail_related: tuple[str, ...] = ()

    def optimize(self, queryset):
        return queryset.select_related("place_country", *self.detail_related).prefetch_related(
            *event_prefetches(self.request.user), *self.detail_prefetches()
        )

    def detail_prefetches(self) -> list[Prefetch]:
        return []


class CouncilSessionViewSet(EventKindViewSet):
    model = CouncilSession
    serializer_class = serializers.CouncilSessionSerializer
    filterset_class = filters.CouncilSessionFilterSet
    detail_related = ("council",)

    def detail_prefetches(self):
        return [
            Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("topic")),
            Prefetch("proposals", queryset=Proposal.objects.prefetch_related(citations())),
        ]


class JointOperationViewSet(EventKindViewSet):
    model = JointOperation
    serializer_class = serializers.JointOperationSerializer
    filterset_class = filters.JointOperationFilterSet

    def detail_prefetches(self):
        return [figures("outcomes")]


class ExerciseViewSet(EventKindViewSet):
    model = Exercise
    serializer_class = serializers.ExerciseSerializer
    filterset_class = filters.ExerciseFilterSet


class MeetingViewSet(EventKindViewSet):
    model = Meeting
    serializer_class = serializers.MeetingSerializer
    filterset_class = filters.MeetingFilterSet


class StatementViewSet(EventKindViewSet):
    model = Statement
    serializer_class = serializers.StatementSerializer
    filterset_class = filters.StatementFilterSet
