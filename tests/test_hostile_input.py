"""Requests a careless or hostile client can send: each is a 4xx naming what is wrong, never a 500 (issue 11).

One test per request the probe of the API found answered with a 500 (or accepted when it should not be),
with the exact request; run on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from unittest import mock

import pytest
from django.db import IntegrityError, OperationalError, connection, models
from django.urls import reverse

from cooperation.api import parsers
from cooperation.models import AgendaItem, Event, Organization, Outcome
from tests.factories import (
    CouncilFactory,
    DocumentFactory,
    JointOperationFactory,
    MeetingFactory,
    OrganizationFactory,
    OutcomeFactory,
    TopicFactory,
)

API = "/api/v1"
MEETING = {"title": "Talks", "meeting_kind": "talks", "date": "2006-04-21"}
NUL_MESSAGE = "Null characters are not allowed."


def post(client, path, body, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(f"{API}{path}", data=data, content_type="application/json", **extra)


@pytest.fixture
def strict_client(api):
    """Django's errors answered as a deployment would (handler404/500), not raised into the test."""
    api.raise_request_exception = False
    return api


# Ordering -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "other"), [("events", "title"), ("operations", "date"), ("organizations", "name")]
)
def test_an_ordering_with_the_key_before_other_fields_is_the_order_by_the_key(api, db, resource, other):
    JointOperationFactory(title="B"), JointOperationFactory(title="A")
    OrganizationFactory.create_batch(2)

    response = api.get(f"{API}/{resource}/?ordering=id,{other}")
    by_id = api.get(f"{API}/{resource}/?ordering=id")

    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["results"]] == [row["id"] for row in by_id.json()["results"]]


# NUL characters -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "where"),
    [
        (f"{API}/topics/ab%00/", "path"),
        (f"{API}/operations/?metric=%00", "metric"),
        (f"{API}/events/?search=a%00b", "search"),
        (f"{API}/events/?x%00=1", "x\\u0000"),
    ],
)
def test_a_nul_in_a_path_or_parameter_is_a_400_naming_it(api, db, url, where):
    response = api.get(url)

    assert response.status_code == 400
    assert response.json() == {where: [NUL_MESSAGE]}


def test_a_nul_in_a_header_is_a_400(api, db):
    response = api.get(f"{API}/events/", HTTP_X_DASHBOARD="a\x00b")

    assert response.status_code == 400
    assert response.json() == {"X-Dashboard": [NUL_MESSAGE]}


def test_a_nul_in_an_admin_search_is_a_400_not_a_database_error(client, staff_user):
    client.force_login(staff_user)

    response = client.get(reverse("admin:cooperation_organization_changelist") + "?q=a%00")

    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


def test_nuls_in_nested_values_of_a_write_are_400s_naming_each_path(staff_api, db):
    body = {
        **MEETING,
        "slug": "talks",
        "topics": ["terror\x00ism"],
        "participants": [{"country": "T\x00J"}, {"organization": "mvd\x00"}],
        "outcomes": [{"metric": "\x00", "value": 1}],
        "bad\x00key": 1,
    }

    response = post(staff_api, "/meetings/", body)

    assert response.status_code == 400
    assert response.json() == {
        "topics[0]": [NUL_MESSAGE],
        "participants[0].country": [NUL_MESSAGE],
        "participants[1].organization": [NUL_MESSAGE],
        "outcomes[0].metric": [NUL_MESSAGE],
        "bad\\u0000key": [NUL_MESSAGE],
    }
    assert not Event.objects.exists()


def test_a_nul_in_the_change_reason_is_a_400_and_nothing_is_written(staff_api, db):
    response = post(staff_api, "/meetings/", {**MEETING, "slug": "talks"}, HTTP_X_CHANGE_REASON="a%00b")

    assert response.status_code == 400
    assert response.json() == {"X-Change-Reason": [NUL_MESSAGE]}
    assert not Event.objects.exists()


# Date-times -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/events/?updated_since=", "/deleted/?since="])
def test_an_offset_the_database_refuses_is_applied_before_it_sees_it(api, db, url):
    meeting = MeetingFactory()  # updated now, after 2020-01-01T00:00-19:52 whatever the offset

    response = api.get(f"{API}{url}2020-01-01T00:00:00%2B19:52")

    assert response.status_code == 200, response.content
    if url.startswith("/events/"):
        assert [row["id"] for row in response.json()["results"]] == [meeting.pk]


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/deleted/?since=0001-01-01T00:00:00%2B01:00", "since"),
        ("/events/?updated_since=9999-12-31T23:59:59-01:00", "updated_since"),
    ],
)
def test_a_date_time_outside_the_years_1_to_9999_in_utc_is_a_400(api, db, url, parameter):
    response = api.get(f"{API}{url}")

    assert response.status_code == 400
    assert "between the years 1 and 9999" in response.json()[parameter][0]


# EDTF -----------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("date", ["{1960,1961-12}", "[1960,1961-12]", "2005/{2006}"])
def test_an_edtf_set_is_refused_with_the_valid_forms(staff_api, db, date):
    response = post(staff_api, "/meetings/", {**MEETING, "slug": "talks", "date": date})

    assert response.status_code == 400
    message = response.json()["date"][0]
    assert "is a set of dates; give one date or one interval" in message
    assert "2004-07/.. (open-ended)" in message


# Bodies: depth, length, size, type ------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["[" * 1000 + "]" * 1000, '{"title":' + '{"a":' * 1000 + "1" + "}" * 1001])
def test_json_nested_1000_deep_is_a_400(staff_api, db, body):
    response = post(staff_api, "/meetings/", body)

    assert response.status_code == 400
    assert "nested more than 16 levels deep" in response.json()["detail"]


def test_json_nested_past_the_bound_is_a_400_naming_where(staff_api, db):
    response = post(
        staff_api, "/meetings/", {**MEETING, "slug": "talks", "summary": [[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]}
    )

    assert response.status_code == 400
    assert response.json() == {"summary" + "[0]" * 15: [f"Nested more than {parsers.MAX_DEPTH} levels deep."]}


def test_200000_topic_slugs_are_refused_before_any_lookup(staff_api, db, django_assert_max_num_queries):
    body = {**MEETING, "slug": "talks", "topics": [f"t{index}" for index in range(200_000)]}

    with django_assert_max_num_queries(2):  # the session and the user at most: no lookups
        response = post(staff_api, "/meetings/", body)

    assert response.status_code == 400
    assert response.json() == {"topics": ["Give at most 1000 items; this list has 200000."]}


def test_a_body_larger_than_the_limit_is_a_413(staff_api, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = post(staff_api, "/organizations/", {"slug": "big", "name": "x" * 2000, "kind": "ministry"})

    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is larger than 1000 bytes."}


def test_a_form_body_is_a_415_not_parsed(staff_api, db):
    response = staff_api.post(f"{API}/organizations/", data="slug=x", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415


def test_a_title_sent_as_a_number_is_a_400(staff_api, db):
    response = post(staff_api, "/meetings/", {**MEETING, "slug": "talks", "title": 5})

    assert response.status_code == 400
    assert response.json() == {"title": ["Not a valid string."]}


# Identifiers and numbers beyond the columns ---------------------------------------------------------------------------

BEYOND_64_BITS = 2**70


def test_an_id_beyond_64_bits_is_a_404_or_a_400_naming_the_field(staff_api, db):
    assert staff_api.get(f"{API}/events/{BEYOND_64_BITS}/").status_code == 404
    assert staff_api.patch(f"{API}/organizations/{BEYOND_64_BITS}/", {}, format="json").status_code == 404

    response = post(
        staff_api, "/meetings/", {**MEETING, "slug": "talks", "citations": [{"document": BEYOND_64_BITS, "quote": "q"}]}
    )
    assert response.status_code == 400
    assert "citations[0].document" in response.json()


def test_an_agenda_order_beyond_a_small_integer_is_refused_on_every_database(staff_api, db):
    body = {
        **MEETING,
        "slug": "session",
        "council": CouncilFactory().slug,
        "agenda_items": [{"order": 2**40, "title": "Terrorism"}],
    }
    body.pop("meeting_kind")

    response = post(staff_api, "/sessions/", body)

    assert response.status_code == 400
    assert response.json() == {"agenda_items[0].order": ["Ensure this value is less than or equal to 32767."]}
    assert not AgendaItem.objects.exists()


# Slugs ----------------------------------------------------------------------------------------------------------------


def test_a_slug_differing_only_in_case_is_refused(staff_api, db):
    OrganizationFactory(slug="cis")

    response = post(staff_api, "/organizations/", {"slug": "CIS", "name": "CIS again", "kind": "intergovernmental"})

    assert response.status_code == 400
    assert response.json() == {"slug": ["Use lowercase letters, digits, hyphens and underscores only."]}
    assert Organization.objects.count() == 1


def test_the_admin_refuses_an_uppercase_slug_too(client, staff_user, db):
    client.force_login(staff_user)
    TopicFactory(slug="terrorism")

    response = client.post(
        reverse("admin:cooperation_topic_add"), {"slug": "Terrorism", "name": "Terrorism again", "description": ""}
    )

    assert response.status_code == 200  # the form again, with its error
    assert "Use lowercase letters, digits, hyphens and underscores only." in response.content.decode()


# Concurrent writes ----------------------------------------------------------------------------------------------------


def lost_race():
    """The moment between another request's commit and ours: our uniqueness check passed, the row exists now."""
    return mock.patch.object(models.Model, "validate_unique", lambda self, exclude=None: None)


def test_a_create_that_loses_the_race_for_a_slug_is_a_409_naming_the_field(staff_api, db):
    OrganizationFactory(slug="cis")

    with lost_race():
        response = post(staff_api, "/organizations/", {"slug": "cis", "name": "CIS", "kind": "intergovernmental"})

    assert response.status_code == 409
    assert list(response.json()) == ["slug"]
    assert "at the same time" in response.json()["slug"][0]
    assert Organization.objects.count() == 1


def test_a_create_that_loses_the_race_for_a_child_uid_is_a_409_and_writes_nothing(staff_api, db):
    taken = OutcomeFactory(event=JointOperationFactory())
    body = {
        "slug": "arsenal",
        "title": "Arsenal",
        "date": "2006",
        "outcomes": [{"uid": str(taken.uid), "metric": taken.metric.slug, "value": 1}],
    }

    with lost_race():
        response = post(staff_api, "/operations/", body)

    assert response.status_code == 409
    assert list(response.json()) == ["uid"]
    assert not Event.objects.filter(slug="arsenal").exists()
    assert Outcome.objects.count() == 1


def test_another_constraint_broken_in_between_is_a_409_too(staff_api, db):
    deleted_meanwhile = IntegrityError("FOREIGN KEY constraint failed")

    with mock.patch("cooperation.services.record_create", side_effect=deleted_meanwhile):
        response = post(staff_api, "/organizations/", {"slug": "cis", "name": "CIS", "kind": "intergovernmental"})

    assert response.status_code == 409
    assert response.json() == {"non_field_errors": ["Another request changed the same records at the same time."]}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock")
def test_simultaneous_writes_on_sqlite_wait_for_each_other(tmp_path):
    """Two PATCHes with one If-Match: the second waits for the first, then fails its precondition (was a
    "database is locked" 500 for it); two creates with one slug: the second waits, then is the usual 400."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    run = subprocess.run(
        [sys.executable, "-m", "tests.concurrent_writes"], env=env, capture_output=True, text=True, check=True
    )

    assert json.loads(run.stdout.splitlines()[-1]) == {"patches": [200, 412], "creates": [201, 400]}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's unique index waits for the other write")
@pytest.mark.django_db(transaction=True)
def test_simultaneous_creates_with_one_slug_on_postgresql_are_a_201_and_a_4xx(staff_user):
    from tests.concurrent_writes import at_once, writer

    def create():
        return writer(staff_user).post(
            f"{API}/organizations/", {"slug": "sco", "name": "SCO", "kind": "intergovernmental"}, format="json"
        )

    statuses = at_once(create, create)

    assert statuses in ([201, 400], [201, 409])
    assert Organization.objects.filter(slug="sco").count() == 1


def test_a_database_still_locked_after_the_busy_timeout_is_a_503_to_retry(staff_api, db):
    locked = OperationalError("database is locked")

    with mock.patch("cooperation.services.record_create", side_effect=locked):
        response = post(staff_api, "/organizations/", {"slug": "cis", "name": "CIS", "kind": "intergovernmental"})

    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert response.json() == {"detail": "The database is busy with other writes; try again in a moment."}


def test_other_database_errors_are_not_disguised_as_busy(staff_api, db):
    missing = OperationalError("no such table: x")
    with mock.patch("cooperation.services.record_create", side_effect=missing), pytest.raises(OperationalError):
        post(staff_api, "/organizations/", {"slug": "cis", "name": "CIS", "kind": "intergovernmental"})


@pytest.mark.django_db(transaction=True)  # as a deployment runs: no test transaction around the request
def test_options_with_preconditions_is_the_metadata_not_a_lock_outside_a_transaction(staff_api):
    """Found by schemathesis: DRF reads the object for OPTIONS as for a PUT, outside the write's transaction."""
    organization = OrganizationFactory()

    response = staff_api.options(f"{API}/organizations/{organization.pk}/", HTTP_IF_MATCH='"x"')

    assert response.status_code == 200
    assert response.json()["name"]


# Django's own error pages under /api/ ---------------------------------------------------------------------------------


def test_an_unknown_api_url_is_a_json_404(strict_client, db):
    response = strict_client.get(f"{API}/nothing/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "No such resource: /api/v1/nothing/. The list of resources is at /api/v1/."}


def test_an_unexpected_error_is_a_json_500_for_the_api(strict_client, db):
    with mock.patch("cooperation.api.views.EventViewSet.list", side_effect=RuntimeError("bug")):
        response = strict_client.get(f"{API}/events/")

    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred; it has been logged."}


def test_outside_the_api_django_error_pages_stay_html(strict_client, db):
    response = strict_client.get("/nothing/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_document_reference_stays_valid_input(staff_api, db):
    """The bounds are far from real records: an event with rows, citations and nested documents is accepted."""
    document = DocumentFactory()
    citation = [{"document": {"id": document.pk}, "quote": "q"}]
    body = {
        **MEETING,
        "slug": "talks",
        "participants": [{"country": "TJ", "citations": citation}],
        "citations": citation,
    }

    response = post(staff_api, "/meetings/", body)

    assert response.status_code == 201, response.content
