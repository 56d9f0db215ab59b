"""Which country is party to what partnership: the one definition the filters and the admin share.

A country is party to a partnership itself or through one of its organizations. Which country takes part in an event
is the timeline's facets' (``cooperation.facets``, read by ``selectors.facets``): derived once, for the filters, the
aggregates and the admin alike.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cooperation.models import Country, PartnershipParty
from cooperation.selectors import visibility


def partnership_parties_from(country: Country, user) -> QuerySet:
    """The partnership parties that are ``country`` or one of its organizations, of those ``user`` may see."""
    parties = visibility.rows(PartnershipParty.objects.all(), user)
    return parties.filter(Q(country=country) | Q(organization__country=country))
