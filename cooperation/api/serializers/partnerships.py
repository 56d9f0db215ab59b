"""Partnerships between states and organizations, with their figures and the events that evidence them."""

from rest_framework import serializers

from cooperation.api.fields import CountryField, EventField, OrganizationField
from cooperation.api.serializers.base import (
    CURATED_FIELDS,
    CitationSerializer,
    CuratedSerializer,
    StrictTextMixin,
    UncertainDateSerializer,
)
from cooperation.api.serializers.events import OutcomeSerializer
from cooperation.models import Partnership, PartnershipParty, Topic


class PartySerializer(StrictTextMixin, serializers.ModelSerializer):
    """One side: exactly one of ``country`` / ``organization``, and its ``role`` (donor, recipient…)."""

    uid = serializers.UUIDField(required=False, help_text="Send it back to keep this row on update.")
    country = CountryField(required=False, allow_null=True)
    organization = OrganizationField(required=False, allow_null=True)

    class Meta:
        model = PartnershipParty
        fields = ("uid", "country", "organization", "role")


class PartnershipSerializer(CuratedSerializer):
    """``/partnerships/``.

    ``kind``, ``stage``, ``title``, ``summary``, ``date`` (the period, often open-ended),
    ``topics`` [slug], ``parties``, ``figures`` (same shape as an operation's outcomes),
    ``events`` (the evidence: ``{id, kind, title, url}`` out, ids in) and, with
    ``?include=citations``, ``citations``.
    """

    url = serializers.HyperlinkedIdentityField(view_name="partnership-detail")
    date = UncertainDateSerializer(source="*", required=False)
    topics = serializers.SlugRelatedField(many=True, slug_field="slug", queryset=Topic.objects.all(), required=False)
    parties = PartySerializer(many=True, required=False)
    figures = OutcomeSerializer(many=True, required=False)
    events = EventField(many=True, required=False)
    citations = CitationSerializer(many=True, required=False)

    class Meta:
        model = Partnership
        fields = (
            *CURATED_FIELDS,
            "kind",
            "stage",
            "title",
            "summary",
            "date",
            "topics",
            "parties",
            "figures",
            "events",
            "citations",
        )
        brief_fields = ("id", "url", "slug", "title", "kind", "date")
