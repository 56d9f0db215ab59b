"""Serializers of the REST API v1, one module per topic, re-exported here."""

from cooperation.api.serializers.actors import CouncilSerializer, OrganizationSerializer, PersonSerializer
from cooperation.api.serializers.events import (
    CouncilSessionSerializer,
    ExerciseSerializer,
    JointOperationSerializer,
    MeetingSerializer,
    StatementSerializer,
    TimelineEventSerializer,
)
from cooperation.api.serializers.partnerships import PartnershipSerializer
from cooperation.api.serializers.reference import CountrySerializer, MetricSerializer, TopicSerializer
from cooperation.api.serializers.sources import DocumentSerializer, SourceSerializer
from cooperation.api.serializers.sync import TombstoneSerializer

__all__ = [
    "CouncilSerializer",
    "CouncilSessionSerializer",
    "CountrySerializer",
    "DocumentSerializer",
    "ExerciseSerializer",
    "JointOperationSerializer",
    "MeetingSerializer",
    "MetricSerializer",
    "OrganizationSerializer",
    "PartnershipSerializer",
    "PersonSerializer",
    "SourceSerializer",
    "StatementSerializer",
    "TimelineEventSerializer",
    "TombstoneSerializer",
    "TopicSerializer",
]
