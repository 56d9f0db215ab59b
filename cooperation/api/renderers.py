"""CSV for every list and aggregate: ``?format=csv`` or ``Accept: text/csv``.

A payload is flattened to one row per record:

- nested objects become dotted columns (``country.code``, ``country.name``, ``date.lower``);
- lists of scalars are joined with ``"; "`` (``topics``: ``terrorism; drugs``);
- lists of objects are summarised, one label per item (``participants``: ``RU (lead); UA (participant)``,
  ``outcomes``: ``Crimes solved: 585 crimes (more_than)``);
- ``null`` is an empty cell, booleans are ``true`` / ``false``;
- a text cell that a spreadsheet would run as a formula (it begins with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return) begins with a ``'`` (``csv_safety.escape``); a number (``-5``) is written as it is;
- a payload of several lists (the network's ``nodes`` and ``edges``) is one table, each row naming its
  list in a first ``part`` column.

Lists are streamed (``stream_csv``, called by ``conditional.ConditionalListMixin.list``): their columns come
from the serializer, so they are known before the first row is read. Everything else (a detail, an
aggregate's ``results``) is rendered here in one go, with the columns of the serializer that wrote it,
or else those found in the data.
Errors are never CSV: a 4xx/5xx body is sent as JSON whatever the client asked for.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import closing
from decimal import Decimal
from itertools import islice

from django.http import StreamingHttpResponse
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField
from rest_framework.renderers import BaseRenderer, JSONRenderer

from cooperation.api.fields import ReferenceField
from cooperation.csv_safety import SUSPECT, escape

LIST_SEPARATOR = "; "
# What names an object in a summary cell, in order of preference (a country by its code, an organization
# by its abbreviation, then whatever it is called); an object with none of them is named by the first
# nested object that has one (a participant by its country, organization or person).
LABEL_KEYS = ("code", "abbreviation", "name", "title", "slug")
# What says how an object takes part, shown in brackets after its label.
QUALIFIER_KEYS = ("role", "kind")
# Everything ``summary`` reads of an object in a list, besides the objects nested in it (``readout`` reads no more).
SUMMARY_KEYS = frozenset({"metric", "value", "unit", "qualifier", *LABEL_KEYS, *QUALIFIER_KEYS})
# The column naming the list a row comes from, in a payload of several lists.
PART = "part"


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        response = context.get("response")
        if response is not None and response.status_code >= 400:
            # An error has no rows: send it as JSON rather than a one-cell table nobody can parse.
            response["Content-Type"] = JSONRenderer.media_type
            return JSONRenderer().render(data, JSONRenderer.media_type, context)
        if response is not None and (request := context.get("request")) is not None:
            response["Content-Disposition"] = content_disposition(request.path)
        return b"".join(write_csv(*table(data)))


def stream_csv(serializer: serializers.Serializer, queryset, request, chunk_size: int = 500) -> StreamingHttpResponse:
    """Every row of ``queryset`` as ``serializer`` writes it, a CSV line each, sent a chunk at a time.

    Rows are read ``chunk_size`` at a time while the response is being sent (through a server-side cursor on
    PostgreSQL), their related rows one query per to-many field and chunk, so memory stays flat however long
    the list. ``readout.Readout`` reads them as ``values()`` rows; a serializer it cannot read has its rows read
    as model instances and serialized. The CSV is the same.
    """
    # Not at the top: DRF imports this module (its renderer setting) before the serializers ``readout`` reads.
    from cooperation.api import readout

    columns = serializer_columns(serializer)
    try:
        chunks = readout.Readout(serializer, queryset, columns).chunks(chunk_size)
    except readout.Unsupported:
        chunks = serialized_chunks(serializer, queryset, columns, chunk_size)
    response = StreamingHttpResponse(
        write_csv_chunks(chunks, columns), content_type=f"{CSVRenderer.media_type}; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition(request.path)
    return response


def serialized_chunks(serializer: serializers.Serializer, queryset, columns: list[str], chunk_size: int):
    """The cells of ``queryset``'s rows through ``serializer``, ``chunk_size`` rows at a time (prefetched per chunk)."""
    cells = row_cells(columns)
    instances = queryset.iterator(chunk_size=chunk_size)
    while chunk := list(islice(instances, chunk_size)):
        yield [cells(serializer.to_representation(instance)) for instance in chunk]


def content_disposition(path: str) -> str:
    """``attachment; filename="operations.csv"`` for ``/api/v1/operations/`` (``stats-events-by-year.csv`` …)."""
    parts = [part for part in path.split("/") if part]
    if parts[:2] == ["api", "v1"]:
        parts = parts[2:]
    return f'attachment; filename="{"-".join(parts) or "api"}.csv"'


def table(data) -> tuple[list[Mapping], list[str]]:
    """The rows a payload holds, and their columns.

    Rows are a page's or an aggregate's ``results``, a list, or one object; a payload made only of lists
    of objects (the network's ``nodes`` and ``edges``) is one table of all of them, each row naming its
    list in a first ``part`` column. Columns follow the fields of the serializer that wrote the rows
    (DRF's output carries it as ``.serializer``), so they are the same whether an object is filled in
    or ``null``; without one, they are those found in the data.
    """
    serializer = getattr(data, "serializer", None)
    if isinstance(data, Mapping) and "results" in data:
        return _rows(data["results"], getattr(data["results"], "serializer", None) or _field(serializer, "results"))
    if isinstance(data, Mapping) and data and all(_is_object_list(value) for value in data.values()):
        parts = [_rows(rows, _field(serializer, part)) for part, rows in data.items()]
        rows = [{PART: part, **row} for part, (part_rows, _) in zip(data, parts, strict=True) for row in part_rows]
        return rows, [PART, *dict.fromkeys(column for _, columns in parts for column in columns)]
    return _rows(data, serializer)


def _rows(data, serializer) -> tuple[list[Mapping], list[str]]:
    rows = [data] if isinstance(data, Mapping) else list(data or [])
    if isinstance(serializer, serializers.ListSerializer):
        serializer = serializer.child
    if isinstance(serializer, serializers.Serializer):
        return rows, serializer_columns(serializer)
    return rows, data_columns(rows)


def _field(serializer, name: str):
    return serializer.fields.get(name) if isinstance(serializer, serializers.Serializer) else None


def _is_object_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(item, Mapping) for item in value)


def write_csv(rows: Iterable[Mapping], columns: list[str]) -> Iterator[bytes]:
    """The header, then one encoded line per row, produced as ``rows`` are read."""
    cells = row_cells(columns)
    return write_csv_chunks(([cells(row)] for row in rows), columns)


def write_csv_chunks(chunks: Iterable[list[list[str]]], columns: list[str]) -> Iterator[bytes]:
    """The header, then each chunk of rows' cells as encoded lines: one ``bytes`` a chunk, produced as it is read."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def lines(rows) -> bytes:
        writer.writerows(rows)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode()

    yield lines([columns])
    with closing(iter(chunks)) as rows:  # a client gone mid-export: end the export's transaction now
        for chunk in rows:
            yield lines(chunk)


# Columns ---------------------------------------------------------------------------------------------------------


def serializer_columns(serializer: serializers.Serializer, prefix: str = "") -> list[str]:
    """The dotted columns of what ``serializer`` reads out, whatever the values turn out to be."""
    columns = []
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        nested = nested_serializer(field)
        if nested is None:
            columns.append(f"{prefix}{name}")
        else:
            columns.extend(serializer_columns(nested, f"{prefix}{name}."))
    return columns


def nested_serializer(field) -> serializers.Serializer | None:
    """The object a field reads out as, if it is one object (lists stay one summarised cell)."""
    if isinstance(field, serializers.ListSerializer | ManyRelatedField):
        return None
    if isinstance(field, serializers.Serializer):
        return field
    if isinstance(field, ReferenceField):
        return field.representation()
    return None


def data_columns(rows: Iterable[Mapping]) -> list[str]:
    """The dotted columns found in ``rows``, in order of first appearance.

    An object that is ``null`` in one row and filled in another gives only its dotted columns.
    """
    found: dict[str, None] = {}
    for row in rows:
        found.update(dict.fromkeys(_paths(row)))
    return [column for column in found if not any(other.startswith(f"{column}.") for other in found)]


def _paths(obj: Mapping, prefix: str = "") -> Iterator[str]:
    for key, value in obj.items():
        if isinstance(value, Mapping) and value:
            yield from _paths(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}"


# Cells -----------------------------------------------------------------------------------------------------------


def cell(row: Mapping, column: str) -> str:
    return row_cells([column])(row)[0]


def row_cells(columns: list[str]) -> Callable[[Mapping], list[str]]:
    """A row's cells for ``columns``, each the ``cell_text`` of the value at its dotted path (empty where none)."""
    getters = [path_getter(column) for column in columns]
    return lambda row: [cell_text(get(row)) for get in getters]


def path_getter(column: str) -> Callable[[Mapping], object]:
    """The value at ``column``'s dotted path in a row (``None`` where there is none)."""
    path = column.split(".")

    def walk(value):
        for key in path:
            if not is_mapping(value):
                return None
            value = value.get(key)
        return value

    if len(path) == 1:  # most columns: a plain dict's key
        key = path[0]
        return lambda row: row.get(key) if type(row) is dict else walk(row)
    return walk


# The checks below try the exact types serializers produce first: they run for every cell of a long export.


def is_mapping(value) -> bool:
    kind = type(value)
    return kind is dict or (kind not in _NOT_MAPPINGS and isinstance(value, Mapping))


_NOT_MAPPINGS = frozenset({str, int, float, bool, list, tuple, type(None)})


def text(value) -> str:
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_mapping(value):
        return summary(value)
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join([text(item) for item in value])
    return str(value)


def cell_text(value) -> str:
    """A value as its CSV cell: its ``text``, defused if a spreadsheet would run it (``csv_safety.escape``).

    Only text is escaped: a number (``-5``, ``Decimal("-0.5")``) is data, and stays a number in a spreadsheet.
    """
    kind = type(value)
    if kind is str:
        return escape(value) if value and value[0] in SUSPECT else value  # ``escape``'s first test, inlined
    if kind in NUMBERS:
        return str(value)
    return escape(text(value))


# Numbers, written as they are (``bool`` is no number here: ``true`` / ``false``).
NUMBERS = frozenset({int, float, Decimal})


def summary(obj: Mapping) -> str:
    """One object as a short label: ``RU (lead)``, ``CIS (intergovernmental)``, ``Crimes solved: 585 crimes``."""
    if "metric" in obj and "value" in obj:
        figure = f"{label(obj['metric'])}: {text(obj['value'])} {obj.get('unit') or ''}".strip()
        qualifier = obj.get("qualifier")
        return f"{figure} ({qualifier})" if qualifier and qualifier != "exact" else figure
    name = label(obj)
    qualifier = next((obj[key] for key in QUALIFIER_KEYS if isinstance(obj.get(key), str) and obj[key]), "")
    return f"{name} ({qualifier})" if qualifier and name else name or qualifier


def label(obj) -> str:
    if not is_mapping(obj):
        return text(obj)
    for key in LABEL_KEYS:
        if isinstance(value := obj.get(key), (str, int)) and value != "":
            return str(value)
    for value in obj.values():
        if is_mapping(value) and (name := label(value)):
            return name
    return ""
