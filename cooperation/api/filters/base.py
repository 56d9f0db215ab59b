"""The FilterSets the resources' own build on: the reader, curation and uncertain dates.

Kept apart so that every curated resource takes ``status`` and ``updated_since`` alike, and
every resource with an uncertain date takes ``date_after`` / ``date_before`` / ``date_mode``
with one meaning (``cooperation.dates``).
"""

from __future__ import annotations

from django_filters import rest_framework as filters

from cooperation.api.filters.fields import PUBLIC_ONLY, date_filter, datetime_filter
from cooperation.choices import Status
from cooperation.dates import overlap_q, within_q
from cooperation.models.base import is_curator
from cooperation.selectors import facets

# Base FilterSets -----------------------------------------------------------------------------------------------------


class ReaderFilterSet(filters.FilterSet):
    """A FilterSet that knows who reads: a filter matching through other records matches only those they may see."""

    @property
    def user(self):
        return getattr(self.request, "user", None)


class CuratedFilterSet(ReaderFilterSet):
    """``status`` and ``updated_since``, for every curated resource."""

    status = filters.ChoiceFilter(
        choices=Status.choices, help_text="Curation status; anonymous clients may ask for published only."
    )
    updated_since = datetime_filter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="ISO date-time; records changed since then.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_curator(self.user):
            # Asking anonymously for drafts is a mistake worth a message, not a list that is always empty.
            self.filters["status"].extra.update(
                choices=[(Status.PUBLISHED.value, Status.PUBLISHED.label)],
                error_messages={"invalid_choice": PUBLIC_ONLY},
            )


class UncertainDateFilterSet(filters.FilterSet):
    """``date_after`` / ``date_before`` / ``date_mode`` over an uncertain ``date`` (overlap by default)."""

    QUALIFIERS = ("date_mode",)  # says how the dates filter; alone, it leaves every record in

    date_after = date_filter(
        method="filter_date_range",
        help_text="ISO date; records that may (or, with date_mode=within, certainly) end on or after it.",
    )
    date_before = date_filter(
        method="filter_date_range",
        help_text="ISO date; records that may (or, with date_mode=within, certainly) start on or before it.",
    )
    date_mode = filters.ChoiceFilter(
        method="filter_date_range",
        choices=[("overlap", "may fall in the range"), ("within", "certainly inside the range")],
        help_text="overlap (default) or within.",
    )

    def filter_date_range(self, queryset, name, value):
        # The three parameters make one condition, applied together in filter_queryset().
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        after, before = data.get("date_after"), data.get("date_before")
        if not (after or before):
            return queryset
        condition = within_q if data.get("date_mode") == "within" else overlap_q
        return queryset.filter(condition(facets.date_prefix(queryset), after, before))
