"""Matching a ``search`` word through other tables: parties, citations, names (events search their stored texts
instead: ``selectors.facets.matching``).

Each function is an entry of a ``SearchFilter``'s ``fields``, ``(word, user) -> Q``, kept
apart from the FilterSets because the query plan is the point: each is a ``pk IN (subquery)``
from a text index, and sees only the rows ``user`` may (``selectors.visibility``).
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from cooperation.models import (
    Citation,
    Country,
    Organization,
    Partnership,
    PartnershipParty,
    PersonName,
    Source,
)
from cooperation.search import matches
from cooperation.selectors import citations, visibility

# Search through other tables ----------------------------------------------------------------------------------------
# Each alternative is ``pk IN (SELECT DISTINCT …)``, the subquery starting from a text index: PostgreSQL reads it once
# and hashes the ids, where an Exists() under OR would be re-run for every row. DISTINCT keeps its estimate of the set
# to one row per record, small enough to hash; a set it expects too big for memory would be scanned anew for every
# row. A record matching through many rows is still listed once.

ORGANIZATION_NAME = ("name", "abbreviation")
COUNCIL_NAME = ("name", "abbreviation")


def quoted(model, word: str, user) -> Q:
    """Records of ``model`` one of whose citations (``selectors.citations``) that ``user`` may see quotes ``word``."""
    return citations.quoting(model, Citation.objects.filter(matches(word, "quote")), user)


def parties_named(word: str, parties: QuerySet, user) -> Q:
    """Records with a party — a row of ``parties``, which gives its record's id — named ``word``: a country or an
    organization (name or abbreviation); of those ``user`` may see.

    One subquery per kind of name, from that name's text index along the party's foreign-key index.
    """
    organizations = Organization.objects.filter(matches(word, *ORGANIZATION_NAME))
    named = [
        ("country", parties.filter(country__in=Country.objects.filter(matches(word, "name")))),
        ("organization", parties.filter(organization__in=organizations)),
    ]
    # A hidden organization is no party of theirs; checked last, on the query as it stands (each further
    # clone of a query holding a subquery copies it).
    named = [visibility.parties(rows.distinct(), party, user) for party, rows in named]
    return reduce(or_, (Q(pk__in=ids) for ids in named))


def partnership_party_named(word: str, user) -> Q:
    return parties_named(word, PartnershipParty.objects.values("partnership"), user)


def partnership_quoted(word: str, user) -> Q:
    return quoted(Partnership, word, user)


def person_spelled(word: str, user) -> Q:
    return Q(pk__in=PersonName.objects.filter(matches(word, "name")).values("person").distinct())


def source_named(word: str, user) -> Q:
    return Q(source__in=Source.objects.filter(matches(word, "name"))) & visibility.reference("source", Source, user)
