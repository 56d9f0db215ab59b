"""factory_boy factories for the domain models.

Curated records default to ``published`` (what anonymous clients see); pass
``status=Status.DRAFT`` for the hidden case. Countries, topics and metrics are
reference data loaded by migrations: their factories fetch the existing rows.
``populate_event()`` gives an event one of every child row the API shows.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from cooperation.choices import (
    EventKind,
    ExerciseKind,
    LinkKind,
    MeetingKind,
    OrganizationKind,
    PartnershipKind,
    Role,
    SourceKind,
    StatementForm,
    Status,
)
from cooperation.models import (
    AgendaItem,
    Citation,
    Council,
    CouncilSession,
    Country,
    Document,
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
    PersonName,
    Position,
    Proposal,
    Source,
    Statement,
    Topic,
)

# Reference data (already in the database) ----------------------------------------------------------------------------


class CountryFactory(DjangoModelFactory):
    """An existing country by ``code`` (all ISO countries are loaded by a migration)."""

    class Meta:
        model = Country
        django_get_or_create = ("code",)

    code = "RU"


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    slug = "terrorism"


class MetricFactory(DjangoModelFactory):
    class Meta:
        model = Metric
        django_get_or_create = ("slug",)

    slug = "crimes-solved"


# Curated records ----------------------------------------------------------------------------------------------------


class CuratedFactory(DjangoModelFactory):
    class Meta:
        abstract = True

    status = Status.PUBLISHED


class OrganizationFactory(CuratedFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True  # the members hook writes the many-to-many table itself

    name = factory.Sequence(lambda n: f"Interior Ministry {n}")
    slug = factory.Sequence(lambda n: f"organization-{n}")
    kind = OrganizationKind.MINISTRY
    country = factory.SubFactory(CountryFactory)

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.set(extracted)


class CouncilFactory(CuratedFactory):
    class Meta:
        model = Council
        skip_postgeneration_save = True  # the members hook writes the many-to-many table itself

    name = factory.Sequence(lambda n: f"Council of Interior Ministers {n}")
    slug = factory.Sequence(lambda n: f"council-{n}")
    organization = factory.SubFactory(OrganizationFactory, kind=OrganizationKind.INTERGOVERNMENTAL, country=None)

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.set(extracted)


class PersonFactory(CuratedFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Minister {n}")
    slug = factory.Sequence(lambda n: f"person-{n}")
    country = factory.SubFactory(CountryFactory)


class PersonNameFactory(DjangoModelFactory):
    class Meta:
        model = PersonName

    person = factory.SubFactory(PersonFactory)
    name = factory.Sequence(lambda n: f"Spelling {n}")


class PositionFactory(DjangoModelFactory):
    class Meta:
        model = Position

    person = factory.SubFactory(PersonFactory)
    title = "Interior Minister"
    organization = factory.SubFactory(OrganizationFactory)
    country = factory.SubFactory(CountryFactory)
    date = "2004-07/.."


class SourceFactory(CuratedFactory):
    class Meta:
        model = Source

    name = factory.Sequence(lambda n: f"News Agency {n}")
    slug = factory.Sequence(lambda n: f"source-{n}")
    kind = SourceKind.NEWS_AGENCY
    country = factory.SubFactory(CountryFactory)


class DocumentFactory(CuratedFactory):
    class Meta:
        model = Document

    source = factory.SubFactory(SourceFactory)
    title = factory.Sequence(lambda n: f"Report {n}")
    slug = factory.Sequence(lambda n: f"document-{n}")
    published_on = datetime.date(2006, 4, 21)


class EventFactory(CuratedFactory):
    class Meta:
        abstract = True

    # Each kind counts its own sequence, so slugs carry the kind to stay unique across the Event table.
    title = factory.LazyAttributeSequence(lambda o, n: f"{o.event_kind.label} {n}")
    slug = factory.LazyAttributeSequence(lambda o, n: f"{o.event_kind}-{n}")
    date = "2006-04-21"
    place_name = "Dushanbe"
    place_country = factory.SubFactory(CountryFactory, code="TJ")


class CouncilSessionFactory(EventFactory):
    class Meta:
        model = CouncilSession

    class Params:
        event_kind = EventKind.SESSION

    council = factory.SubFactory(CouncilFactory)


class JointOperationFactory(EventFactory):
    class Meta:
        model = JointOperation

    class Params:
        event_kind = EventKind.OPERATION

    code_name = factory.Sequence(lambda n: f"Codename {n}")
    place_name = ""
    place_country = None


class ExerciseFactory(EventFactory):
    class Meta:
        model = Exercise

    class Params:
        event_kind = EventKind.EXERCISE

    exercise_kind = ExerciseKind.ANTI_TERROR


class MeetingFactory(EventFactory):
    class Meta:
        model = Meeting

    class Params:
        event_kind = EventKind.MEETING

    meeting_kind = MeetingKind.MEETING


class StatementFactory(EventFactory):
    class Meta:
        model = Statement

    class Params:
        event_kind = EventKind.STATEMENT

    form = StatementForm.MESSAGE
    text = "At present it is essential to join together the existing potential."


class PartnershipFactory(CuratedFactory):
    class Meta:
        model = Partnership

    title = factory.Sequence(lambda n: f"Partnership {n}")
    slug = factory.Sequence(lambda n: f"partnership-{n}")
    kind = PartnershipKind.STRATEGIC
    date = "2004/.."


# Child rows ----------------------------------------------------------------------------------------------------------


class ParticipationFactory(DjangoModelFactory):
    class Meta:
        model = Participation

    event = factory.SubFactory(JointOperationFactory)
    country = factory.SubFactory(CountryFactory)
    role = Role.PARTICIPANT


class OutcomeFactory(DjangoModelFactory):
    class Meta:
        model = Outcome

    event = factory.SubFactory(JointOperationFactory)
    metric = factory.SubFactory(MetricFactory)
    value = 585
    unit = factory.LazyAttribute(lambda outcome: outcome.metric.default_unit)


class CitationFactory(DjangoModelFactory):
    """Cites an event unless another target is given (set the others to None)."""

    class Meta:
        model = Citation

    document = factory.SubFactory(DocumentFactory)
    event = factory.SubFactory(JointOperationFactory)
    quote = "In all, 585 crimes were solved."


class EventLinkFactory(DjangoModelFactory):
    class Meta:
        model = EventLink

    source = factory.SubFactory(ExerciseFactory)
    target = factory.SubFactory(CouncilSessionFactory)
    kind = LinkKind.HELD_DURING


class AgendaItemFactory(DjangoModelFactory):
    class Meta:
        model = AgendaItem

    session = factory.SubFactory(CouncilSessionFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = "Combating terrorism"
    topic = factory.SubFactory(TopicFactory)


class ProposalFactory(DjangoModelFactory):
    class Meta:
        model = Proposal

    session = factory.SubFactory(CouncilSessionFactory)
    title = "A single central database of criminals"


class PartnershipPartyFactory(DjangoModelFactory):
    class Meta:
        model = PartnershipParty

    partnership = factory.SubFactory(PartnershipFactory)
    country = factory.SubFactory(CountryFactory)


# Whole records -------------------------------------------------------------------------------------------------------


def populate_event(event, *, document=None):
    """Give ``event`` one of every child row an event payload shows (and its kind's detail rows)."""
    document = document or DocumentFactory()
    event.topics.add(TopicFactory())
    participants = [
        ParticipationFactory(event=event, country=CountryFactory(code="RU")),
        ParticipationFactory(event=event, country=None, organization=OrganizationFactory()),
        ParticipationFactory(event=event, country=None, person=PersonFactory(), role=Role.SPEAKER),
    ]
    CitationFactory(event=None, participation=participants[0], document=document)
    CitationFactory(event=event, document=document)
    EventLinkFactory(source=event, target=MeetingFactory())
    EventLinkFactory(source=ExerciseFactory(), target=event)
    if isinstance(event, JointOperation):
        total = OutcomeFactory(event=event, value=7250, metric=MetricFactory(slug="persons-wanted"))
        part = OutcomeFactory(event=event, value=214, metric=total.metric, part_of=total, scope="in CIS countries")
        CitationFactory(event=None, outcome=part, document=document)
    if isinstance(event, CouncilSession):
        AgendaItemFactory(session=event)
        proposal = ProposalFactory(session=event)
        CitationFactory(event=None, proposal=proposal, document=document)
    return event


def populate_person(person, *, document=None):
    PersonNameFactory(person=person)
    position = PositionFactory(person=person)
    CitationFactory(event=None, position=position, document=document or DocumentFactory())
    return person


def populate_partnership(partnership, *, document=None):
    document = document or DocumentFactory()
    partnership.topics.add(TopicFactory())
    PartnershipPartyFactory(partnership=partnership, country=CountryFactory(code="TJ"))
    PartnershipPartyFactory(partnership=partnership, country=None, organization=OrganizationFactory())
    figure = OutcomeFactory(
        event=None, partnership=partnership, metric=MetricFactory(slug="investment"), value=Decimal("2500000000")
    )
    CitationFactory(event=None, outcome=figure, document=document)
    CitationFactory(event=None, partnership=partnership, document=document)
    partnership.events.add(MeetingFactory())
    return partnership


def populate_organization(organization):
    organization.members.set([CountryFactory(code="RU"), CountryFactory(code="TJ")])
    organization.parent = OrganizationFactory()
    organization.save()
    return organization


def populate_council(council):
    council.members.set([CountryFactory(code="RU"), CountryFactory(code="TJ")])
    return council
