"""Query parameters of the API's lists: one FilterSet per resource, and a strict ordering backend.

Parameters, and the resources that take them:

==================  ===================================================================================
``country``         ISO code. Events (every kind): a participant from that country — directly, or an
                    organization or person of it — or the place. Partnerships: a party that is that
                    country or one of its organizations. Organizations: its state or a member state.
                    Councils: a member state or its organization's state. People: their state or the
                    state of an office they held. Sources: the outlet's state; documents: their source's.
``organization``    Slug. Events (every kind): a participating organization, or (sessions) the
                    organization whose council met. Partnerships: a party. Councils: the parent
                    organization. People: an organization they held an office in.
``person``          Slug. Events (every kind): a participating person.
``council``         Slug. Sessions and the ``events`` timeline: sessions of that council.
``source``          Slug. Documents: published by that source.
``kind``            The resource's own kind: ``events`` the event kind, ``exercises`` the exercise kind,
                    ``meetings`` the meeting kind, ``statements`` the form; organizations, partnerships,
                    sources and documents their ``kind``.
``stage``           Partnerships: proposed, active, strengthening, suspended, ended.
``topic``           Slug. Events (every kind) and partnerships.
``metric``          Slug. Operations with a figure of that metric.
``value_min``       Number. Operations with a figure of at least that value — of ``metric`` when given
                    (the same figure must satisfy both), else of any metric.
``status``          Every curated resource. Staff: any status. Anonymous clients see published records
                    only, so any other value is a 400 rather than an empty list.
``date_after``      ISO dates. Events (every kind) and partnerships: their uncertain date *may* fall in
``date_before``     the range (overlap, the default) or, with ``date_mode=within``, is *certainly* inside
                    it; an open end never excludes. Documents: published on or after / on or before.
``date_mode``       ``overlap`` (default) or ``within``.
``updated_since``   ISO date-time, every curated resource: changed since then (with ``/deleted/``, for
                    incremental sync).
``search``          Words, every one of which must match one of the resource's texts. On PostgreSQL
                    (full-text search, no stemming) a word matches the start of a word of the text:
                    ``rahm`` finds Rahmonov, ``op`` finds “Op 12” and “operation”, ``arms`` does not
                    find “firearms”; elsewhere (SQLite) it matches any part of a text. Case never
                    matters; punctuation alone is not a word. Events (every resource alike): their
                    title, summary and place, their kind's texts (an operation's code name and aim, a
                    meeting's subject, a statement's text, a session's council names, agenda items and
                    proposals), participants' names (countries, organizations and their abbreviations,
                    people and every spelling of their names) and the quotes of the event's citations
                    (its own, its participants', figures' and proposals'), as one stored text per event
                    (``models.EventText``); partnerships their title, summary,
                    parties' names and citation quotes; people every spelling of their name;
                    organizations and councils their name, abbreviation and description; sources
                    their name; documents their title and source; countries, topics, metrics their
                    names and codes.
``ordering``        Every list: comma-separated names from the view's ``ordering_fields``, ``-`` for
                    descending.
``since``           ``/deleted/`` only (required): ISO date-time; ``resource`` narrows it to one resource.
==================  ===================================================================================

Matching through to-many relations goes through subqueries (``Exists()`` or ``pk IN (…)``),
never joins, so a record is listed once however many of its rows match — except on the event
resources, whose ``country``, ``organization``, ``person``, ``topic`` and ``search`` join one
derived row per event (``selectors.facets``), walked in the timeline's order. Filters combine
(AND). A malformed or unknown value — a country code, a slug the client cannot see, a date,
a number, a choice, an ordering field — is a 400 naming the parameter, never silently
ignored.

The package, by concern: ``fields`` (the filter and form field classes, and the messages they
share), ``search`` (matching a word through other tables), ``base`` (the FilterSets the others
build on: who reads, curation, uncertain dates), ``events`` (every event resource), ``records``
(partnerships, actors, provenance, reference data, sync) and ``backends`` (applying FilterSets,
and strict ordering). This module re-exports the names the views, schema and stats use, so
``filters.EventFilterSet`` and the settings' ``cooperation.api.filters.FilterBackend`` hold.
"""

from cooperation.api.filters.backends import FilterBackend, StrictOrderingFilter
from cooperation.api.filters.base import CuratedFilterSet, ReaderFilterSet, UncertainDateFilterSet
from cooperation.api.filters.events import (
    CouncilSessionFilterSet,
    EventCoreFilterSet,
    EventFilterSet,
    ExerciseFilterSet,
    JointOperationFilterSet,
    MeetingFilterSet,
    StatementFilterSet,
)
from cooperation.api.filters.fields import CountryCodeField, CountryFilter, SearchFilter, SlugFilter
from cooperation.api.filters.records import (
    CouncilFilterSet,
    CountryFilterSet,
    DocumentFilterSet,
    OrganizationFilterSet,
    PartnershipFilterSet,
    PersonFilterSet,
    SourceFilterSet,
    TombstoneFilterSet,
    VocabularyFilterSet,
)

__all__ = [
    "CouncilFilterSet",
    "CouncilSessionFilterSet",
    "CountryCodeField",
    "CountryFilter",
    "CountryFilterSet",
    "CuratedFilterSet",
    "DocumentFilterSet",
    "EventCoreFilterSet",
    "EventFilterSet",
    "ExerciseFilterSet",
    "FilterBackend",
    "JointOperationFilterSet",
    "MeetingFilterSet",
    "OrganizationFilterSet",
    "PartnershipFilterSet",
    "PersonFilterSet",
    "ReaderFilterSet",
    "SearchFilter",
    "SlugFilter",
    "SourceFilterSet",
    "StatementFilterSet",
    "StrictOrderingFilter",
    "TombstoneFilterSet",
    "UncertainDateFilterSet",
    "VocabularyFilterSet",
]
