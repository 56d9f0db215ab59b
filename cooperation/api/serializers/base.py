"""Building blocks shared by the curated resources: the base serializer, dates, places, citations."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from cooperation import services
from cooperation.api.errors import model_errors
from cooperation.api.fields import CountryField, DocumentField
from cooperation.api.serializers.shape import ShapedSerializerMixin
from cooperation.models import Citation

CURATED_FIELDS = ("id", "url", "slug", "status", "updated_at", "publish_linked")  # the last is write-only


class StrictTextMixin:
    """Text fields take JSON strings only: DRF turns a number into text (``"title": 5`` → ``"5"``), which is a
    client's mistake to report, not to store. Every writable serializer has this mixin first."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {
                name: [serializers.CharField.default_error_messages["invalid"]]
                for name, field in self.fields.items()
                if isinstance(field, serializers.CharField)
                and not field.read_only
                and data.get(name) is not None
                and not isinstance(data[name], str)
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class CuratedSerializer(StrictTextMixin, ShapedSerializerMixin, serializers.ModelSerializer):
    """Base of every curated record: ``id``, ``url``, ``slug``, ``status``, ``updated_at``.

    Each subclass lists its minimal form in ``Meta.brief_fields`` (``?brief=1``) and
    shows only what the request's ``PayloadShape`` asks (``?fields=``, ``?include=``).

    Writes go through ``cooperation.services``: every row passes the model's
    ``full_clean()`` inside one transaction, and the model's errors come back as a 400
    keyed by this serializer's field paths (``participants[1].country``).
    """

    id = serializers.IntegerField(read_only=True)
    # Declared rather than derived so uniqueness is checked in one place, the model's full_clean().
    slug = serializers.SlugField(max_length=120, help_text="Stable identifier, unique; used by fixtures and imports.")
    updated_at = serializers.DateTimeField(read_only=True)
    publish_linked = serializers.BooleanField(
        write_only=True,
        required=False,
        help_text="With status published: also publish the unpublished organizations, people, councils, documents "
        "and sources it refers to (without it, such a write is refused with their list).",
    )

    # ``author``: who writes and why (``{"user", "reason"}``), given by the view to ``save()``.
    def create(self, validated_data):
        options = self.write_options(validated_data)
        return services.record_create(self.Meta.model, data=validated_data, **options)

    def update(self, instance, validated_data):
        return services.record_update(instance, data=validated_data, **self.write_options(validated_data))

    @staticmethod
    def write_options(validated_data) -> dict:
        """What the services take besides the record's data, taken out of it."""
        author = validated_data.pop("author", {})
        return {**author, "publish_linked": validated_data.pop("publish_linked", False)}

    def save(self, **kwargs):
        try:
            return super().save(**kwargs)
        except DjangoValidationError as exc:
            raise model_errors(self, exc) from exc


class UncertainDateSerializer(StrictTextMixin, serializers.Serializer):
    """A date as the source gives it: ``{edtf, text, lower, upper, precision}``.

    ``lower``/``upper``/``precision`` are derived from ``edtf`` (read-only). Written as
    ``{"edtf": "2005-41", "text": "late 2005"}`` or just the EDTF string ``"2005-41"``;
    bad EDTF is reported on ``date`` by the model's validation.
    """

    edtf = serializers.CharField(source="date", max_length=64, allow_blank=True, required=False)
    text = serializers.CharField(source="date_text", max_length=200, allow_blank=True, required=False)
    lower = serializers.DateField(source="date_lower", read_only=True)
    upper = serializers.DateField(source="date_upper", read_only=True)
    precision = serializers.CharField(source="date_precision", read_only=True)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = {"edtf": data}
        return super().to_internal_value(data)


class RequiredDateSerializer(UncertainDateSerializer):
    """A date that must be given (an event's: ``Dated.DATE_REQUIRED``), so that the schema says so."""

    edtf = serializers.CharField(source="date", max_length=64)


class PlaceSerializer(StrictTextMixin, serializers.Serializer):
    """Where an event took place: ``{name, country}``."""

    name = serializers.CharField(source="place_name", max_length=120, allow_blank=True, required=False)
    country = CountryField(source="place_country", allow_null=True, required=False)


class CitationSerializer(StrictTextMixin, serializers.ModelSerializer):
    """A citation of a record or of one of its rows: the document (by ``id``) and the exact quote."""

    uid = serializers.UUIDField(required=False, help_text="Send it back to keep this row on update.")
    document = DocumentField()

    class Meta:
        model = Citation
        fields = ("uid", "document", "quote", "locator", "claim")


class KeyedRowSerializer(StrictTextMixin, ShapedSerializerMixin, serializers.ModelSerializer):
    """A child row (participant, figure, position…): ``uid`` identifies it across updates.

    Its ``citations`` are shown with ``?include=citations`` only (see ``shape``).
    """

    uid = serializers.UUIDField(required=False, help_text="Send it back to keep this row on update.")
    citations = CitationSerializer(many=True, required=False)
