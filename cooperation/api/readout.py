"""How a serializer's payload is read from ``values_list()`` rows: the event pages and details, and every CSV.

A serializer is the one description of what a record looks like. DRF reads it out record by record, building a
model instance for the record and each of its related rows, then running a dozen fields over each: milliseconds a
row. ``Readout`` instead compiles the serializer, once per request, into the lookups of a few ``values_list()``
queries and a reader per field, and reads the same payload from plain rows — as JSON objects (a page or a detail:
``build()``) or as the cells of its CSV columns (``chunks()``):

- a model field is read as its column, through its serializer field's own ``to_representation``;
- an object (``date``, ``place``: ``source="*"``; ``place.country``, ``council``: behind a foreign key, through
  its join) is read from the same row — null when the key is, or when it leads to a record the reader may not see
  (``selectors.visibility``) — and in CSV cut into the same dotted columns as ``renderers`` cuts it;
- the record's own ``url`` is reversed once, for a stand-in id, and completed per row;
- a to-many field (``participants``, ``topics``, ``outcomes``, ``citations``…) is one query for all the rows read
  at once, grouped by parent: from the view's own ``Prefetch`` querysets, so that what the view leaves out (rows
  about records the client may not see) and its order stay the same. In CSV its cell is ``renderers.text`` of its
  items, each read only as far as ``renderers.summary`` reads it (a participant's country, not its citations), and
  summarized once a chunk for the same values;
- a cell is ``renderers.cell_text`` of what its reader reads: text a spreadsheet would run as a formula is escaped
  (``csv_safety``), a number is not;
- the fields computed in Python (``links``, ``resource_url``, an event's ``url`` by kind, ``speaker``,
  ``part_of``) have a reader in ``READERS``, keyed by the very function the serializer runs.

A serializer reading anything else (a property, an unknown method field, an overridden ``to_representation``)
raises ``Unsupported`` when compiled, and its rows are serialized instead. ``tests/test_api_readout.py`` checks
that every event resource compiles in every payload shape and reads out what DRF does, byte for byte.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from itertools import islice
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import F, IntegerField, Lookup, Prefetch
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField

from cooperation.api import renderers
from cooperation.api.fields import (
    EventReferenceSerializer,
    FigureValueField,
    ReferenceField,
    SiblingUidField,
    typed_event_url,
)
from cooperation.api.serializers.events import EventCoreSerializer, SpeakerSerializer, TimelineEventSerializer
from cooperation.choices import Role
from cooperation.csv_safety import SUSPECT, escape
from cooperation.models import Event
from cooperation.models.base import Curated, is_curator, sees_status
from cooperation.selectors import visibility

Row = tuple
Reader = Callable[[Row], Any]
Cells = list[tuple[str, Reader]]  # CSV columns and what each shows for a row

text = renderers.text
cell_text = renderers.cell_text

# An id no record has: a URL reversed for it once is, around it, the URL of every id.
STAND_IN_ID = 7_391_852_460_913


class Unsupported(Exception):
    """The serializer reads something that ``values_list()`` rows do not hold: serialize instead."""


class Readout:
    """``serializer``'s payload for the rows of ``queryset``: JSON objects, or given ``columns`` CSV cells.

    ``columns`` are the ones ``renderers`` writes for the serializer; ``Unsupported`` if the serializer cannot be
    read here. ``value_of(row, name)`` reads a field of a row the query holds (``keep()`` one it must hold: a
    pagination key, the timestamp of an ETag).
    """

    def __init__(self, serializer: serializers.Serializer, queryset, columns: list[str] | None = None):
        self.root = Query(queryset.model, queryset._prefetch_related_lookups, csv=columns is not None)
        self.queryset = queryset
        if columns is None:
            self.read = record(serializer, self.root, queryset.model)
            return
        compiled = record_cells(serializer, self.root, queryset.model)
        if [column for column, _ in compiled] != columns:
            raise Unsupported("the serializer's columns are not its fields'")
        readers = [read for _, read in compiled]
        self.cells = lambda row: [read(row) for read in readers]

    def over(self, queryset) -> Readout:
        """This readout, reading the rows of ``queryset`` (of the model and prefetches it was compiled for)."""
        self.queryset = queryset
        return self

    def keep(self, *names: str) -> None:
        for name in names:
            self.root.position(name)

    def value_of(self, row: Row, name: str):
        return row[self.root.position(name)]

    @property
    def values(self):
        """The rows' own query (``queryset``'s filters and order), holding every lookup the readers read."""
        return self.queryset.prefetch_related(None).values_list(*self.root.lookups)

    def build(self, rows: list[Row]) -> list[dict]:
        """The JSON objects of ``rows`` (of ``values``); one query per to-many field for them all."""
        self.root.load(rows)
        return [self.read(row) for row in rows]

    def chunks(self, size: int) -> Iterator[list[list[str]]]:
        """The cells of ``size`` rows at a time; a chunk costs one query per to-many field (the first, the SELECT)."""
        values = self.values
        # In a transaction PostgreSQL streams the server-side cursor; outside one, it would first copy every row
        # (a WITH HOLD cursor) before sending the first.
        with transaction.atomic(using=values.db):
            rows = values.iterator(chunk_size=size)
            while chunk := list(islice(rows, size)):
                self.root.load(chunk)
                yield [self.cells(row) for row in chunk]


_compiled = threading.local()


def compiled(key, compile: Callable[[], Readout]) -> Readout:
    """The readout ``compile()`` makes for ``key``, compiled once per thread and then reused.

    Compiling walks the serializer's fields, which DRF builds anew for every serializer instance: for a page of 50
    it costs about what reading the page does. ``key`` must hold everything the readers depend on (the view, the
    payload shape, whether the reader is a curator, the URLs' scheme, host and kept query flags); per thread,
    because a readout holds the rows it is reading while it reads them.
    """
    readouts = getattr(_compiled, "readouts", None)
    if readouts is None:
        readouts = _compiled.readouts = {}
    if key not in readouts:
        if len(readouts) >= 256:  # a bound, not a policy: the keys a deployment sees are few
            readouts.clear()
        readouts[key] = compile()
    return readouts[key]


class Query:
    """One ``values_list()`` query: the lookups its rows hold (by position) and the to-many fields read after it."""

    def __init__(self, model: type[models.Model], prefetches, *, csv: bool, summarized: bool = False):
        self.model = model
        self.csv = csv  # read for CSV cells, else for JSON objects
        self.prefetches = list(prefetches)  # the view's prefetch lookups below this level
        # Rows shown as items of a list, in one cell (``renderers.summary``): only what that reads is read.
        self.summarized = summarized
        self.lookups: dict[str, int] = {}
        self.relations: list[Relation] = []
        self.caches: list[dict] = []

    def position(self, lookup: str) -> int:
        lookup = key_column(self.model, lookup)
        return self.lookups.setdefault(lookup, len(self.lookups))

    def cache(self) -> dict:
        """A dict kept for one chunk of this query's rows: what one statement read."""
        self.caches.append(cache := {})
        return cache

    def load(self, rows: list[Row]) -> None:
        """Start a chunk of ``rows``: read their to-many fields, one query each whatever the number of rows."""
        for cache in self.caches:
            cache.clear()
        if self.relations:
            pk = self.position("pk")  # registered by the relations' readers
            ids = [row[pk] for row in rows]
            for relation in self.relations:
                relation.fetch(ids)


class Relation(Query):
    """A to-many relation of a query's rows, read for a chunk of them in one query and grouped by row.

    Fields reading the same relation (a statement's ``participants`` and its ``speaker``) read the same rows:
    each through a ``reader()`` of its own, whose items are read as the rows are fetched.
    """

    def __init__(self, queryset, name: str, link: str, prefetches, *, csv: bool, summarized: bool):
        super().__init__(queryset.model, prefetches, csv=csv, summarized=summarized)
        self.name = name
        self.queryset = queryset.prefetch_related(None)
        self.link = link  # the lookup from an item to its parent row
        self.parent = self.position(link)
        self.reads_parent = False  # whether an item shows its parent's key (then the parent is part of the summary)
        self.item_readers: list[Reader] = []  # one per reader(), and the items each read, by parent
        self.items: list[dict[Any, list]] = []

    def position(self, lookup: str) -> int:
        position = super().position(lookup)
        if position == getattr(self, "parent", None):
            self.reads_parent = True
        return position

    def fetch(self, parent_ids: list) -> None:
        # Filtered before values_list(): the filter's join to the parent is the one the link's column is read from.
        rows = list(self.queryset.filter(AnyOf(F(self.link), parent_ids)).values_list(*self.lookups))
        self.load(rows)
        self.items = []
        for item in self.item_readers:
            items: dict[Any, list] = {}
            for row in rows:
                items.setdefault(row[self.parent], []).append(item(row))
            self.items.append(items)

    def summary(self, item: Reader) -> Reader:
        """``item`` as its list's cell shows it; the same values (a country, a role) are summarized once a chunk."""
        summaries = self.cache()

        def summarized(row: Row) -> str:
            key = row if self.reads_parent else row[1:]  # all it reads (but its parent's key, always in the row)
            try:
                found = summaries.get(key)
            except TypeError:  # an unhashable value (JSON)
                return text(item(row))
            if found is None:
                found = summaries[key] = text(item(row))
            return found

        return summarized

    def reader(self, query: Query, item: Reader) -> Reader:
        """The items of each row of ``query`` (the chunk's, once fetched), each read by ``item``."""
        pk, index = query.position("pk"), len(self.item_readers)
        self.item_readers.append(self.summary(item) if self.summarized else item)
        return lambda row: self.items[index].get(row[pk], [])


class AnyOf(Lookup):
    """``column IN (…)`` a chunk's ids; on PostgreSQL ``column = ANY(%s)``, one array for all of them.

    ``IN`` costs Django and the driver a parameter per id, more than reading the rows it finds.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", [*params, *self.rhs]

    def as_postgresql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*params, list(self.rhs)]


# Compiling a serializer: into cells (the record's columns) or into values (an object inside a cell) --------------


def record_cells(serializer: serializers.Serializer, query: Query, model, prefix: str = "", columns: str = "") -> Cells:
    """The cells of ``serializer``'s dotted columns (under ``columns``) for a row of ``query``.

    The record's fields are read from ``model``, reached through ``prefix`` (``place_country__``).
    """
    cells = []
    for name, field in readable_fields(serializer, query):
        column = columns + name
        if renderers.nested_serializer(field) is None:
            read = field_reader(field, query, model, prefix)
            cells.append((column, getattr(read, "cell", None) or (lambda row, read=read: cell_text(read(row)))))
        else:
            cells.extend(object_cells(field, query, model, prefix, f"{column}."))
    return cells


def object_cells(field: serializers.Field, query: Query, model, prefix: str, columns: str) -> Cells:
    """The dotted columns of a field read out as one object: read from the row, or cut from the object read."""
    if custom_code(field) is None and field.source == "*" and isinstance(field, serializers.Serializer):
        return record_cells(field, query, model, prefix, columns)
    if custom_code(field) is None and field.source != "*":
        target = source_field(field, model)
        if target.concrete and (target.many_to_one or target.one_to_one):
            lookup = prefix + target.name
            shown = shown_reader(field, query, target, lookup)  # null, or hidden: so is every cell of it
            nested = field if isinstance(field, serializers.Serializer) else reference_serializer(field)
            inner = record_cells(nested, query, target.related_model, f"{lookup}__", columns)
            return [(column, lambda row, read=read: read(row) if shown(row) else "") for column, read in inner]
    # An object computed in Python (``speaker``): read once a row, and cut into columns as ``renderers`` cuts it.
    read, last = field_reader(field, query, model, prefix), [(), None]

    def value(row):
        if last[0] is not row:
            last[:] = row, read(row)
        return last[1]

    def cell(name: str) -> Reader:
        get = renderers.path_getter(name)
        return lambda row: cell_text(get(value(row)))

    return [(columns + name, cell(name)) for name in renderers.serializer_columns(renderers.nested_serializer(field))]


def record(serializer: serializers.Serializer, query: Query, model, prefix: str = "") -> Reader:
    """What ``serializer`` returns for a row of ``query`` (its model ``model`` reached through ``prefix``).

    In a summarized query, only the fields ``renderers.summary`` may read.
    """
    readers = [(name, field_reader(field, query, model, prefix)) for name, field in readable_fields(serializer, query)]
    return lambda row: {name: read(row) for name, read in readers}


def readable_fields(serializer: serializers.Serializer, query: Query) -> list[tuple[str, serializers.Field]]:
    if type(serializer).to_representation is not serializers.Serializer.to_representation:
        raise Unsupported(f"{type(serializer).__name__} has its own to_representation")
    return [
        (name, field)
        for name, field in serializer.fields.items()
        if not field.write_only and (not query.summarized or name in renderers.SUMMARY_KEYS or may_hold_object(field))
    ]


def field_reader(field: serializers.Field, query: Query, model, prefix: str) -> Reader:
    """What ``field`` returns for a row of ``query``."""
    if (code := custom_code(field)) is not None:
        if code not in READERS:
            raise Unsupported(f"{field.field_name} runs {code.__qualname__}")
        return READERS[code](field, query, model, prefix)
    if field.source == "*":
        if isinstance(field, serializers.HyperlinkedIdentityField):
            return url_reader(field, query, model, prefix)
        if isinstance(field, serializers.Serializer):
            return record(field, query, model, prefix)
        raise Unsupported(f"{field.field_name} reads the whole record")
    target = source_field(field, model)
    if isinstance(field, serializers.ListSerializer | ManyRelatedField):
        return many_reader(field, query, prefix, target)
    if target.is_relation and field.source != getattr(target, "attname", None):  # ``country_id`` is a value
        return reference_reader(field, query, prefix, target)
    if isinstance(field, serializers.Serializer | serializers.RelatedField):
        raise Unsupported(f"{field.field_name} reads {field.source} as an object")
    return value_reader(field, query, prefix + field.source)


def value_reader(field: serializers.Field, query: Query, lookup: str) -> Reader:
    if isinstance(field, serializers.DateTimeField) and not hasattr(field, "timezone"):
        # DRF asks for the current time zone per value (a context-local lookup costing more than the rest of
        # the row); nothing changes it while a response is written, so ask once, through DRF's own attribute.
        field.timezone = field.default_timezone()
    position, represent = query.position(lookup), field.to_representation

    def read(row):
        return None if (value := row[position]) is None else represent(value)

    def cell(row):  # the same, as its cell's text: a column of the record's own is read in one call
        return "" if (value := row[position]) is None else cell_text(represent(value))

    def text_cell(row):  # ``str(value)``: a string is its own text (``csv_safety.escape``, inlined)
        if type(value := row[position]) is str:
            return escape(value) if value and value[0] in SUSPECT else value
        return "" if value is None else cell_text(represent(value))

    read.cell = text_cell if type(field).to_representation is serializers.CharField.to_representation else cell
    return read


def reference_reader(field: serializers.Field, query: Query, prefix: str, target) -> Reader:
    """An object behind a foreign key (a participant's organization): its representation, ``None`` if the key is."""
    if not target.concrete or not (target.many_to_one or target.one_to_one):
        raise Unsupported(f"{field.field_name} reads the reverse relation {target.name}")
    lookup = prefix + target.name
    key, shown = query.position(lookup), shown_reader(field, query, target, lookup)
    if isinstance(field, serializers.Serializer):
        read = record(field, query, target.related_model, f"{lookup}__")
    else:
        read = related_reader(field, query, target.related_model, f"{lookup}__")
    # The same few countries and organizations recur through a chunk: each is read out once.
    cache = query.cache()

    def reference(row):
        if not shown(row):
            return None
        pk = row[key]
        if (value := cache.get(pk)) is None:
            value = cache[pk] = read(row)
        return value

    return reference


def shown_reader(field: serializers.Field, query: Query, target, lookup: str) -> Reader:
    """Whether a row's foreign key ``lookup`` shows its record: set, and one the reader may see (``visibility``)."""
    key = query.position(lookup)  # the foreign key's own column: no join to know it is null
    if not issubclass(target.related_model, Curated) or is_curator(user := visibility.user_of(field.context)):
        return lambda row: row[key] is not None
    status = query.position(f"{lookup}__status")
    return lambda row: row[key] is not None and sees_status(user, row[status])


def related_reader(field: serializers.Field, query: Query, model, prefix: str) -> Reader:
    """A related object as a relational field reads it out: a reference's object, or a slug."""
    if isinstance(field, ReferenceField):
        return record(reference_serializer(field), query, model, prefix)
    if type(field) is serializers.SlugRelatedField:
        position = query.position(prefix + field.slug_field)
        return lambda row: row[position]
    raise Unsupported(f"{type(field).__name__} {field.field_name}")


def reference_serializer(field: ReferenceField) -> serializers.Serializer:
    return field.representation(context=field.context)


def many_reader(field: serializers.Field, query: Query, prefix: str, target) -> Reader:
    """A to-many field's items (one cell: their summaries), one query a chunk."""
    if prefix:
        raise Unsupported(f"{field.field_name}: a to-many field of a nested object")
    if isinstance(field, serializers.ListSerializer):
        relation = related(query, field.source, target, summarized=True)
        return relation.reader(query, record(field.child, relation, relation.model))
    if (code := custom_code(field.child_relation)) is not None and code not in PLAIN:
        raise Unsupported(f"{field.field_name} runs {code.__qualname__}")
    objects = isinstance(field.child_relation, ReferenceField)
    relation = related(query, field.source, target, summarized=objects)  # slugs need no summary
    return relation.reader(query, related_reader(field.child_relation, relation, relation.model, ""))


def related(query: Query, name: str, target=None, *, summarized: bool = False) -> Relation:
    """The to-many relation ``name`` of ``query``'s rows, from the queryset the view prefetches it with.

    ``summarized``: its items are shown in one CSV cell (only when reading CSV: JSON shows them whole).
    """
    target = target or model_field(query.model, name)
    if target.one_to_many:  # a reverse foreign key: the items' key names the parent
        link = target.field.name
    elif target.many_to_many:
        link = target.related_query_name() if target.concrete else target.field.name
    else:
        raise Unsupported(f"{name} is not a to-many relation")
    queryset, below = prefetched(query.prefetches, name)
    if queryset is None:  # not prefetched: what the related manager reads for each record
        queryset = target.related_model._default_manager.all()
    if queryset.query.is_sliced:
        raise Unsupported(f"{name} is prefetched sliced")
    if target.one_to_many:
        queryset = ordered_within_parent(queryset, link)
    summarized = summarized and query.csv
    for relation in query.relations:  # read by another field already: the same rows
        if relation.name == name and relation.summarized == summarized:
            return relation
    prefetches = [*queryset._prefetch_related_lookups, *below]
    relation = Relation(queryset, name, link, prefetches, csv=query.csv, summarized=summarized)
    query.relations.append(relation)
    return relation


def prefetched(lookups, name: str):
    """The queryset ``lookups`` prefetch ``name`` with (``None``: the default one), and the lookups below it."""
    queryset, below = None, []
    for lookup in lookups:
        path = lookup.prefetch_to if isinstance(lookup, Prefetch) else lookup
        if path == name and isinstance(lookup, Prefetch):
            queryset = lookup.queryset
        elif path.startswith(f"{name}__") and not getattr(lookup, "to_attr", None):
            rest = path.removeprefix(f"{name}__")
            below.append(Prefetch(rest, queryset=lookup.queryset) if isinstance(lookup, Prefetch) else rest)
    return queryset, below


def ordered_within_parent(queryset, link: str):
    """``queryset`` without its leading order terms on the parent (``Participation``: event, role, pk).

    They sort the items of different parents, which are grouped by parent anyway; dropping them spares a join
    per query, and leaves each parent's items in the same order.
    """
    query = queryset.query
    ordering = list(query.order_by) or (list(queryset.model._meta.ordering) if query.default_ordering else [])
    parent = {link, f"{link}_id", f"{link}__pk", f"{link}__id"}
    kept = list(ordering)
    while kept and isinstance(kept[0], str) and kept[0].removeprefix("-") in parent:
        kept.pop(0)
    if len(kept) == len(ordering) or query.extra_order_by:
        return queryset
    return queryset.order_by(*kept)


def source_field(field: serializers.Field, model):
    """The model field ``field`` reads (its ``source``: one attribute of the record)."""
    if len(field.source_attrs) != 1:
        raise Unsupported(f"{field.field_name} reads {field.source}")
    return model_field(model, field.source)


def model_field(model, name: str):
    if name == "pk":
        return model._meta.pk
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        raise Unsupported(f"{model.__name__}.{name} is not a field") from None


def key_column(model, lookup: str) -> str:
    """``lookup`` as its foreign key's own column when it names the key or the primary key behind it.

    ``country__code``, ``country`` and ``country_id`` read the same value: read once as ``country_id``, with no
    join. Named by its column, the key also leaves an ordering by the relation alone (``EventLink``'s
    ``source``: by the event's date), which a ``values()`` query selecting the relation by name turns into an
    ordering by the key.
    """
    parts = lookup.split("__")
    fields = []
    for name in parts:
        try:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        except FieldDoesNotExist:
            return lookup
        fields.append(field)
        model = field.related_model
        if model is None:
            break
    if len(fields) != len(parts):
        return lookup
    if len(fields) > 1 and fields[-1].primary_key and is_key(fields[-2]) and fields[-2].target_field == fields[-1]:
        parts, fields = parts[:-1], fields[:-1]
    if is_key(fields[-1]):
        parts[-1] = fields[-1].attname
    return "__".join(parts)


def is_key(field) -> bool:
    """A foreign key (or one-to-one) of the model itself, a column holding the related row's key."""
    return field.is_relation and field.concrete and (field.many_to_one or field.one_to_one)


def custom_code(field: serializers.Field):
    """The project's own code ``field`` runs to read its value, if any (``None``: DRF's code, or code in ``PLAIN``)."""
    if isinstance(field, serializers.SerializerMethodField):
        return getattr(type(field.parent), field.method_name)
    for method in ("get_attribute", "to_representation"):
        code = getattr(type(field), method)
        if code not in PLAIN and not code.__module__.startswith("rest_framework."):
            return code
    return None


def may_hold_object(field: serializers.Field) -> bool:
    """Whether ``field``'s value may be an object, which a summary reads whatever its name (a participant's country)."""
    if isinstance(field, serializers.ListSerializer | ManyRelatedField):
        return False
    if isinstance(field, OBJECT_FIELDS):
        return True
    return custom_code(field) is not None  # computed: may be anything


# URLs ----------------------------------------------------------------------------------------------------------------


def url_template(url_of: Callable[[Any], Any]) -> Callable[[Any], str] | None:
    """``url_of(id)`` for any integer id, from one call for a stand-in (``None`` if that URL does not show it once)."""
    stand_in = str(STAND_IN_ID)
    head, found, tail = str(url_of(STAND_IN_ID)).partition(stand_in)
    if not found or stand_in in tail:
        return None
    return lambda value: f"{head}{value}{tail}"


def url_reader(field: serializers.HyperlinkedIdentityField, query: Query, model, prefix: str) -> Reader:
    """The record's own URL (``/api/v1/organizations/7/``): for an integer key, reversed once and completed per row."""
    name = field.lookup_field
    pk, value = query.position(f"{prefix}pk"), query.position(prefix + name)

    def url_of(pk_value, lookup_value):
        return field.to_representation(SimpleNamespace(**{"pk": pk_value, name: lookup_value}))

    key = model_field(model, name)
    while key.is_relation:  # a child table's key is its parent's
        key = key.target_field
    template = url_template(lambda stand_in: url_of(stand_in, stand_in)) if isinstance(key, IntegerField) else None
    if template is None:
        return lambda row: url_of(row[pk], row[value])
    return lambda row: template(row[value])


def typed_url_reader(field: serializers.Field, query: Query, model, prefix: str) -> Reader:
    """``fields.typed_event_url``: an event's URL under its kind's resource, one template per kind."""
    request = field.context.get("request")
    kind, pk = query.position(f"{prefix}kind"), query.position(f"{prefix}pk")
    templates: dict[str, Callable[[Any], str]] = {}

    def template_for(event_kind: str) -> Callable[[Any], str]:
        def url_of(value):
            return typed_event_url(SimpleNamespace(kind=event_kind, pk=value), request)

        return templates.setdefault(event_kind, url_template(url_of) or url_of)

    return lambda row: (templates.get(row[kind]) or template_for(row[kind]))(row[pk])


# Fields computed in Python, mirrored -------------------------------------------------------------------------------


def links_reader(field: serializers.Field, query: Query, model, prefix: str) -> Reader:
    """``EventCoreSerializer.get_links``: the links out, then the links in, each with the event at its other end."""
    reference = EventReferenceSerializer(context=field.context)
    directions = []
    for name, other, direction in (("links_out", "target", "out"), ("links_in", "source", "in")):
        relation = related(query, name, summarized=True)
        uid, kind = relation.position("uid"), relation.position("kind")
        event = record(reference, relation, Event, f"{other}__")

        def link(row, uid=uid, kind=kind, event=event, direction=direction):
            return {"uid": str(row[uid]), "kind": row[kind], "direction": direction, "event": event(row)}

        directions.append(relation.reader(query, link))
    links_out, links_in = directions
    return lambda row: links_out(row) + links_in(row)


def speaker_reader(field: SpeakerSerializer, query: Query, model, prefix: str) -> Reader:
    """``SpeakerSerializer.get_attribute``: the first participant with role speaker, or ``None``.

    In JSON the participants' rows, read once for both fields; in CSV a relation of its own (theirs is summarized).
    """
    relation = related(query, "participations")
    role, participant = relation.position("role"), record(field, relation, relation.model)
    rows = relation.reader(query, lambda row: row)
    return lambda row: next((participant(found) for found in rows(row) if found[role] == Role.SPEAKER), None)


def sibling_uid_reader(field: SiblingUidField, query: Query, model, prefix: str) -> Reader:
    """``SiblingUidField``: the ``uid`` of the row a figure is part of."""
    key, uid = query.position(prefix + field.source), query.position(f"{prefix}{field.source}__uid")
    represent = serializers.UUIDField.to_representation
    return lambda row: None if row[key] is None else represent(field, row[uid])


# The project's code a serializer may run, and what reads the same from values() rows instead.
READERS: dict[Callable, Callable[..., Reader]] = {
    EventCoreSerializer.get_links: links_reader,
    TimelineEventSerializer.get_resource_url: typed_url_reader,
    EventReferenceSerializer.get_url: typed_url_reader,
    SpeakerSerializer.get_attribute: speaker_reader,
    SiblingUidField.to_representation: sibling_uid_reader,
}
# The project's code that needs no reader of its own: a reference's object is compiled from its serializer,
# and a figure's ``to_representation`` takes the column's value as it comes.
PLAIN = {ReferenceField.to_representation, FigureValueField.to_representation}
# Fields whose value is, or may be, an object.
OBJECT_FIELDS = (
    serializers.Serializer,
    ReferenceField,
    serializers.SerializerMethodField,
    serializers.JSONField,
    serializers.DictField,
)
