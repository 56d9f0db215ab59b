"""The hot read path: the event timeline and the operations, pages and details, built from ``values()`` rows.

Dashboards poll ``/events/`` and ``/operations/``. Through the serializers a page of 50 costs a model
instance per related row and a walk of a dozen DRF fields per object; here it is one ``values()`` query
per related table and plain dicts — the same JSON, key for key and in the same order (see
``serializers.events`` for the payload; ``tests/test_api_lean.py`` compares both paths on every kind of
row and every payload shape). Writes and the other resources keep the serializers; so does a payload
that embeds citations (``?include=citations``), which dashboards do not poll (``views.LeanEventsMixin``).

The events themselves are already fetched (a page's ETag is computed from them); what is read here
is what the payload shows of their related rows, and only for the fields the request's shape shows.
"""

from __future__ import annotations

from collections import defaultdict

from rest_framework import serializers
from rest_framework.reverse import reverse

from cooperation.api.fields import FigureValueField
from cooperation.models import Event, EventLink, Outcome, Participation
from cooperation.selectors import visibility

DATETIME = serializers.DateTimeField()
FIGURE = FigureValueField()

PARTICIPANT_COLUMNS = (
    "event_id",
    "uid",
    "role",
    "detail",
    "country_id",
    "country__name",
    "organization_id",
    "organization__slug",
    "organization__name",
    "organization__abbreviation",
    "organization__kind",
    "organization__country_id",
    "organization__country__name",
    "person_id",
    "person__slug",
    "person__name",
    "person__country_id",
    "person__country__name",
)
OUTCOME_COLUMNS = (
    "event_id",
    "uid",
    "metric__slug",
    "metric__name",
    "value",
    "unit",
    "qualifier",
    "scope",
    "part_of__uid",
    "counts",
)


class Urls:
    """Absolute URLs as DRF's ``reverse`` makes them (query flags such as ``?format=`` kept), one reverse per view."""

    def __init__(self, request):
        self.request = request
        self.templates: dict[str, tuple[str, str]] = {}

    def __call__(self, view_name: str, pk) -> str:
        if view_name not in self.templates:
            url = reverse(view_name, kwargs={"pk": 0}, request=self.request)
            prefix, suffix = url.rsplit("/0/", 1)
            self.templates[view_name] = (f"{prefix}/", f"/{suffix}")
        prefix, suffix = self.templates[view_name]
        return f"{prefix}{pk}{suffix}"


def country(code, name) -> dict | None:
    return {"code": code, "name": name} if code else None


def date(value) -> str | None:
    return value.isoformat() if value else None


class EventRows:
    """The default payload of a page of events (``view_name`` the list's detail view, e.g. ``event-detail``).

    ``extra`` adds the kind's own fields (``operation_fields``); ``resource_url`` adds the timeline's link
    to the event under its kind's resource.
    """

    def __init__(self, request, shape, view_name: str, *, resource_url: bool = False, outcomes: bool = False):
        self.request, self.shape, self.view_name = request, shape, view_name
        self.urls = Urls(request)
        self.resource_url, self.outcomes = resource_url, outcomes

    def build(self, events: list) -> list[dict]:
        ids = [event.pk for event in events]
        shows = self.shape.shows
        topics = self.topics(ids) if shows("topics") else {}
        participants = self.participants(ids) if shows("participants") else {}
        links = self.links(ids) if shows("links") else {}
        outcomes = self.figures(ids) if self.outcomes and shows("outcomes") else {}
        rows = []
        for event in events:
            row = self.core(event, topics, participants, links)
            if self.outcomes:
                row.update(
                    code_name=event.code_name, aim=event.aim, scale=event.scale, outcomes=outcomes.get(event.pk, [])
                )
            if self.resource_url:
                row["resource_url"] = self.urls(f"{event.kind}-detail", event.pk)
            rows.append({name: value for name, value in row.items() if shows(name)})
        return rows

    def core(self, event, topics, participants, links) -> dict:
        return {
            "id": event.pk,
            "url": self.urls(self.view_name, event.pk),
            "slug": event.slug,
            "status": event.status,
            "updated_at": DATETIME.to_representation(event.updated_at),
            "kind": event.kind,
            "title": event.title,
            "date": {
                "edtf": event.date,
                "text": event.date_text,
                "lower": date(event.date_lower),
                "upper": date(event.date_upper),
                "precision": event.date_precision,
            },
            # The place's country is joined to the page only when the shape shows it.
            "place": self.place(event) if self.shape.shows("place") else None,
            "summary": event.summary,
            "topics": topics.get(event.pk, []),
            "participants": participants.get(event.pk, []),
            "links": links.get(event.pk, []),
        }

    @staticmethod
    def place(event) -> dict:
        code = event.place_country_id
        return {"name": event.place_name, "country": country(code, event.place_country.name) if code else None}

    # One query per related table, grouped by event; orderings are the prefetches' (the models' Meta).

    def topics(self, ids) -> dict[int, list[str]]:
        through = Event.topics.through.objects.filter(event_id__in=ids).order_by("topic__name")
        grouped = defaultdict(list)
        for event_id, slug in through.values_list("event_id", "topic__slug"):
            grouped[event_id].append(slug)
        return grouped

    def participants(self, ids) -> dict[int, list[dict]]:
        rows = visibility.rows(Participation.objects.filter(event_id__in=ids), self.request.user)
        rows = rows.order_by("event_id", "role", "pk")
        grouped = defaultdict(list)
        for row in rows.values(*PARTICIPANT_COLUMNS):
            grouped[row["event_id"]].append(
                {
                    "uid": str(row["uid"]),
                    "role": row["role"],
                    "detail": row["detail"],
                    "country": country(row["country_id"], row["country__name"]),
                    "organization": self.organization(row),
                    "person": self.person(row),
                }
            )
        return grouped

    def organization(self, row) -> dict | None:
        if not row["organization_id"]:
            return None
        return {
            "id": row["organization_id"],
            "slug": row["organization__slug"],
            "url": self.urls("organization-detail", row["organization_id"]),
            "name": row["organization__name"],
            "abbreviation": row["organization__abbreviation"],
            "kind": row["organization__kind"],
            "country": country(row["organization__country_id"], row["organization__country__name"]),
        }

    def person(self, row) -> dict | None:
        if not row["person_id"]:
            return None
        return {
            "id": row["person_id"],
            "slug": row["person__slug"],
            "url": self.urls("person-detail", row["person_id"]),
            "name": row["person__name"],
            "country": country(row["person__country_id"], row["person__country__name"]),
        }

    def links(self, ids) -> dict[int, list[dict]]:
        """Links out, then in, to events the client may see (as ``views.event_prefetches`` fetches them).

        Two queries, not one with ``OR``: PostgreSQL turns each ``IN (visible events)`` into a semi-join
        along the link's index, but under ``OR`` it hashes every visible event instead (~100 ms at 100k).
        """
        grouped = defaultdict(list)
        ends = ("id", "kind", "title")
        for direction, own, other in (("out", "source", "target"), ("in", "target", "source")):
            links = visibility.rows(EventLink.objects.filter(**{f"{own}_id__in": ids}), self.request.user, via=own)
            links = links.order_by("source", "kind")
            columns = (f"{own}_id", "uid", "kind", *(f"{other}__{end}" for end in ends))
            for own_id, uid, kind, *event in links.values_list(*columns):
                grouped[own_id].append(self.link(uid, kind, direction, *event))
        return grouped

    def link(self, uid, kind: str, direction: str, pk: int, event_kind: str, title: str) -> dict:
        reference = {"id": pk, "kind": event_kind, "title": title, "url": self.urls(f"{event_kind}-detail", pk)}
        return {"uid": str(uid), "kind": kind, "direction": direction, "event": reference}

    def figures(self, ids) -> dict[int, list[dict]]:
        rows = Outcome.objects.filter(event_id__in=ids).order_by("metric", "pk")
        grouped = defaultdict(list)
        for row in rows.values(*OUTCOME_COLUMNS):
            grouped[row["event_id"]].append(
                {
                    "uid": str(row["uid"]),
                    "metric": {"slug": row["metric__slug"], "name": row["metric__name"]},
                    "value": FIGURE.to_representation(row["value"]),
                    "unit": row["unit"],
                    "qualifier": row["qualifier"],
                    "scope": row["scope"],
                    "part_of": str(row["part_of__uid"]) if row["part_of__uid"] else None,
                    "counts": row["counts"],
                }
            )
        return grouped
