"""Reusable inlines: the rows a curator enters together with their parent record."""

from django import forms
from django.contrib import admin
from django.db import models
from django.forms.models import BaseInlineFormSet

from cooperation.models import (
    AgendaItem,
    Citation,
    EventLink,
    Outcome,
    Participation,
    PartnershipParty,
    PersonName,
    Position,
    Proposal,
)

COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}


class ConditionalUniqueFormSet(BaseInlineFormSet):
    """Checks the model's conditional unique constraints between the rows of one formset.

    Django checks plain unique constraints across rows but skips those with a
    condition (one per kind of party here), and a new parent's rows cannot be
    checked against the database yet: without this, the same party entered twice
    on a new event would surface as an IntegrityError instead of a form error.
    """

    def clean(self):
        super().clean()
        constraints = [
            constraint
            for constraint in self.model._meta.constraints
            if isinstance(constraint, models.UniqueConstraint) and constraint.condition is not None
        ]
        seen = set()
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or self._should_delete_form(form):
                continue
            for constraint in constraints:
                values = tuple(form.cleaned_data.get(name) for name in constraint.fields if name != self.fk.name)
                if None in values:  # the condition (“this kind of party is set”) does not hold
                    continue
                if (constraint.name, values) in seen:
                    form.add_error(None, constraint.violation_error_message)
                seen.add((constraint.name, values))


class ParticipationInline(admin.TabularInline):
    """Who took part, in what role: one row per country, organization or person."""

    model = Participation
    formset = ConditionalUniqueFormSet
    fields = ("country", "organization", "person", "role", "detail")
    autocomplete_fields = ("country", "organization", "person")
    extra = 1
    show_change_link = True  # a participation's own citations are entered on its page
    verbose_name_plural = "participants"


class OutcomeInline(admin.TabularInline):
    """What came of an operation, in numbers a dashboard can sum."""

    model = Outcome
    fk_name = "event"
    fields = ("metric", "value", "unit", "qualifier", "scope", "part_of", "counts")
    autocomplete_fields = ("metric", "part_of")
    extra = 1
    show_change_link = True  # a figure's citations are entered on its page


class PartnershipFigureInline(OutcomeInline):
    """A partnership's figures (investment, assistance…)."""

    fk_name = "partnership"
    verbose_name = "figure"
    verbose_name_plural = "figures"


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fields = ("order", "title", "topic")
    autocomplete_fields = ("topic",)
    extra = 1


class ProposalInline(admin.TabularInline):
    model = Proposal
    fields = ("title", "status", "description")
    formfield_overrides = COMPACT_TEXT
    extra = 1
    show_change_link = True  # a proposal's citations are entered on its page
    verbose_name_plural = "proposals and decisions"


class EventLinkInline(admin.TabularInline):
    """Links from this event to others, read “this event <kind> target”."""

    model = EventLink
    fk_name = "source"
    fields = ("kind", "target")
    autocomplete_fields = ("target",)
    extra = 0
    verbose_name = "link to another event"
    verbose_name_plural = "links to other events"


class PersonNameInline(admin.TabularInline):
    model = PersonName
    fields = ("name", "note")
    extra = 1
    verbose_name = "name variant"
    verbose_name_plural = "name variants"


class PositionInline(admin.TabularInline):
    model = Position
    fields = ("title", "rank", "organization", "country", "date", "date_text")
    autocomplete_fields = ("organization", "country")
    extra = 0
    show_change_link = True  # an office's citations are entered on its page


class PartnershipPartyInline(admin.TabularInline):
    model = PartnershipParty
    formset = ConditionalUniqueFormSet
    fields = ("country", "organization", "role")
    autocomplete_fields = ("country", "organization")
    extra = 2  # a partnership has at least two parties


class CitationInline(admin.TabularInline):
    """The documents a record rests on. Subclasses name the record with ``fk_name``.

    Citation has a foreign key to each kind of record it can support, so Django
    cannot guess which one an inline fills in.
    """

    model = Citation
    fields = ("document", "quote", "locator", "claim")
    autocomplete_fields = ("document",)
    formfield_overrides = COMPACT_TEXT
    extra = 1
    show_change_link = True
    verbose_name_plural = "citations"


class EventCitationInline(CitationInline):
    fk_name = "event"


class ParticipationCitationInline(CitationInline):
    fk_name = "participation"


class OutcomeCitationInline(CitationInline):
    fk_name = "outcome"


class PartnershipCitationInline(CitationInline):
    fk_name = "partnership"


class PositionCitationInline(CitationInline):
    fk_name = "position"


class ProposalCitationInline(CitationInline):
    fk_name = "proposal"
