"""Publishing a record that refers to unpublished ones: refused with their list, or published together on request.

In the API (``publish_linked``), the admin's change form (the “Publish linked drafts too” box) and its bulk actions
(“Publish selected …” refuses, “… and the drafts they refer to” publishes them along).
"""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from reversion.models import Version

from cooperation import workflow
from cooperation.choices import Role, Status
from cooperation.models import Document, JointOperation, Organization, Person, Source
from tests.factories import (
    CitationFactory,
    CouncilFactory,
    CouncilSessionFactory,
    DocumentFactory,
    JointOperationFactory,
    OrganizationFactory,
    ParticipationFactory,
    PersonFactory,
    SourceFactory,
)
from tests.test_history import admin_form_data, admin_url

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def drafts():
    """A draft organization and person, and a draft document of a draft outlet."""
    source = SourceFactory(name="Draft Wire", slug="draft-wire", status=Status.DRAFT)
    return {
        "organization": OrganizationFactory(name="Draft Agency", slug="draft-agency", status=Status.DRAFT),
        "person": PersonFactory(name="Draft Minister", slug="draft-minister", status=Status.REVIEWED),
        "document": DocumentFactory(title="Draft report", slug="draft-report", source=source, status=Status.DRAFT),
        "source": source,
    }


def body(drafts, **overrides) -> dict:
    return {
        "slug": "operation-passenger",
        "title": "Operation Passenger",
        "status": Status.PUBLISHED,
        "date": "2005-41",
        "participants": [
            {"organization": drafts["organization"].slug, "role": Role.LEAD},
            {"person": drafts["person"].slug, "role": Role.PARTICIPANT},
        ],
        "citations": [{"document": drafts["document"].pk, "quote": "codenamed “Passenger”"}],
        **overrides,
    }


def statuses(drafts) -> dict[str, str]:
    return {name: type(record).objects.get(pk=record.pk).status for name, record in drafts.items()}


def test_unpublished_references_follow_documents_to_their_outlet(drafts):
    operation = JointOperationFactory(status=Status.DRAFT)
    ParticipationFactory(event=operation, country=None, organization=drafts["organization"])
    CitationFactory(document=drafts["document"], event=operation)

    found = workflow.unpublished_references(operation)

    assert {(type(record), record.pk) for record in found} == {
        (Organization, drafts["organization"].pk),
        (Document, drafts["document"].pk),
        (Source, drafts["source"].pk),
    }


def test_api_refuses_to_publish_with_drafts_and_lists_them(staff_api, drafts):
    response = staff_api.post(f"{API}/operations/", body(drafts), format="json")

    assert response.status_code == 400
    (message,) = response.json()["status"]
    for listed in (
        "organization “Draft Agency” (draft)",
        "person “Draft Minister” (reviewed)",
        "source “Draft Wire” (draft)",
        "Draft report",
    ):
        assert listed in message
    assert not JointOperation.objects.exists()
    assert set(statuses(drafts).values()) == {Status.DRAFT, Status.REVIEWED}


def test_api_publishes_the_drafts_together_on_request(staff_api, drafts, api):
    response = staff_api.post(f"{API}/operations/", body(drafts, publish_linked=True), format="json")

    assert response.status_code == 201, response.json()
    assert "publish_linked" not in response.json()
    assert set(statuses(drafts).values()) == {Status.PUBLISHED}
    # Published together, so readers see them at once, and each has its history.
    public = api.get(f"{API}/operations/{response.json()['id']}/").json()
    assert {p["organization"]["slug"] for p in public["participants"] if p["organization"]} == {"draft-agency"}
    assert Version.objects.get_for_object(drafts["organization"]).exists()


def test_api_never_publishes_a_withdrawn_record_along(staff_api, drafts):
    Person.objects.filter(pk=drafts["person"].pk).update(status=Status.WITHDRAWN)

    response = staff_api.post(f"{API}/operations/", body(drafts, publish_linked=True), format="json")

    assert response.status_code == 400
    assert "withdrawn" in response.json()["status"][0]
    assert not JointOperation.objects.exists()
    assert statuses(drafts)["organization"] == Status.DRAFT


def test_api_publishing_a_session_of_a_draft_council(staff_api):
    council = CouncilFactory(name="Draft Council", status=Status.DRAFT)
    session = CouncilSessionFactory(council=council, status=Status.REVIEWED)
    CitationFactory(event=session)

    refused = staff_api.patch(f"{API}/sessions/{session.pk}/", {"status": Status.PUBLISHED}, format="json")
    published = staff_api.patch(
        f"{API}/sessions/{session.pk}/", {"status": Status.PUBLISHED, "publish_linked": True}, format="json"
    )

    assert refused.status_code == 400
    assert "council “Draft Council” (draft)" in refused.json()["status"][0]
    assert published.status_code == 200
    council.refresh_from_db()
    assert council.status == Status.PUBLISHED


def reviewed_operation(drafts):
    operation = JointOperationFactory(status=Status.REVIEWED, title="Arsenal")
    ParticipationFactory(event=operation, country=None, organization=drafts["organization"])
    CitationFactory(document=drafts["document"], event=operation)
    return operation


@pytest.mark.parametrize("publish_linked", [False, True])
def test_admin_form_refuses_or_publishes_together(admin_client, drafts, publish_linked):
    operation = reviewed_operation(drafts)
    url = admin_url(JointOperation, "change", operation.pk)
    data = admin_form_data(admin_client.get(url)) | {"status": Status.PUBLISHED}
    if publish_linked:
        data["publish_linked"] = "on"

    response = admin_client.post(url, data)

    operation.refresh_from_db()
    if publish_linked:
        assert response.status_code == 302
        assert operation.status == Status.PUBLISHED
        assert statuses(drafts)["organization"] == statuses(drafts)["source"] == Status.PUBLISHED
    else:
        assert response.status_code == 200
        (error,) = response.context["adminform"].form.errors["status"]
        assert "organization “Draft Agency” (draft)" in error
        assert "Publish linked drafts too" in response.content.decode()
        assert operation.status == Status.REVIEWED
        assert statuses(drafts)["organization"] == Status.DRAFT


def test_bulk_publish_skips_records_with_drafts_and_says_why(admin_client, drafts):
    operation = reviewed_operation(drafts)
    clean = JointOperationFactory(status=Status.REVIEWED, title="Passenger")
    CitationFactory(event=clean)

    response = admin_client.post(
        admin_url(JointOperation, "changelist"), {"action": "publish", "_selected_action": [operation.pk, clean.pk]}
    )

    assert JointOperation.objects.get(pk=operation.pk).status == Status.REVIEWED
    assert JointOperation.objects.get(pk=clean.pk).status == Status.PUBLISHED
    warnings = [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert "“Arsenal” refers to records that are not published: " in warnings[0]
    assert "organization “Draft Agency” (draft)" in warnings[0]


def test_bulk_publish_with_linked_drafts_publishes_them_along(admin_client, drafts):
    operation = reviewed_operation(drafts)

    admin_client.post(
        admin_url(JointOperation, "changelist"),
        {"action": "publish_with_linked", "_selected_action": [operation.pk]},
    )

    assert JointOperation.objects.get(pk=operation.pk).status == Status.PUBLISHED
    assert statuses(drafts)["organization"] == statuses(drafts)["document"] == Status.PUBLISHED
    assert statuses(drafts)["person"] == Status.REVIEWED  # not referred to by this operation
    revision = Version.objects.get_for_object(drafts["organization"]).first().revision
    assert revision.comment == "Published with a record that refers to it."
