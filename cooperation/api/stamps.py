"""What a response's validators cover besides its records' own rows: everything their payload embeds.

A payload shows more than its record's row: an event shows its participants with their organizations' and people's
names, its topics, figures (with their metrics), links (with the titles of the events at the other end) and
citations (with their documents and outlets); a session its council; a document its outlet. Any of these changes
without the record changing (an organization renamed, a figure corrected, a document's outlet renamed), so
``conditional`` validates a response by a **stamp** of them as well as by the records' own ``updated_at``. The stamp
is read in the query that reads the records' ids and timestamps already (a detail's, a keyset page's, a counted
list's aggregate), so it costs no query of its own:

- what to stamp is read off the view's own queryset, the one the payload is read with (``Plan.of``): its
  ``select_related`` (a record embedded once: ``council``, ``source``) and its prefetches (rows embedded many
  times: ``participations``, ``topics``, ``outcomes``, ``links_out``…, with what they select in turn, and the rows
  below them: a participant's citations). So the stamp follows the payload shape (``?fields=``,
  ``?include=citations``) and the visibility rule (``selectors.visibility``): rows the client may not see are not
  in its querysets, so not in its stamp either, and a draft's changes leave the public's ETags alone;
- a record embedded once is stamped by its ``updated_at`` when the client may see it, and null when not (as the
  payload shows it);
- rows embedded many times, by their number and their latest ``updated_at`` (a change stamps a row with the time of
  the change, later than every other), and for each kind of record they embed, the latest ``updated_at`` and the
  number the client may see (a record unpublished shows as a row less, or a null). Rows without a timestamp of
  their own — set memberships (an event's topics, an organization's member states) and a person's name variants —
  by their number and highest id (ids are never reused); they are written with their record, whose own
  ``updated_at`` moves with them;
- reference data (countries, topics, metrics) has no timestamps: it is stamped as a whole, by a digest of its few
  hundred rows that the database computes only when the data version (``cooperation.changes``, moved by every
  committed write) is not one this process has the digest for already: never stale, and free while nothing is
  written.

A queryset this cannot describe (a prefetched to-one relation, a sliced prefetch, ``select_related()`` without
names) is stamped by the data version itself: never stale, but moved by any write. ``tests/test_api_etags.py``
checks that no resource comes to that. A CSV list of events is too, on purpose (``Plan.aggregates``): it may be
every event, and stamping a million records' rows would cost seconds, where the data version costs nothing.

The stamp is computed per record, by correlated subqueries on the records' keys (index lookups); it costs about a
millisecond of the database's time for a detail and a few for a page of 50 events (``?include=citations``: more),
and is compiled to SQL once per view, payload shape and kind of reader (``Plan.sql``).

Stamps are text (``|``-separated counts, ids and timestamps): only compared, never interpreted, but for their
timestamps, the latest of which is the response's ``Last-Modified`` when later than the records' own.
"""

# ruff: noqa: S608 -- the SQL here is assembled from this module's constants and Django's quoted table names.

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connections
from django.db.models import (
    Aggregate,
    BigIntegerField,
    DateTimeField,
    Exists,
    Expression,
    F,
    Func,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce
from django.utils.dateparse import parse_datetime

from cooperation.changes import VERSION_TABLE
from cooperation.choices import Status
from cooperation.models import Country, Metric, Topic
from cooperation.models.base import Curated, Timestamped, is_curator, visible_at
from cooperation.selectors import visibility

#: The annotation a stamped queryset's rows carry (``Plan.annotate``); its parts, by name (``Plan.aggregates``).
STAMP, ROWS, REFERENCE = "embedded_stamp", "embedded_rows", "embedded_reference"
SEPARATOR = "|"
REFERENCE_MODELS = (Country, Topic, Metric)


class Undescribed(Exception):
    """A queryset the plan cannot stamp exactly: stamp it by the data version instead."""


# What is stamped -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """A record each row reaches through to-one relations (``document__source`` from a citation).

    ``hidden`` are the paths (to it, or to a record on the way) that lead to a record the client may see only if it
    is published: none for a curator, nor where the rows' queryset has left such rows out (``visibility.rows``).
    """

    owner: type[Model]  # the rows' model, where ``path`` starts
    path: str
    hidden: tuple[str, ...]

    def value(self) -> Expression:
        """Its ``updated_at``, null if the client may not see it: found by key from the row (an index lookup).

        A subquery rather than a join, so that the database looks up the few records the rows name instead of
        hashing the whole table for every record stamped.
        """
        head, _, rest = self.path.partition("__")
        key = self.owner._meta.get_field(head)
        records = key.related_model._base_manager.filter(pk=OuterRef(key.attname))
        for path in self.hidden:
            inner = path.partition("__")[2]  # from the record the key leads to
            records = records.filter(visible_at(inner, None) if inner else Q(status=Status.PUBLISHED))
        column = f"{rest}__updated_at" if rest else "updated_at"
        return Subquery(records.order_by().values(column), output_field=DateTimeField())


@dataclass
class Rows:
    """Rows embedded many times per record: reverse foreign keys (``participations``) or set memberships (``topics``).

    ``queryset`` holds the rows as the view reads them (the visibility rule applied), ``link`` leads from a row to
    the record it belongs to; ``nodes`` are the records each row embeds (the queryset's ``select_related``),
    ``below`` the rows embedded in each of these (a participant's citations).
    """

    queryset: QuerySet
    link: str
    timestamped: bool
    nodes: list[Node]
    below: list[Rows] = field(default_factory=list)

    def stamps(self, path: str = "", guards: tuple[tuple[QuerySet, str], ...] = ()) -> list[Expression]:
        """A text for these rows (one aggregate subquery), then for each kind of rows below them.

        ``path`` leads from the rows these belong to to the record (``event`` from a participation, for its
        citations), ``guards`` are those rows' querysets with the path to them (these rows belong to rows the
        client may see). Rows are reached by joins from the record's key (``participation__event = id``), so
        that the database starts from the record's few rows, not from every citation.
        """
        link = f"{self.link}__{path}" if path else self.link
        rows = self.queryset.filter(**{link: OuterRef("pk")})
        for queryset, to_rows in guards:
            rows = rows.filter(Exists(queryset.order_by().filter(pk=OuterRef(to_rows))))
        parts = [Func(F("pk"), function="COUNT"), Func(F("updated_at" if self.timestamped else "pk"), function="MAX")]
        for node in self.nodes:
            parts.append(Func(node.value(), function="MAX"))
            if node.hidden:  # a record unpublished leaves the rows as they were, but shows as null
                parts.append(Func(node.value(), function="COUNT"))
        own = Subquery(rows.order_by().annotate(**{STAMP: text(parts)}).values(STAMP), output_field=TextField())
        below = []
        for rows_below in self.below:
            # From a row below: its link to these rows, then theirs to the record; these rows guarded if filtered.
            guarded = ((self.queryset, rows_below.link),) if self.queryset.query.has_filters() else ()
            further = tuple((queryset, f"{rows_below.link}__{to_rows}") for queryset, to_rows in guards)
            below += rows_below.stamps(link, guarded + further)
        return [own, *below]


# A stand-in for the data version ``ReferenceDigest`` compares with, replaced when a query is made (``Plan.stamp``).
KNOWN_VERSION = object()


@dataclass
class Plan:
    """What the payload of a queryset's records embeds, and the SQL that stamps it (see the module)."""

    model: type[Model]
    nodes: list[Node]
    rows: list[Rows]
    reference: bool  # whether the payload shows reference data
    coarse: bool = False  # something undescribed: stamped by the data version
    _sql: dict[str, tuple[str, list]] = field(default_factory=dict)  # by database vendor

    @classmethod
    def of(cls, queryset: QuerySet, user) -> Plan:
        """What ``queryset`` (a view's: its ``select_related`` and prefetches) reads out for ``user``."""
        walk = Walk(user)
        try:
            nodes = walk.nodes(queryset.model, queryset.query.select_related)
            rows = walk.rows(queryset.model, queryset._prefetch_related_lookups)
        except Undescribed:
            return cls(queryset.model, [], [], reference=False, coarse=True)
        return cls(queryset.model, nodes, rows, reference=walk.reference)

    @property
    def empty(self) -> bool:
        """Whether the records embed nothing of others (``?fields=id,title``): then nothing is stamped."""
        return not (self.nodes or self.rows or self.reference or self.coarse)

    def expressions(self) -> dict[str, Expression]:
        """The stamp's expressions: what a record embeds, reference data (as a whole), and both as one text."""
        parts = []
        if self.nodes:
            # Through a subquery of the record's own row: its joins are the subquery's (the SQL is reused in queries
            # that do not join what the payload embeds).
            nodes = text([node.value() for node in self.nodes])
            record = self.model._base_manager.filter(pk=OuterRef("pk")).order_by()
            parts.append(Subquery(record.annotate(**{STAMP: nodes}).values(STAMP), output_field=TextField()))
        parts += [stamp for rows in self.rows for stamp in rows.stamps()]
        if self.coarse:
            parts.append(DataVersion())
        found = {}
        if parts:
            found[ROWS] = text(parts)
        if self.reference:
            found[REFERENCE] = ReferenceDigest()
        if found:
            found[STAMP] = text(list(found.values()))
        return found

    def sql(self, name: str, using: str) -> RawSQL | None:
        """The expression ``name`` as SQL for ``using``'s database: compiled once, then reused by every query.

        Building and compiling the expressions costs more than running them: it is done once per plan and database,
        against the records' own table, whose name a query of the records keeps as its alias.
        """
        connection = connections[using]
        if connection.vendor not in self._sql:
            compiled = {}
            for key, expression in self.expressions().items():
                query = self.model._base_manager.annotate(**{key: expression}).query
                sql, params = query.get_compiler(connection=connection).compile(query.annotations[key])
                compiled[key] = (sql, list(params))
            self._sql[connection.vendor] = compiled
        if name not in self._sql[connection.vendor]:
            return None
        sql, params = self._sql[connection.vendor][name]
        known = known_version()
        params = [known if param is KNOWN_VERSION else param for param in params]
        return RawSQL(sql, params, output_field=TextField())  # noqa: S611 -- Django's own SQL, compiled above

    def annotate(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` (of ``values_list()`` rows or of instances) with each row's stamp last (``STAMP``)."""
        stamp = self.sql(STAMP, queryset.db)
        return queryset if stamp is None else queryset.annotate(**{STAMP: stamp})

    def aggregates(self, records: QuerySet, *, unbounded: bool = False) -> dict[str, Expression]:
        """For ``records.aggregate()``: a digest of the records' stamps (``ROWS``), and the reference data's.

        The reference part (the same for every record, and read as the digest it stands for: ``aggregated``) stays
        out of the digest, computed once (``Once``). ``unbounded``: the
        records may be a million (a CSV list of events), whose stamps would cost seconds to read: the data version
        stands for all of them instead (exact, but moved by any write).
        """
        found: dict[str, Expression] = {}
        if unbounded:
            return {} if self.empty else {ROWS: Once(DataVersion())}
        if (rows := self.sql(ROWS, records.db)) is not None:
            found[ROWS] = Digest(rows, F("pk"))
        if (reference := self.sql(REFERENCE, records.db)) is not None:
            found[REFERENCE] = Once(reference)
        return found


def aggregated(stats: dict) -> str:
    """The stamp of ``Plan.aggregates``' results: the rows' digest and the reference data's (resolved)."""
    reference = stats.get(REFERENCE)
    return f"{stats.get(ROWS) or ''}{SEPARATOR}{reference_stamp(reference) if reference else ''}"


class Once(Aggregate):
    """An expression that does not depend on the rows, among ``aggregate()``'s: computed once, not per row."""

    function = None
    template = "%(expressions)s"


class Digest(Aggregate):
    """A digest of the texts of every row (``md5``), in the order of a second expression (on PostgreSQL)."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra_context):
        text_sql, text_params = compiler.compile(self.source_expressions[0])
        order_sql, order_params = compiler.compile(self.source_expressions[1])
        if connection.vendor == "postgresql":
            return f"md5(string_agg({text_sql}, ',' ORDER BY {order_sql}))", [*text_params, *order_params]
        return f"MD5(group_concat({text_sql}, ','))", text_params  # Django's MD5; rows in the scan's order


class Walk:
    """Reads a queryset's ``select_related`` and prefetches into nodes and rows (``Plan.of``)."""

    def __init__(self, user):
        self.user = user
        self.curator = is_curator(user)
        self.reference = False

    def nodes(self, owner, select_related, shown: frozenset[str] = frozenset()) -> list[Node]:
        """The records ``select_related`` (``{"council": {}}``) reaches from ``owner``'s rows.

        ``shown`` are paths the rows' queryset leads only to records the client may see (``visibility.rows``).
        """
        found: list[Node] = []

        def walk(model, select, prefix: str, hidden: tuple[str, ...]) -> None:
            if select is True:
                raise Undescribed("select_related() without names")
            for name, below in (select or {}).items():
                target = model._meta.get_field(name)
                if not (target.many_to_one or target.one_to_one) or target.related_model is None:
                    raise Undescribed(f"{model.__name__}.{name} selected")
                related, path = target.related_model, f"{prefix}{name}"
                if issubclass(related, Curated) and not self.curator and path not in shown:
                    hidden = (*hidden, path)
                if issubclass(related, Timestamped):
                    found.append(Node(owner, path, hidden))
                elif issubclass(related, REFERENCE_MODELS):
                    self.reference = True
                else:
                    raise Undescribed(f"{related.__name__} has no timestamp")
                walk(related, below, f"{path}__", hidden)

        walk(owner, select_related, "", ())
        return found

    def rows(self, model, lookups: Iterable) -> list[Rows]:
        """The rows ``lookups`` (a queryset's prefetches) read for ``model``'s records, by relation."""
        found = []
        for name, (queryset, below) in by_relation(lookups).items():
            relation = model._meta.get_field(name)
            if queryset is None:
                queryset = relation.related_model._default_manager.all()
            if queryset.query.is_sliced:
                raise Undescribed(f"{name} prefetched sliced")
            if relation.one_to_many:
                found.append(self.reverse(relation, queryset, below))
            elif relation.many_to_many:
                found.append(self.membership(relation, queryset, below))
            else:
                raise Undescribed(f"{model.__name__}.{name} prefetched")
        return found

    def reverse(self, relation, queryset: QuerySet, below: list) -> Rows:
        """The rows of a reverse foreign key (an event's participations), and what they embed."""
        related = relation.related_model
        nodes = self.nodes(
            related, queryset.query.select_related, narrowed(related) if queryset.query.has_filters() else frozenset()
        )
        rows_below = self.rows(related, [*queryset._prefetch_related_lookups, *below])
        return Rows(queryset, relation.field.name, issubclass(related, Timestamped), nodes, rows_below)

    def membership(self, relation, queryset: QuerySet, below: list) -> Rows:
        """A many-to-many set (an event's topics) as the rows of its table, each embedding its member."""
        forward = relation if relation.concrete else relation.field
        through = forward.remote_field.through
        own, member = (
            (forward.m2m_field_name(), forward.m2m_reverse_field_name())
            if relation.concrete
            else (forward.m2m_reverse_field_name(), forward.m2m_field_name())
        )
        if below or queryset._prefetch_related_lookups:
            raise Undescribed(f"rows below the members of {relation.name}")
        rows = through._default_manager.all()
        if queryset.query.has_filters():  # members the reader may not see are no members
            attname = through._meta.get_field(member).attname
            rows = rows.filter(Exists(queryset.order_by().filter(pk=OuterRef(attname))))
        # The member itself: a node if it has a timestamp, else reference data (a topic, a country); one the client
        # may not see is no member (above), so shown.
        nodes = self.nodes(through, {member: queryset.query.select_related or {}}, frozenset({member}))
        return Rows(rows, own, timestamped=False, nodes=nodes)


def by_relation(lookups: Iterable) -> dict[str, tuple[QuerySet | None, list]]:
    """Prefetch lookups grouped by their first relation: its queryset (``None``: the default) and the lookups below."""
    found: dict[str, tuple[QuerySet | None, list]] = {}
    for lookup in lookups:
        path = lookup.prefetch_through if isinstance(lookup, Prefetch) else lookup
        name, _, rest = path.partition("__")
        queryset, below = found.get(name, (None, []))
        if not rest:
            queryset = lookup.queryset if isinstance(lookup, Prefetch) else queryset
        else:
            below.append(Prefetch(rest, queryset=lookup.queryset) if isinstance(lookup, Prefetch) else rest)
        found[name] = (queryset, below)
    return found


def narrowed(model) -> frozenset[str]:
    """The paths from ``model``'s rows that ``visibility.rows`` leaves only visible records at (a citation's document
    and the document's outlet): a row leading to a hidden one is not shown at all."""
    paths = set()
    for name, target in visibility.ROW_REFERENCES.get(model, ()):
        paths.add(name)
        paths.update(f"{name}__{rest}" for rest, _ in visibility.RESTS_ON.get(target, ()))
    return frozenset(paths)


class Joined(Func):
    """Texts joined by ``|``, flat: ``a || '|' || b || …`` (``Concat`` nests a pair in a pair, which overflows
    SQLite's parser stack at a few dozen parts)."""

    arg_joiner = f" || '{SEPARATOR}' || "
    template = "(%(expressions)s)"
    output_field = TextField()


def text(parts: list[Expression]) -> Expression:
    """The parts as one text, ``|``-separated (a null part is empty)."""
    texts = [Coalesce(Cast(part, TextField()), Value(""), output_field=TextField()) for part in parts]
    return texts[0] if len(texts) == 1 else Joined(*texts)


# Reference data and the data version ---------------------------------------------------------------------------------

_digests: dict[int, str] = {}  # data version → digest of the reference data at that version (this process's)
_digests_lock = threading.Lock()


def reference_sql(vendor: str, quote: Callable[[str], str]) -> str:
    """SQL for a digest of every reference row (but descriptions: no payload embeds them), in a fixed order."""
    selects = []
    for model in REFERENCE_MODELS:
        columns = [
            quote(column.column)
            for column in model._meta.concrete_fields
            if not isinstance(column, TextField) and not (column.primary_key and column.name == "id")
        ]
        line = " || '|' || ".join([f"'{model._meta.model_name}'", *columns])
        selects.append(f"SELECT {line} AS line FROM {quote(model._meta.db_table)}")
    union = " UNION ALL ".join(selects)
    if vendor == "postgresql":
        return f"SELECT md5(string_agg(line, ',' ORDER BY line)) FROM ({union}) reference"
    return f"SELECT MD5(group_concat(line, ',')) FROM ({union} ORDER BY line)"  # Django's MD5 on SQLite


class DataVersion(Expression):
    """The data version (``cooperation.changes``): moved by every committed write."""

    output_field = BigIntegerField()

    def as_sql(self, compiler, connection):
        return f"COALESCE((SELECT version FROM {VERSION_TABLE} WHERE id = 1), 0)", []


class ReferenceDigest(Expression):
    """``<data version>:<digest of the reference data>``, the digest left out if this process has it for that version.

    ``reference_stamp`` turns it into the digest. The version is the gate: every write moves it, reference data's
    included, so the digest is computed (a few hundred rows) once per write at most, not once per request.
    """

    output_field = TextField()

    def as_sql(self, compiler, connection):
        version = DataVersion().as_sql(compiler, connection)[0]
        digest = reference_sql(connection.vendor, connection.ops.quote_name)
        sql = f"(CAST({version} AS text) || ':' || CASE WHEN {version} = %s THEN '' ELSE ({digest}) END)"
        return sql, [KNOWN_VERSION]


def known_version() -> int:
    """The latest data version this process has the reference data's digest for (-1: none)."""
    return max(_digests, default=-1)


def reference_stamp(value: str) -> str:
    """The digest part of a ``ReferenceDigest`` value, remembered for its version when the database computed it."""
    version, _, digest = value.partition(":")
    if digest:
        with _digests_lock:
            _digests[int(version)] = digest
            for old in sorted(_digests)[:-8]:  # a few, for requests compiled just before a write
                del _digests[old]
        return digest
    return _digests.get(int(version)) or f"unknown@{version}"


def resolved(stamp: str | None) -> str:
    """A stamp as compared: its reference part replaced by the digest it stands for."""
    if not stamp:
        return ""
    head, separator, last = stamp.rpartition(SEPARATOR)
    if ":" in last and last.split(":", 1)[0].isdigit():
        return f"{head}{separator}{reference_stamp(last)}"
    return stamp


def latest(stamp: str | None) -> datetime | None:
    """The latest timestamp in a stamp (``None`` if it has none)."""
    found = None
    for part in (stamp or "").split(SEPARATOR):
        if len(part) >= 19 and part[4:5] == "-" and (moment := parse_datetime(part)) is not None:
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            found = moment if found is None or moment > found else found
    return found
