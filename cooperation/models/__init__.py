"""Domain models, one module per topic, re-exported here."""

from cooperation.models.actors import Council, Organization, Person, PersonName, Position
from cooperation.models.events import (
    EVENT_MODELS,
    AgendaItem,
    CouncilSession,
    Event,
    EventLink,
    Exercise,
    JointOperation,
    Meeting,
    Outcome,
    Participation,
    Proposal,
    Statement,
)
from cooperation.models.facets import EventFacet, EventTally, EventText
from cooperation.models.geography import Country
from cooperation.models.partnerships import Partnership, PartnershipParty
from cooperation.models.sources import Citation, Document, Source
from cooperation.models.sync import Tombstone
from cooperation.models.tokens import ApiToken
from cooperation.models.vocabulary import Metric, Topic

__all__ = [
    "EVENT_MODELS",
    "AgendaItem",
    "ApiToken",
    "Citation",
    "Council",
    "CouncilSession",
    "Country",
    "Document",
    "Event",
    "EventFacet",
    "EventLink",
    "EventTally",
    "EventText",
    "Exercise",
    "JointOperation",
    "Meeting",
    "Metric",
    "Organization",
    "Outcome",
    "Participation",
    "Partnership",
    "PartnershipParty",
    "Person",
    "PersonName",
    "Position",
    "Proposal",
    "Source",
    "Statement",
    "Tombstone",
    "Topic",
]
