"""The filter and form field classes the FilterSets declare their parameters with.

Kept apart from the FilterSets so that every resource's parameters share one meaning of a
country code, a slug the client may see, a word search and an ISO date, and one wording of
their error messages; the schema (``api.schema``) types these classes once for every endpoint.
"""

from __future__ import annotations

import datetime
from functools import reduce
from operator import or_

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField

from cooperation.models import Country, Topic
from cooperation.search import matches, subquery, words
from cooperation.selectors import facets

ISO_DATE_FORMATS = ["%Y-%m-%d"]
ISO_DATE_ERRORS = {"invalid": "Enter an ISO date, e.g. 2005-12-31."}
ISO_DATETIME_ERRORS = {
    "invalid": "Enter an ISO date-time, e.g. 2006-04-21T09:30:00Z.",
    "out_of_range": "Enter a date-time between the years 1 and 9999 in UTC, e.g. 2006-04-21T09:30:00Z.",
}
PUBLIC_ONLY = "Only published records are public: anonymous clients may ask for status=published only."
SEARCH_HELP = "Words, each of which must begin a word of the record's texts (case-insensitive)."


# Filters -------------------------------------------------------------------------------------------------------------


class CountryCodeField(forms.CharField):
    """An ISO 3166-1 alpha-2 code, cleaned to its ``Country``; unknown codes are an error."""

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        try:
            return Country.objects.get(code=code.strip().upper())
        except Country.DoesNotExist:
            raise ValidationError(
                "Unknown country code “%(code)s”; use an ISO 3166-1 alpha-2 code such as UA.",
                code="unknown_country",
                params={"code": code},
            ) from None


class UtcDateTimeField(IsoDateTimeField):
    """An ISO date-time, in UTC: any offset Python reads (up to ±23:59) is applied here, so the database is never
    sent one it refuses (PostgreSQL stops at ±15:59), and a time that leaves years 1 to 9999 in UTC is an error."""

    def clean(self, value):
        moment = super().clean(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError(self.error_messages["out_of_range"], code="out_of_range") from None


class DateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class CountryFilter(filters.Filter):
    """``?country=UA``; what it matches is the FilterSet's ``method``."""

    field_class = CountryCodeField


class SlugFilter(filters.ModelChoiceFilter):
    """A related record by slug, among those the client may see (others are “unknown”, not revealed)."""

    def __init__(self, model, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": f"No {model._meta.verbose_name} with slug “%(value)s”."},
        )
        super().__init__(queryset=lambda request: model.objects.visible_to(getattr(request, "user", None)), **kwargs)


class SearchFilter(filters.CharFilter):
    """Every word must match one of ``fields``; ``cooperation.search`` decides what matching means.

    An entry of ``fields`` is a tuple of the record's own fields, searched as one text (the
    fields of one ``SearchIndex``), or a callable ``(word, user) -> Q`` matching through other tables
    (only the rows ``user`` may see: ``selectors.visibility``)
    with ``pk IN (subquery)``, so that matches never duplicate rows. When every entry is of
    the record's own table, the words are matched in place; otherwise each text is a subquery
    too (see ``search.subquery``).
    """

    def __init__(self, *, fields, **kwargs):
        kwargs.setdefault("help_text", SEARCH_HELP)
        super().__init__(**kwargs)
        self.search_fields = fields

    def filter(self, queryset, value):
        model = queryset.model._meta.concrete_model
        tables = {self._table(model, entry) for entry in self.search_fields}
        in_place = tables == {model}
        user = getattr(self.parent.request, "user", None)
        for word in words(value or ""):
            condition = reduce(or_, (self._match(model, entry, word, user, in_place) for entry in self.search_fields))
            queryset = queryset.filter(condition)
        return queryset

    @staticmethod
    def _table(model, entry):
        """The model whose table holds ``entry``'s fields (a parent's, for inherited ones); None for a callable."""
        return None if callable(entry) else model._meta.get_field(entry[0]).model

    def _match(self, model, entry, word, user, in_place) -> Q:
        if callable(entry):
            return entry(word, user)
        if in_place:
            return matches(word, *entry)
        return subquery(self._table(model, entry), word, *entry)


class EventSearchFilter(filters.CharFilter):
    """``search`` on the event resources: every word in the event's texts (``selectors.facets.matching``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", SEARCH_HELP)
        super().__init__(**kwargs)

    def filter(self, queryset, value):
        found = words(value or "")
        return facets.matching(queryset, found, getattr(self.parent.request, "user", None)) if found else queryset


def kind_filter(field_name: str, choices) -> filters.ChoiceFilter:
    return filters.ChoiceFilter(field_name=field_name, choices=choices, help_text="The record's kind.")


def topic_filter() -> SlugFilter:
    # A join, not Exists(): a record has a topic at most once, so one topic cannot duplicate rows.
    return SlugFilter(Topic, field_name="topics", help_text="Topic slug.")


def datetime_filter(**kwargs) -> DateTimeFilter:
    kwargs["error_messages"] = {**ISO_DATETIME_ERRORS, **kwargs.get("error_messages", {})}
    return DateTimeFilter(**kwargs)


def date_filter(**kwargs) -> filters.DateFilter:
    return filters.DateFilter(input_formats=ISO_DATE_FORMATS, error_messages=ISO_DATE_ERRORS, **kwargs)
