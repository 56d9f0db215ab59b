"""The feed of records gone from the API since a time (``/api/v1/deleted/``)."""

from rest_framework import serializers

from cooperation.api.serializers.shape import ShapedSerializerMixin
from cooperation.models import Tombstone


class TombstoneSerializer(ShapedSerializerMixin, serializers.ModelSerializer):
    """``{resource, id, slug, reason, at}``: the record ``id`` of ``resource`` left it ``at`` for ``reason``."""

    id = serializers.IntegerField(source="record_id", read_only=True)

    class Meta:
        model = Tombstone
        fields = ("resource", "id", "slug", "reason", "at")
        brief_fields = ("resource", "id")
