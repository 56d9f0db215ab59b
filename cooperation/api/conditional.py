"""Conditional requests and safe writes for the API's viewsets: ETag, Last-Modified, 304, If-Match, 412.

Validators are computed *before* any payload is built, so a ``304 Not Modified`` costs one small query:

- **a list**: one aggregate over the filtered, visible queryset, ``COUNT(*)`` and ``MAX(updated_at)``.
  The ETag is **weak** (``W/"…"``), a digest of those two with the path, the query string, the response
  format and what the client may see. The count is handed on to the paginator, so a list costs no more
  queries than it did without an ETag. Any change, creation, deletion or (un)publication of a listed
  record changes it. A keyset page (the events) digests its own rows' ids and timestamps instead.
- **a detail**: ``(id, updated_at)`` of the record. The ETag is **strong** (RFC 9110 compares If-Match
  strongly), a digest of those with the path, format and what the client may see. A gzipped answer sends it weak
  (``W/"…"``, ``cooperation.middleware``); ``If-Match`` takes that back as the strong one (``GzipWeakened``).

Each also digests a **stamp** of what the records embed (``stamps``): the organizations, people, figures,
citations, documents, outlets, linked events, councils and reference data their payload shows, as the client
may see them. It is read in the same query (a detail's, a page's, a counted list's aggregate: a digest of its
records' stamps), so an organization renamed, a figure corrected or a citation added changes the ETag of every
record showing it, and only theirs; a draft's changes leave the public's ETags alone. A CSV list of events (up
to every event: reading a million stamps would take seconds) digests the data version instead, which every
committed write moves. A write's ``If-Match`` is checked against the same ETag: a record whose embedded records
changed since the client read it is a ``412`` too, for the client's copy is stale.

``Last-Modified`` is the latest ``updated_at`` of the record (or page) and of what it embeds, of a counted list
that of its records (to the second, as HTTP dates are, and blind to a row removed: prefer the ETag).

Writes (PUT/PATCH/DELETE) honour ``If-Match`` and ``If-Unmodified-Since``: a stale validator is
``412 Precondition Failed`` and nothing is written. The check and the write run in one transaction with
the row locked, so two clients holding the same ETag cannot both win. Without ``If-Match`` a write goes
ahead, unless ``settings.API_REQUIRE_IF_MATCH`` is on: then it is ``428 Precondition Required``.

Models without ``updated_at`` (countries, topics, metrics) get no validators here;
``ConditionalGetMiddleware`` gives their answers an ETag from the body instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max, prefetch_related_objects
from django.http import HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, parse_etags
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response

from cooperation.api import answers, stamps
from cooperation.api.pagination import KeysetPagination
from cooperation.api.renderers import CSVRenderer, stream_csv
from cooperation.models.base import is_curator
from cooperation.selectors import ordering

TIMESTAMP = "updated_at"
PRECONDITION_HEADERS = ("HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record has changed since you read it: read it again (new ETag), then retry."
    default_code = "precondition_failed"


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send If-Match with the ETag of the record as you last read it."
    default_code = "precondition_required"


@dataclass(frozen=True)
class Validators:
    """What a response is validated by: its ETag and, when the data has one, its last change."""

    etag: str
    last_modified: datetime | None

    def apply(self, response):
        response["ETag"] = self.etag
        # What a client may see (and so the ETag) depends on who asks: caches must key on the credentials.
        patch_vary_headers(response, ("Authorization", "Cookie"))
        if self.last_modified is not None:
            response["Last-Modified"] = http_date(self.last_modified.timestamp())
        return response

    def evaluate(self, request) -> HttpResponse | None:
        """A 304 (with these validators) if the client's copy is current; raises 412 on a failed precondition."""
        carrier = self.apply(HttpResponse())
        last_modified = int(self.last_modified.timestamp()) if self.last_modified else None
        answer = get_conditional_response(
            GzipWeakened(request), etag=self.etag, last_modified=last_modified, response=carrier
        )
        if answer.status_code == status.HTTP_412_PRECONDITION_FAILED:
            raise PreconditionFailed
        return None if answer is carrier else answer


class GzipWeakened:
    """``request`` as the preconditions read it: an ``If-Match`` ETag sent weak (``W/"…"``) counts as the strong one.

    A compressed answer carries its strong ETag weak (``cooperation.middleware.CompressAPIResponses``, as RFC 9110
    asks of a body re-encoded), and a client echoes what it got. Our ETags name the record's state as the client may
    see it, never the bytes or their encoding, so ``W/"x"`` names the same state as ``"x"``; a stale one is still a
    412. ``If-None-Match`` compares weakly anyway.
    """

    def __init__(self, request):
        self._request = request
        self.META = request.META
        if_match = request.META.get("HTTP_IF_MATCH", "")
        if "W/" in if_match:
            strong = ", ".join(etag.removeprefix("W/") for etag in parse_etags(if_match))
            self.META = {**request.META, "HTTP_IF_MATCH": strong}

    def __getattr__(self, name):
        return getattr(self._request, name)


def digest(*parts) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]


def latest(*moments: datetime | None) -> datetime | None:
    return max((moment for moment in moments if moment is not None), default=None)


# What each view's payloads embed (``stamps.Plan``), by view, payload shape and kind of reader: a few per deployment.
_plans: dict[tuple, stamps.Plan] = {}


class KnownCountPaginator(Paginator):
    """A paginator told the row count (from the ETag's aggregate) instead of counting again."""

    def __init__(self, *args, count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.count = count  # overrides the cached property for this instance


class ValidatorsMixin:
    """How a viewset computes its validators; the mixins below use it, each for one kind of action.

    They are separate because a router offers every action a viewset has: the deleted-records feed
    lists only, the timeline has no writes.
    """

    def has_validators(self) -> bool:
        """Timestamped data, read by a program (the browsable API's pages show who is signed in)."""
        if isinstance(getattr(self.request, "accepted_renderer", None), BrowsableAPIRenderer):
            return False
        try:
            self.model._meta.get_field(TIMESTAMP)
        except FieldDoesNotExist:
            return False
        return True

    def current_validators(self) -> Validators | None:
        """The record's validators from its id, timestamp and stamp (one query): no related rows, no serializer."""
        plan = self.embedded()
        record = self.filter_queryset(self.unshaped_queryset()).select_related(None).prefetch_related(None)
        record = plan.annotate(record.filter(**self.lookup()))
        found = record.values_list("pk", TIMESTAMP, *([] if plan.empty else [stamps.STAMP])).first()
        return self.record_validators(*found) if found else None

    def unshaped_queryset(self):
        """The records a request may reach, without what reading them out needs (select/prefetch)."""
        return self.get_queryset()

    def embedded(self) -> stamps.Plan:
        """What this view's payload embeds of other records and rows, for this shape and reader (``stamps``)."""
        key = (type(self), getattr(self, "fetched", None), is_curator(self.request.user))
        plan = _plans.get(key)
        if plan is None:
            optimize = getattr(self, "optimize", None)
            shaped = optimize(self.unshaped_queryset()) if optimize else self.get_queryset()
            if len(_plans) >= 256:  # a bound, not a policy: the keys a deployment sees are few
                _plans.clear()
            plan = _plans[key] = stamps.Plan.of(shaped, self.request.user)
        return plan

    def record_validators(self, pk, updated_at: datetime, stamp: str | None = None) -> Validators:
        etag = digest(self.representation(), pk, updated_at.isoformat(), stamps.resolved(stamp))
        return Validators(etag=f'"{etag}"', last_modified=latest(updated_at, stamps.latest(stamp)))

    def representation(self) -> str:
        """What, besides the data, shapes the bytes sent: resource, format, and what the client may see.

        Staff and the public see different related rows (links to drafts), so their ETags differ; the
        visibility rule itself stays in ``visible_to``: this only reads the condition it applies.
        """
        visible = self.model.objects.visible_to(self.request.user)
        return digest(self.request.path, self.request.accepted_renderer.format, visible.query.where)

    def lookup(self) -> dict:
        return {self.lookup_field: self.kwargs[self.lookup_url_kwarg or self.lookup_field]}

    #: Whether this view's JSON pages and details are kept under the data version (``answers``, ``PAGE_CACHE_SECONDS``).
    page_cache = False

    def caches_pages(self) -> bool:
        return (
            self.page_cache
            and bool(settings.PAGE_CACHE_SECONDS)
            and self.has_validators()
            and self.request.accepted_renderer.format == "json"
        )

    def page_vary(self) -> tuple:
        """What shapes a cached page besides the data, path, query and reader: the host its links name."""
        return (self.request.build_absolute_uri("/"), self.request.accepted_renderer.format)

    def respond(self, data, validators: Validators | None):
        """``data`` as the answer, or a 304 (or 412) if ``validators`` say the client's copy is current."""
        if validators is not None and (answer := validators.evaluate(self.request)):
            return answer
        response = Response(data)
        return validators.apply(response) if validators is not None else response


class InstanceRows:
    """A list's rows as model instances, read out by ``serialize`` after their related rows are prefetched.

    ``readout.Readout`` offers the same four members for rows read as ``values()`` tuples.
    """

    def __init__(self, queryset, serialize):
        self.lookups = queryset._prefetch_related_lookups
        self.values = queryset.prefetch_related(None)  # prefetched for the page only, once it is known
        self.serialize = serialize

    def keep(self, *names: str) -> None:
        """Every field is there on an instance."""

    @staticmethod
    def value_of(row, name: str):
        return getattr(row, name)

    def build(self, rows: list) -> list:
        prefetch_related_objects(rows, *self.lookups)
        return self.serialize(rows)


def embedded_stamp(row) -> str | None:
    """The stamp ``stamps.Plan.annotate`` gave a row: a ``values_list()`` row's last item, an instance's attribute."""
    return row[-1] if isinstance(row, tuple) else getattr(row, stamps.STAMP)


class ConditionalListMixin(ValidatorsMixin):
    """``list()``: a weak ETag from one aggregate, 304 before any row is read; CSV streamed unpaginated."""

    #: Rows fetched (and prefetched for) at a time while streaming a CSV list.
    csv_chunk_size = 500

    def list(self, request, *args, **kwargs):
        if isinstance(self.paginator, KeysetPagination) and not self.wants_csv():
            if self.caches_pages():  # the page and its validators as last computed for this data version
                answer = answers.cached(
                    request,
                    lambda: self.keyset_answer(self.filter_queryset(self.get_queryset())),
                    seconds="PAGE_CACHE_SECONDS",
                    vary=self.page_vary(),
                )
                return self.respond(*answer)
            return self.keyset_list(self.filter_queryset(self.get_queryset()))
        queryset = self.filter_queryset(self.get_queryset())
        if not self.has_validators():
            return self.list_response(queryset)
        # What the rows embed, as a digest of every row's stamp (``stamps``): in the same aggregate. The event lists
        # (keyset-paged: unbounded) come here as CSV only, every row of them: the data version stands for their stamps.
        embedded = self.embedded().aggregates(queryset, unbounded=isinstance(self.paginator, KeysetPagination))
        stats = queryset.aggregate(count=Count("pk"), last_modified=Max(TIMESTAMP), **embedded)
        stamp = stamps.aggregated(stats) if embedded else ""
        query = sorted(request.query_params.lists())
        etag = digest(self.representation(), query, stats["count"], stats["last_modified"], stamp)
        validators = Validators(etag=f'W/"{etag}"', last_modified=stats["last_modified"])
        return validators.evaluate(request) or validators.apply(self.list_response(queryset, count=stats["count"]))

    def keyset_list(self, queryset):
        """A keyset page: its rows are read first (one query, no count), the ETag is theirs, then the rest is fetched.

        The weak ETag digests the page's ids and timestamps and whether there is more on either side, so any
        change to what the page shows changes it; a 304 costs the one query.
        """
        answer = self.keyset_answer(queryset, conditional=True)
        return answer if isinstance(answer, HttpResponseBase) else self.respond(*answer)

    def keyset_answer(self, queryset, *, conditional: bool = False):
        """``(payload, validators)`` of a keyset page; with ``conditional``, a 304 instead as soon as it is known."""
        rows = self.rows_of(queryset)
        rows.keep("pk", TIMESTAMP, *(name for name, _ in ordering.fields_of(queryset)))
        self.paginator.value_of = rows.value_of
        plan = self.embedded() if self.has_validators() else None
        # Each row's stamp (``stamps``) comes last in the page's own query: a values() row's last item, or an attribute.
        page = self.paginate_queryset(plan.annotate(rows.values) if plan else rows.values)
        validators = None
        if plan is not None:
            stamp_of = (lambda row: None) if plan.empty else embedded_stamp
            stamped = [(rows.value_of(row, "pk"), rows.value_of(row, TIMESTAMP), stamp_of(row)) for row in page]
            seen = [(pk, at.isoformat(), stamps.resolved(stamp)) for pk, at, stamp in stamped]
            around = (self.paginator.has_before, self.paginator.has_more)
            query = sorted(self.request.query_params.lists())
            last_modified = latest(*(latest(at, stamps.latest(stamp)) for _, at, stamp in stamped))
            validators = Validators(
                etag=f'W/"{digest(self.representation(), query, seen, around)}"', last_modified=last_modified
            )
            if conditional and (answer := validators.evaluate(self.request)):
                return answer
        return self.get_paginated_response(rows.build(page)).data, validators

    def rows_of(self, queryset) -> InstanceRows:
        """How the rows of ``queryset`` are read and read out: as model instances, through the serializer."""
        return InstanceRows(queryset, lambda instances: self.get_serializer(instances, many=True).data)

    def wants_csv(self) -> bool:
        return isinstance(self.request.accepted_renderer, CSVRenderer)

    def list_response(self, queryset, count: int | None = None):
        """Every matching row as streamed CSV, else a page (whose count, when known, is not queried again)."""
        if self.wants_csv():
            return stream_csv(self.get_serializer(), queryset, self.request, chunk_size=self.csv_chunk_size)
        if count is not None and isinstance(self.paginator, PageNumberPagination):
            self.paginator.django_paginator_class = partial(KnownCountPaginator, count=count)
        page = self.paginate_queryset(queryset)
        if page is None:
            return Response(self.get_serializer(queryset, many=True).data)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ConditionalRetrieveMixin(ValidatorsMixin):
    """``retrieve()``: a strong ETag from the record's id and timestamp, 304 before it is fetched in full."""

    def retrieve(self, request, *args, **kwargs):
        if self.caches_pages():  # the record and its validators as last read for this data version
            answer = answers.cached(request, self.detail_answer, seconds="PAGE_CACHE_SECONDS", vary=self.page_vary())
            if answer is not None:
                return self.respond(*answer)
        validators = self.current_validators() if self.has_validators() else None
        if validators is None:  # untimestamped, or not there / not visible: the ordinary path (404)
            return self.detail_response()
        return validators.evaluate(request) or validators.apply(self.detail_response())

    def detail_answer(self) -> tuple | None:
        """``(payload, validators)`` of the record; None if it is not there for the client (its 404 is not kept)."""
        validators = self.current_validators()
        return None if validators is None else (self.detail_response().data, validators)

    def detail_response(self):
        """The record as the serializer reads it out (DRF's ``retrieve``)."""
        return super().retrieve(self.request, *self.args, **self.kwargs)


class ConditionalWriteMixin(ValidatorsMixin):
    """PUT/PATCH/DELETE honour If-Match and If-Unmodified-Since (412); PUT/PATCH answer with the new ETag."""

    def update(self, request, *args, **kwargs):
        with transaction.atomic():
            response = super().update(request, *args, **kwargs)
        # The new validators, for the client's next conditional write.
        validators = self.current_validators() if self.has_validators() else None
        return validators.apply(response) if validators else response

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            return super().destroy(request, *args, **kwargs)

    def get_object(self):
        # OPTIONS asks for the object as a PUT would (DRF's metadata), outside update()'s transaction: no lock then.
        if self.request.method in SAFE_METHODS or self.action == "metadata" or not self.has_validators():
            return super().get_object()
        has_preconditions = any(header in self.request.META for header in PRECONDITION_HEADERS)
        if not has_preconditions and settings.API_REQUIRE_IF_MATCH:
            raise PreconditionRequired
        if has_preconditions:
            # Held until update()/destroy() commit: no other write can land between this check and ours.
            list(self.model._base_manager.select_for_update().filter(**self.lookup()).values_list("pk"))
        instance = super().get_object()
        if has_preconditions and (validators := self.current_validators()) is not None:
            validators.evaluate(self.request)  # the ETag of the record as a read shows it, what it embeds included
        return instance
