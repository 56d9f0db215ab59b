"""Events: one core shape for every kind, the kind's detail on top.

Core (every kind, and the ``/events/`` timeline)::

    id, url, slug, kind, title, status, updated_at,
    date {edtf, text, lower, upper, precision}, place {name, country},
    summary, topics [slug],
    participants [{uid, role, detail, country, organization, person, citations}],
    citations [{uid, document {id, source, title, published_on, url}, quote, locator, claim}],
    links [{uid, kind, direction, event {id, kind, title, url}}]

A participant has exactly one of ``country`` / ``organization`` / ``person`` set (a small
object carrying its country; the others are null). ``links`` lists both directions:
``direction: "out"`` reads "this <kind> event", ``"in"`` reads "event <kind> this".
``citations`` (the record's and its rows') are embedded with ``?include=citations`` only.
Brief form (``?brief=1``): ``id, url, slug, title, kind, date``.

Detail per kind:

- session: ``council``, ``number``, ``agenda_items [{uid, order, title, topic}]``,
  ``proposals [{uid, title, description, status, citations}]``;
- operation: ``code_name``, ``aim``, ``scale``, ``outcomes [{uid, metric {slug, name}, value,
  unit, qualifier, scope, part_of (uid or null), counts, citations}]`` — ``value`` a JSON number;
- exercise: ``exercise_kind``, ``scale``;
- meeting: ``meeting_kind``, ``subject``, ``duration``;
- statement: ``form``, ``text``, ``medium``, ``speaker`` (the participant with role
  ``speaker``, read-only: write it as a participant).

Writes take the same shape, references by natural key: country ``"UA"``, organization,
person, council, metric and topic by slug, document by ``id``; ``date`` may be the EDTF
string alone. Nested rows are replaced by the list sent; a row keeps its identity when
sent with its ``uid``.
"""

from __future__ import annotations

from functools import cached_property

from rest_framework import serializers

from cooperation.api.fields import (
    CouncilField,
    CountryField,
    EventReferenceSerializer,
    FigureValueField,
    MetricField,
    OrganizationField,
    PersonField,
    SiblingUidField,
    typed_event_url,
)
from cooperation.api.serializers.base import (
    CURATED_FIELDS,
    CitationSerializer,
    CuratedSerializer,
    KeyedRowSerializer,
    PlaceSerializer,
    RequiredDateSerializer,
    StrictTextMixin,
)
from cooperation.choices import Role
from cooperation.models import (
    AgendaItem,
    CouncilSession,
    Event,
    Exercise,
    JointOperation,
    Meeting,
    Outcome,
    Participation,
    Proposal,
    Statement,
    Topic,
)


class ParticipantSerializer(KeyedRowSerializer):
    """Who took part and in what role; exactly one of country, organization or person."""

    country = CountryField(required=False, allow_null=True)
    organization = OrganizationField(required=False, allow_null=True)
    person = PersonField(required=False, allow_null=True)

    class Meta:
        model = Participation
        fields = ("uid", "role", "detail", "country", "organization", "person", "citations")


class OutcomeSerializer(KeyedRowSerializer):
    """A figure: what came of an operation (or of a partnership), as a number dashboards can sum."""

    metric = MetricField()
    value = FigureValueField(min_value=0)
    part_of = SiblingUidField(
        required=False, allow_null=True, help_text="uid of the figure in the same list this one is a subset of."
    )

    class Meta:
        model = Outcome
        fields = ("uid", "metric", "value", "unit", "qualifier", "scope", "part_of", "counts", "citations")


class AgendaItemSerializer(StrictTextMixin, serializers.ModelSerializer):
    uid = serializers.UUIDField(required=False, help_text="Send it back to keep this row on update.")
    topic = serializers.SlugRelatedField(
        slug_field="slug", queryset=Topic.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = AgendaItem
        fields = ("uid", "order", "title", "topic")


class ProposalSerializer(KeyedRowSerializer):
    class Meta:
        model = Proposal
        fields = ("uid", "title", "description", "status", "citations")


class EventCoreSerializer(CuratedSerializer):
    """The fields every event has (see the module docstring for the payload)."""

    date = RequiredDateSerializer(source="*")
    place = PlaceSerializer(source="*", required=False)
    topics = serializers.SlugRelatedField(many=True, slug_field="slug", queryset=Topic.objects.all(), required=False)
    participants = ParticipantSerializer(many=True, source="participations", required=False)
    citations = CitationSerializer(many=True, required=False)
    links = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = (
            *CURATED_FIELDS,
            "kind",
            "title",
            "date",
            "place",
            "summary",
            "topics",
            "participants",
            "citations",
            "links",
        )
        brief_fields = ("id", "url", "slug", "title", "kind", "date")

    @cached_property
    def event_reference(self) -> EventReferenceSerializer:
        return EventReferenceSerializer(context=self.context)

    def get_links(self, event) -> list[dict]:
        """Links to and from other events; those the client may not see are not prefetched, so not listed."""
        links = [(link, "out", link.target) for link in event.links_out.all()]
        links += [(link, "in", link.source) for link in event.links_in.all()]
        return [
            {
                "uid": str(link.uid),
                "kind": link.kind,
                "direction": direction,
                "event": self.event_reference.to_representation(other),
            }
            for link, direction, other in links
        ]


class TimelineEventSerializer(EventCoreSerializer):
    """``/events/``: the core of every kind; ``resource_url`` is the event under its kind's resource."""

    url = serializers.HyperlinkedIdentityField(view_name="event-detail")
    resource_url = serializers.SerializerMethodField()

    class Meta(EventCoreSerializer.Meta):
        fields = (*EventCoreSerializer.Meta.fields, "resource_url")
        read_only_fields = EventCoreSerializer.Meta.fields

    def get_resource_url(self, event) -> str:
        return typed_event_url(event, self.context.get("request"))


class CouncilSessionSerializer(EventCoreSerializer):
    """``/sessions/``: a council's session with its agenda and proposals."""

    url = serializers.HyperlinkedIdentityField(view_name="session-detail")
    # Null when the council is one the reader may not see (``selectors.visibility``); required on writes.
    council = CouncilField(allow_null=True)
    agenda_items = AgendaItemSerializer(many=True, required=False)
    proposals = ProposalSerializer(many=True, required=False)

    class Meta(EventCoreSerializer.Meta):
        model = CouncilSession
        fields = (*EventCoreSerializer.Meta.fields, "council", "number", "agenda_items", "proposals")


class JointOperationSerializer(EventCoreSerializer):
    """``/operations/``: a joint operation and its outcomes."""

    url = serializers.HyperlinkedIdentityField(view_name="operation-detail")
    outcomes = OutcomeSerializer(many=True, required=False)

    class Meta(EventCoreSerializer.Meta):
        model = JointOperation
        fields = (*EventCoreSerializer.Meta.fields, "code_name", "aim", "scale", "outcomes")


class ExerciseSerializer(EventCoreSerializer):
    """``/exercises/``: a drill; the units taking part are its participants."""

    url = serializers.HyperlinkedIdentityField(view_name="exercise-detail")

    class Meta(EventCoreSerializer.Meta):
        model = Exercise
        fields = (*EventCoreSerializer.Meta.fields, "exercise_kind", "scale")


class MeetingSerializer(EventCoreSerializer):
    """``/meetings/``: a meeting, talks or visit."""

    url = serializers.HyperlinkedIdentityField(view_name="meeting-detail")

    class Meta(EventCoreSerializer.Meta):
        model = Meeting
        fields = (*EventCoreSerializer.Meta.fields, "meeting_kind", "subject", "duration")


class SpeakerSerializer(ParticipantSerializer):
    """A statement's participant with role speaker, or null; read-only (write it as a participant)."""

    def get_attribute(self, statement):
        # Read from the prefetched participants rather than a query of its own.
        return next((p for p in statement.participations.all() if p.role == Role.SPEAKER), None)


class StatementSerializer(EventCoreSerializer):
    """``/statements/``: a message, address or speech; ``speaker`` is its participant with role speaker."""

    url = serializers.HyperlinkedIdentityField(view_name="statement-detail")
    speaker = SpeakerSerializer(read_only=True, allow_null=True)

    class Meta(EventCoreSerializer.Meta):
        model = Statement
        fields = (*EventCoreSerializer.Meta.fields, "form", "text", "medium", "speaker")
