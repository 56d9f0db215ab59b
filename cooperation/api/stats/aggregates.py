"""The aggregates, computed in the database.

Each function takes querysets that are already narrowed to what the client may see
and to the request's filters (see ``subjects``), and answers in a fixed number
of queries — one per aggregate, two for the network — whatever the number of rows:
grouping, counting and pairing happen in SQL; Python only shapes the small result.

Counting countries means counting distinct (event, country) pairs, and the ORM cannot
group the rows of a subquery: ``selectors.facets.country_pairs()`` builds the pairs
with the ORM, and ``grouped()`` wraps that SQL in the GROUP BY, so nothing is counted DISTINCT
over a join of every participation with its organization, person and their countries.

``user`` is who reads: a row about a record they may not see (a draft organization taking
part, a party) never counts (``selectors.visibility``).

With ``whole``, the events are every event ``user`` may see, no parameter narrowing them: the event aggregates
then read the counts the database keeps (``selectors.tallies``), however many events there are.
"""

from __future__ import annotations

from functools import partial, reduce
from operator import or_

from django.db import connections
from django.db.models import Aggregate, Case, CharField, Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, ExtractYear

from cooperation.choices import EventKind, Qualifier
from cooperation.models import Country, Event, Metric, Organization, Outcome, PartnershipParty
from cooperation.selectors import facets, tallies, visibility

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


def grouped(pairs: QuerySet, select: str, params: tuple = ()) -> list[dict]:
    """The rows of ``select`` and its ``params``, run over ``pairs`` (``(event_id, code)`` rows), as dicts.

    The ORM builds the pairs; this adds what it cannot say, a GROUP BY over a subquery's
    rows. In ``select``, the pairs are the table ``pairs``; ``{country}`` and ``{event}`` name
    the countries' and the events' tables.
    """
    connection = connections[pairs.db]
    sql, pairs_params = pairs.query.get_compiler(connection=connection).as_sql()
    tables = {"country": Country, "event": Event}
    select = select.format(**{name: connection.ops.quote_name(model._meta.db_table) for name, model in tables.items()})
    with connection.cursor() as cursor:
        # Only the ORM's SQL and this module's is spliced in; every value is a bound parameter.
        cursor.execute(f"WITH pairs (event_id, code) AS ({sql}) {select}", (*pairs_params, *params))
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def party_node(user, via: str = "") -> Case:
    """A partnership party's node id: ``country:RU`` or ``organization:<slug>``; null for one ``user`` may not see."""
    return Case(
        When(**{f"{via}country__isnull": False}, then=Concat(Value("country:"), f"{via}country__code")),
        When(
            Q(**{f"{via}organization__isnull": False}) & visibility.reference(f"{via}organization", Organization, user),
            then=Concat(Value("organization:"), f"{via}organization__slug"),
        ),
        default=None,
        output_field=CharField(),
    )


# Events --------------------------------------------------------------------------------------------------------------


# The lists' filters never repeat an event (they match to-many rows through subqueries, see ``filters``),
# so counting events needs no DISTINCT.


def events_by_kind(events: QuerySet, user, *, whole: bool = False) -> list[dict]:
    """``[{kind, label, count}]`` for every event kind, in the kinds' order; kinds without events count 0."""
    counts = tallies.by_kind(user) if whole else dict(events.order_by().values_list("kind").annotate(Count("pk")))
    return [{"kind": kind, "label": label, "count": counts.get(kind, 0)} for kind, label in EventKind.choices]


def events_by_year(events: QuerySet, user, *, whole: bool = False) -> QuerySet | list[dict]:
    """``[{year, count}]`` by the year an event's date may start in (``date_lower``); an open start is year null."""
    if whole:
        return tallies.by_year(user)
    return (
        events.annotate(year=ExtractYear("date_lower"))
        .values("year")
        .annotate(count=Count("pk"))
        .order_by(F("year").asc(nulls_last=True))
    )


def events_by_country(events: QuerySet, user, *, whole: bool = False) -> QuerySet | list[dict]:
    """``[{code, name, count}]``: distinct events each country takes part in, most first.

    A country takes part directly, through one of its organizations or through one of its
    people — the rule of the ``country`` filter, except that the place alone does not count:
    hosting is recorded as a participation (role “host”) where the source says so.
    Countries are named after counting, so the grouping carries codes only.
    """
    if whole:
        return tallies.by_country(user)
    return grouped(
        facets.country_pairs(events, user),
        "SELECT c.code, c.name, n.count FROM (SELECT code, COUNT(*) AS count FROM pairs GROUP BY code) n "
        "INNER JOIN {country} c ON c.code = n.code ORDER BY n.count DESC, c.name",
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
    # Grouped by the metric's id, named afterwards: the rows sorted for grouping carry no names.
    named = Metric.objects.filter(pk=OuterRef("metric")).order_by()
    return (
        figures.values("metric", "unit")
        .annotate(
            total=Sum("value"),
            figures=Count("pk"),
            inexact=Count("pk", filter=~Q(qualifier=Qualifier.EXACT)),
            events=Count("event", distinct=True),
            partnerships=Count("partnership", distinct=True),
        )
        .annotate(slug=Subquery(named.values("slug")), name=Subquery(named.values("name")))
        .order_by("name", "unit")
    )


# Network -------------------------------------------------------------------------------------------------------------


def partnership_pairs(partnerships: QuerySet, user, min_weight: int = 1) -> QuerySet:
    """Each unordered pair of parties of the same partnership: ``{source, target, weight, ids}``.

    A self-join of the parties on their partnership, keeping ``source < target`` so that
    each pair is met once per partnership; ``ids`` lists the partnerships, comma-joined.
    Pairs of fewer than ``min_weight`` partnerships are left out, and so is a party ``user`` may not see (its node
    is null, and no comparison with null holds).
    """
    pairs = (
        PartnershipParty.objects.filter(partnership__in=partnerships)
        .annotate(source=party_node(user), target=party_node(user, "partnership__parties__"))
        .filter(source__lt=F("target"))
        .values(
            "source",
            "target",
            source_name=Coalesce("country__name", "organization__name"),
            target_name=Coalesce("partnership__parties__country__name", "partnership__parties__organization__name"),
        )
        .annotate(weight=Count("partnership", distinct=True), ids=GroupConcat(Cast("partnership", CharField())))
    )
    return pairs.filter(weight__gte=min_weight) if min_weight > 1 else pairs


def co_participation_pairs(
    events: QuerySet, user, min_weight: int = 1, *, whole: bool = False
) -> QuerySet | list[dict]:
    """Each unordered pair of countries taking part in the same event: ``{source, target, weight}`` (ISO codes).

    A self-join of the (event, country) pairs on their event: each pair is there once per
    event, even for a country taking part several times (itself and through its minister),
    so ``weight``, the events they share, is a plain count. Countries are named after counting.
    Pairs sharing fewer than ``min_weight`` events are left out.

    The pairs meet through the events' table although the ids would do: the planner has no
    statistics on ``pairs``, guesses 200 events and expects hundreds of times too many rows
    (and with them a plan costly enough for PostgreSQL to spend seconds compiling it, JIT).
    """
    if whole:
        return tallies.pairs(user, min_weight)
    return grouped(
        facets.country_pairs(events, user),
        "SELECT e.source, s.name AS source_name, e.target, t.name AS target_name, e.weight FROM ("
        "SELECT a.code AS source, b.code AS target, COUNT(*) AS weight FROM pairs a "
        "INNER JOIN {event} ev ON ev.id = a.event_id "
        "INNER JOIN pairs b ON b.event_id = ev.id AND a.code < b.code GROUP BY a.code, b.code HAVING COUNT(*) >= %s"
        ") e INNER JOIN {country} s ON s.code = e.source INNER JOIN {country} t ON t.code = e.target",
        (min_weight,),
    )


def network(
    user,
    *,
    partnerships: QuerySet | None = None,
    events: QuerySet | None = None,
    min_weight: int = 1,
    whole: frozenset[str] = frozenset(),
) -> dict:
    """``{nodes, edges}``: partnership edges between parties, co-participation edges between countries.

    Either subject may be ``None`` to leave its edges out; edges of less than ``min_weight``
    are left out too. Nodes are the edges' ends, with their ``degree``: how many other nodes
    they are linked to, by either kind of edge. ``whole`` names the subjects no parameter narrows.
    """
    edges, names = [], {}
    events_pairs = partial(co_participation_pairs, whole="events" in whole)
    for kind, records, pairs, node_id in (
        (PARTNERSHIP, partnerships, partnership_pairs, str),
        (CO_PARTICIPATION, events, events_pairs, "country:{}".format),
    ):
        if records is None:
            continue
        for pair in pairs(records, user, min_weight):
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
