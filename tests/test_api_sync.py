"""Incremental sync: every deleted or withdrawn record leaves a tombstone, listed by ``/api/v1/deleted/?since=``."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cooperation.api.urls import router
from cooperation.choices import Status
from cooperation.models import Event, JointOperation, Meeting, Tombstone
from cooperation.models.sync import EVENT_KIND_RESOURCES, RESOURCES
from tests.conftest import ARTICLE
from tests.factories import (
    CouncilFactory,
    CouncilSessionFactory,
    DocumentFactory,
    ExerciseFactory,
    JointOperationFactory,
    MeetingFactory,
    OrganizationFactory,
    PartnershipFactory,
    PersonFactory,
    SourceFactory,
    StatementFactory,
    populate_event,
)

API = "/api/v1"
FEED = f"{API}/deleted/"
LONG_AGO = "2000-01-01T00:00:00Z"

# resource → (factory, the resources its tombstones name)
CURATED = {
    "organizations": (OrganizationFactory, {"organizations"}),
    "councils": (CouncilFactory, {"councils"}),
    "people": (PersonFactory, {"people"}),
    "sources": (SourceFactory, {"sources"}),
    "documents": (DocumentFactory, {"documents"}),
    "partnerships": (PartnershipFactory, {"partnerships"}),
    "sessions": (CouncilSessionFactory, {"events", "sessions"}),
    "operations": (JointOperationFactory, {"events", "operations"}),
    "exercises": (ExerciseFactory, {"events", "exercises"}),
    "meetings": (MeetingFactory, {"events", "meetings"}),
    "statements": (StatementFactory, {"events", "statements"}),
}


def feed(client, **params) -> list[dict]:
    response = client.get(FEED, {"since": LONG_AGO, "page_size": 200, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def gone(client, **params) -> set[tuple]:
    return {(row["resource"], row["id"], row["slug"], row["reason"]) for row in feed(client, **params)}


# Which API resources tombstones name -------------------------------------------------------------------------------


def test_tombstone_resources_are_the_apis_curated_resources():
    registered = {prefix for prefix, _, _ in router.registry}
    reference = {"countries", "topics", "metrics", "deleted"}  # never deleted through the API

    assert set(RESOURCES.values()) | set(EVENT_KIND_RESOURCES.values()) == registered - reference


# What writes a tombstone -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", CURATED)
def test_deleting_through_the_api_leaves_a_tombstone_per_resource_listing_it(api, staff_api, db, resource):
    factory, resources = CURATED[resource]
    record = factory()

    assert staff_api.delete(f"{API}/{resource}/{record.pk}/").status_code == 204

    assert gone(api) == {(name, record.pk, record.slug, "deleted") for name in resources}


def test_deleting_an_event_from_the_timeline_or_a_queryset_names_both_resources(api, db):
    operation, meeting = populate_event(JointOperationFactory()), MeetingFactory()

    Event.objects.get(pk=operation.pk).delete()  # as the timeline would: the Event row, its kind's row with it
    Meeting.objects.filter(pk=meeting.pk).delete()

    assert gone(api) == {
        ("events", operation.pk, operation.slug, "deleted"),
        ("operations", operation.pk, operation.slug, "deleted"),
        ("events", meeting.pk, meeting.slug, "deleted"),
        ("meetings", meeting.pk, meeting.slug, "deleted"),
    }


@pytest.mark.parametrize(("new_status", "reason"), [(Status.WITHDRAWN, "withdrawn"), (Status.DRAFT, "unpublished")])
def test_a_published_record_leaving_published_leaves_a_tombstone(api, staff_api, db, new_status, reason):
    operation, person = JointOperationFactory(), PersonFactory()

    for url in (f"{API}/operations/{operation.pk}/", f"{API}/people/{person.pk}/"):
        assert staff_api.patch(url, {"status": new_status}, format="json").status_code == 200

    assert gone(api) == {
        ("events", operation.pk, operation.slug, reason),
        ("operations", operation.pk, operation.slug, reason),
        ("people", person.pk, person.slug, reason),
    }


def test_saving_a_record_without_leaving_published_leaves_none(staff_api, db):
    draft, published = JointOperationFactory(status=Status.DRAFT), JointOperationFactory()

    staff_api.patch(f"{API}/operations/{draft.pk}/", {"status": Status.REVIEWED}, format="json")
    staff_api.patch(f"{API}/operations/{published.pk}/", {"title": "Renamed"}, format="json")
    withdrawn = populate_event(JointOperationFactory(status=Status.WITHDRAWN))  # cited, so it may be published
    response = staff_api.patch(f"{API}/operations/{withdrawn.pk}/", {"status": Status.PUBLISHED}, format="json")

    assert response.status_code == 200, response.json()

    assert not Tombstone.objects.exists()


def test_a_save_of_other_fields_leaves_none_whatever_the_instance_holds(db):
    operation = JointOperationFactory()
    operation.status, operation.title = Status.WITHDRAWN, "Renamed"

    operation.save(update_fields=["title"])

    assert JointOperation.objects.get(pk=operation.pk).status == Status.PUBLISHED
    assert not Tombstone.objects.exists()


def test_the_admins_bulk_withdrawal_leaves_tombstones_of_the_published_ones(client, staff_user, db):
    published, draft = JointOperationFactory(), JointOperationFactory(status=Status.DRAFT)
    client.force_login(staff_user)

    response = client.post(
        reverse("admin:cooperation_jointoperation_changelist"),
        {"action": "withdraw", "_selected_action": [published.pk, draft.pk]},
    )

    assert response.status_code == 302
    assert JointOperation.objects.get(pk=draft.pk).status == Status.WITHDRAWN
    assert set(Tombstone.objects.values_list("resource", "record_id", "reason", "public")) == {
        ("events", published.pk, "withdrawn", True),
        ("operations", published.pk, "withdrawn", True),
    }


def test_reloading_the_article_leaves_no_tombstone(db):
    call_command("loaddata", ARTICLE, verbosity=0)
    call_command("loaddata", ARTICLE, verbosity=0)

    assert not Tombstone.objects.exists()


def test_a_fixture_withdrawing_a_published_record_leaves_a_tombstone(db, tmp_path):
    operation = JointOperationFactory()
    fixture = tmp_path / "withdraw.json"
    fixture.write_text(
        f'[{{"model": "cooperation.event", "pk": {operation.pk}, "fields": '
        f'{{"slug": "{operation.slug}", "title": "{operation.title}", "kind": "operation", '
        f'"date": "{operation.date}", "status": "withdrawn"}}}}]'
    )

    call_command("loaddata", fixture, verbosity=0)

    assert set(Tombstone.objects.values_list("resource", "record_id", "reason")) == {
        ("events", operation.pk, "withdrawn"),
        ("operations", operation.pk, "withdrawn"),
    }


def test_a_republished_record_reappears_through_updated_since(api, staff_api, db):
    operation = populate_event(JointOperationFactory())
    url = f"{API}/operations/{operation.pk}/"
    staff_api.patch(url, {"status": Status.WITHDRAWN}, format="json")
    since = timezone.now().isoformat()

    assert staff_api.patch(url, {"status": Status.PUBLISHED}, format="json").status_code == 200

    listed = api.get(f"{API}/operations/", {"updated_since": since}).json()["results"]
    assert [row["id"] for row in listed] == [operation.pk]
    assert {row["reason"] for row in feed(api)} == {"withdrawn"}, "republishing buries nothing"


# The feed ----------------------------------------------------------------------------------------------------------


def test_anonymous_clients_hear_only_of_records_they_could_have_read(api, staff_api, db):
    published = SourceFactory()
    draft, reviewed = SourceFactory(status=Status.DRAFT), SourceFactory(status=Status.REVIEWED)
    for record in (published, draft, reviewed):
        staff_api.delete(f"{API}/sources/{record.pk}/")

    assert {row["id"] for row in feed(api)} == {published.pk}
    assert {row["id"] for row in feed(staff_api)} == {published.pk, draft.pk, reviewed.pk}


def test_feed_rows_and_since(api, db):
    old, recent = SourceFactory(), SourceFactory()
    recent_id = recent.pk
    old.delete()
    Tombstone.objects.update(at=timezone.now() - datetime.timedelta(days=3))
    since = timezone.now() - datetime.timedelta(days=1)
    recent.delete()

    response = api.get(FEED, {"since": since.isoformat()})

    assert response.status_code == 200
    body = response.json()
    assert {"count", "next", "previous", "results"} <= set(body)
    [row] = body["results"]
    assert set(row) == {"resource", "id", "slug", "reason", "at"}
    assert (row["resource"], row["id"], row["slug"], row["reason"]) == ("sources", recent_id, recent.slug, "deleted")
    assert datetime.datetime.fromisoformat(row["at"].replace("Z", "+00:00")) >= since


def test_feed_lists_oldest_first(api, db):
    records = [SourceFactory() for _ in range(3)]
    record_ids = [record.pk for record in records]
    for record in records:
        record.delete()

    assert [row["id"] for row in feed(api)] == record_ids
    assert [row["id"] for row in feed(api, ordering="-at")] == record_ids[::-1]


def test_feed_resource_filter(api, db):
    operation, source = JointOperationFactory(), SourceFactory()
    operation_id = operation.pk
    operation.delete()
    source.delete()

    assert gone(api, resource="operations") == {("operations", operation_id, operation.slug, "deleted")}
    assert {row["resource"] for row in feed(api, resource="events")} == {"events"}


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({}, "since"),
        ({"since": ""}, "since"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2006-13-01T00:00:00Z"}, "since"),
        ({"since": LONG_AGO, "resource": "countries"}, "resource"),
        ({"since": LONG_AGO, "ordering": "slug"}, "ordering"),
    ],
)
def test_bad_feed_parameters_are_a_400_naming_them(api, db, params, parameter):
    response = api.get(FEED, params)

    assert response.status_code == 400
    assert list(response.json()) == [parameter]


def test_feed_is_read_only(staff_api, db):
    assert staff_api.post(FEED, {"resource": "events"}, format="json").status_code == 405


def test_feed_queries_do_not_grow_with_rows(api, db):
    SourceFactory().delete()
    with CaptureQueriesContext(connection) as few:
        assert len(feed(api)) == 1
    for _ in range(5):
        JointOperationFactory().delete()
    with CaptureQueriesContext(connection) as many:
        assert len(feed(api)) == 11

    assert len(few) == len(many) == 2  # the count, then the page
