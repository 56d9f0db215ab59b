"""The stats aggregates are cached under the data version, which every committed write moves (``cooperation.changes``).

These tests commit their writes (``transaction=True``): the version moves at commit on PostgreSQL.
"""

from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cooperation import changes
from cooperation.choices import EventKind, Status
from cooperation.models import Country, Event
from tests.factories import JointOperationFactory, ParticipationFactory

BY_KIND = "/api/v1/stats/events-by-kind/"
BY_COUNTRY = "/api/v1/stats/events-by-country/"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _stats_cache(settings):
    settings.STATS_CACHE_SECONDS = 300


@pytest.fixture(autouse=True)
def _countries(transactional_db):
    """Every country, as migration 0002 loads them: a committed test empties every table when it ends."""
    import_module("cooperation.migrations.0002_countries").load_countries(apps, None)


def operations(client, params=None) -> int:
    response = client.get(BY_KIND, params or {})
    assert response.status_code == 200
    return next(row["count"] for row in response.json()["results"] if row["kind"] == EventKind.OPERATION)


def test_every_table_of_the_app_moves_the_data_version():
    tables = changes.tracked_tables(apps)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = %s", [changes.TRIGGER])
            triggered = {name.strip('"') for (name,) in cursor.fetchall()}
        else:
            cursor.execute(
                "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"{changes.TRIGGER}_%"],
            )
            triggered = {name for (name,) in cursor.fetchall()}

    assert "cooperation_event" in tables and "cooperation_event_topics" in tables
    assert set(tables) <= triggered


def test_a_repeated_request_is_answered_from_the_cache_with_one_query(api):
    JointOperationFactory(status=Status.PUBLISHED)
    api.get(BY_COUNTRY)

    with CaptureQueriesContext(connection) as queries:
        response = api.get(BY_COUNTRY)

    assert response.status_code == 200
    assert len(queries) == 1, [query["sql"] for query in queries.captured_queries]  # the data version


def test_a_committed_write_is_counted_at_once(api):
    JointOperationFactory(status=Status.PUBLISHED)
    assert operations(api) == 1

    JointOperationFactory(status=Status.PUBLISHED)
    assert operations(api) == 2

    Event.objects.filter(kind=EventKind.OPERATION).update(status=Status.DRAFT)  # a queryset update: no signals
    assert operations(api) == 0


def test_writes_to_related_tables_and_raw_sql_move_the_version_too(api):
    participation = ParticipationFactory(event=JointOperationFactory(status=Status.PUBLISHED))
    before = {row["country"]["code"]: row["count"] for row in api.get(BY_COUNTRY).json()["results"]}
    assert before == {participation.country_id: 1}

    other = Country.objects.exclude(code=participation.country_id).first()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cooperation_participation SET country_id = %s WHERE id = %s", [other.code, participation.pk]
        )

    after = {row["country"]["code"]: row["count"] for row in api.get(BY_COUNTRY).json()["results"]}
    assert after == {other.code: 1}


def test_a_rolled_back_write_leaves_the_version_and_the_answer(api):
    JointOperationFactory(status=Status.PUBLISHED)
    assert operations(api) == 1
    version = changes.current_version()

    with pytest.raises(RuntimeError), transaction.atomic():
        JointOperationFactory(status=Status.PUBLISHED)
        raise RuntimeError

    assert changes.current_version() == version
    assert operations(api) == 1


def test_a_transaction_moves_the_version_forward(api):
    before = changes.current_version()
    with transaction.atomic():
        JointOperationFactory(status=Status.PUBLISHED)
        JointOperationFactory(status=Status.PUBLISHED)

    assert changes.current_version() > before


def test_curators_and_anonymous_clients_are_answered_apart(api, staff_api):
    JointOperationFactory(status=Status.PUBLISHED)
    JointOperationFactory(status=Status.DRAFT)

    assert operations(api) == 1
    assert operations(staff_api) == 2
    assert operations(api) == 1


def test_each_query_string_is_answered_apart(api):
    JointOperationFactory(status=Status.PUBLISHED, date="2001")
    JointOperationFactory(status=Status.PUBLISHED, date="2010")

    assert operations(api) == 2
    assert operations(api, {"date_after": "2005-01-01"}) == 1


def test_a_bad_parameter_is_still_a_400_after_a_good_one_is_cached(api):
    assert api.get(BY_KIND).status_code == 200

    response = api.get(BY_KIND, {"date_after": "not a date"})

    assert response.status_code == 400
    assert list(response.json()) == ["date_after"]


def test_a_json_answer_is_kept_as_its_bytes_apart_from_each_other_format(api):
    JointOperationFactory(status=Status.PUBLISHED)
    miss = api.get(BY_KIND)

    with CaptureQueriesContext(connection) as queries:
        hit = api.get(BY_KIND)
    assert len(queries) == 1  # the data version
    assert hit.content == miss.content and hit["Content-Type"] == "application/json"
    assert hit["Vary"] == miss["Vary"] and "ETag" in hit

    indented = api.get(BY_KIND, HTTP_ACCEPT="application/json; indent=4")
    assert indented.content != miss.content and b'\n    "results"' in indented.content
    assert api.get(BY_KIND, HTTP_ACCEPT="application/json; indent=4").content == indented.content
    csv = api.get(BY_KIND, {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv") and csv.content.startswith(b"kind,label,count")
    page = api.get(BY_KIND, HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert api.get(BY_KIND).content == miss.content
