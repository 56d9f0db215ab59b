"""Viewsets of the REST API v1: a visible queryset shaped for its serializer, a serializer, a FilterSet.

What a client may see is decided in one place: ``get_queryset()`` starts from
``Model.objects.visible_to(request.user)`` (staff: everything; others: published
records). Each viewset then adds the ``select_related``/``Prefetch`` its serializer
needs, so that a list page costs the same number of queries for one row or two hundred —
only for the fields the request's payload shape shows (``?fields=``, ``?brief=``,
``?include=citations``; see ``serializers.shape``), so a smaller payload costs fewer queries.

Writes (staff with the model's permissions, see ``permissions.ModelPermissionsOrReadOnly``) go through the
serializers to ``cooperation.services``; the response is the record read back. Each
write is a revision of the change history by the request's user, with the optional
``X-Change-Reason`` header (percent-encoded UTF-8) as its comment.
"""

from __future__ import annotations

from urllib.parse import unquote

from django.db.models import Prefetch, ProtectedError
from rest_framework import status, viewsets
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.settings import api_settings

from cooperation import history, services
from cooperation.api import filters, parsers, readout, serializers
from cooperation.api.conditional import ConditionalListMixin, ConditionalRetrieveMixin, ConditionalWriteMixin
from cooperation.api.pagination import KeysetPagination
from cooperation.api.renderers import CSVRenderer, stream_csv
from cooperation.api.serializers.shape import EVERYTHING, PayloadShape
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
from cooperation.models.base import is_curator
from cooperation.selectors import visibility
from cooperation.selectors.ordering import TIMELINE

ID = r"\d+"
CHANGE_REASON_HEADER = "X-Change-Reason"


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record is still referenced by others."
    default_code = "conflict"


# Querysets: what each serializer reads, fetched up front ------------------------------------------------------------


# Rows about records the client may not see are left out (``selectors.visibility``); the CSV reads these same
# querysets, so every format leaves out the same rows.


def citations(user, shape: PayloadShape) -> list[Prefetch]:
    """A row's citations, when the payload embeds them (``?include=citations``)."""
    if not shape.citations:
        return []
    return [Prefetch("citations", queryset=visibility.rows(Citation.objects.select_related("document__source"), user))]


def figures(lookup: str, user, shape: PayloadShape) -> Prefetch:
    outcomes = Outcome.objects.select_related("metric", "part_of").prefetch_related(*citations(user, shape))
    return Prefetch(lookup, queryset=outcomes)


def participations(user, shape: PayloadShape) -> Prefetch:
    queryset = Participation.objects.select_related("country", "organization__country", "person__country")
    queryset = visibility.rows(queryset, user)
    return Prefetch("participations", queryset=queryset.prefetch_related(*citations(user, shape)))


def event_prefetches(user, shape: PayloadShape) -> dict[str, list[str | Prefetch]]:
    """What each field of every event payload reads; links only to events ``user`` may see."""
    links_out = visibility.rows(EventLink.objects.select_related("target"), user, via="source")
    links_in = visibility.rows(EventLink.objects.select_related("source"), user, via="target")
    return {
        "topics": ["topics"],
        "participants": [participations(user, shape)],
        "citations": citations(user, shape),
        "links": [Prefetch("links_out", queryset=links_out), Prefetch("links_in", queryset=links_in)],
    }


# Bases ---------------------------------------------------------------------------------------------------------------


class VisibleQuerysetMixin(ConditionalListMixin):
    """``get_queryset()`` = ``model.objects.visible_to(user)``, then the viewset's ``optimize()``.

    Its ``list()`` (``conditional.ConditionalListMixin``) sets ETag/Last-Modified from one aggregate,
    answers 304 before reading a row, and streams every matching row as CSV.

    ``shape`` is the request's ``PayloadShape``, parsed before the handler runs (a bad
    ``fields``/``brief``/``include`` is a 400) and given to the serializers in their context.
    """

    model = None
    shape: PayloadShape | None = None  # None when no request shaped it, as for the OpenAPI schema

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.shape = PayloadShape.from_request(request, self.get_serializer_class())

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "shape": self.shape}

    def get_queryset(self):
        return self.optimize(self.unshaped_queryset())

    def unshaped_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    @property
    def fetched(self) -> PayloadShape:
        """The shape ``optimize()`` fetches for: the request's, or everything."""
        return self.shape or EVERYTHING

    def optimize(self, queryset):
        """Add the select/prefetch the serializer needs for the fields ``self.fetched`` shows."""
        return queryset


class ReadOnlyViewSet(ConditionalRetrieveMixin, VisibleQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """Reference data and the timeline: list and detail only."""


class CuratedViewSet(ConditionalRetrieveMixin, ConditionalWriteMixin, VisibleQuerysetMixin, viewsets.ModelViewSet):
    """Curated records: anyone reads what ``visible_to`` allows; staff with the permissions write."""

    lookup_value_regex = ID

    # Who writes and why go to the services (through the serializer), which record the revision with them.
    def perform_create(self, serializer):
        serializer.save(author=self.change_author())
        serializer.instance = self.reload(serializer.instance)

    def perform_update(self, serializer):
        serializer.save(author=self.change_author())
        serializer.instance = self.reload(serializer.instance)

    def perform_destroy(self, instance):
        try:
            services.record_delete(instance, **self.change_author())
        except ProtectedError as exc:
            referrers = sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects})
            raise Conflict(
                f"{instance} is still referenced by {', '.join(referrers)}; change or delete those first."
            ) from exc

    def reload(self, instance):
        """The record as a read returns it: fresh child rows, fetched through the same prefetches."""
        return self.get_queryset().get(pk=instance.pk)

    def change_author(self) -> dict:
        """Who makes this write, and why: the ``X-Change-Reason`` header, shown in the record's history."""
        reason = unquote(self.request.headers.get(CHANGE_REASON_HEADER, "")).strip()
        if len(reason) > history.REASON_MAX_LENGTH:
            raise ValidationError({CHANGE_REASON_HEADER: [f"At most {history.REASON_MAX_LENGTH} characters."]})
        if parsers.NUL in reason:  # percent-encoded, so the edge (``cooperation.middleware``) saw "%00"
            raise ValidationError({CHANGE_REASON_HEADER: [parsers.NUL_MESSAGE]})
        return {"user": self.request.user, "reason": reason}


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


class VocabularyViewSet(ReadOnlyViewSet):
    """A curated vocabulary, by slug."""

    filterset_class = filters.VocabularyFilterSet
    lookup_field = "slug"
    ordering_fields = {"slug": "slug", "name": "name"}
    ordering = ("name",)


class TopicViewSet(VocabularyViewSet):
    """What events and partnerships are about; ``/topics/terrorism/``."""

    model = Topic
    serializer_class = serializers.TopicSerializer


class MetricViewSet(VocabularyViewSet):
    """What figures count; ``/metrics/crimes-solved/``."""

    model = Metric
    serializer_class = serializers.MetricSerializer


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
        return self.fetched.fetch(
            queryset,
            select={"country": ["country"], "parent": ["parent__country"]},
            prefetch={"members": ["members"]},
        )


class CouncilViewSet(CuratedViewSet):
    model = Council
    serializer_class = serializers.CouncilSerializer
    filterset_class = filters.CouncilFilterSet
    ordering_fields = {"id": "pk", "name": "name", "updated_at": "updated_at"}
    ordering = ("name",)

    def optimize(self, queryset):
        return self.fetched.fetch(
            queryset, select={"organization": ["organization__country"]}, prefetch={"members": ["members"]}
        )


class PersonViewSet(CuratedViewSet):
    model = Person
    serializer_class = serializers.PersonSerializer
    filterset_class = filters.PersonFilterSet
    ordering_fields = {"id": "pk", "name": "name", "updated_at": "updated_at"}
    ordering = ("name",)

    def optimize(self, queryset):
        positions = Position.objects.select_related("organization__country", "country").prefetch_related(
            *citations(self.request.user, self.fetched)
        )
        return self.fetched.fetch(
            queryset,
            select={"country": ["country"]},
            prefetch={"names": ["names"], "positions": [Prefetch("positions", queryset=positions)]},
        )


class SourceViewSet(CuratedViewSet):
    model = Source
    serializer_class = serializers.SourceSerializer
    filterset_class = filters.SourceFilterSet
    ordering_fields = {"id": "pk", "name": "name", "kind": "kind", "updated_at": "updated_at"}
    ordering = ("name",)

    def optimize(self, queryset):
        return self.fetched.fetch(queryset, select={"country": ["country"]})


class DocumentViewSet(CuratedViewSet):
    model = Document
    serializer_class = serializers.DocumentSerializer
    filterset_class = filters.DocumentFilterSet
    ordering_fields = {"id": "pk", "published_on": "published_on", "title": "title", "updated_at": "updated_at"}
    ordering = ("-published_on", "title")

    def optimize(self, queryset):
        return self.fetched.fetch(queryset, select={"source": ["source"]})


class PartnershipViewSet(CuratedViewSet):
    model = Partnership
    serializer_class = serializers.PartnershipSerializer
    filterset_class = filters.PartnershipFilterSet
    ordering_fields = {"id": "pk", "title": "title", "date": "date_lower", "updated_at": "updated_at"}
    ordering = ("title",)

    def optimize(self, queryset):
        parties = visibility.rows(
            PartnershipParty.objects.select_related("country", "organization__country"), self.request.user
        )
        return self.fetched.fetch(
            queryset,
            prefetch={
                "topics": ["topics"],
                "parties": [Prefetch("parties", queryset=parties)],
                "figures": [figures("figures", self.request.user, self.fetched)],
                "events": [Prefetch("events", queryset=Event.objects.visible_to(self.request.user))],
                "citations": citations(self.request.user, self.fetched),
            },
        )


# Events --------------------------------------------------------------------------------------------------------------

EVENT_ORDERING = {"id": "pk", "date": "date_lower", "title": "title", "updated_at": "updated_at"}


class ReadoutMixin:
    """Event pages and details read out by ``readout.Readout``: the serializer compiled into ``values()`` readers.

    The serializer stays the one description of the payload; this reads the same JSON without building a model
    instance per row, compiled once per thread for each view, shape, kind of reader and URL base. A serializer the
    readout cannot read (``readout.Unsupported``) is read out by DRF.
    """

    def rows_of(self, queryset):
        """The readout of ``queryset`` (which the readout fetches for itself: see ``get_queryset``)."""
        request = self.request
        # What the compiled readers depend on: DRF's reverse() keeps ?format= in the URLs it builds.
        key = (
            type(self),
            self.fetched,
            is_curator(request.user),
            request.build_absolute_uri("/"),
            request.query_params.get(api_settings.URL_FORMAT_OVERRIDE),
        )
        try:
            compiled = readout.compiled(key, lambda: readout.Readout(self.get_serializer(), self.optimize(queryset)))
        except readout.Unsupported:
            return super().rows_of(self.optimize(queryset))
        return compiled.over(queryset)

    def get_queryset(self):
        # A read (but for CSV) goes through ``rows_of()``, which adds what reading out needs (``optimize()``) only
        # when it compiles: building those querysets for every request would cost as much as a query. CSV, writes
        # and the OpenAPI schema (no renderer) get them here.
        renderer = getattr(self.request, "accepted_renderer", None)
        if self.request.method in SAFE_METHODS and renderer is not None and not isinstance(renderer, CSVRenderer):
            return self.unshaped_queryset()
        return super().get_queryset()

    def detail_response(self):
        queryset = self.filter_queryset(self.get_queryset())
        lookup = {self.lookup_field: self.kwargs[self.lookup_url_kwarg or self.lookup_field]}
        if self.wants_csv():  # one row, with the list's columns
            get_object_or_404(queryset.prefetch_related(None).values("pk"), **lookup)
            return stream_csv(self.get_serializer(), queryset.filter(**lookup), self.request)
        rows = self.rows_of(queryset)
        if isinstance(rows, readout.Readout):
            return Response(rows.build([get_object_or_404(rows.values, **lookup)])[0])
        instance = get_object_or_404(self.optimize(queryset), **lookup)
        return Response(self.get_serializer(instance).data)


class EventViewSet(ReadoutMixin, ReadOnlyViewSet):
    """``/events/``: the timeline of every kind, read-only; each item links to its kind's resource."""

    model = Event
    pagination_class = KeysetPagination
    page_cache = True
    serializer_class = serializers.TimelineEventSerializer
    filterset_class = filters.EventFilterSet
    lookup_value_regex = ID
    ordering_fields = EVENT_ORDERING
    ordering = TIMELINE

    def optimize(self, queryset):
        return self.fetched.fetch(
            queryset,
            select={"place": ["place_country"]},
            prefetch=event_prefetches(self.request.user, self.fetched),
        )


class EventKindViewSet(ReadoutMixin, CuratedViewSet):
    """Base of the per-kind event resources: the core prefetches plus the kind's ``detail_prefetches()``."""

    pagination_class = KeysetPagination
    page_cache = True
    ordering_fields = EVENT_ORDERING
    ordering = TIMELINE
    detail_related: dict[str, list[str]] = {}

    def optimize(self, queryset):
        return self.fetched.fetch(
            queryset,
            select={"place": ["place_country"], **self.detail_related},
            prefetch={**event_prefetches(self.request.user, self.fetched), **self.detail_prefetches()},
        )

    def detail_prefetches(self) -> dict[str, list[str | Prefetch]]:
        """What the kind's own fields read, by field."""
        return {}


class CouncilSessionViewSet(EventKindViewSet):
    model = CouncilSession
    serializer_class = serializers.CouncilSessionSerializer
    filterset_class = filters.CouncilSessionFilterSet
    detail_related = {"council": ["council"]}

    def detail_prefetches(self):
        user = self.request.user
        return {
            "agenda_items": [Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("topic"))],
            "proposals": [
                Prefetch("proposals", queryset=Proposal.objects.prefetch_related(*citations(user, self.fetched)))
            ],
        }


class JointOperationViewSet(EventKindViewSet):
    model = JointOperation
    serializer_class = serializers.JointOperationSerializer
    filterset_class = filters.JointOperationFilterSet

    def detail_prefetches(self):
        return {"outcomes": [figures("outcomes", self.request.user, self.fetched)]}


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

    def detail_prefetches(self):
        return {"speaker": [participations(self.request.user, self.fetched)]}  # read from the participants
