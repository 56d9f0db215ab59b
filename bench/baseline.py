"""The framework-free baseline, the *mirror*: the benchmark's requests answered with psycopg 3 and the stdlib only.

It answers the same URLs as the app with the app's SQL — the same tables, joins, filters,
ordering and keyset conditions, the same number of queries (the app's own overhead aside: its
ETag, its parameter validation, its answer cache's data version), though selecting only the
columns the payload shows — and with the same JSON: same keys, nesting and values, URLs built
from the Host header. Keep it in step with the app: ``bench.run`` compares both bodies before
loading each scenario and says where they first differ; a change of the app's SQL alone it
cannot see, so when a filter, prefetch or aggregate changes, compare ``python -m bench.sql PATH``
and follow it here.

What it serves (anything else is a 400 or a 404, never a silently different answer):

- ``/api/v1/events/``: the timeline, keyset pages (``cursor``, ``page_size``) filtered by
  ``country``, ``date_after``, ``date_before``, ``search``; ``?format=csv`` streams every row;
- ``/api/v1/operations/`` (paged alike, filtered by ``country``, ``date_after``, ``date_before``) and
  ``/api/v1/operations/<id>/``;
- ``/api/v1/stats/<events-by-kind|events-by-year|events-by-country|outcome-totals|network>/``.

It runs as anonymous clients see the API (published records only), on one connection per
worker with client-side parameter binding, as Django does. JSON comes from the stdlib ``json``
module on purpose: this is the floor a framework is measured against, not the fastest encoder.
``queries`` counts the statements it ran, for ``bench.queries``.

It shows what the framework costs on the app's own queries, not what the queries cost: ``bench.limit`` answers
the same requests with the fastest SQL the schema allows.
"""

# ruff: noqa: S608 -- SQL is assembled from this module's constants; request values are always bound parameters.

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import psycopg

PUBLISHED = "published"
SESSION_OPTIONS = "-c jit=off -c random_page_cost=1.1"  # the app's session settings (tracker/settings.py, tests)
# Event kinds: value, label (as ``cooperation.choices.EventKind``), and the resource listing them.
KINDS = (
    ("session", "Council session", "sessions"),
    ("operation", "Joint operation", "operations"),
    ("exercise", "Exercise", "exercises"),
    ("meeting", "Meeting / visit / talks", "meetings"),
    ("statement", "Statement", "statements"),
)
RESOURCES = {kind: resource for kind, _, resource in KINDS}
ORDERING = ["-date_lower", "title", "pk"]  # the lists' default ordering, as the cursors name it
PAGE_SIZE, MAX_PAGE_SIZE = 50, 200
CSV_CHUNK = 500  # rows (and their related rows) read at a time while exporting, as the app does
FILTERS = {"country", "date_after", "date_before", "search"}
EVENT_PARAMETERS = FILTERS | {"cursor", "page_size", "format"}
CSV_COLUMNS = [  # the columns of the app's CSV of the timeline
    *("id", "url", "slug", "status", "updated_at", "kind", "title"),
    *("date.edtf", "date.text", "date.lower", "date.upper", "date.precision"),
    *("place.name", "place.country.code", "place.country.name"),
    *("summary", "topics", "participants", "links", "resource_url"),
]

EVENT_COLUMNS = (
    "e.id, e.slug, e.status, e.updated_at, e.kind, e.title, e.date, e.date_text, e.date_lower, e.date_upper, "
    "e.date_precision, e.place_name, pc.code, pc.name, e.summary"
)
EVENTS = "cooperation_event e LEFT JOIN cooperation_country pc ON pc.code = e.place_country_id"
OPERATIONS = (
    "cooperation_jointoperation j JOIN cooperation_event e ON e.id = j.event_ptr_id "
    "LEFT JOIN cooperation_country pc ON pc.code = e.place_country_id"
)
OPERATION_COLUMNS = f"{EVENT_COLUMNS}, j.code_name, j.aim, j.scale"

TOPICS = (
    "SELECT et.event_id, t.slug FROM cooperation_topic t JOIN cooperation_event_topics et ON t.id = et.topic_id "
    "WHERE et.event_id = ANY(%s) ORDER BY t.name"
)
PARTICIPANTS = (
    "SELECT p.event_id, p.uid, p.role, p.detail, c.code, c.name, "
    "o.id, o.slug, o.name, o.abbreviation, o.kind, oc.code, oc.name, pe.id, pe.slug, pe.name, pec.code, pec.name "
    "FROM cooperation_participation p "
    "LEFT JOIN cooperation_country c ON c.code = p.country_id "
    "LEFT JOIN cooperation_organization o ON o.id = p.organization_id "
    "LEFT JOIN cooperation_country oc ON oc.code = o.country_id "
    "LEFT JOIN cooperation_person pe ON pe.id = p.person_id "
    "LEFT JOIN cooperation_country pec ON pec.code = pe.country_id "
    f"WHERE p.event_id = ANY(%s) AND (o.id IS NULL OR o.status = '{PUBLISHED}') "
    f"AND (pe.id IS NULL OR pe.status = '{PUBLISHED}') "
    "ORDER BY p.role ASC, p.id ASC"
)
# Links to and from published events only: outgoing ones by kind, incoming ones by their source (newest first),
# then kind.
LINKS_OUT = (
    "SELECT l.source_id, l.uid, l.kind, t.id, t.kind, t.title FROM cooperation_eventlink l "
    f"JOIN cooperation_event t ON t.id = l.target_id WHERE t.status = '{PUBLISHED}' "
    "AND l.source_id = ANY(%s) ORDER BY l.kind ASC"
)
LINKS_IN = (
    "SELECT l.target_id, l.uid, l.kind, s.id, s.kind, s.title FROM cooperation_eventlink l "
    f"JOIN cooperation_event s ON s.id = l.source_id WHERE s.status = '{PUBLISHED}' "
    "AND l.target_id = ANY(%s) ORDER BY s.date_lower DESC, s.title ASC, l.kind ASC"
)
OUTCOMES = (
    "SELECT o.event_id, o.uid, m.slug, m.name, o.value, o.unit, o.qualifier, o.scope, po.uid, o.counts "
    "FROM cooperation_outcome o JOIN cooperation_metric m ON m.id = o.metric_id "
    "LEFT JOIN cooperation_outcome po ON po.id = o.part_of_id "
    "WHERE o.event_id = ANY(%s) ORDER BY m.name ASC, o.id ASC"
)


def tallied(columns: str) -> str:
    """The published events counted under each key ``LIKE`` the parameter (``selectors.tallies.counts``): ``columns``
    (parts of the key ``t.key``), then the count; keys no event counts under left out."""
    return (
        f"SELECT {columns}, SUM(t.events) FROM cooperation_eventtally t WHERE t.key LIKE %s AND t.public "
        "GROUP BY t.key HAVING SUM(t.events) > 0"
    )


def country_name(code: str) -> str:
    return f"(SELECT c.name FROM cooperation_country c WHERE c.code = {code})"


class HttpError(Exception):
    """An answer other than 200, with the app's ``{"detail": …}`` body."""

    def __init__(self, status: str, detail: str):
        super().__init__(detail)
        self.status = status


def bad_request(detail: str) -> HttpError:
    return HttpError("400 Bad Request", detail)


# Cursors -------------------------------------------------------------------------------------------------------------


def encode_cursor(direction: str, values: list) -> str:
    """The app's cursor: urlsafe base64, unpadded, of ``{"d": direction, "o": ordering, "v": values}``."""
    values = [value.isoformat() if isinstance(value, date) else value for value in values]
    raw = json.dumps({"d": direction, "o": ORDERING, "v": values}, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[str, tuple[date | None, str, int]]:
    """``(direction, (date_lower, title, id))`` of a cursor of the default ordering; a 400 for anything else."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        direction, ordering, (day, title, pk) = payload["d"], payload["o"], payload["v"]
        position = (None if day is None else date.fromisoformat(day), str(title), int(pk))
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error):
        raise bad_request("Invalid cursor: follow the next/previous links as given.") from None
    if direction != "next" or ordering != ORDERING:
        raise bad_request("The baseline follows next links of the default ordering only.")
    return direction, position


def replace_query_param(url: str, key: str, value: str) -> str:
    """``url`` with ``key`` set to ``value``, parameters sorted (what DRF's helper of that name does)."""
    scheme, netloc, path, query, fragment = urlsplit(url)
    params = parse_qs(query, keep_blank_values=True)
    params[key] = [value]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(params.items()), doseq=True), fragment))


def remove_query_param(url: str, key: str) -> str:
    scheme, netloc, path, query, fragment = urlsplit(url)
    params = parse_qs(query, keep_blank_values=True)
    params.pop(key, None)
    return urlunsplit((scheme, netloc, path, urlencode(sorted(params.items()), doseq=True), fragment))


# Requests ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """What the answer depends on: the absolute URL's parts and the query parameters (last value wins)."""

    origin: str  # "http://127.0.0.1:8702"
    path: str
    query: str
    params: dict[str, str]
    suffix: str  # what every URL written ends with: "?format=csv" when the request overrides the format

    @classmethod
    def from_environ(cls, environ) -> Request:
        query = environ.get("QUERY_STRING", "")
        params = {key: values[-1] for key, values in parse_qs(query, keep_blank_values=True).items()}
        host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
        # Like DRF's reverse(), every URL written keeps the request's format override.
        suffix = f"?{urlencode({'format': params['format']})}" if "format" in params else ""
        return cls(f"{environ['wsgi.url_scheme']}://{host}", environ.get("PATH_INFO", "/"), query, params, suffix)

    @property
    def url(self) -> str:
        return f"{self.origin}{self.path}" + (f"?{self.query}" if self.query else "")

    def link(self, path: str) -> str:
        return f"{self.origin}{path}{self.suffix}"

    def only(self, allowed: set[str]) -> None:
        if unknown := sorted(set(self.params) - allowed):
            raise bad_request(f"Not supported by the baseline: {', '.join(unknown)}.")

    def page_size(self) -> int:
        value = self.params.get("page_size")
        if value is None:
            return PAGE_SIZE
        size = int(value) if value.isdigit() else 0
        if size < 1:
            raise bad_request(f"page_size: enter a whole number from 1 to {MAX_PAGE_SIZE}.")
        return min(size, MAX_PAGE_SIZE)


@dataclass
class Where:
    """A WHERE clause being built: conditions joined by AND, and their bound parameters; ``tables`` joined to the
    list's (a facet, for a country), and the ``keys`` the rows are sorted and paged on (the facet's copies then)."""

    conditions: list[str]
    parameters: list
    tables: str = ""
    keys: tuple[str, str, str] = ("e.date_lower", "e.title", "e.id")

    @property
    def order(self) -> str:
        day, title, pk = self.keys
        return f"{day} DESC NULLS LAST, {title} ASC, {pk} ASC"

    def add(self, condition: str, *parameters) -> None:
        self.conditions.append(condition)
        self.parameters.extend(parameters)

    def __str__(self) -> str:
        return " AND ".join(self.conditions)


def prefix_query(word: str) -> str:
    """A word as a quoted tsquery operand matching the words it begins (``search.prefix_query``)."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "':*"


def words(text: str) -> list[str]:
    """The words of ``?search=``: punctuation alone is not a word (``search.words``)."""
    return [word for word in text.split() if any(character.isalnum() for character in word)]


# ``?search=`` (``filters.EventSearchFilter``, ``selectors.facets.matching``): every word in the event's stored
# document of what anonymous clients may see (``cooperation_eventtext``). Alone, the list joins that row and is
# sorted, paged and filtered by date on its copies; under a country's facet, each event the walk meets is probed.
TEXTS = "JOIN cooperation_eventtext hit ON hit.event_id = e.id"
TEXT_KEYS = ("hit.date_lower", "hit.title", "hit.event_id")


def word_matches(alias: str) -> str:
    return f"{alias}.public_document @@ (to_tsquery('simple'::regconfig, %s))"


# ``?country=`` (``filters.EventCoreFilterSet.filter_facet``, ``selectors.facets.under``): the events under the
# country's facet key that anonymous clients find there (of the list's kind), sorted, paged and filtered by date on
# the facet's copies.
COUNTRY_FACET = "JOIN cooperation_eventfacet hit ON hit.event_id = e.id"
COUNTRY_KEYS = ("hit.date_lower", "hit.title", "hit.event_id")


def event_filters(request: Request, kind: str | None = None) -> Where:
    """The WHERE of the timeline's filters (or of ``kind``'s list's), for anonymous clients (published only)."""
    where = Where([f"e.status = '{PUBLISHED}'"], [])
    dates = "e"
    searched = [prefix_query(word) for word in words(request.params.get("search", ""))]
    if country := request.params.get("country", "").strip().upper():
        if not re.fullmatch(r"[A-Z]{2}", country):
            raise bad_request("country: use an ISO 3166-1 alpha-2 code such as UA.")
        where.tables, where.keys, dates = f" {COUNTRY_FACET}", COUNTRY_KEYS, "hit"
        where.add("hit.key = %s AND hit.public", f"c:{country}")
        if kind:  # one kind's list walks that kind's facet rows
            where.add("hit.kind = %s", kind)
        if searched:
            texts = " AND ".join(word_matches("t") for _ in searched)
            where.add(
                f"EXISTS (SELECT 1 FROM cooperation_eventtext t WHERE t.event_id = hit.event_id AND {texts})", *searched
            )
    elif searched:
        where.tables, where.keys, dates = f" {TEXTS}", TEXT_KEYS, "hit"
        where.add("hit.public")
        for query in searched:
            where.add(word_matches("hit"), query)
    # Overlap, the default date_mode: an uncertain date that may fall in the range; an open end never excludes.
    for name, column, operator in (("date_after", "date_upper", ">="), ("date_before", "date_lower", "<=")):
        if value := request.params.get(name):
            try:
                day = date.fromisoformat(value)
            except ValueError:
                raise bad_request(f"{name}: enter an ISO date, e.g. 2005-12-31.") from None
            where.add(f"({dates}.{column} {operator} %s OR {dates}.{column} IS NULL)", day)
    return where


# Rows to payloads ----------------------------------------------------------------------------------------------------


def timestamp(value: datetime) -> str:
    """As DRF writes a datetime in UTC: ISO 8601 with ``Z``."""
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def country(code: str | None, name: str | None) -> dict | None:
    return None if code is None else {"code": code, "name": name}


def figure(value: Decimal) -> int | float:
    """A figure as a JSON number: ``585`` for a count, ``200.5`` for a measure."""
    value = value.quantize(Decimal("0.001"))
    return int(value) if value == value.to_integral_value() else float(value)


def event_payload(row, request: Request, resource: str) -> dict:
    """The core fields of an event row (``EVENT_COLUMNS``); ``attach`` fills in its related lists."""
    pk, slug, status, updated_at, kind, title = row[:6]
    edtf, text, lower, upper, precision, place, code, name, summary = row[6:15]
    return {
        "id": pk,
        "url": request.link(f"/api/v1/{resource}/{pk}/"),
        "slug": slug,
        "status": status,
        "updated_at": timestamp(updated_at),
        "kind": kind,
        "title": title,
        "date": {"edtf": edtf, "text": text, "lower": iso(lower), "upper": iso(upper), "precision": precision},
        "place": {"name": place, "country": country(code, name)},
        "summary": summary,
        "topics": [],
        "participants": [],
        "links": [],
    }


def timeline_payload(row, request: Request) -> dict:
    payload = event_payload(row, request, "events")
    payload["resource_url"] = request.link(f"/api/v1/{RESOURCES[payload['kind']]}/{payload['id']}/")
    return payload


def operation_payload(row, request: Request) -> dict:
    payload = event_payload(row, request, "operations")
    payload.update(code_name=row[15], aim=row[16], scale=row[17], outcomes=[])
    return payload


def participant(row, request: Request) -> dict:
    """A ``PARTICIPANTS`` row: exactly one of country, organization or person is set."""
    _, uid, role, detail, code, name = row[:6]
    org, org_slug, org_name, abbreviation, org_kind, org_code, org_country = row[6:13]
    person, person_slug, person_name, person_code, person_country = row[13:]
    organization = person_reference = None
    if org is not None:
        organization = {
            "id": org,
            "slug": org_slug,
            "url": request.link(f"/api/v1/organizations/{org}/"),
            "name": org_name,
            "abbreviation": abbreviation,
            "kind": org_kind,
            "country": country(org_code, org_country),
        }
    if person is not None:
        person_reference = {
            "id": person,
            "slug": person_slug,
            "url": request.link(f"/api/v1/people/{person}/"),
            "name": person_name,
            "country": country(person_code, person_country),
        }
    return {
        "uid": str(uid),
        "role": role,
        "detail": detail,
        "country": country(code, name),
        "organization": organization,
        "person": person_reference,
    }


def link(row, direction: str, request: Request) -> dict:
    _, uid, kind, other, other_kind, other_title = row
    reference = {
        "id": other,
        "kind": other_kind,
        "title": other_title,
        "url": request.link(f"/api/v1/{RESOURCES[other_kind]}/{other}/"),
    }
    return {"uid": str(uid), "kind": kind, "direction": direction, "event": reference}


def outcome(row) -> dict:
    _, uid, slug, name, value, unit, qualifier, scope, part_of, counts = row
    return {
        "uid": str(uid),
        "metric": {"slug": slug, "name": name},
        "value": figure(value),
        "unit": unit,
        "qualifier": qualifier,
        "scope": scope,
        "part_of": None if part_of is None else str(part_of),
        "counts": counts,
    }


# CSV cells, as the app's renderer flattens a timeline row ------------------------------------------------------------


def labelled(label: str, qualifier: str) -> str:
    return f"{label} ({qualifier})" if qualifier and label else label or qualifier


def participant_label(item: dict) -> str:
    if item["country"]:
        return item["country"]["code"]
    if organization := item["organization"]:
        return organization["abbreviation"] or organization["name"]
    return item["person"]["name"] if item["person"] else ""


def csv_row(payload: dict) -> list[str]:
    place, day = payload["place"], payload["date"]
    return [
        str(payload["id"]),
        payload["url"],
        payload["slug"],
        payload["status"],
        payload["updated_at"],
        payload["kind"],
        payload["title"],
        *(day[key] or "" for key in ("edtf", "text", "lower", "upper", "precision")),
        place["name"],
        place["country"]["code"] if place["country"] else "",
        place["country"]["name"] if place["country"] else "",
        payload["summary"],
        "; ".join(payload["topics"]),
        "; ".join(labelled(participant_label(item), item["role"]) for item in payload["participants"]),
        "; ".join(labelled(item["event"]["title"], item["kind"]) for item in payload["links"]),
        payload["resource_url"],
    ]


# The application -----------------------------------------------------------------------------------------------------


class Baseline:
    """The WSGI application: one psycopg connection per process, opened on first use (after gunicorn forks)."""

    def __init__(self, dsn: str | None):
        self.dsn = dsn
        self.connection: psycopg.Connection | None = None
        self.queries = 0  # statements run so far, read by bench.queries' gunicorn hooks
        self.statements: list[str] | None = None  # when a list, each statement's SQL is kept there (bench.sql)

    def __call__(self, environ, start_response):
        request = Request.from_environ(environ)
        try:
            if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
                raise HttpError("405 Method Not Allowed", "Read-only.")
            if request.path == "/api/v1/events/" and request.params.get("format") == "csv":
                request.only(FILTERS | {"format"})
                rows = self.export(request)
                start_response("200 OK", [("Content-Type", "text/csv; charset=utf-8")])
                return rows
            body = self.route(request)
        except HttpError as error:
            body = json.dumps({"detail": str(error)}).encode()
            start_response(error.status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        # A body already encoded (``bench.limit``'s, built by PostgreSQL) is sent as it is.
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    def route(self, request: Request):
        path = request.path
        if path == "/api/v1/events/":
            request.only(EVENT_PARAMETERS - {"format"})
            return self.page(request, EVENTS, event_filters(request), EVENT_COLUMNS, timeline_payload)
        if path == "/api/v1/operations/":
            request.only(FILTERS - {"search"} | {"cursor", "page_size"})
            where = event_filters(request, "operation")
            return self.page(request, OPERATIONS, where, OPERATION_COLUMNS, operation_payload, outcomes=True)
        if match := re.fullmatch(r"/api/v1/operations/(\d+)/", path):
            request.only(set())
            return self.operation(request, int(match[1]))
        if match := re.fullmatch(r"/api/v1/stats/([a-z-]+)/", path):
            request.only(set())
            aggregate = getattr(self, "stats_" + match[1].replace("-", "_"), None)
            if aggregate is not None:
                return aggregate()
        raise HttpError("404 Not Found", "Not a benchmark scenario.")

    # Database ---------------------------------------------------------------------------------------------------------

    def connect(self) -> psycopg.Connection:
        if self.connection is None or self.connection.closed:
            # Client-side binding, as Django's psycopg backend: the server plans the same literal SQL,
            # with the app's session settings (JIT off).
            self.connection = psycopg.connect(
                self.dsn or os.environ["BENCH_DSN"],
                autocommit=True,
                cursor_factory=psycopg.ClientCursor,
                options=SESSION_OPTIONS,
            )
        return self.connection

    def fetch(self, sql: str, parameters=()) -> list[tuple]:
        with self.connect().cursor() as cursor:
            self.counted(cursor.mogrify(sql, parameters) if self.statements is not None else sql)
            return cursor.execute(sql, parameters).fetchall()

    def counted(self, sql: str) -> None:
        self.queries += 1
        if self.statements is not None:
            self.statements.append(sql)

    def attach(self, payloads: list[dict], request: Request, *, outcomes: bool = False) -> None:
        """The related lists of these events: topics, participants, links both ways (and outcomes): a query each."""
        if not payloads:
            return
        by_id = {payload["id"]: payload for payload in payloads}
        ids = list(by_id)
        for event, slug in self.fetch(TOPICS, [ids]):
            by_id[event]["topics"].append(slug)
        for row in self.fetch(PARTICIPANTS, [ids]):
            by_id[row[0]]["participants"].append(participant(row, request))
        # Every event's outgoing links before its incoming ones, as the app lists them.
        for sql, direction in ((LINKS_OUT, "out"), (LINKS_IN, "in")):
            for row in self.fetch(sql, [ids]):
                by_id[row[0]]["links"].append(link(row, direction, request))
        if outcomes:
            for row in self.fetch(OUTCOMES, [ids]):
                by_id[row[0]]["outcomes"].append(outcome(row))

    # Lists, a detail, an export ---------------------------------------------------------------------------------------

    def page(self, request: Request, source: str, where: Where, columns: str, payload, *, outcomes=False) -> dict:
        """A keyset page: ``LIMIT size + 1`` past the cursor's position; the undated rows (last) only when reached."""
        size, cursor = request.page_size(), request.params.get("cursor")
        base = f"SELECT {columns} FROM {source}{where.tables} WHERE {where}"
        lower, name, key = where.keys
        if cursor is None:
            rows = self.fetch(f"{base} ORDER BY {where.order} LIMIT %s", [*where.parameters, size + 1])
        else:
            _, (day, title, pk) = decode_cursor(cursor)
            if day is None:
                rows = self.fetch(
                    f"{base} AND {lower} IS NULL AND ({name} > %s OR ({name} = %s AND {key} > %s)) "
                    f"ORDER BY {where.order} LIMIT %s",
                    [*where.parameters, title, title, pk, size + 1],
                )
            else:
                rows = self.fetch(
                    f"{base} AND {lower} <= %s AND ({lower} < %s OR {lower} IS NULL "
                    f"OR ({lower} = %s AND {name} > %s) OR ({lower} = %s AND {name} = %s AND {key} > %s)) "
                    f"ORDER BY {where.order} LIMIT %s",
                    [*where.parameters, day, day, day, title, day, title, pk, size + 1],
                )
                if len(rows) <= size:
                    rows += self.fetch(
                        f"{base} AND {lower} IS NULL ORDER BY {where.order} LIMIT %s",
                        [*where.parameters, size + 1 - len(rows)],
                    )
        more, rows = len(rows) > size, rows[:size]
        payloads = [payload(row, request) for row in rows]
        self.attach(payloads, request, outcomes=outcomes)

        def position(row, direction):
            return replace_query_param(request.url, "cursor", encode_cursor(direction, [row[8], row[5], row[0]]))

        previous = None
        if cursor is not None:
            previous = position(rows[0], "prev") if rows else remove_query_param(request.url, "cursor")
        return {
            "next": position(rows[-1], "next") if more and rows else None,
            "previous": previous,
            "results": payloads,
        }

    def operation(self, request: Request, pk: int) -> dict:
        rows = self.fetch(
            f"SELECT {OPERATION_COLUMNS} FROM {OPERATIONS} WHERE e.status = '{PUBLISHED}' AND j.event_ptr_id = %s",
            [pk],
        )
        if not rows:
            raise HttpError("404 Not Found", "No JointOperation matches the given query.")
        payload = operation_payload(rows[0], request)
        self.attach([payload], request, outcomes=True)
        return payload

    def export(self, request: Request) -> Iterator[bytes]:
        """Every matching event as CSV, read through a server-side cursor a chunk at a time, so memory stays flat."""
        where = event_filters(request)
        sql = f"SELECT {EVENT_COLUMNS} FROM {EVENTS}{where.tables} WHERE {where} ORDER BY {where.order}"
        buffer = io.StringIO()
        writer = csv.writer(buffer)

        def flush() -> bytes:
            data = buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
            return data

        writer.writerow(CSV_COLUMNS)
        yield flush()
        connection = self.connect()
        with connection.transaction(), connection.cursor(name="export") as cursor:
            self.counted(sql)
            cursor.execute(sql, where.parameters)
            while rows := cursor.fetchmany(CSV_CHUNK):
                payloads = [timeline_payload(row, request) for row in rows]
                self.attach(payloads, request)
                writer.writerows(csv_row(payload) for payload in payloads)
                yield flush()

    # Aggregates -------------------------------------------------------------------------------------------------------

    def stats_events_by_kind(self) -> dict:
        counts = dict(self.fetch(tallied("SUBSTRING(t.key, 3)"), ["k:%"]))
        return {"results": [{"kind": kind, "label": label, "count": counts.get(kind, 0)} for kind, label, _ in KINDS]}

    def stats_events_by_year(self) -> dict:
        rows = [(int(year) if year else None, n) for year, n in self.fetch(tallied("SUBSTRING(t.key, 3)"), ["y:%"])]
        rows.sort(key=lambda row: (not row[0], row[0]))
        return {"results": [{"year": year, "count": n} for year, n in rows]}

    def stats_events_by_country(self) -> dict:
        rows = self.fetch(
            tallied(f"SUBSTRING(t.key, 3, 2), {country_name('SUBSTRING(t.key, 3, 2)')}") + " ORDER BY 3 DESC, 2 ASC",
            ["c:%"],
        )
        return {"results": [{"country": {"code": code, "name": name}, "count": n} for code, name, n in rows]}

    def stats_outcome_totals(self) -> dict:
        rows = self.fetch(
            "SELECT o.metric_id, o.unit, SUM(o.value), COUNT(o.id), COUNT(o.id) FILTER (WHERE NOT o.qualifier = %s), "
            "COUNT(DISTINCT o.event_id), COUNT(DISTINCT o.partnership_id), "
            "(SELECT u0.slug FROM cooperation_metric u0 WHERE u0.id = o.metric_id), "
            "(SELECT u0.name FROM cooperation_metric u0 WHERE u0.id = o.metric_id) "
            "FROM cooperation_outcome o WHERE o.event_id IN (SELECT id FROM cooperation_event WHERE status = %s) "
            "AND o.counts AND o.part_of_id IS NULL GROUP BY 1, 2 ORDER BY 9 ASC, 2 ASC",
            ["exact", PUBLISHED],
        )
        return {
            "results": [
                {
                    "metric": {"slug": slug, "name": name},
                    "unit": unit,
                    "total": figure(total),
                    "figures": figures,
                    "inexact": inexact,
                    "events": events,
                    "partnerships": partnerships,
                }
                for _, unit, total, figures, inexact, events, partnerships, slug, name in rows
            ]
        }

    def stats_network(self) -> dict:
        """Partnership edges between parties, co-participation edges between countries; nodes with their degree."""

        def node(party: str, organization: str) -> str:
            return (
                f"CASE WHEN {party}.country_id IS NOT NULL "
                f"THEN (COALESCE('country:', '') || COALESCE({party}.country_id, '')) "
                f"ELSE (COALESCE('organization:', '') || COALESCE({organization}.slug, '')) END"
            )

        partnerships = self.fetch(
            f"SELECT {node('a', 'ao')}, {node('b', 'bo')}, COALESCE(ac.name, ao.name), COALESCE(bc.name, bo.name), "
            "COUNT(DISTINCT a.partnership_id), STRING_AGG((a.partnership_id)::varchar, ',') "
            "FROM cooperation_partnershipparty a JOIN cooperation_partnership s ON a.partnership_id = s.id "
            "LEFT JOIN cooperation_country ac ON a.country_id = ac.code "
            "LEFT JOIN cooperation_organization ao ON a.organization_id = ao.id "
            "LEFT JOIN cooperation_partnershipparty b ON s.id = b.partnership_id "
            "LEFT JOIN cooperation_country bc ON b.country_id = bc.code "
            "LEFT JOIN cooperation_organization bo ON b.organization_id = bo.id "
            "WHERE a.partnership_id IN (SELECT id FROM cooperation_partnership WHERE status = %s) "
            f"AND (ao.id IS NULL OR ao.status = '{PUBLISHED}') AND (bo.id IS NULL OR bo.status = '{PUBLISHED}') "
            f"AND {node('a', 'ao')} < ({node('b', 'bo')}) GROUP BY 1, 2, 3, 4",
            [PUBLISHED],
        )
        source, target = "SUBSTRING(t.key, 3, 2)", "SUBSTRING(t.key, 6, 2)"
        countries = self.fetch(tallied(f"{source}, {target}, {country_name(source)}, {country_name(target)}"), ["n:%"])
        edges, names = [], {}
        pairs = [(row, "partnership", str) for row in partnerships]
        pairs += [((*row, None), "co-participation", "country:{}".format) for row in countries]
        for (one, other, one_name, other_name, weight, ids), kind, node_id in pairs:
            ends = {node_id(one): one_name, node_id(other): other_name}
            names.update(ends)
            first, second = sorted(ends)  # the collation paired them; the API promises source < target as strings
            edge = {"source": first, "target": second, "kind": kind, "weight": weight}
            if ids is not None:
                edge["partnerships"] = sorted(int(pk) for pk in ids.split(","))
            edges.append(edge)
        edges.sort(key=lambda edge: (edge["source"], edge["target"], edge["kind"]))
        neighbours = {key: set() for key in names}
        for edge in edges:
            neighbours[edge["source"]].add(edge["target"])
            neighbours[edge["target"]].add(edge["source"])
        nodes = []
        for key in sorted(names):
            kind, natural_key = key.split(":", 1)
            natural = "code" if kind == "country" else "slug"
            nodes.append(
                {"id": key, "type": kind, natural: natural_key, "name": names[key], "degree": len(neighbours[key])}
            )
        return {"nodes": nodes, "edges": edges}


application = Baseline(os.environ.get("BENCH_DSN"))
