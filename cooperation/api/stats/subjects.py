"""What an aggregate counts — events or partnerships — narrowed exactly as the subject's list narrows it.

A subject's records are ``Model.objects.visible_to(user)`` filtered by the list's
FilterSet, so every list parameter works on the aggregates too and a bad value is the
same 400. Child rows (participations, figures, parties) are only ever reached through
those records, so the rows of a draft never count for anonymous clients.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model, QuerySet
from django_filters.constants import EMPTY_VALUES
from django_filters.rest_framework import FilterSet
from rest_framework.exceptions import ValidationError

from cooperation.api import filters
from cooperation.api.stats.aggregates import CO_PARTICIPATION, PARTNERSHIP
from cooperation.models import Event, Partnership


@dataclass(frozen=True)
class Subject:
    """A model's visible records, filtered by its list's FilterSet; ``name`` keys them for the aggregate."""

    name: str
    model: type[Model]
    filterset_class: type[FilterSet]

    def filterset(self, request) -> FilterSet:
        records = self.model.objects.visible_to(request.user)
        return self.filterset_class(request.query_params, queryset=records, request=request)


EVENTS = Subject("events", Event, filters.EventFilterSet)
PARTNERSHIPS = Subject("partnerships", Partnership, filters.PartnershipFilterSet)

# The choices of outcome-totals' ``subject`` and of the network's ``edges``, and the subjects each one filters.
OUTCOME_SUBJECTS = {"events": (EVENTS,), "partnerships": (PARTNERSHIPS,), "all": (EVENTS, PARTNERSHIPS)}
NETWORK_EDGES = {PARTNERSHIP: (PARTNERSHIPS,), CO_PARTICIPATION: (EVENTS,), "all": (PARTNERSHIPS, EVENTS)}


def filtered(request, subjects: tuple[Subject, ...]) -> tuple[dict[str, QuerySet], frozenset[str]]:
    """``{subject name: its filtered records}``, and the names of the subjects no parameter narrows (``narrows``):
    their aggregates may read the counts kept for the whole timeline. Every subject reads the whole query string.

    A parameter filters each subject whose FilterSet has it; a value any of them rejects
    is a 400 naming the parameter, with the errors of all subjects together.
    """
    records, whole, errors = {}, set(), {}
    for subject in subjects:
        filterset = subject.filterset(request)
        if filterset.is_valid():
            records[subject.name] = filterset.qs
            if not narrows(filterset):
                whole.add(subject.name)
        for parameter, messages in filterset.errors.items():
            known = errors.setdefault(parameter, [])
            known.extend(message for message in messages if message not in known)
    if errors:
        raise ValidationError(errors)
    return records, frozenset(whole)


def narrows(filterset: FilterSet) -> bool:
    """Whether a parameter of the request leaves out any record ``filterset`` starts from: one of its filters has a
    value, but for those that only say how another filters (``QUALIFIERS``)."""
    qualifiers = getattr(filterset, "QUALIFIERS", ())
    data = filterset.form.cleaned_data
    return any(value not in EMPTY_VALUES for name, value in data.items() if name not in qualifiers)
