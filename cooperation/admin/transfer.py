"""Import and export in the admin: CSV, JSON (and XLSX) of events, people, organizations, partnerships, documents.

One resource per model, built from one table (``RESOURCES``), all alike:

- rows are matched on the record's ``slug``, so an export re-imports unchanged (rows are
  reported “skip”) and a second import of an edited file updates rather than duplicates;
- related records are written by natural key: countries by ISO code, everything else
  by slug (``natural_key_field``);
- an uncertain date is its EDTF ``date`` and the source's ``date_text``; the bounds are
  derived on save, never imported;
- an event's participants are one compact column, ``kind:key:role`` separated by ``;``
  (``country:RU:lead; organization:cis:participant; person:rashid-nurgaliev:speaker``);
  an operation's outcomes are a JSON list, one object per figure keyed by its ``uid``
  (a figure has too many free-text fields for a compact form), ``part_of`` naming another
  figure of the list by its ``uid``. On import the event's rows become exactly those listed;
- a row is written by the API's write services (``cooperation.services``), not here: the
  resource turns the row into their ``data`` — fields, many-to-many sets, and the child
  lists above, a participation already there sent with its ``uid`` (looked up by party and
  role) so that it keeps its detail and citations, a figure by the ``uid`` in the file — and
  the services validate every record and row (``full_clean``), replace the child rows and
  apply the publish rule of ``cooperation.workflow``, as for any API write. Their errors
  are the row's, by column (``outcomes``: “Figure 2, part_of: …”);
- any row error rolls the whole import back: nothing is written;
- each imported row is one revision in the record's history, by the importing user;
- in a CSV or TSV export, a text cell a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return first) begins with a ``'`` (``csv_safety.escape``, as in the API's CSV); numbers and
  JSON are written as they are, and importing a CSV or TSV takes the ``'`` off again (``csv_safety.unescape``),
  so that an export still re-imports unchanged. (Not import-export's ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT``:
  it deletes a leading ``=`` and nothing else, in every format, JSON included.)
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

import tablib
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.shortcuts import redirect
from import_export import fields, resources, widgets
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats

from cooperation import csv_safety, history, services
from cooperation.choices import Qualifier, Role
from cooperation.models import (
    CouncilSession,
    Country,
    Document,
    Event,
    Exercise,
    JointOperation,
    Meeting,
    Metric,
    Organization,
    Outcome,
    Participation,
    Partnership,
    Person,
    Statement,
)
from cooperation.models.events import TARGETS

# Never in a file: keys and timestamps the database gives, and what is derived on save.
NOT_TRANSFERRED = ("id", "uid", "event_ptr", "kind", "created_at", "updated_at", "date_lower", "date_upper")
DERIVED = ("date_precision",)
PARTICIPANT_MODELS = {"country": Country, "organization": Organization, "person": Person}
OUTCOME_KEYS = ("uid", "metric", "value", "unit", "qualifier", "scope", "counts", "part_of", "note")


def natural_key_field(model: type[models.Model]) -> str:
    """The field a related ``model`` is written by in a file: a country's ISO code, any other record's slug."""
    return "code" if model is Country else "slug"


# ---------------------------------------------------------------------------------------------
# Participants: ``kind:key:role; …``


def participant_key(participation: Participation) -> tuple[str, str, str]:
    """A participation as ``(kind, natural key, role)``, e.g. ``("country", "RU", "lead")``."""
    for kind in TARGETS:
        if getattr(participation, f"{kind}_id"):
            party = getattr(participation, kind)
            return kind, getattr(party, natural_key_field(type(party))), participation.role
    raise AssertionError("a participation has exactly one party")  # a database constraint


def current_participants(event: Event) -> list[tuple[str, str, str]]:
    return sorted(participant_key(row) for row in event.participations.all())


class ParticipantsWidget(widgets.Widget):
    """``country:RU:lead; person:rashid-nurgaliev:speaker`` ⇄ sorted ``(kind, key, role)`` triples."""

    def clean(self, value, row=None, **kwargs):
        triples, problems = set(), []
        for item in filter(None, (part.strip() for part in (value or "").split(";"))):
            kind, _, rest = item.partition(":")
            key, _, role = rest.partition(":")
            if kind not in PARTICIPANT_MODELS or not key or role not in Role.values:
                problems.append(
                    f"“{item}” is not kind:key:role (kinds: {', '.join(TARGETS)}; roles: {', '.join(Role.values)})."
                )
                continue
            triples.add((kind, key, role))
        for kind, model in PARTICIPANT_MODELS.items():
            wanted = {key for k, key, _ in triples if k == kind}
            field = natural_key_field(model)
            known = set(model._default_manager.filter(**{f"{field}__in": wanted}).values_list(field, flat=True))
            problems += [f"No {model._meta.verbose_name} “{key}”." for key in sorted(wanted - known)]
        if problems:
            raise ValueError(" ".join(problems))
        return sorted(triples)

    def render(self, value, obj=None, **kwargs):
        return "; ".join(":".join(triple) for triple in value or ())


def participation_rows(event: Event, triples: list[tuple[str, str, str]]) -> list[dict]:
    """The participations ``triples`` as the services' child rows.

    A row already there is sent with its ``uid``: the services keep it, with its detail and
    citations, where a row without one would be created anew.
    """
    existing = (
        {participant_key(row): row.uid for row in event.participations.select_related(*TARGETS)} if event.pk else {}
    )
    parties = {}
    for kind, model in PARTICIPANT_MODELS.items():
        field = natural_key_field(model)
        wanted = {key for k, key, _ in triples if k == kind}
        if wanted:
            parties[kind] = {
                getattr(party, field): party for party in model._default_manager.filter(**{f"{field}__in": wanted})
            }
    return [
        {"uid": existing.get((kind, key, role)), kind: parties[kind][key], "role": role} for kind, key, role in triples
    ]


def participant_label(triples: list[tuple[str, str, str]], index: int) -> str:
    return f"Participant “{':'.join(triples[index])}”"


# ---------------------------------------------------------------------------------------------
# Outcomes: a JSON list of figures


def outcome_dict(outcome: Outcome) -> dict:
    """A figure as it is written in a file; the same shape the widget reads back."""
    return {
        "uid": str(outcome.uid),
        "metric": outcome.metric.slug,
        "value": f"{outcome.value.normalize():f}",
        "unit": outcome.unit,
        "qualifier": outcome.qualifier,
        "scope": outcome.scope,
        "counts": outcome.counts,
        "part_of": str(outcome.part_of.uid) if outcome.part_of_id else None,
        "note": outcome.note,
    }


def current_outcomes(event: Event) -> list[dict]:
    return [outcome_dict(row) for row in event.outcomes.select_related("metric", "part_of")]


def uid_or_none(value, number: int, key: str) -> str | None:
    """A figure's ``uid`` or ``part_of`` in ``outcome_dict``'s canonical form, so an unchanged cell compares equal."""
    if value in (None, ""):
        return None
    try:
        return str(uuid.UUID(str(value)))
    except ValueError as exc:
        raise ValueError(f"Figure {number}: “{key}” must be a figure's uid, e.g. {uuid.uuid4()}.") from exc


class OutcomesWidget(widgets.Widget):
    """A JSON list of figures ⇄ a list of ``outcome_dict``s (missing keys take the model's defaults)."""

    def clean(self, value, row=None, **kwargs):
        try:
            items = json.loads(value) if value else []
        except json.JSONDecodeError as exc:
            raise ValueError(f"Not JSON: {exc}.") from exc
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise ValueError('A JSON list of figures is expected, e.g. [{"metric": "crimes-solved", "value": 585}].')
        figures = []
        for number, item in enumerate(items, start=1):
            unknown = set(item) - set(OUTCOME_KEYS)
            if unknown:
                raise ValueError(f"Figure {number}: unknown keys {', '.join(sorted(unknown))}.")
            try:
                value = Decimal(str(item.get("value")))
            except InvalidOperation as exc:
                raise ValueError(f"Figure {number}: “value” must be a number.") from exc
            if item.get("qualifier", Qualifier.EXACT) not in Qualifier.values:
                raise ValueError(f"Figure {number}: “qualifier” must be one of {', '.join(Qualifier.values)}.")
            if not Metric.objects.filter(slug=item.get("metric")).exists():
                raise ValueError(f"Figure {number}: no metric “{item.get('metric')}”.")
            figures.append(
                {
                    "uid": uid_or_none(item.get("uid"), number, "uid"),
                    "metric": item["metric"],
                    "value": f"{value.normalize():f}",
                    "unit": item.get("unit", ""),
                    "qualifier": item.get("qualifier", Qualifier.EXACT),
                    "scope": item.get("scope", ""),
                    "counts": bool(item.get("counts", True)),
                    "part_of": uid_or_none(item.get("part_of"), number, "part_of"),
                    "note": item.get("note", ""),
                }
            )
        return figures

    def render(self, value, obj=None, **kwargs):
        return json.dumps(value or [], ensure_ascii=False)


def outcome_rows(event: Event, figures: list[dict]) -> list[dict]:
    """The figures as the services' child rows: one with the ``uid`` of a figure of the event updates it, one without
    (or with a new ``uid``) is added; ``part_of`` is the ``uuid.UUID`` of a sibling, so a total may come after its part.
    """
    metrics = {metric.slug: metric for metric in Metric.objects.filter(slug__in={f["metric"] for f in figures})}
    return [
        {
            **{key: figure[key] for key in ("unit", "qualifier", "scope", "counts", "note")},
            "uid": uuid.UUID(figure["uid"]) if figure["uid"] else None,
            "metric": metrics[figure["metric"]],
            "value": Decimal(figure["value"]),
            "part_of": uuid.UUID(figure["part_of"]) if figure["part_of"] else None,
        }
        for figure in figures
    ]


def outcome_label(figures: list[dict], index: int) -> str:
    return f"Figure {index + 1}"  # numbered as the widget's own errors are, from 1 in the file's order


# ---------------------------------------------------------------------------------------------
# Resources


class RowsColumn(NamedTuple):
    """A column holding rows an event owns: how a cell reads and exports, and how it becomes the services' ``data``."""

    relation: str  # the reverse foreign key the services write, e.g. ``participations``
    widget: type[widgets.Widget]
    current: Callable[[Event], list]  # the stored rows, in the shape the widget reads a cell
    children: Callable[[Event, list], list[dict]]  # (record, cleaned cell) → the child list of ``data``
    label: Callable[[list, int], str]  # (cleaned cell, index in the child list) → the item an error is about


EVENT_ROWS = {
    "participants": RowsColumn(
        "participations", ParticipantsWidget, current_participants, participation_rows, participant_label
    )
}
OPERATION_ROWS = {
    **EVENT_ROWS,
    "outcomes": RowsColumn("outcomes", OutcomesWidget, current_outcomes, outcome_rows, outcome_label),
}

CHILD_PATH = re.compile(r"(?P<relation>\w+)\[(?P<index>\d+)\](?:\.(?P<field>.+))?")


def adopt(instance: models.Model, written: models.Model) -> None:
    """Make import-export's unsaved ``instance`` the record the services created (keys, uid, timestamps)."""
    for field in written._meta.concrete_fields:
        setattr(instance, field.attname, getattr(written, field.attname))
    instance._state.adding, instance._state.db = False, written._state.db


class RecordResource(resources.ModelResource):
    """Base of every resource here: slug-matched rows written by the services, owned rows as columns."""

    rows: dict[str, RowsColumn] = {}  # set by ``resource_for``

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for column, spec in self.rows.items():
            widget = spec.widget()
            self.fields[column] = fields.Field(
                attribute=f"imported_{column}",  # where the cleaned cell waits for ``save_instance``
                column_name=column,
                widget=widget,
                dehydrate_method=lambda obj, widget=widget, current=spec.current: widget.render(current(obj)),
            )

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        # ``escape_formulae``: from ``TransferMixin.get_export_data``, for the spreadsheet formats only.
        if kwargs.get("escape_formulae") and type(value) is str and not isinstance(field.widget, widgets.NumberWidget):
            return csv_safety.escape(value)
        return value

    def import_row(self, row, instance_loader, **kwargs):
        # One revision per imported row, by the importing user (``cooperation.history``): the services'
        # own revision joins it; the import's transaction still covers them all.
        with history.recording(user=kwargs.get("user")):
            return super().import_row(row, instance_loader, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            # Errors are keyed by attribute; a curator knows the column (``participants``, not ``imported_…``).
            columns = {f"imported_{column}": column for column in self.rows}
            raise ValidationError({columns.get(key, key): value for key, value in exc.error_dict.items()}) from exc

    def skip_row(self, instance, original, row, import_validation_errors=None):
        for column, spec in self.rows.items():
            # The stored rows, in the shape the widget reads a cell, so that an unchanged cell compares equal.
            setattr(original, f"imported_{column}", spec.current(original) if original.pk else [])
        return super().skip_row(instance, original, row, import_validation_errors)

    def record_data(self, instance, row) -> dict:
        """The row as the services' ``data``: the fields its columns set, the many-to-many sets, the child lists."""
        data = {}
        for field in self.get_import_fields():
            if field.readonly or field.column_name not in row:
                continue
            if field.column_name in self.rows:
                spec = self.rows[field.column_name]
                data[spec.relation] = spec.children(instance, getattr(instance, field.attribute))
            elif isinstance(field.widget, widgets.ManyToManyWidget):
                data[field.attribute] = list(field.clean(row))  # not set by ``import_instance``: read the cell
            else:
                data[field.attribute] = getattr(instance, field.attribute)  # as ``import_instance`` set it
        return data

    def save_instance(self, instance, is_create, row, **kwargs):
        # The parent was validated by ``validate_instance`` (with the cells' errors, for the preview); the services
        # validate it again with its rows and write all of it, or raise and write nothing.
        data, user = self.record_data(instance, row), kwargs.get("user")
        try:
            if is_create:
                adopt(instance, services.record_create(type(instance), data=data, user=user))
            else:
                services.record_update(instance, data=data, user=user)
        except ValidationError as exc:
            raise ValidationError(self.column_errors(exc, instance)) from exc

    def save_m2m(self, instance, row, **kwargs):
        pass  # the services have set them, in ``save_instance``

    def column_errors(self, exc: ValidationError, instance) -> dict[str, list[str]]:
        """The services' errors by column: ``outcomes[1].part_of`` becomes ``outcomes``' “Figure 2, part_of: …”."""
        by_relation = {spec.relation: (column, spec) for column, spec in self.rows.items()}
        errors: dict[str, list[str]] = {}
        for path, texts in exc.message_dict.items():
            match = CHILD_PATH.fullmatch(path)
            if not match or match["relation"] not in by_relation:
                errors.setdefault(path, []).extend(texts)  # the record's own field, or ``__all__``
                continue
            column, spec = by_relation[match["relation"]]
            label = spec.label(getattr(instance, f"imported_{column}"), int(match["index"]))
            where = f"{label}, {match['field']}" if match["field"] else label
            errors.setdefault(column, []).extend(f"{where}: {message}" for message in texts)
        return errors


def resource_for(model: type[models.Model], rows: dict[str, RowsColumn] | None = None) -> type[RecordResource]:
    """The import-export resource of ``model``: every editable field, related records by natural key."""
    related = [field for field in model._meta.get_fields() if field.is_relation and field.concrete]
    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "import_id_fields": ("slug",),
            "exclude": NOT_TRANSFERRED,
            "export_order": ("slug",),
            "widgets": {
                field.name: {"field": natural_key_field(field.related_model)}
                for field in related
                if field.name not in NOT_TRANSFERRED
            },
            "readonly_fields": DERIVED,
            "skip_unchanged": True,
            "report_skipped": True,
            "clean_model_instances": True,
            "use_transactions": True,
        },
    )
    return type(f"{model.__name__}Resource", (RecordResource,), {"Meta": meta, "rows": rows or {}})


RESOURCES: dict[type[models.Model], type[RecordResource]] = {
    JointOperation: resource_for(JointOperation, OPERATION_ROWS),
    **{model: resource_for(model, EVENT_ROWS) for model in (CouncilSession, Exercise, Meeting, Statement)},
    **{model: resource_for(model) for model in (Organization, Person, Partnership, Document)},
}


class CSV(base_formats.CSV):
    """CSV whose text cells are safe to open in a spreadsheet (``csv_safety``), and read back as they were."""

    escape_formulae = True

    def create_dataset(self, in_stream, **kwargs):
        return unescaped(super().create_dataset(in_stream, **kwargs))


class TSV(base_formats.TSV):
    """TSV, as ``CSV``: tab-separated files are opened in spreadsheets too."""

    escape_formulae = True

    def create_dataset(self, in_stream, **kwargs):
        return unescaped(super().create_dataset(in_stream, **kwargs))


def unescaped(dataset: tablib.Dataset) -> tablib.Dataset:
    """``dataset`` with every text cell as it was before ``csv_safety.escape``."""
    rows = [[csv_safety.unescape(cell) if type(cell) is str else cell for cell in row] for row in dataset]
    return tablib.Dataset(*rows, headers=dataset.headers, title=dataset.title)


class TransferMixin(ImportExportMixin):
    """Import and export buttons on a changelist; goes first in the bases, before the history admin.

    The export is of the changelist as filtered and searched (import-export's
    ``get_export_queryset``); an import is previewed (a dry run, rolled back) with each
    row's errors by field, and is confirmed only when every row is valid.
    """

    # XLSX would need openpyxl, which is not installed; TSV is CSV for spreadsheets that mangle commas.
    # CSV and TSV are this module's: formula-leading text escaped on export (JSON is written as it is).
    formats = (CSV, base_formats.JSON, TSV)

    def get_resource_classes(self, request):
        return [RESOURCES[self.model]]

    def has_import_permission(self, request):
        # An import adds and changes records (publishing or unpublishing them only for a reviewer: the services ask).
        return self.has_add_permission(request) and self.has_change_permission(request)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        escape = getattr(file_format, "escape_formulae", False)
        return super().get_export_data(file_format, request, queryset, escape_formulae=escape, **kwargs)

    def get_import_data_kwargs(self, **kwargs):
        # The confirmed import is all-or-nothing too: a row that fails then (the data changed since
        # the preview) rolls back the rows before it, which import-export would otherwise keep.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request,
                "Nothing was imported: some rows are no longer valid (the records changed since the preview). "
                "Import the file again to see which.",
            )
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        return super().process_result(result, request)
