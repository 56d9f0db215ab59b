"""Who acts: organizations, councils, people (with name variants and the offices they held)."""

from rest_framework import serializers

from cooperation.api.fields import CountryField, OrganizationField
from cooperation.api.serializers.base import (
    CURATED_FIELDS,
    CuratedSerializer,
    KeyedRowSerializer,
    StrictTextMixin,
    UncertainDateSerializer,
)
from cooperation.models import Council, Organization, Person, PersonName, Position


class OrganizationSerializer(CuratedSerializer):
    """``/organizations/``: ``name``, ``abbreviation``, ``kind``, ``country``, ``parent``, ``members``, ``description``.

    ``parent`` is a small organization object (written by slug); ``members`` the member
    states of an intergovernmental body (written as ISO codes).
    """

    url = serializers.HyperlinkedIdentityField(view_name="organization-detail")
    country = CountryField(required=False, allow_null=True)
    parent = OrganizationField(required=False, allow_null=True)
    members = CountryField(many=True, required=False)

    class Meta:
        model = Organization
        fields = (*CURATED_FIELDS, "name", "abbreviation", "kind", "country", "parent", "members", "description")
        brief_fields = ("id", "url", "slug", "name", "kind")


class CouncilSerializer(CuratedSerializer):
    """``/councils/``: a standing body of an ``organization`` with its ``members`` (ISO codes in, countries out)."""

    url = serializers.HyperlinkedIdentityField(view_name="council-detail")
    # Null when the organization is one the reader may not see (``selectors.visibility``); required on writes.
    organization = OrganizationField(allow_null=True)
    members = CountryField(many=True, required=False)

    class Meta:
        model = Council
        fields = (*CURATED_FIELDS, "name", "abbreviation", "organization", "members", "description")
        brief_fields = ("id", "url", "slug", "name")


class PersonNameSerializer(StrictTextMixin, serializers.ModelSerializer):
    class Meta:
        model = PersonName
        fields = ("name", "note")


class PositionSerializer(KeyedRowSerializer):
    """An office held: ``title``, ``rank``, ``organization``, ``country``, ``date`` (often an interval)."""

    organization = OrganizationField(required=False, allow_null=True)
    country = CountryField(required=False, allow_null=True)
    date = UncertainDateSerializer(source="*", required=False)

    class Meta:
        model = Position
        fields = ("uid", "title", "rank", "organization", "country", "date", "citations")


class PersonSerializer(CuratedSerializer):
    """``/people/``: ``name`` (preferred spelling), ``names`` (variants), ``country``, ``positions``, ``note``.

    ``names`` are the spellings sources use (Rahmonov / Rakhmonov / Rahmon); the
    list sent replaces the stored one.
    """

    url = serializers.HyperlinkedIdentityField(view_name="person-detail")
    country = CountryField(required=False, allow_null=True)
    names = PersonNameSerializer(many=True, required=False)
    positions = PositionSerializer(many=True, required=False)

    class Meta:
        model = Person
        fields = (*CURATED_FIELDS, "name", "names", "country", "positions", "note")
        brief_fields = ("id", "url", "slug", "name")
