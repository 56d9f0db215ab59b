"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL says so."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient

ARTICLE = "edm-2006-v3-i79"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache: the API's throttles count requests there, per client address."""
    cache.clear()


@pytest.fixture(autouse=True)
def _no_stats_cache(settings):
    """The stats and page caches off: on PostgreSQL a test's writes are never committed, so the data version never
    moves.

    ``tests/test_stats_cache.py`` and ``tests/test_page_cache.py`` turn them on, in tests whose writes commit.
    """
    settings.STATS_CACHE_SECONDS = 0
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def article(db):
    """The seed article's records, loaded through the public ``loaddata`` command."""
    call_command("loaddata", ARTICLE, verbosity=0)


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        username="curator", password="curator-pass-1", is_staff=True, is_superuser=True
    )


@pytest.fixture
def api():
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def staff_api(staff_user):
    client = APIClient()
    client.force_authenticate(staff_user)
    return client
