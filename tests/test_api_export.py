"""CSV exports read as ``values()`` rows (``api.readout``): the bytes the serializers write, a few queries a chunk."""

from __future__ import annotations

from math import ceil

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from cooperation.api import readout, renderers
from cooperation.api.conditional import ConditionalListMixin
from cooperation.api.serializers import TimelineEventSerializer
from cooperation.api.serializers.events import ParticipantSerializer
from cooperation.choices import Status
from cooperation.models import Event, Participation
from tests.factories import (
    CouncilSessionFactory,
    CountryFactory,
    EventLinkFactory,
    ExerciseFactory,
    JointOperationFactory,
    MeetingFactory,
    ParticipationFactory,
    StatementFactory,
    populate_event,
)

API = "/api/v1"

# Each event resource, and its own fields to ask for by name.
EVENTS = {
    "events": "resource_url",
    "operations": "outcomes",
    "sessions": "council,agenda_items,proposals",
    "exercises": "exercise_kind",
    "meetings": "meeting_kind",
    "statements": "speaker",
}
SHAPES = {
    "all": lambda own: {},
    "citations": lambda own: {"include": "citations"},
    "fields": lambda own: {"fields": f"id,title,date,place,participants,links,{own}"},
    "fields+citations": lambda own: {"include": "citations", "fields": f"id,url,citations,topics,{own}"},
    "brief": lambda own: {"brief": "1"},
    "ordered": lambda own: {"ordering": "-title"},
    "filtered": lambda own: {"country": "TJ", "ordering": "date"},
}
OTHERS = (
    "countries",
    "topics",
    "metrics",
    "organizations",
    "councils",
    "people",
    "partnerships",
    "sources",
    "documents",
)


def csv_bytes(client, resource: str, params: dict, *, lean: bool, monkeypatch) -> bytes:
    """The export, read as ``values()`` rows (``lean``; the serializers must not run) or through the serializers."""
    with monkeypatch.context() as patch:
        if lean:
            patch.setattr(renderers, "serialized_chunks", serializers_ran)
        else:
            patch.setattr(readout.Readout, "__init__", refused)
        response = client.get(f"{API}/{resource}/", {"format": "csv", **params})
        assert response.status_code == 200, response.content
        return b"".join(response.streaming_content)


def serializers_ran(*args, **kwargs):
    raise AssertionError("the export fell back to the serializers")


def refused(self, *args, **kwargs):
    raise readout.Unsupported("serialize, for the comparison")


@pytest.fixture
def article_and_drafts(article):
    """The article's records, and a draft meeting that a published one links to (staff see the link, others not)."""
    source = Event.objects.get(slug="passenger-2005")
    EventLinkFactory(source=source, target=MeetingFactory(status=Status.DRAFT, title="A draft meeting"))


@pytest.mark.parametrize("who", ["api", "staff_api"])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("resource", EVENTS)
def test_an_event_export_is_what_the_serializers_write(request, article_and_drafts, monkeypatch, resource, shape, who):
    client = request.getfixturevalue(who)
    params = SHAPES[shape](EVENTS[resource])

    lean = csv_bytes(client, resource, params, lean=True, monkeypatch=monkeypatch)
    serialized = csv_bytes(client, resource, params, lean=False, monkeypatch=monkeypatch)

    assert lean.decode().splitlines() == serialized.decode().splitlines()  # a readable diff, if not
    assert lean == serialized
    assert shape == "filtered" or lean.count(b"\r\n") > 1


def test_the_draft_is_linked_for_staff_only(api, staff_api, article_and_drafts, monkeypatch):
    anonymous = csv_bytes(api, "operations", {}, lean=True, monkeypatch=monkeypatch)
    staff = csv_bytes(staff_api, "operations", {}, lean=True, monkeypatch=monkeypatch)

    assert b"A draft meeting" not in anonymous
    assert b"A draft meeting (" in staff  # in the links' summary


@pytest.mark.parametrize("resource", OTHERS)
def test_every_other_list_exports_what_the_serializers_write(staff_api, article, monkeypatch, resource):
    monkeypatch.setattr(ConditionalListMixin, "csv_chunk_size", 3)
    params = {"include": "citations"} if resource in ("people", "partnerships") else {}

    lean = csv_bytes(staff_api, resource, params, lean=True, monkeypatch=monkeypatch)
    serialized = csv_bytes(staff_api, resource, params, lean=False, monkeypatch=monkeypatch)

    assert lean == serialized
    assert lean.count(b"\r\n") > 1


# Queries -------------------------------------------------------------------------------------------------------------

KINDS = {
    "operations": JointOperationFactory,
    "sessions": CouncilSessionFactory,
    "exercises": ExerciseFactory,
    "meetings": MeetingFactory,
    "statements": StatementFactory,
}


@pytest.mark.parametrize(
    ("resource", "params", "per_chunk"),
    [
        ("events", {}, 4),  # topics, participants, links out, links in
        ("events", {"include": "citations"}, 5),  # and the citations; the participants' are not shown in a cell
        ("events", {"fields": "id,title,date"}, 0),
        ("operations", {}, 5),  # and outcomes
        ("sessions", {}, 6),  # and agenda items, proposals
        ("exercises", {}, 4),
        ("meetings", {}, 4),
        ("statements", {}, 5),  # and the speaker among the participants
        ("statements", {"include": "citations"}, 7),  # and the citations, the record's and the speaker's
    ],
)
def test_an_export_costs_the_same_queries_a_chunk(api, db, monkeypatch, resource, params, per_chunk):
    for factory in KINDS.values():
        for _ in range(3):
            populate_event(factory())

    def export_queries(chunk_size: int) -> tuple[int, int]:
        monkeypatch.setattr(ConditionalListMixin, "csv_chunk_size", chunk_size)
        with CaptureQueriesContext(connection) as queries:
            body = csv_bytes(api, resource, params, lean=True, monkeypatch=monkeypatch)
        return len(queries), body.count(b"\r\n") - 1

    whole, rows = export_queries(1000)
    assert rows >= 3
    assert whole <= per_chunk + 4, "a count for the ETag, the SELECT, a savepoint and its release"
    for chunk_size in (1, 2):
        assert export_queries(chunk_size) == (whole + per_chunk * (ceil(rows / chunk_size) - 1), rows)


# What the export reads, and what it leaves to the serializers --------------------------------------------------------


def timeline_serializer(serializer_class=TimelineEventSerializer):
    request = Request(APIRequestFactory().get(f"{API}/events/", {"format": "csv"}))
    return serializer_class(context={"request": request})


class RelinkedSerializer(TimelineEventSerializer):
    def get_links(self, event):
        return []


class AnnotatedSerializer(TimelineEventSerializer):
    note = serializers.CharField(source="get_kind_display")

    class Meta(TimelineEventSerializer.Meta):
        fields = (*TimelineEventSerializer.Meta.fields, "note")


@pytest.mark.parametrize("serializer_class", [RelinkedSerializer, AnnotatedSerializer])
def test_code_the_export_does_not_mirror_is_left_to_the_serializer(db, serializer_class):
    serializer = timeline_serializer(serializer_class)

    with pytest.raises(readout.Unsupported):
        readout.Readout(serializer, Event.objects.all(), renderers.serializer_columns(serializer))


def test_a_serializer_it_mirrors_compiles(db):
    serializer = timeline_serializer()

    compiled = readout.Readout(serializer, Event.objects.all(), renderers.serializer_columns(serializer))

    assert "place_country__name" in compiled.root.lookups
    assert "place_country__code" not in compiled.root.lookups, "the key's own column, no join"


class ParticipantNamingItsEventSerializer(ParticipantSerializer):
    code = serializers.IntegerField(source="event_id")  # summarized by its event's id: its parent's key

    class Meta(ParticipantSerializer.Meta):
        fields = ("role", "code", "country")


class TimelineOfParticipantsNamingTheirEventSerializer(TimelineEventSerializer):
    participants = ParticipantNamingItsEventSerializer(many=True, source="participations")


def test_an_item_showing_its_parent_is_summarized_per_parent(db):
    for _ in range(2):  # the same country, in the same role: only the event tells them apart
        ParticipationFactory(event=JointOperationFactory(), country=CountryFactory(code="RU"))
    serializer = timeline_serializer(TimelineOfParticipantsNamingTheirEventSerializer)
    columns = renderers.serializer_columns(serializer)
    events = Event.objects.order_by("pk")

    exported = [row for chunk in readout.Readout(serializer, events, columns).chunks(10) for row in chunk]

    cells = renderers.row_cells(columns)
    assert exported == [cells(serializer.to_representation(event)) for event in events]
    assert [row[columns.index("participants")] for row in exported] == [f"{event.pk} (participant)" for event in events]


def test_the_items_of_a_record_keep_their_order_without_sorting_by_record():
    participations = readout.ordered_within_parent(Participation.objects.all(), "event")

    assert participations.query.order_by == ("role", "pk")
    assert readout.ordered_within_parent(Participation.objects.order_by("role"), "event").query.order_by == ("role",)
