"""Shapes of the aggregates and the views' own query parameters.

The aggregates' rows are dicts; these read-only serializers shape them (countries and
metrics as in every other payload) and let the schema describe them.
"""

from __future__ import annotations

from rest_framework import serializers

from cooperation.api.fields import CountryReferenceSerializer, FigureValueField, MetricReferenceSerializer
from cooperation.api.stats.aggregates import CO_PARTICIPATION, PARTNERSHIP
from cooperation.api.stats.subjects import NETWORK_EDGES, OUTCOME_SUBJECTS
from cooperation.choices import EventKind
from cooperation.models import Metric

# Rows ----------------------------------------------------------------------------------------------------------------


class KindCountSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EventKind.choices, read_only=True)
    label = serializers.CharField(read_only=True)
    count = serializers.IntegerField(read_only=True)


class YearCountSerializer(serializers.Serializer):
    year = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The year the date may start in; null for an open start."
    )
    count = serializers.IntegerField(read_only=True)


class CountryCountSerializer(serializers.Serializer):
    country = CountryReferenceSerializer(source="*", read_only=True)
    count = serializers.IntegerField(read_only=True, help_text="Distinct events the country takes part in.")


class OutcomeTotalSerializer(serializers.Serializer):
    metric = MetricReferenceSerializer(source="*", read_only=True)
    unit = serializers.CharField(read_only=True)
    total = FigureValueField(read_only=True, help_text="Sum of the figures that count, a JSON number.")
    figures = serializers.IntegerField(read_only=True, help_text="How many figures were added up.")
    inexact = serializers.IntegerField(
        read_only=True,
        help_text="How many of them the source qualified (more than, about, up to, projected…); "
        "when not 0 the total is not exact.",
    )
    events = serializers.IntegerField(read_only=True, help_text="Distinct events they belong to.")
    partnerships = serializers.IntegerField(read_only=True, help_text="Distinct partnerships they belong to.")


class NodeSerializer(serializers.Serializer):
    # Output only, like every serializer here; ``required=False`` marks the keys a node may lack in the schema.
    id = serializers.CharField(read_only=True, help_text="country:RU or organization:<slug>.")
    type = serializers.ChoiceField(choices=["country", "organization"], read_only=True)
    code = serializers.CharField(required=False, help_text="A country's ISO code (countries only).")
    slug = serializers.CharField(required=False, help_text="An organization's slug (organizations only).")
    name = serializers.CharField(read_only=True)
    degree = serializers.IntegerField(read_only=True, help_text="How many other nodes it is linked to.")


class EdgeSerializer(serializers.Serializer):
    source = serializers.CharField(read_only=True, help_text="A node id; source < target.")
    target = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=[PARTNERSHIP, CO_PARTICIPATION], read_only=True)
    weight = serializers.IntegerField(read_only=True, help_text="Partnerships joining them, or events they share.")
    partnerships = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Ids of the partnerships (partnership edges only)."
    )


class NetworkSerializer(serializers.Serializer):
    nodes = NodeSerializer(many=True, read_only=True)
    edges = EdgeSerializer(many=True, read_only=True)

    def to_representation(self, instance):
        # ``aggregates.network`` builds exactly this shape; the fields describe it (schema, CSV columns).
        # Reading tens of thousands of edges back through them, field by field, took as long as the query.
        return instance


def results_of(row: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The ``{"results": [row, …]}`` envelope a row aggregate answers with (unpaginated: aggregates are small)."""
    name = row.__name__.removesuffix("Serializer") + "ResultsSerializer"
    return type(name, (serializers.Serializer,), {"results": row(many=True, read_only=True)})


# Parameters ----------------------------------------------------------------------------------------------------------


class OutcomeTotalsParameters(serializers.Serializer):
    subject = serializers.ChoiceField(
        choices=list(OUTCOME_SUBJECTS),
        default="events",
        help_text="Whose figures: events' outcomes (default), partnerships' figures, or all. "
        "The other parameters filter that subject as on its list.",
    )
    metric = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Metric.objects.all(),
        required=False,
        help_text="Metric slug: that metric's totals only.",
        error_messages={"does_not_exist": "No metric with slug “{value}”."},
    )


class NetworkParameters(serializers.Serializer):
    edges = serializers.ChoiceField(
        choices=list(NETWORK_EDGES),
        default="all",
        help_text="Which edges: partnership (filtered as /partnerships/), co-participation (filtered as /events/), "
        "or all (each parameter filters every edge kind whose list has it).",
    )
    min_weight = serializers.IntegerField(
        min_value=1,
        default=1,
        help_text="Only edges of at least this weight (partnerships joining them, or events they share); "
        "the nodes and their degrees are those of the edges kept. Default 1: every edge.",
    )
