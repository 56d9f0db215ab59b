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
  (a figure has too many free-text fields for a compact form). On import the event's
  rows become exactly those listed: rows already there are kept (with their citations),
  new ones added, those not listed deleted;
- every row is validated as any save is (``full_clean``, then the publish rule of
  ``cooperation.workflow``: importing ``published`` for a record with no citation is an
  error on ``status``). Any row error rolls the whole import back: nothing is written;
- each imported row is one revision in the record's history, by the importing user.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.shortcuts import redirect
from import_export import fields, resources, widgets
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats

from cooperation import history
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
from cooperation.workflow import publish_refusal

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


def replace_participants(event: Event, triples: list[tuple[str, str, str]]) -> None:
    """Make the event's participations exactly ``triples``; rows already there keep their detail and citations."""
    existing = {participant_key(row): row for row in event.participations.select_related(*TARGETS)}
    for key, row in existing.items():
        if key not in triples:
            row.delete()
    for kind, natural_key, role in triples:
        if (kind, natural_key, role) in existing:
            continue
        model = PARTICIPANT_MODELS[kind]
        party = model._default_manager.get(**{natural_key_field(model): natural_key})
        row = Participation(event=event, role=role, **{kind: party})
        row.full_clean(exclude=["event"])
        row.save()


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
                    "uid": item.get("uid"),
                    "metric": item["metric"],
                    "value": f"{value.normalize():f}",
                    "unit": item.get("unit", ""),
                    "qualifier": item.get("qualifier", Qualifier.EXACT),
                    "scope": item.get("scope", ""),
                    "counts": bool(item.get("counts", True)),
                    "part_of": item.get("part_of"),
                    "note": item.get("note", ""),
                }
            )
        return figures

    def render(self, value, obj=None, **kwargs):
        return json.dumps(value or [], ensure_ascii=False)


def replace_outcomes(event: Event, figures: list[dict]) -> None:
    """Make the event's figures exactly ``figures``: matched by ``uid``, others added, the rest deleted."""
    existing = {str(row.uid): row for row in event.outcomes.all()}
    listed = {figure["uid"] for figure in figures if figure["uid"]}
    unknown = listed - set(existing)
    if unknown:
        raise ValidationError({"outcomes": f"Not figures of this event: {', '.join(sorted(unknown))}."})
    for uid, row in existing.items():
        if uid not in listed:
            row.delete()
    metrics = {metric.slug: metric for metric in Metric.objects.filter(slug__in={f["metric"] for f in figures})}
    saved = []
    for figure in figures:
        row = existing.get(figure["uid"]) or Outcome(event=event)
        for key in ("unit", "qualifier", "scope", "counts", "note"):
            setattr(row, key, figure[key])
        row.metric, row.value, row.part_of = metrics[figure["metric"]], Decimal(figure["value"]), None
        saved.append((row, figure["part_of"]))
    by_uid = {}
    for row, _ in saved:  # first every figure, then which is part of which: a total may be listed after its part
        row.full_clean(exclude=["event", "part_of"])
        row.save()
        by_uid[str(row.uid)] = row
    for row, part_of in saved:
        if part_of:
            if part_of not in by_uid:
                raise ValidationError({"outcomes": f"“part_of” {part_of} is not a figure of this event."})
            row.part_of = by_uid[part_of]
            row.full_clean(exclude=["event"])
            row.save(update_fields=["part_of"])


# ---------------------------------------------------------------------------------------------
# Resources

# Rows an event owns, written as one column each: column → (widget, current value, replace).
EVENT_ROWS = {"participants": (ParticipantsWidget, current_participants, replace_participants)}
OPERATION_ROWS = {**EVENT_ROWS, "outcomes": (OutcomesWidget, current_outcomes, replace_outcomes)}


class RecordResource(resources.ModelResource):
    """Base of every resource here: slug-matched, validated rows, owned rows as columns, a revision per row."""

    rows: dict = {}  # column → (widget, current value, replace): set by ``resource_for``

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for column, (widget_class, current, _) in self.rows.items():
            widget = widget_class()
            self.fields[column] = fields.Field(
                attribute=f"imported_{column}",  # where the cleaned cell waits for ``after_save_instance``
                column_name=column,
                widget=widget,
                dehydrate_method=lambda obj, widget=widget, current=current: widget.render(current(obj)),
            )

    def import_row(self, row, instance_loader, **kwargs):
        # A revision per record, as for any other write (``cooperation.history``); an import's
        # own transaction still covers them all.
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
        for column, (_, current, _) in self.rows.items():
            # The stored rows, in the shape the widget reads a cell, so that an unchanged cell compares equal.
            setattr(original, f"imported_{column}", current(original) if original.pk else [])
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_save_instance(self, instance, row, **kwargs):
        for column, (_, _, replace) in self.rows.items():
            if column in row:
                replace(instance, getattr(instance, f"imported_{column}"))
        refusal = publish_refusal(instance)  # with the rows written: their citations count
        if refusal:
            raise ValidationError({"status": refusal})


def resource_for(model: type[models.Model], rows: dict | None = None) -> type[RecordResource]:
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


class TransferMixin(ImportExportMixin):
    """Import and export buttons on a changelist; goes first in the bases, before the history admin.

    The export is of the changelist as filtered and searched (import-export's
    ``get_export_queryset``); an import is previewed (a dry run, rolled back) with each
    row's errors by field, and is confirmed only when every row is valid.
    """

    # XLSX would need openpyxl, which is not installed; TSV is CSV for spreadsheets that mangle commas.
    formats = (base_formats.CSV, base_formats.JSON, base_formats.TSV)

    def get_resource_classes(self, request):
        return [RESOURCES[self.model]]

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
