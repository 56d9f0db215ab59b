"""Answers cached under the data version (``cooperation.changes``): the aggregates, and the event pages and details.

Dashboards poll the same aggregates and the same timeline pages while the data changes a few times a day. Any
committed write moves the data version, so an answer cached under the current version is exactly what the database
would answer now. The version is read first: data read after it can only be newer, never older, than the version it
is cached under.

An answer is keyed by the version, the path, the query string, whether the client sees unpublished records (the one
rule of ``visible_to``) and whatever else shapes it (``vary``: the host its links name, the format). How long an
unread one is kept in the default cache (per process unless a shared cache is configured) is a setting — ``0``
switches that cache off: ``STATS_CACHE_SECONDS`` for the aggregates, ``PAGE_CACHE_SECONDS`` for the event pages and
details.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

from cooperation.changes import current_version
from cooperation.models.base import is_curator

Answer = TypeVar("Answer")


def cached(request, answer: Callable[[], Answer], *, seconds: str = "STATS_CACHE_SECONDS", vary=()) -> Answer:
    """``answer()``, or what it returned for the same request since the data last changed."""
    keep = getattr(settings, seconds)
    if not keep:
        return answer()
    query = sorted(request.query_params.lists())
    parts = (current_version(), request.path, query, is_curator(request.user), *vary)
    key = "answer:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    if (found := cache.get(key)) is not None:
        return found
    result = answer()
    if result is not None:  # nothing to answer (a detail the client may not see): not kept, asked again next time
        cache.set(key, result, keep)
    return result
