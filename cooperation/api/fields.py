"""Serializer fields for references: written as a natural key, read as a small object.

A participant's country is written ``"UA"`` and read ``{"code": "UA", "name": "Ukraine"}``;
an organization is written by slug and read with its id, slug, url, name and country.
Writes also accept the object a read returned (``{"code": "UA", …}``), so a client can
send back what it received.
"""

from __future__ import annotations

from functools import cached_property

from django.core.exceptions import ObjectDoesNotExist
from rest_framework import serializers
from rest_framework.reverse import reverse

from cooperation.models import Council, Country, Document, Event, Metric, Organization, Person, Source
from cooperation.selectors import visibility


class ReferenceField(serializers.RelatedField):
    """A related record identified by ``lookup_field`` and shown through ``representation``."""

    lookup_field = "slug"
    representation: type[serializers.Serializer]
    default_error_messages = {
        "does_not_exist": "No {model} with {lookup} “{value}”.",
        "invalid": "Give the {lookup} of a {model}.",
    }

    def to_internal_value(self, data):
        if isinstance(data, dict):
            data = data.get(self.lookup_field)
        if isinstance(data, bool) or not isinstance(data, str | int) or data == "":
            self.fail("invalid", **self._names())
        try:
            return self.get_queryset().get(**{self.lookup_field: self.normalize(data)})
        except ObjectDoesNotExist:
            self.fail("does_not_exist", value=data, **self._names())
        except (TypeError, ValueError):
            self.fail("invalid", **self._names())

    def normalize(self, value):
        return value

    def to_representation(self, value):
        # A reference to a record the reader may not see reads null (``selectors.visibility``).
        if not visibility.shows(visibility.user_of(self.context), value):
            return None
        return self.representer.to_representation(value)

    @cached_property
    def representer(self) -> serializers.Serializer:
        """One serializer for every value this field reads out: building its fields per row costs more than the row."""
        return self.representation(context=self.context)

    def get_choices(self, cutoff=None):
        # The browsable API's forms key choices by value; ours is the natural key, not the dict we read out.
        queryset = self.get_queryset()
        if cutoff is not None:
            queryset = queryset[:cutoff]
        return {getattr(item, self.lookup_field): self.display_value(item) for item in queryset}

    def _names(self):
        return {"model": self.get_queryset().model._meta.verbose_name, "lookup": self.lookup_field}


class CountryReferenceSerializer(serializers.ModelSerializer):
    """How a country appears inside every payload."""

    class Meta:
        model = Country
        fields = ("code", "name")


class CountryField(ReferenceField):
    """A country: ISO 3166-1 alpha-2 code in, ``{"code", "name"}`` out."""

    queryset = Country.objects.all()
    lookup_field = "code"
    representation = CountryReferenceSerializer
    default_error_messages = {
        "does_not_exist": "Unknown country code “{value}”; use an ISO 3166-1 alpha-2 code such as UA.",
        "invalid": "Give an ISO 3166-1 alpha-2 country code such as UA.",
    }

    def normalize(self, value):
        return str(value).strip().upper()


class OrganizationReferenceSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="organization-detail")
    country = CountryReferenceSerializer(read_only=True)

    class Meta:
        model = Organization
        fields = ("id", "slug", "url", "name", "abbreviation", "kind", "country")


class OrganizationField(ReferenceField):
    queryset = Organization.objects.all()
    representation = OrganizationReferenceSerializer


class PersonReferenceSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="person-detail")
    country = CountryReferenceSerializer(read_only=True)

    class Meta:
        model = Person
        fields = ("id", "slug", "url", "name", "country")


class PersonField(ReferenceField):
    queryset = Person.objects.all()
    representation = PersonReferenceSerializer


class CouncilReferenceSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="council-detail")

    class Meta:
        model = Council
        fields = ("id", "slug", "url", "name", "abbreviation")


class CouncilField(ReferenceField):
    queryset = Council.objects.all()
    representation = CouncilReferenceSerializer


class SourceReferenceSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="source-detail")

    class Meta:
        model = Source
        fields = ("id", "slug", "url", "name")


class SourceField(ReferenceField):
    queryset = Source.objects.all()
    representation = SourceReferenceSerializer


class DocumentReferenceSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="document-detail")
    source = SourceReferenceSerializer(read_only=True)

    class Meta:
        model = Document
        fields = ("id", "source", "title", "published_on", "url")


class DocumentField(ReferenceField):
    """A document, written by its ``id`` (documents are cited, and their titles repeat)."""

    queryset = Document.objects.all()
    lookup_field = "id"
    representation = DocumentReferenceSerializer


class MetricReferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Metric
        fields = ("slug", "name")


class MetricField(ReferenceField):
    queryset = Metric.objects.all()
    representation = MetricReferenceSerializer


class EventReferenceSerializer(serializers.ModelSerializer):
    """An event inside another payload; ``url`` is the event's own kind's resource."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ("id", "kind", "title", "url")

    def get_url(self, event) -> str:
        return typed_event_url(event, self.context.get("request"))


class EventField(ReferenceField):
    """An event of any kind, written by its ``id``."""

    queryset = Event.objects.all()
    lookup_field = "id"
    representation = EventReferenceSerializer


def typed_event_url(event: Event, request) -> str:
    """The URL of ``event`` under its kind's resource (``/operations/7/``); router basenames are the kinds."""
    return reverse(f"{event.kind}-detail", kwargs={"pk": event.pk}, request=request)


class SiblingUidField(serializers.UUIDField):
    """A row of the same list, by ``uid`` (an outcome's ``part_of``): read from the related row, written as a UUID.

    ``cooperation.services`` resolves the UUID among the rows written in the same request.
    """

    def to_representation(self, value):
        return super().to_representation(value.uid)


class FigureValueField(serializers.DecimalField):
    """A figure as a plain JSON number: ``585`` for a count, ``200.5`` for a measure (never ``"585.000"``)."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=20, decimal_places=3, coerce_to_string=False, **kwargs)

    def to_representation(self, value):
        value = super().to_representation(value)
        return int(value) if value == value.to_integral_value() else float(value)
