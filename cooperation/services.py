"""Write services: create, update and delete curated records together with their child rows.

Every write of the REST API goes through here, so that

- every instance passes the model's ``full_clean()`` — the validation path the admin
  uses — before it is saved;
- one request writes everything or nothing (``transaction.atomic``): a bad citation on
  the third participant leaves not even the event behind;
- the logic is written once for every kind of record instead of once per model;
- every write is a revision of the change history (``cooperation.history``), by ``user``
  and for ``reason`` when given, and a deleted record can be recovered;
- a record is saved as published only with a citation, and with the actors and documents
  it refers to published too, or published with it on request (``publish_linked``; see
  ``cooperation.workflow``): else ``status`` gets the error and nothing is written;
- a record is published, or taken off ``published``, only by a ``user`` who ``workflow.may_publish``
  (else the same error on ``status``; without a user, as from a command, it is not asked).

``data`` is in model terms (what the API serializers' ``validated_data`` hold):

- a model field name → its value (foreign keys as instances);
- a forward many-to-many name (``topics``, ``members``) → the complete new set;
- a reverse foreign-key name (``participations``, ``citations``, ``outcomes``, …) → a
  list of dicts in this same format, one per child row, nested as deep as needed
  (a participation's ``citations``). A row with the ``uid`` of one of the parent's
  rows updates that row; a row without (or with a new ``uid``) creates one; the
  parent's rows left out are deleted. A child's foreign key to its own model
  (``Outcome.part_of``) may be given as the ``uid`` of a sibling in the same list,
  so a request can create a figure and its subset figures together.

Keys left out are left alone, so a partial update touches only what it names.

Invalid data raises ``ValidationError`` whose keys are paths in model terms:
``date``, ``participations[1].country``, ``outcomes[0].citations[2].quote``; a row's
own non-field errors (a broken constraint) are keyed by the row's path
(``participations[1]``), the record's by ``NON_FIELD_ERRORS``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction

from cooperation import history, workflow

ModelT = TypeVar("ModelT", bound=models.Model)

Errors = dict[str, list[str]]


@transaction.atomic
def record_create(
    model: type[ModelT], *, data: Mapping[str, Any], user=None, reason: str = "", publish_linked: bool = False
) -> ModelT:
    """Create a ``model`` record with its many-to-many sets and child rows, all or nothing."""
    with history.recording(user=user, reason=reason):
        instance = model()
        _write(instance, data, user=user, publish_linked=publish_linked)
    return instance


@transaction.atomic
def record_update(
    instance: ModelT, *, data: Mapping[str, Any], user=None, reason: str = "", publish_linked: bool = False
) -> ModelT:
    """Update ``instance`` with the fields, sets and child lists named in ``data``, all or nothing."""
    with history.recording(instance, user=user, reason=reason):
        _write(instance, data, user=user, publish_linked=publish_linked)
    return instance


@transaction.atomic
def record_delete(instance: models.Model, *, user=None, reason: str = "") -> None:
    """Delete ``instance`` and its child rows, recoverably (see ``history.delete``).

    Raises ``django.db.models.ProtectedError`` when other records still point at it
    (an organization that took part in events): those must be changed first.
    """
    history.delete(instance, user=user, reason=reason)


def _write(instance: models.Model, data: Mapping[str, Any], *, user, publish_linked: bool) -> None:
    # Who may publish or unpublish (``workflow.status_refusal``); a caller without a user (a command) is trusted.
    status = data.get("status")
    if user is not None and (refusal := workflow.save_refusal(user, instance, status, publish_linked=publish_linked)):
        raise ValidationError({"status": [refusal]})
    errors: Errors = {}
    _save_tree(instance, data, path="", errors=errors)
    # Judged on what was written, so that citations sent in the same request count.
    if not errors and (refusal := workflow.publish_refusal(instance, publish_linked=publish_linked)):
        errors["status"] = [refusal]
    if errors:
        # Raising inside the atomic block rolls back whatever was saved before the error.
        raise ValidationError(errors)


def _save_tree(instance: models.Model, data: Mapping[str, Any], *, path: str, errors: Errors) -> bool:
    """Validate and save ``instance``, then its sets and child lists; False if it could not be saved."""
    fields, sets, children = _split(type(instance), data)
    for name, value in fields.items():
        setattr(instance, name, value)
    if not _clean(instance, path=path, errors=errors):
        # Its children cannot be validated without a saved parent; report what we have.
        return False
    instance.save()
    for name, values in sets.items():
        getattr(instance, name).set(values)
    for name, rows in children.items():
        _sync_children(instance, name, rows, path=_join(path, name), errors=errors)
    return True


def _split(model: type[models.Model], data: Mapping[str, Any]):
    """Sort ``data`` into plain fields, many-to-many sets and child lists by what the model says they are."""
    fields, sets, children = {}, {}, {}
    for name, value in data.items():
        field = model._meta.get_field(name)
        if field.one_to_many:
            children[name] = value
        elif field.many_to_many and not field.auto_created:
            sets[name] = value
        elif field.concrete and not field.many_to_many:
            fields[name] = value
        else:
            raise TypeError(f"{model.__name__}.{name} cannot be written through the services.")
    return fields, sets, children


def _sync_children(parent: models.Model, relation: str, rows: list[Mapping[str, Any]], *, path: str, errors: Errors):
    """Make the parent's ``relation`` rows exactly ``rows`` (see the module docstring)."""
    reverse = parent._meta.get_field(relation)
    model, parent_field = reverse.related_model, reverse.field.name
    manager = getattr(parent, relation)
    keyed = any(field.name == "uid" for field in model._meta.fields)

    listed = {row["uid"] for row in rows if row.get("uid")} if keyed else set()
    # Delete first, so a row re-created without its uid does not collide with the one it replaces.
    stale = manager.exclude(uid__in=listed) if keyed else manager.all()
    stale.delete()
    existing = {child.uid: child for child in manager.filter(uid__in=listed)} if keyed else {}

    saved: dict[uuid.UUID, models.Model] = {}
    sibling_refs = []
    for index, row in enumerate(rows):
        row_path = f"{path}[{index}]"
        row = dict(row)
        uid = row.pop("uid", None)
        refs = {name: row.pop(name) for name in list(row) if _is_sibling_reference(model, name, row[name])}
        child = existing.get(uid) or model(**({"uid": uid} if uid else {}))
        setattr(child, parent_field, parent)
        if not _save_tree(child, row, path=row_path, errors=errors):
            continue
        if keyed:
            saved[child.uid] = child
        if refs:
            sibling_refs.append((row_path, child, refs))

    # Second pass: every sibling now exists, so the order of the rows does not matter.
    for row_path, child, refs in sibling_refs:
        for name, uid in refs.items():
            if uid not in saved:
                errors.setdefault(_join(row_path, name), []).append(
                    f"No row with uid {uid} in this list; a reference must point to a sibling."
                )
                continue
            setattr(child, name, saved[uid])
        if _clean(child, path=row_path, errors=errors):
            child.save()


def _is_sibling_reference(model: type[models.Model], name: str, value: Any) -> bool:
    field = model._meta.get_field(name)
    return field.many_to_one and field.related_model is model and isinstance(value, uuid.UUID)


def _clean(instance: models.Model, *, path: str, errors: Errors) -> bool:
    """``full_clean()`` as the admin runs it; collect its messages under ``path``."""
    try:
        instance.full_clean(exclude=_derived_fields(type(instance)))
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            key = path if field == NON_FIELD_ERRORS else _join(path, field)
            errors.setdefault(key or NON_FIELD_ERRORS, []).extend(messages)
        return False
    return True


def _derived_fields(model: type[models.Model]) -> set[str]:
    """Fields nobody types in (``kind``, date bounds, timestamps), left out of validation as the admin does.

    ``uid`` stays in: a client may send one, and it must be unique.
    """
    return {field.name for field in model._meta.fields if not field.editable and field.name != "uid"}


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
