"""The limit: the benchmark's requests answered with the fastest SQL this schema allows, psycopg 3 and the stdlib.

``bench.baseline`` (the *mirror*) runs the app's own SQL without the framework, so it shows what the framework
costs, not what the queries cost. This server answers the same URLs with the same JSON (``bench.compare`` checks
it before every load) the way a Datasette-style server would: **one statement per request**, which finds the page
by walking an index with ``LIMIT`` and builds the whole nested document in PostgreSQL (``json_build_object``, and
``json_agg`` of each embedded list, grouped over the page's events at once). Python adds the ``next``/``previous``
links around the text PostgreSQL returns and sends it; nothing is parsed or re-encoded.

- a page of ``/api/v1/events/`` filtered by ``country``: a range of the facets' partial index ``(key, date_lower DESC
  NULLS LAST, title, event_id) WHERE public`` from the cursor's position, the dates checked on the facet's copies;
  of ``/api/v1/operations/``: the same in ``(key, kind, …) WHERE public``;
- unfiltered (and past a cursor: the deep page): a range of the timeline index ``(date_lower DESC NULLS LAST,
  title, id)``, or ``(kind, …)`` for the operations; the undated events close every list, so a page that reaches
  them is the dated range's rest then the undated range's start, ``UNION ALL``, each with its own ``LIMIT``;
- the operation detail: its primary key;
- the aggregates: each one statement too. The events' counts by kind, year, country and pair of countries are the
  rows the database keeps for them (``cooperation_eventtally``, its ``public`` ones), as the app's unfiltered
  aggregates read them; the figures' totals and the partnership edges are counted on every request. The app caches
  its answers per data version, so under load it serves them from memory and this column is their cost in SQL.

**Search** (``?search=``): the events' texts (``cooperation_eventtext``: one stored document per event of every
text a word may match, the timeline's sort keys beside it) walked in ``(date_lower DESC NULLS LAST, title, event_id)
WHERE public``, each document checked, stopping after the page — or, for a rare word, their GIN index read and the
few found sorted: the planner's choice, so the words are written into the statement (quoted) for it to be planned for
them, once per search.
Under a country's facet, each event the walk meets is probed by its texts' primary key.

Anything else is a 400 or a 404, as in the mirror; it serves no CSV (the export is compared with the mirror only).
It runs as anonymous clients see the API (published records only), on one connection per worker with server-side
parameter binding, so that psycopg prepares each statement after its fifth use and PostgreSQL soon plans it no more
(its generic plan, as good as a custom one: the page size is written into each statement, not bound), and without
parallel workers (``OWN_OPTIONS``).
"""

# ruff: noqa: S608 -- SQL is assembled from this module's constants; request values are always bound parameters.

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import date

import psycopg
import psycopg.sql

from bench.baseline import (
    KINDS,
    PUBLISHED,
    SESSION_OPTIONS,
    Baseline,
    HttpError,
    Request,
    bad_request,
    decode_cursor,
    encode_cursor,
    prefix_query,
    remove_query_param,
    replace_query_param,
    words,
)

# Parallel workers make a short statement wait for them to start, and under load only take cores from the other
# requests: off for this server (the app and the mirror keep PostgreSQL's defaults).
OWN_OPTIONS = "-c max_parallel_workers_per_gather=0"
FILTERS = {"country", "date_after", "date_before"}
EVENT_PARAMETERS = FILTERS | {"search", "cursor", "page_size"}
OPERATION_PARAMETERS = FILTERS | {"cursor", "page_size"}

# JSON fragments --------------------------------------------------------------------------------------------------
# SQL expressions of the app's JSON; ``%(origin)s`` and ``%(suffix)s`` are the request's (``Request.link``: scheme
# and host, and the ``?format=`` every URL keeps). The events of a page are the CTE ``shown (id, n)``; each embedded
# list is one grouped CTE over all of them (hash joins with the small tables built once, rather than a lookup per
# row), joined to the page by event.


def url(path: str) -> str:
    """An absolute URL: the request's origin, ``path`` (SQL text), the format suffix."""
    return f"(%(origin)s::text || {path} || %(suffix)s::text)"


def resource(kind: str) -> str:
    """The resource listing events of ``kind`` (SQL of an event's kind column)."""
    cases = " ".join(f"WHEN '{value}' THEN '{name}'" for value, _, name in KINDS)
    return f"(CASE {kind} {cases} END)"


def resource_path(alias: str) -> str:
    """``/api/v1/<resource>/<id>/`` of the event ``alias``, under its kind's resource."""
    return f"'/api/v1/' || {resource(alias + '.kind')} || '/' || {alias}.id || '/'"


def country(alias: str) -> str:
    """``{"code", "name"}`` of a country row joined as ``alias``, or null."""
    return (
        f"CASE WHEN {alias}.code IS NULL THEN NULL "
        f"ELSE json_build_object('code', {alias}.code, 'name', {alias}.name) END"
    )


def timestamp(column: str) -> str:
    """As DRF writes a datetime: ISO 8601 in UTC with ``Z``, microseconds only when there are any."""
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"(to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') "
        f"|| CASE WHEN to_char({utc}, 'US') = '000000' THEN '' ELSE to_char({utc}, '.US') END || 'Z')"
    )


def linked(alias: str) -> str:
    """``{"id", "kind", "title", "url"}`` of the event at the other end of a link."""
    return (
        f"json_build_object('id', {alias}.id, 'kind', {alias}.kind, 'title', {alias}.title, "
        f"'url', {url(resource_path(alias))})"
    )


# Each embedded list of the shown events: ``(id, list)``, grouped by event.
LISTS = {
    "topics": (
        "SELECT et.event_id AS id, json_agg(t.slug ORDER BY t.name) AS list FROM shown "
        "JOIN cooperation_event_topics et ON et.event_id = shown.id JOIN cooperation_topic t ON t.id = et.topic_id "
        "GROUP BY 1"
    ),
    # Participants anonymous clients see (their organization or person, if any, published), by role then id.
    "participants": (
        "SELECT p.event_id AS id, json_agg(json_build_object('uid', p.uid, 'role', p.role, 'detail', p.detail, "
        f"'country', {country('c')}, 'organization', CASE WHEN o.id IS NULL THEN NULL ELSE "
        "json_build_object('id', o.id, 'slug', o.slug, 'url', "
        + url("'/api/v1/organizations/' || o.id || '/'")
        + f", 'name', o.name, 'abbreviation', o.abbreviation, 'kind', o.kind, 'country', {country('oc')}) END, "
        "'person', CASE WHEN pe.id IS NULL THEN NULL ELSE json_build_object('id', pe.id, 'slug', pe.slug, 'url', "
        + url("'/api/v1/people/' || pe.id || '/'")
        + f", 'name', pe.name, 'country', {country('pc')}) END) ORDER BY p.role, p.id) AS list "
        "FROM shown JOIN cooperation_participation p ON p.event_id = shown.id "
        "LEFT JOIN cooperation_organization o ON o.id = p.organization_id "
        "LEFT JOIN cooperation_person pe ON pe.id = p.person_id "
        "LEFT JOIN cooperation_country c ON c.code = p.country_id "
        "LEFT JOIN cooperation_country oc ON oc.code = o.country_id "
        "LEFT JOIN cooperation_country pc ON pc.code = pe.country_id "
        f"WHERE (o.id IS NULL OR o.status = '{PUBLISHED}') AND (pe.id IS NULL OR pe.status = '{PUBLISHED}') GROUP BY 1"
    ),
    # Links to and from published events: every outgoing one (by kind) before the incoming ones (by their source,
    # newest first, then title and kind), as the app lists them.
    "links": (
        "SELECT x.id, json_agg(x.link ORDER BY x.incoming, x.lower DESC, x.title, x.kind) AS list FROM ("
        "SELECT l.source_id AS id, false AS incoming, NULL::date AS lower, NULL::text AS title, l.kind, "
        f"json_build_object('uid', l.uid, 'kind', l.kind, 'direction', 'out', 'event', {linked('t')}) AS link "
        "FROM shown JOIN cooperation_eventlink l ON l.source_id = shown.id "
        f"JOIN cooperation_event t ON t.id = l.target_id WHERE t.status = '{PUBLISHED}' "
        "UNION ALL SELECT l.target_id, true, t.date_lower, t.title, l.kind, "
        f"json_build_object('uid', l.uid, 'kind', l.kind, 'direction', 'in', 'event', {linked('t')}) "
        "FROM shown JOIN cooperation_eventlink l ON l.target_id = shown.id "
        f"JOIN cooperation_event t ON t.id = l.source_id WHERE t.status = '{PUBLISHED}') x GROUP BY 1"
    ),
    # A figure as the app writes it: ``585`` for a count, ``200.5`` for a measure (the column keeps 3 decimals).
    "outcomes": (
        "SELECT o.event_id AS id, json_agg(json_build_object('uid', o.uid, 'metric', json_build_object('slug', "
        "m.slug, 'name', m.name), 'value', trim_scale(o.value), 'unit', o.unit, 'qualifier', o.qualifier, "
        "'scope', o.scope, 'part_of', po.uid, 'counts', o.counts) ORDER BY m.name, o.id) AS list "
        "FROM shown JOIN cooperation_outcome o ON o.event_id = shown.id "
        "JOIN cooperation_metric m ON m.id = o.metric_id LEFT JOIN cooperation_outcome po ON po.id = o.part_of_id "
        "GROUP BY 1"
    ),
}


def embedded(name: str) -> str:
    return f"'{name}', COALESCE({name}.list, '[]'::json)"


@dataclass(frozen=True)
class Shape:
    """What a resource's items hold: their list (for their URL), the kind's table and fields, its lists."""

    resource: str
    source: str  # the events' rows, alias ``e`` (and the kind's, ``j``)
    lists: tuple[str, ...]
    tail: tuple[str, ...]  # the pairs after the core fields

    def json(self) -> str:
        """The item (alias ``e``, the lists by name) as the app's JSON."""
        own = url(f"'/api/v1/{self.resource}/' || e.id || '/'")
        pairs = (
            f"'id', e.id, 'url', {own}",
            f"'slug', e.slug, 'status', e.status, 'updated_at', {timestamp('e.updated_at')}",
            "'kind', e.kind, 'title', e.title, 'date', json_build_object('edtf', e.date, 'text', e.date_text, "
            "'lower', e.date_lower, 'upper', e.date_upper, 'precision', e.date_precision)",
            f"'place', json_build_object('name', e.place_name, 'country', {country('place')})",
            "'summary', e.summary",
            *(embedded(name) for name in ("topics", "participants", "links")),
            *self.tail,
        )
        return f"json_build_object({', '.join(pairs)})"

    def lists_sql(self) -> str:
        """The CTEs of the lists, to follow ``shown``'s."""
        return "".join(f", {name} AS ({LISTS[name]})" for name in self.lists)

    def items(self) -> str:
        """A SELECT of the shown items as one JSON array, in ``shown.n`` order."""
        joins = "".join(f" LEFT JOIN {name} ON {name}.id = shown.id" for name in self.lists)
        return (
            f"SELECT COALESCE(json_agg({self.json()} ORDER BY shown.n), '[]'::json) "
            f"FROM shown JOIN {self.source} ON e.id = shown.id "
            f"LEFT JOIN cooperation_country place ON place.code = e.place_country_id{joins}"
        )


TIMELINE = Shape(
    "events",
    "cooperation_event e",
    ("topics", "participants", "links"),
    (f"'resource_url', {url(resource_path('e'))}",),
)
OPERATIONS = Shape(
    "operations",
    "cooperation_event e JOIN cooperation_jointoperation j ON j.event_ptr_id = e.id",
    ("topics", "participants", "links", "outcomes"),
    ("'code_name', j.code_name, 'aim', j.aim, 'scale', j.scale", embedded("outcomes")),
)

# Search -----------------------------------------------------------------------------------------------------------


def word_matches(alias: str, query: str) -> str:
    """A word (``query``: the SQL literal of its ``prefix_query``) in the public document of the texts row ``alias``."""
    return f"{alias}.public_document @@ to_tsquery('simple'::regconfig, {query})"


# Pages ------------------------------------------------------------------------------------------------------------


@dataclass
class Walk:
    """Where a list's rows are found, in the timeline's order: ``source`` (SQL), conditions, the sort keys' columns."""

    source: str
    conditions: list[str]
    keys: tuple[str, str, str]  # date_lower, title, event id: the columns an index holds in this order
    parameters: dict = field(default_factory=dict)

    def rows(self, limit: int, beyond: str = "") -> str:
        day, title, pk = self.keys
        where = " AND ".join([*self.conditions, *([beyond] if beyond else [])])
        return (
            f"SELECT {pk} AS id, {day} AS date_lower, {title} AS title FROM {self.source} WHERE {where} "
            f"ORDER BY {day} DESC NULLS LAST, {title}, {pk} LIMIT {int(limit)}"
        )

    def page(self, position: tuple | None, limit: int) -> str:
        """The ids and sort keys of the ``limit`` rows from ``position`` (a cursor's, or the start)."""
        day, title, pk = self.keys
        if position is None:
            return self.rows(limit)
        after = f"({title} > %(title)s OR ({title} = %(title)s AND {pk} > %(pk)s))"
        if position[0] is None:
            return self.rows(limit, f"{day} IS NULL AND {after}")
        # The dated rest, seeking the index to the position; then the undated start, should the page reach it.
        dated = self.rows(limit, f"{day} <= %(day)s AND ({day} < %(day)s OR ({day} = %(day)s AND {after}))")
        return (
            f"SELECT * FROM (({dated}) UNION ALL ({self.rows(limit, f'{day} IS NULL')})) k "
            f"ORDER BY k.date_lower DESC NULLS LAST, k.title, k.id LIMIT {int(limit)}"
        )


def page_statement(walk: Walk, position: tuple | None, shape: Shape, size: int) -> str:
    """One statement: how many rows were found (up to a page and one), the page as JSON, its first and last
    positions (``[date_lower, title, id]``).

    The page size is written into the statement, not bound: one prepared statement per size (a handful in
    practice), each planned for its ``LIMIT`` — a generic plan of ``LIMIT $1`` expects a tenth of the table and
    hashes whole tables to join the page's lists.
    """
    size = int(size)
    return (
        f"WITH page AS MATERIALIZED (SELECT k.id, k.date_lower, k.title, "
        f"row_number() OVER (ORDER BY k.date_lower DESC NULLS LAST, k.title, k.id) AS n "
        f"FROM ({walk.page(position, size + 1)}) k)"
        f", shown AS (SELECT id, n FROM page WHERE n <= {size}){shape.lists_sql()} "
        f"SELECT (SELECT count(*) FROM page), ({shape.items()})::text, "
        "(SELECT json_build_array(date_lower, title, id) FROM page WHERE n = 1)::text, "
        f"(SELECT json_build_array(date_lower, title, id) FROM page WHERE n <= {size} ORDER BY n DESC LIMIT 1)::text"
    )


# An operation by id: its JSON and whether there is one (the array's only item).
DETAIL = (
    "WITH shown AS (SELECT j.event_ptr_id AS id, 1 AS n FROM cooperation_jointoperation j "
    f"JOIN cooperation_event e ON e.id = j.event_ptr_id WHERE j.event_ptr_id = %(pk)s AND e.status = '{PUBLISHED}')"
    f"{OPERATIONS.lists_sql()} SELECT (SELECT count(*) FROM shown), (({OPERATIONS.items()}) -> 0)::text"
)


def walk_of(request: Request, *, kind: str | None = None) -> Walk:
    """The walk answering the request's filters: a facet's index for a country, else the timeline's."""
    parameters: dict = {}
    # A search's words are written into the statement, quoted, not bound: its plan depends on them (the walk for a
    # common word, the text index for a rare one), so it is planned for them — once per search, then prepared.
    queries = [
        psycopg.sql.quote(prefix_query(word)).replace("%", "%%") for word in words(request.params.get("search", ""))
    ]
    code = request.params.get("country", "").strip().upper()
    if code:
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise bad_request("country: use an ISO 3166-1 alpha-2 code such as UA.")
        parameters["key"] = f"c:{code}"
        # ``public``: published, and found under the key through records anonymous clients may see; a kind's list
        # walks ``(key, kind, …)``.
        walk = Walk(
            "cooperation_eventfacet f", ["f.key = %(key)s", "f.public"], ("f.date_lower", "f.title", "f.event_id")
        )
        if kind:
            walk.conditions.append(f"f.kind = '{kind}'")
        if queries:  # each event the walk meets, probed by its texts' primary key
            texts = " AND ".join(word_matches("t", query) for query in queries)
            walk.conditions.append(
                f"EXISTS (SELECT 1 FROM cooperation_eventtext t WHERE t.event_id = f.event_id AND {texts})"
            )
        dates = "f"
    elif queries:
        # The texts' ``(date_lower DESC NULLS LAST, title, event_id) WHERE public`` walked, each document checked;
        # or, for a rare word, their GIN index read and the few found sorted: the planner's choice, by the words.
        walk = Walk("cooperation_eventtext t", ["t.public"], ("t.date_lower", "t.title", "t.event_id"))
        walk.conditions += [word_matches("t", query) for query in queries]
        if kind:
            walk.conditions.append(f"t.kind = '{kind}'")
        dates = "t"
    else:
        walk = Walk("cooperation_event e", [f"e.status = '{PUBLISHED}'"], ("e.date_lower", "e.title", "e.id"))
        if kind:
            walk.conditions.append(f"e.kind = '{kind}'")
        dates = "e"
    # Overlap, the default date_mode: an uncertain date that may fall in the range; an open end never excludes.
    for name, column, operator in (("date_after", "date_upper", ">="), ("date_before", "date_lower", "<=")):
        if value := request.params.get(name):
            try:
                parameters[name] = date.fromisoformat(value)
            except ValueError:
                raise bad_request(f"{name}: enter an ISO date, e.g. 2005-12-31.") from None
            walk.conditions.append(f"({dates}.{column} {operator} %({name})s OR {dates}.{column} IS NULL)")
    walk.parameters = parameters
    return walk


# Aggregates -------------------------------------------------------------------------------------------------------


def tallied(prefix: str) -> str:
    """``(key, count)``: the published events counted under each key of ``prefix`` (``k``, ``y``, ``c``, ``n``), the
    prefix taken off."""
    return (
        f"SELECT substr(key, {len(prefix) + 2}) AS key, SUM(events) AS count FROM cooperation_eventtally "
        f"WHERE key LIKE '{prefix}:%%' AND public GROUP BY 1 HAVING SUM(events) > 0"
    )


KIND_ROWS = ", ".join(f"('{kind}', '{label}', {position})" for position, (kind, label, _) in enumerate(KINDS))
STATS = {
    "events-by-kind": (
        "SELECT json_build_object('results', json_agg(json_build_object('kind', k.kind, 'label', k.label, "
        "'count', COALESCE(n.count, 0)) ORDER BY k.position))::text "
        f"FROM (VALUES {KIND_ROWS}) k (kind, label, position) LEFT JOIN ({tallied('k')}) n ON n.key = k.kind"
    ),
    "events-by-year": (
        "SELECT json_build_object('results', COALESCE(json_agg(json_build_object('year', y.year, 'count', y.count) "
        "ORDER BY y.year NULLS LAST), '[]'::json))::text "
        f"FROM (SELECT NULLIF(key, '')::int AS year, count FROM ({tallied('y')}) t) y"
    ),
    "events-by-country": (
        "SELECT json_build_object('results', COALESCE(json_agg(json_build_object('country', "
        "json_build_object('code', c.code, 'name', c.name), 'count', n.count) ORDER BY n.count DESC, c.name), "
        f"'[]'::json))::text FROM ({tallied('c')}) n JOIN cooperation_country c ON c.code = n.key"
    ),
    "outcome-totals": (
        "SELECT json_build_object('results', COALESCE(json_agg(json_build_object('metric', "
        "json_build_object('slug', m.slug, 'name', m.name), 'unit', t.unit, 'total', trim_scale(t.total), "
        "'figures', t.figures, 'inexact', t.inexact, 'events', t.events, 'partnerships', t.partnerships) "
        "ORDER BY m.name, t.unit), '[]'::json))::text FROM (SELECT o.metric_id, o.unit, SUM(o.value) AS total, "
        "COUNT(*) AS figures, COUNT(*) FILTER (WHERE o.qualifier <> 'exact') AS inexact, "
        "COUNT(DISTINCT o.event_id) AS events, COUNT(DISTINCT o.partnership_id) AS partnerships "
        "FROM cooperation_outcome o WHERE o.event_id IN "
        f"(SELECT id FROM cooperation_event WHERE status = '{PUBLISHED}') AND o.counts AND o.part_of_id IS NULL "
        "GROUP BY 1, 2) t JOIN cooperation_metric m ON m.id = t.metric_id"
    ),
}


def party(alias: str, organization: str) -> str:
    """A partnership party's node key, as the app writes it: ``country:XX`` or ``organization:<slug>``."""
    return (
        f"(CASE WHEN {alias}.country_id IS NOT NULL THEN 'country:' || {alias}.country_id "
        f"ELSE 'organization:' || {organization}.slug END)"
    )


# The network: partnership edges between parties (their partnerships' ids listed), co-participation edges between
# the countries of published events (the pairs' counts), both ends sorted as strings; every node once, with its
# degree, the number of distinct nodes it has an edge to.
STATS["network"] = (
    "WITH parties AS (SELECT a.partnership_id, "
    f"{party('a', 'ao')} AS node FROM cooperation_partnershipparty a "
    f"JOIN cooperation_partnership s ON s.id = a.partnership_id AND s.status = '{PUBLISHED}' "
    "LEFT JOIN cooperation_organization ao ON ao.id = a.organization_id "
    f"WHERE ao.id IS NULL OR ao.status = '{PUBLISHED}'), "
    "countries AS (SELECT 'c:' || substr(key, 1, 2) AS one, 'c:' || substr(key, 4, 2) AS other, count AS weight "
    f"FROM ({tallied('n')}) t), "
    "pairs AS (SELECT a.node AS one, b.node AS other, 'partnership' AS kind, "
    "COUNT(DISTINCT a.partnership_id) AS weight, array_agg(a.partnership_id ORDER BY a.partnership_id) AS ids "
    "FROM parties a JOIN parties b ON b.partnership_id = a.partnership_id AND a.node < b.node GROUP BY 1, 2 "
    "UNION ALL SELECT 'country:' || substr(one, 3), 'country:' || substr(other, 3), 'co-participation', weight, "
    "NULL FROM countries), "
    'edges AS (SELECT LEAST(one COLLATE "C", other COLLATE "C") AS source, '
    'GREATEST(one COLLATE "C", other COLLATE "C") AS target, kind, weight, ids FROM pairs), '
    "nodes AS (SELECT n.node, n.degree, split_part(n.node, ':', 1) AS type, "
    "substr(n.node, strpos(n.node, ':') + 1) AS natural_key, COALESCE(c.name, o.name) AS name "
    "FROM (SELECT node, count(DISTINCT neighbour) AS degree FROM (SELECT one AS node, other AS neighbour FROM pairs "
    "UNION ALL SELECT other, one FROM pairs) ends GROUP BY node) n "
    "LEFT JOIN cooperation_country c ON n.node = 'country:' || c.code "
    "LEFT JOIN cooperation_organization o ON n.node = 'organization:' || o.slug) "
    "SELECT json_build_object("
    "'nodes', COALESCE((SELECT json_agg(CASE WHEN type = 'country' "
    "THEN json_build_object('id', node, 'type', type, 'code', natural_key, 'name', name, 'degree', degree) "
    "ELSE json_build_object('id', node, 'type', type, 'slug', natural_key, 'name', name, 'degree', degree) END "
    "ORDER BY node COLLATE \"C\") FROM nodes), '[]'::json), "
    "'edges', COALESCE((SELECT json_agg(CASE WHEN ids IS NULL "
    "THEN json_build_object('source', source, 'target', target, 'kind', kind, 'weight', weight) "
    "ELSE json_build_object('source', source, 'target', target, 'kind', kind, 'weight', weight, "
    "'partnerships', ids) END ORDER BY source, target, kind COLLATE \"C\") FROM edges), '[]'::json))::text"
)


# The application --------------------------------------------------------------------------------------------------


class Limit(Baseline):
    """The WSGI application; the mirror's request handling, connection per process and query count."""

    def connect(self) -> psycopg.Connection:
        if self.connection is None or self.connection.closed:
            # Server-side binding: the same statement text every time, prepared by psycopg after five uses.
            self.connection = psycopg.connect(
                self.dsn or os.environ["BENCH_DSN"], autocommit=True, options=f"{SESSION_OPTIONS} {OWN_OPTIONS}"
            )
        return self.connection

    def fetch(self, sql: str, parameters=()) -> list[tuple]:
        connection = self.connect()
        if self.statements is not None:
            self.counted(psycopg.ClientCursor(connection).mogrify(sql, parameters))
        else:
            self.counted(sql)
        with connection.cursor() as cursor:
            return cursor.execute(sql, parameters).fetchall()

    def export(self, request: Request):
        raise HttpError("404 Not Found", "The limit serves no CSV: the export is compared with the mirror only.")

    def route(self, request: Request) -> bytes:
        path = request.path
        links = {"origin": request.origin, "suffix": request.suffix}
        if path == "/api/v1/events/":
            request.only(EVENT_PARAMETERS)
            return self.page(request, walk_of(request), TIMELINE)
        if path == "/api/v1/operations/":
            request.only(OPERATION_PARAMETERS)
            return self.page(request, walk_of(request, kind="operation"), OPERATIONS)
        if match := re.fullmatch(r"/api/v1/operations/(\d+)/", path):
            request.only(set())
            ((found, item),) = self.fetch(DETAIL, {**links, "pk": int(match[1])})
            if not found:
                raise HttpError("404 Not Found", "No JointOperation matches the given query.")
            return item.encode()
        if (match := re.fullmatch(r"/api/v1/stats/([a-z-]+)/", path)) and match[1] in STATS:
            request.only(set())
            return self.fetch(STATS[match[1]], {})[0][0].encode()
        raise HttpError("404 Not Found", "Not a benchmark scenario.")

    def page(self, request: Request, walk: Walk, shape: Shape) -> bytes:
        """A keyset page, the next and previous links around the JSON PostgreSQL wrote."""
        size, cursor = request.page_size(), request.params.get("cursor")
        parameters = {**walk.parameters, "origin": request.origin, "suffix": request.suffix}
        position = None
        if cursor is not None:
            _, position = decode_cursor(cursor)
            parameters.update(day=position[0], title=position[1], pk=position[2])
        ((found, results, first, last),) = self.fetch(page_statement(walk, position, shape, size), parameters)

        def link(values: str, direction: str) -> str:
            return replace_query_param(request.url, "cursor", encode_cursor(direction, json.loads(values)))

        previous = None
        if cursor is not None:
            previous = link(first, "prev") if first else remove_query_param(request.url, "cursor")
        following = link(last, "next") if found > size else None
        return f'{{"next":{json.dumps(following)},"previous":{json.dumps(previous)},"results":{results}}}'.encode()


application = Limit(os.environ.get("BENCH_DSN"))
