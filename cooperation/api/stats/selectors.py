"""The aggregates, computed in the database.

Each function takes querysets that are already narrowed to what the client may see
and to the request's filters (see ``subjects``), and answers in a fixed number
of queries — one per aggregate, two for the network — whatever the number of rows:
grouping, counting and pairing happen in SQL; Python only shapes the small result.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Aggregate, Case, CharField, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, ExtractYear

from cooperation.choices import EventKind, Qualifier
from cooperation.models import Metric, Outcome, Participation, PartnershipParty

# Where a participation's country comes from: the same three paths as ``filters.participant_from``.
PARTICIPANT_COUNTRY = ("country", "organization__country", "person__country")

CO_PARTICIPATION = "co-participation"
PARTNERSHIP = "partnership"


class GroupConcat(Aggregate):
    """A group's values joined by commas: ``GROUP_CONCAT`` on SQLite, ``STRING_AGG`` on PostgreSQL."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, function="STRING_AGG", template="%(function)s(%(expressions)s, ',')", **extra_context
        )


def participant_country(field: str, via: str = "") -> Coalesce:
    """``field`` of the country a participation (reached through ``via``) stands for.

    A participation has exactly one target (a database constraint), so the first
    non-null path is the participant's own country, its organization's or its person's.
    """
    return Coalesce(*(f"{via}{path}__{field}" for path in PARTICIPANT_COUNTRY))


def party_node(via: str = "") -> Case:
    """A partnership party's node id: ``country:RU`` or ``organization:<slug>``."""
    return Case(
        When(**{f"{via}country__isnull": False}, then=Concat(Value("country:"), f"{via}country__code")),
        default=Concat(Value("organization:"), f"{via}organization__slug"),
        output_field=CharField(),
    )


# Events --------------------------------------------------------------------------------------------------------------


def events_by_kind(events: QuerySet) -> list[dict]:
    """``[{kind, label, count}]`` for every event kind, in the kinds' order; kinds without events count 0."""
    counts = dict(events.order_by().values_list("kind").annotate(Count("pk", distinct=True)))
    return [{"kind": kind, "label": label, "count": counts.get(kind, 0)} for kind, label in EventKind.choices]


def events_by_year(events: QuerySet) -> QuerySet:
    """``[{year, count}]`` by the year an event's date may start in (``date_lower``); an open start is year null."""
    return (
        events.annotate(year=ExtractYear("date_lower"))
        .values("year")
        .annotate(count=Count("pk", distinct=True))
        .order_by(F("year").asc(nulls_last=True))
    )


def events_by_country(events: QuerySet) -> QuerySet:
    """``[{code, name, count}]``: distinct events each country takes part in, most first.

    A country takes part directly, through one of its organizations or through one of its
    people — the rule of the ``country`` filter, except that the place alone does not count:
    hosting is recorded as a participation (role “host”) where the source says so.
    """
    return (
        Participation.objects.filter(event__in=events)
        .values(code=participant_country("code"), name=participant_country("name"))
        .exclude(code=None)
        .annotate(count=Count("event", distinct=True))
        .order_by("-count", "name")
    )


# Figures -------------------------------------------------------------------------------------------------------------


def outcome_totals(
    *, events: QuerySet | None = None, partnerships: QuerySet | None = None, metric: Metric | None = None
) -> QuerySet:
    """``[{slug, name, unit, total, figures, inexact, events, partnerships}]`` by metric and unit.

    Sums the figures of the given events and/or partnerships (``None``: not included)
    that count: not a subset of another figure (``part_of``), not set aside as
    contradicted (``counts=False``). Units are never added together. ``inexact`` counts the
    figures the source qualified (“more than 200 kg”), so a dashboard can say the total is a bound.
    """
    chosen = {"event": events, "partnership": partnerships}
    subjects = [Q(**{f"{name}__in": records}) for name, records in chosen.items() if records is not None]
    figures = Outcome.objects.filter(reduce(or_, subjects), part_of=None, counts=True)
    if metric is not None:
        figures = figures.filter(metric=metric)
    return (
        figures.values("unit", slug=F("metric__slug"), name=F("metric__name"))
        .annotate(
            total=Sum("value"),
            figures=Count("pk"),
            inexact=Count("pk", filter=~Q(qualifier=Qualifier.EXACT)),
            events=Count("event", distinct=True),
            partnerships=Count("partnership", distinct=True),
        )
        .order_by("name", "unit")
    )


# Network -------------------------------------------------------------------------------------------------------------


def partnership_pairs(partnerships: QuerySet) -> QuerySet:
    """Each unordered pair of parties of the same partnership: ``{source, target, weight, ids}``.

    A self-join of the parties on their partnership, keeping ``source < target`` so that
    each pair is met once per partnership; ``ids`` lists the partnerships, comma-joined.
    """
    return (
        PartnershipParty.objects.filter(partnership__in=partnerships)
        .annotate(source=party_node(), target=party_node("partnership__parties__"))
        .filter(source__lt=F("target"))
        .values(
            "source",
            "target",
            source_name=Coalesce("country__name", "organization__name"),
            target_name=Coalesce("partnership__parties__country__name", "partnership__parties__organization__name"),
        )
        .annotate(weight=Count("partnership", distinct=True), ids=GroupConcat(Cast("partnership", CharField())))
    )


def co_participation_pairs(events: QuerySet) -> QuerySet:
    """Each unordered pair of countries taking part in the same event: ``{source, target, weight}`` (ISO codes).

    A self-join of the participations on their event; ``weight`` counts distinct events,
    since a country may take part several times in one (itself and through its minister).
    """
    sibling = "event__participations__"
    return (
        Participation.objects.filter(event__in=events)
        .annotate(source=participant_country("code"), target=participant_country("code", via=sibling))
        .filter(source__lt=F("target"))
        .values(
            "source",
            "target",
            source_name=participant_country("name"),
            target_name=participant_country("name", via=sibling),
        )
        .annotate(weight=Count("event", distinct=True))
    )


def network(*, partnerships: QuerySet | None = None, events: QuerySet | None = None) -> dict:
    """``{nodes, edges}``: partnership edges between parties, co-participation edges between countries.

    Either subject may be ``None`` to leave its edges out. Nodes are the edges' ends, with
    their ``degree``: how many other nodes they are linked to, by either kind of edge.
    """
    edges, names = [], {}
    for kind, records, pairs, node_id in (
        (PARTNERSHIP, partnerships, partnership_pairs, str),
        (CO_PARTICIPATION, events, co_participation_pairs, "country:{}".format),
    ):
        if records is None:
            continue
        for pair in pairs(records):
            ends = {node_id(pair["source"]): pair["source_name"], node_id(pair["target"]): pair["target_name"]}
            names.update(ends)
            # The database paired them in its collation's order; the API promises source < target as strings.
            source, target = sorted(ends)
            edge = {"source": source, "target": target, "kind": kind, "weight": pair["weight"]}
            if kind == PARTNERSHIP:
                edge["partnerships"] = sorted(int(pk) for pk in pair["ids"].split(","))
            edges.append(edge)
    edges.sort(key=lambda edge: (edge["source"], edge["target"], edge["kind"]))
    neighbours = {key: set() for key in names}
    for edge in edges:
        neighbours[edge["source"]].add(edge["target"])
        neighbours[edge["target"]].add(edge["source"])
    return {"nodes": [as_node(key, names[key], len(neighbours[key])) for key in sorted(names)], "edges": edges}


def as_node(key: str, name: str, degree: int) -> dict:
    """``country:RU`` → ``{id, type: "country", code: "RU", name, degree}`` (organizations: ``slug``)."""
    kind, natural_key = key.split(":", 1)
    return {
        "id": key,
        "type": kind,
        "code" if kind == "country" else "slug": natural_key,
        "name": name,
        "degree": degree,
    }
