"""Which country takes part in what: the one definition the filters, the aggregates and the admin share.

A country takes part in an event directly, through one of its organizations or through one of its people (each a
participation a reader may see, ``visibility.rows``); whether hosting it counts too is the caller's explicit
``place``: the API's ``country`` filter says yes (“events in or with Tajikistan”), the aggregates say no (hosting is
recorded as a participation, role host, where the source says so; the place alone would count a venue as a party).
A country is party to a partnership itself or through one of its organizations.
"""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

from cooperation.models import Country, Event, Organization, Participation, PartnershipParty, Person
from cooperation.selectors import visibility


def events_involving(country: Country, user, *, place: bool) -> QuerySet:
    """Ids of the events ``country`` takes part in (and, with ``place``, those held in it), as one ``UNION``.

    One branch per path, each served by an index (the place, ``participation.country_id``, ``organization_id``,
    ``person_id``): the planner can tell how few events each finds, where an OR across joins is checked row by row.
    """
    participations = Participation.objects.order_by()
    # Each branch narrowed to what ``user`` may see last: each further clone of a query holding a subquery copies it.
    branches = [
        visibility.parties(participations.filter(**{lookup: value}).values("event"), party, user)
        for party, lookup, value in (
            ("country", "country", country),
            ("organization", "organization__in", Organization.objects.filter(country=country)),
            ("person", "person__in", Person.objects.filter(country=country)),
        )
    ]
    if place:
        branches.insert(0, Event.objects.filter(place_country=country).order_by().values("pk"))
    first, *others = branches
    return first.union(*others)


def country_pairs(events: QuerySet, user) -> QuerySet:
    """Each event of ``events`` with each country taking part in it, once: ``(event_id, code)`` rows.

    A participation has exactly one target (a database constraint), so the direct ones — most of them — are read
    from their own column and only the others are joined to their organization or person; UNION drops the repeats
    (a country present itself and through its minister).
    """
    participations = Participation.objects.filter(event__in=events)
    direct = participations.filter(country__isnull=False).values("event_id", code=F("country"))  # always visible
    through = (
        visibility.rows(participations, user)
        .filter(country__isnull=True)
        .values("event_id", code=Coalesce("organization__country", "person__country"))
        .filter(code__isnull=False)
    )
    return direct.order_by().union(through.order_by())


def partnership_parties_from(country: Country, user) -> QuerySet:
    """The partnership parties that are ``country`` or one of its organizations, of those ``user`` may see."""
    parties = visibility.rows(PartnershipParty.objects.all(), user)
    return parties.filter(Q(country=country) | Q(organization__country=country))
