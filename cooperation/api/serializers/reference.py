"""Reference data, read-only: countries (by ISO code), topics and metrics (by slug)."""

from rest_framework import serializers

from cooperation.api.serializers.shape import ShapedSerializerMixin
from cooperation.models import Country, Metric, Topic


class CountrySerializer(ShapedSerializerMixin, serializers.ModelSerializer):
    """``/countries/UA/``: ``code``, ``alpha3``, ``name``, ``official_name``, ``url``."""

    url = serializers.HyperlinkedIdentityField(view_name="country-detail", lookup_field="code")

    class Meta:
        model = Country
        fields = ("code", "url", "alpha3", "name", "official_name")
        brief_fields = ("code", "url", "name")


class TopicSerializer(ShapedSerializerMixin, serializers.ModelSerializer):
    """``/topics/terrorism/``: ``id``, ``slug``, ``url``, ``name``, ``description``."""

    url = serializers.HyperlinkedIdentityField(view_name="topic-detail", lookup_field="slug")

    class Meta:
        model = Topic
        fields = ("id", "slug", "url", "name", "description")
        brief_fields = ("id", "url", "slug", "name")


class MetricSerializer(ShapedSerializerMixin, serializers.ModelSerializer):
    """``/metrics/crimes-solved/``: as a topic, plus the ``default_unit`` figures are given in."""

    url = serializers.HyperlinkedIdentityField(view_name="metric-detail", lookup_field="slug")

    class Meta:
        model = Metric
        fields = ("id", "slug", "url", "name", "description", "default_unit")
        brief_fields = ("id", "url", "slug", "name")
