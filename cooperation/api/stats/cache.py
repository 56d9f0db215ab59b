"""The aggregates' answers, cached under the data version (``cooperation.changes``).

Dashboards poll the same aggregates while the data changes a few times a day, and the costly
ones (events by country, the network) read every participation: at 100,000 events hundreds of
milliseconds to seconds. Any committed write moves the data version, so an answer cached
under the current version is exactly what the database would answer now. The version is read
first: data read after it can only be newer, never older, than the version it is cached under.

An answer is keyed by the path, the query string and whether the client sees unpublished
records (the one rule of ``visible_to``). ``settings.STATS_CACHE_SECONDS`` (0: off) is how
long an unread one is kept in the default cache: per process unless a shared cache is configured.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

from cooperation.api.conditional import digest
from cooperation.changes import current_version
from cooperation.models.base import is_curator


def cached(request, answer: Callable[[], dict]) -> dict:
    """``answer()``, or what it returned for the same request since the data last changed."""
    if not settings.STATS_CACHE_SECONDS:
        return answer()
    query = sorted(request.query_params.lists())
    key = f"stats:{digest(current_version(), request.path, query, is_curator(request.user))}"
    if (found := cache.get(key)) is not None:
        return found
    result = answer()
    cache.set(key, result, settings.STATS_CACHE_SECONDS)
    return result
