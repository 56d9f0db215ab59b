"""Events: one timeline (``Event``) with typed detail per kind (multi-table inheritance)."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from cooperation.choices import (
    EventKind,
    ExerciseKind,
    LinkKind,
    MeetingKind,
    ProposalStatus,
    Qualifier,
    Role,
    StatementForm,
)
from cooperation.models.base import Curated, Keyed, NullsLastIndex, UncertainDate, exactly_one

TIMELINE_ORDER = (models.F("date_lower").desc(nulls_last=True), models.F("title"), models.F("id"))


class Event(Curated, UncertainDate):
    """Something that happened on a (possibly uncertain) date.

    Every event is one of the typed subclasses below; ``kind`` names which, so
    the timeline can be read from this table alone without joining them all.
    """

    KIND = None  # set by each subclass

    kind = models.CharField(max_length=16, choices=EventKind.choices, editable=False, db_index=True)
    title = models.CharField(max_length=250)
    summary = models.TextField(blank=True)
    place_name = models.CharField(max_length=120, blank=True, help_text="City or site, e.g. Dushanbe.")
    place_country = models.ForeignKey(
        "cooperation.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events_hosted",
        help_text="Country where it took place.",
    )
    topics = models.ManyToManyField("cooperation.Topic", blank=True, related_name="events")

    class Meta:
        ordering = ["-date_lower", "title"]
        # The timeline's keyset pages (``api.pagination.KeysetPagination``) walk these in order: newest first,
        # undated last, title and id breaking ties, optionally within one kind.
        indexes = [
            NullsLastIndex(*TIMELINE_ORDER, name="cooperation_event_tl"),
            NullsLastIndex("kind", *TIMELINE_ORDER, name="cooperation_event_kind_tl"),
            models.Index(fields=["status", "date_lower"], name="cooperation_event_status_date"),
        ]
        constraints = UncertainDate.date_constraints("event")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.KIND:
            self.kind = self.KIND
        super().save(*args, **kwargs)

    @property
    def typed(self):
        """This event as its kind's subclass (one query when not already typed)."""
        if self.KIND:
            return self
        model = EVENT_MODELS[self.kind]
        return model.objects.get(pk=self.pk)


class CouncilSession(Event):
    """A session of a council, with its agenda and the proposals made there."""

    KIND = EventKind.SESSION

    council = models.ForeignKey("cooperation.Council", on_delete=models.PROTECT, related_name="sessions")
    number = models.CharField(max_length=40, blank=True, help_text="Session number, if the source gives one.")


class JointOperation(Event):
    """An operation run together by several states' agencies (“Passenger”, “Arsenal”)."""

    KIND = EventKind.OPERATION

    code_name = models.CharField(max_length=120, blank=True, db_index=True)
    aim = models.TextField(blank=True)
    scale = models.CharField(max_length=60, blank=True, help_text="As the source puts it, e.g. “large-scale”.")


class Exercise(Event):
    """A drill or exercise; the units taking part are its participations."""

    KIND = EventKind.EXERCISE

    exercise_kind = models.CharField(max_length=24, choices=ExerciseKind.choices, db_index=True)
    scale = models.CharField(max_length=60, blank=True)


class Meeting(Event):
    """A meeting, talks or visit: who met whom (participations), where, about what."""

    KIND = EventKind.MEETING

    meeting_kind = models.CharField(max_length=16, choices=MeetingKind.choices, db_index=True)
    subject = models.TextField(blank=True, help_text="What was discussed.")
    duration = models.CharField(max_length=60, blank=True, help_text="e.g. “week-long”.")


class Statement(Event):
    """A message, address or speech; the speaker is a participation with role “speaker”."""

    KIND = EventKind.STATEMENT

    form = models.CharField(max_length=16, choices=StatementForm.choices, db_index=True)
    text = models.TextField(blank=True, help_text="Quoted text of the statement, as published.")
    medium = models.CharField(max_length=120, blank=True, help_text="e.g. “broadcast on national TV”.")


EVENT_MODELS = {model.KIND: model for model in (CouncilSession, JointOperation, Exercise, Meeting, Statement)}


class AgendaItem(Keyed):
    """One item on a council session's agenda."""

    session = models.ForeignKey(CouncilSession, on_delete=models.CASCADE, related_name="agenda_items")
    # The bound PostgreSQL's smallint sets, said for SQLite too, whose integers are 64-bit.
    order = models.PositiveSmallIntegerField(default=1, validators=[MaxValueValidator(32767)])
    title = models.CharField(max_length=250)
    topic = models.ForeignKey(
        "cooperation.Topic", on_delete=models.SET_NULL, null=True, blank=True, related_name="agenda_items"
    )

    class Meta:
        ordering = ["session", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "order"],
                name="cooperation_agendaitem_unique_order",
                violation_error_message="Two agenda items of a session cannot share a number.",
            )
        ]

    def __str__(self):
        return f"{self.order}. {self.title}"


class Proposal(Keyed):
    """A proposal or decision at a council session (e.g. a single criminal database)."""

    session = models.ForeignKey(CouncilSession, on_delete=models.CASCADE, related_name="proposals")
    title = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED)

    class Meta:
        ordering = ["session", "title"]

    def __str__(self):
        return self.title


TARGETS = ("country", "organization", "person")


class Participation(Keyed):
    """A party (country, organization or person) taking part in an event, in a role."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    country = models.ForeignKey(
        "cooperation.Country", on_delete=models.PROTECT, null=True, blank=True, related_name="participations"
    )
    organization = models.ForeignKey(
        "cooperation.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
    )
    person = models.ForeignKey(
        "cooperation.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="participations"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PARTICIPANT, db_index=True)
    detail = models.CharField(
        max_length=250, blank=True, help_text="e.g. “special subdivisions”, “as Interior Minister”."
    )

    class Meta:
        ordering = ["event", "role", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=exactly_one(*TARGETS),
                name="cooperation_participation_exactly_one_target",
                violation_error_message="Choose exactly one of country, organization or person.",
            ),
            *(
                models.UniqueConstraint(
                    fields=["event", target, "role"],
                    condition=Q(**{f"{target}__isnull": False}),
                    name=f"cooperation_participation_unique_{target}",
                    violation_error_message=f"This {target} already takes part in this event in this role.",
                )
                for target in TARGETS
            ),
        ]

    def __str__(self):
        return f"{self.party} — {self.get_role_display()}"

    @property
    def party(self):
        return self.country or self.organization or self.person


class Outcome(Keyed):
    """A measured quantity: what came of an operation, or a figure of a partnership.

    Numbers are data so dashboards can sum them. ``part_of`` marks a figure that
    is a subset of another (“7,250 wanted, including 214 in CIS countries”) so
    totals do not count it twice; ``counts`` picks one figure where sources disagree.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, null=True, blank=True, related_name="outcomes")
    partnership = models.ForeignKey(
        "cooperation.Partnership", on_delete=models.CASCADE, null=True, blank=True, related_name="figures"
    )
    metric = models.ForeignKey("cooperation.Metric", on_delete=models.PROTECT, related_name="outcomes")
    value = models.DecimalField(max_digits=20, decimal_places=3)
    unit = models.CharField(max_length=40, blank=True, help_text="Defaults to the metric's unit.")
    qualifier = models.CharField(max_length=16, choices=Qualifier.choices, default=Qualifier.EXACT)
    scope = models.CharField(max_length=250, blank=True, help_text="e.g. “in CIS countries”.")
    part_of = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,  # a subset figure means nothing without its total
        null=True,
        blank=True,
        related_name="parts",
        help_text="The figure this one is a subset of; subsets are not added to totals.",
    )
    counts = models.BooleanField(
        default=True, help_text="Counts in totals; untick for a figure another source contradicts."
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["metric", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=exactly_one("event", "partnership"),
                name="cooperation_outcome_exactly_one_subject",
                violation_error_message="A figure belongs to exactly one event or partnership.",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="cooperation_outcome_value_non_negative",
                violation_error_message="A figure cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"{self.metric}: {self.value.normalize():f} {self.unit}".strip()

    def clean(self):
        super().clean()
        if not self.unit and self.metric_id:
            self.unit = self.metric.default_unit
        if self.part_of_id:
            self.clean_part_of()

    def clean_part_of(self):
        """A subset of a figure of the same record, never of itself, however far round: what totals can rely on.

        Totals leave out every figure that is ``part_of`` another; a figure part of another record's figure, or of a
        loop, would leave out a figure that nothing else counts. Checked here, so admin, API and imports all refuse it.
        """
        whole = self.part_of
        if (whole.event_id, whole.partnership_id) != (self.event_id, self.partnership_id):
            raise ValidationError({"part_of": "A figure can only be part of a figure of the same record."})
        seen = set()
        while whole is not None and whole.pk not in seen:
            if whole.pk == self.pk:
                raise ValidationError({"part_of": "A figure cannot be part of itself, nor of a figure part of it."})
            seen.add(whole.pk)
            whole = whole.part_of


class EventLink(Keyed):
    """A typed link between events: source <kind> target (an exercise held during a session)."""

    source = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=16, choices=LinkKind.choices)

    class Meta:
        ordering = ["source", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target", "kind"],
                name="cooperation_eventlink_unique",
                violation_error_message="These events are already linked this way.",
            ),
            models.CheckConstraint(
                condition=~Q(source=models.F("target")),
                name="cooperation_eventlink_not_self",
                violation_error_message="An event cannot be linked to itself.",
            ),
        ]

    def __str__(self):
        return f"{self.source} — {self.get_kind_display()} — {self.target}"
