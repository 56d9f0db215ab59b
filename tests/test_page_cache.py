"""The event resources' JSON pages and details are cached under the data version (``cooperation.api.answers``):
served again without reading the data until a committed write moves the version, per reader and host.

These tests commit their writes (``transaction=True``): the version moves at commit on PostgreSQL.
"""

from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.choices import Status
from cooperation.models import Country
from tests.factories import JointOperationFactory, ParticipationFactory

pytestmark = pytest.mark.django_db(transaction=True)
API = "/api/v1"


@pytest.fixture(autouse=True)
def _page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 300


@pytest.fixture(autouse=True)
def _countries(transactional_db):
    """Every country, as migration 0002 loads them: a committed test empties every table when it ends."""
    import_module("cooperation.migrations.0002_countries").load_countries(apps, None)


def get(client, path, params=None, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {}, **headers)
    return response, len(queries)


@pytest.mark.parametrize("path", [f"{API}/events/", f"{API}/operations/"])
def test_a_page_asked_again_costs_one_query_until_a_write_changes_it(api, path):
    operation = JointOperationFactory(title="Before")
    ParticipationFactory(event=operation, country=Country.objects.get(code="TJ"))
    first, uncached = get(api, path, {"country": "TJ"})
    again, cached = get(api, path, {"country": "TJ"})

    assert again.json() == first.json() and again["ETag"] == first["ETag"]
    assert uncached > 1 and cached == 1  # the data version

    operation.title = "After"
    operation.save()
    changed, _ = get(api, path, {"country": "TJ"})
    assert [row["title"] for row in changed.json()["results"]] == ["After"]
    assert changed["ETag"] != first["ETag"]


def test_a_detail_asked_again_costs_one_query_and_a_304_needs_no_more(api):
    operation = JointOperationFactory()
    path = f"{API}/operations/{operation.pk}/"
    first, _ = get(api, path)
    again, cached = get(api, path)
    unchanged, conditional = get(api, path, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.json() == first.json() and cached == 1
    assert unchanged.status_code == 304 and conditional == 1


def test_staff_and_the_public_never_share_a_cached_page(api, staff_api):
    draft = JointOperationFactory(status=Status.DRAFT)
    staff_first, _ = get(staff_api, f"{API}/events/")
    public, _ = get(api, f"{API}/events/")
    hidden, _ = get(api, f"{API}/operations/{draft.pk}/")
    staff_detail, _ = get(staff_api, f"{API}/operations/{draft.pk}/")

    assert [row["id"] for row in staff_first.json()["results"]] == [draft.pk]
    assert public.json()["results"] == []
    assert hidden.status_code == 404 and staff_detail.status_code == 200
    assert get(api, f"{API}/operations/{draft.pk}/")[0].status_code == 404  # a 404 is not kept as an answer either


def test_a_page_names_the_host_it_was_asked_on(api, settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    JointOperationFactory()
    one, _ = get(api, f"{API}/events/", HTTP_HOST="one.example")
    two, _ = get(api, f"{API}/events/", HTTP_HOST="two.example")

    assert one.json()["results"][0]["url"].startswith("http://one.example/")
    assert two.json()["results"][0]["url"].startswith("http://two.example/")
