"""The review workflow: a record is published only with a citation — in the admin's form (inlines
included), its bulk action and the API — and anonymous clients see published records only."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from reversion.models import Version

from cooperation import workflow
from cooperation.choices import Role, Status
from cooperation.models import (
    Citation,
    CouncilSession,
    Event,
    JointOperation,
    Organization,
    Outcome,
    Participation,
    Partnership,
)
from tests.factories import (
    CitationFactory,
    CouncilFactory,
    CouncilSessionFactory,
    DocumentFactory,
    JointOperationFactory,
    MeetingFactory,
    OrganizationFactory,
    OutcomeFactory,
    ParticipationFactory,
    PartnershipFactory,
    PersonFactory,
    ProposalFactory,
    SourceFactory,
)
from tests.test_history import admin_form_data, admin_url

pytestmark = pytest.mark.django_db

API = "/api/v1"
ROWS = (Event, Participation, Outcome, Citation, Version)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ROWS}


def cite(record, where: str):
    """Cite ``record`` (an event) on itself or on one of its rows: ``event``, ``participation``, ``outcome``."""
    targets = {
        "event": lambda: {"event": record},
        "participation": lambda: {"participation": ParticipationFactory(event=record)},
        "outcome": lambda: {"outcome": OutcomeFactory(event=record)},
    }
    return CitationFactory(**{"event": None, **targets[where]()})


# The rule ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["event", "participation", "outcome"])
def test_a_citation_of_the_event_or_of_any_of_its_rows_counts(where):
    cited, uncited = JointOperationFactory(status=Status.DRAFT), JointOperationFactory(status=Status.DRAFT)
    cite(cited, where)
    ParticipationFactory(event=uncited)

    assert list(workflow.unpublishable(JointOperation.objects.all())) == [uncited]


def test_a_session_counts_its_proposals_and_a_partnership_its_figures():
    session, partnership = CouncilSessionFactory(), PartnershipFactory()
    CitationFactory(event=None, proposal=ProposalFactory(session=session))
    CitationFactory(event=None, outcome=OutcomeFactory(event=None, partnership=partnership))
    others = CouncilSessionFactory(), PartnershipFactory()

    assert list(workflow.unpublishable(CouncilSession.objects.all())) == [others[0]]
    assert list(workflow.unpublishable(Partnership.objects.all())) == [others[1]]


def test_deciding_costs_one_query_for_any_number_of_records_and_none_for_kinds_needing_no_citation(
    django_assert_num_queries,
):
    operations = [JointOperationFactory(status=Status.DRAFT) for _ in range(4)]
    cite(operations[0], "event")
    cite(operations[1], "outcome")
    OrganizationFactory()

    with django_assert_num_queries(1):
        assert set(workflow.unpublishable(JointOperation.objects.all())) == set(operations[2:])
    with django_assert_num_queries(0):
        assert list(workflow.unpublishable(Organization.objects.all())) == []


def test_the_refusal_says_what_to_cite():
    assert workflow.publish_refusal(JointOperationFactory(status=Status.DRAFT)) is None
    assert workflow.publish_refusal(JointOperationFactory(status=Status.PUBLISHED)) == (
        "A published joint operation needs at least one citation: of the joint operation itself, or of one of its "
        "participations or outcomes. Add one, or keep it unpublished."
    )
    assert "proposals" in workflow.publish_refusal(CouncilSessionFactory())
    assert workflow.publish_refusal(OrganizationFactory()) is None


# Admin: the change form, inlines included ---------------------------------------------------------------------------


@pytest.fixture
def add_form(admin_client):
    """A new published operation's admin form with a participant, as the curator fills it in."""
    return admin_form_data(admin_client.get(admin_url(JointOperation, "add"))) | {
        "title": "Operation Passenger",
        "slug": "operation-passenger",
        "status": Status.PUBLISHED,
        "date": "2005-41",
        "code_name": "Passenger",
        "participations-0-country": "RU",
        "participations-0-role": Role.LEAD,
    }


def test_admin_refuses_to_add_a_published_event_without_a_citation_and_keeps_the_input(admin_client, add_form):
    before = row_counts()

    response = admin_client.post(admin_url(JointOperation, "add"), add_form)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["status"] == [workflow.uncited_message(JointOperation)]
    assert form["title"].value() == "Operation Passenger"
    assert row_counts() == before


def test_admin_publishes_a_new_event_cited_in_the_same_form(admin_client, add_form):
    document = DocumentFactory()
    add_form |= {"citations-0-document": str(document.pk), "citations-0-quote": "codenamed “Passenger”"}

    response = admin_client.post(admin_url(JointOperation, "add"), add_form)

    assert response.status_code == 302
    operation = JointOperation.objects.get(slug="operation-passenger")
    assert operation.status == Status.PUBLISHED
    assert operation.citations.get().document == document


@pytest.mark.parametrize(("where", "allowed"), [(None, False), ("event", True), ("participation", True)])
def test_admin_change_to_published_needs_a_citation_already_there(admin_client, where, allowed):
    operation = JointOperationFactory(status=Status.REVIEWED)
    if where:
        cite(operation, where)
    url = admin_url(JointOperation, "change", operation.pk)

    response = admin_client.post(url, admin_form_data(admin_client.get(url)) | {"status": Status.PUBLISHED})

    assert response.status_code == (302 if allowed else 200)
    operation.refresh_from_db()
    assert operation.status == (Status.PUBLISHED if allowed else Status.REVIEWED)
    assert Version.objects.get_for_object(operation).exists() is allowed


def test_admin_refuses_to_remove_the_last_citation_of_a_published_event(admin_client):
    operation = JointOperationFactory(status=Status.PUBLISHED)
    citation = cite(operation, "event")
    url = admin_url(JointOperation, "change", operation.pk)

    response = admin_client.post(url, admin_form_data(admin_client.get(url)) | {"citations-0-DELETE": "on"})

    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    assert Citation.objects.filter(pk=citation.pk).exists()


# Admin: the bulk action ---------------------------------------------------------------------------------------------


def test_bulk_publish_skips_uncited_records_and_names_them(admin_client):
    cited = JointOperationFactory(status=Status.REVIEWED, title="Arsenal")
    cite(cited, "outcome")
    uncited = JointOperationFactory(status=Status.REVIEWED, title="Passenger")

    response = admin_client.post(
        admin_url(JointOperation, "changelist"), {"action": "publish", "_selected_action": [cited.pk, uncited.pk]}
    )

    assert response.status_code == 302
    assert JointOperation.objects.get(pk=cited.pk).status == Status.PUBLISHED
    assert JointOperation.objects.get(pk=uncited.pk).status == Status.REVIEWED
    messages = {message.level_tag: message.message for message in get_messages(response.wsgi_request)}
    assert "“Passenger”" in messages["warning"]
    assert "Arsenal" not in messages["warning"]
    assert messages["info"] == "1 joint operation set to “Published”."


def test_bulk_actions_other_than_publish_need_no_citation(admin_client):
    uncited = JointOperationFactory(status=Status.PUBLISHED)

    admin_client.post(admin_url(JointOperation, "changelist"), {"action": "withdraw", "_selected_action": [uncited.pk]})

    assert JointOperation.objects.get(pk=uncited.pk).status == Status.WITHDRAWN


# Admin: status at a glance ------------------------------------------------------------------------------------------


def test_changelist_shows_status_badges_and_counts_per_status(admin_client):
    for status in (Status.DRAFT, Status.DRAFT, Status.PUBLISHED):
        JointOperationFactory(status=status)
    MeetingFactory(status=Status.DRAFT)  # another kind: not counted in operations

    response = admin_client.get(admin_url(JointOperation, "changelist"))

    status_filter = next(spec for spec in response.context["cl"].filter_specs if spec.parameter_name == "status")
    assert dict(status_filter.lookup_choices) == {
        Status.DRAFT: "Draft (2)",
        Status.REVIEWED: "Reviewed (0)",
        Status.PUBLISHED: "Published (1)",
        Status.WITHDRAWN: "Withdrawn (0)",
    }
    assert response.content.decode().count(">Draft</span>") == 2
    filtered = admin_client.get(admin_url(JointOperation, "changelist"), {"status": Status.PUBLISHED})
    assert filtered.context["cl"].result_count == 1


# API ------------------------------------------------------------------------------------------------------------------


def operation_body(document, **overrides) -> dict:
    return {
        "slug": "operation-passenger",
        "title": "Operation Passenger",
        "status": Status.PUBLISHED,
        "code_name": "Passenger",
        "date": "2005-41",
        "participants": [{"country": "RU", "role": Role.LEAD}],
        "outcomes": [{"metric": "crimes-solved", "value": 585}],
        **overrides,
    }


def test_api_refuses_to_create_a_published_event_without_a_citation(staff_api):
    before = row_counts()

    response = staff_api.post(f"{API}/operations/", operation_body(DocumentFactory()), format="json")

    assert response.status_code == 400
    assert response.json() == {"status": [workflow.uncited_message(JointOperation)]}
    assert row_counts() == before


@pytest.mark.parametrize("where", ["citations", "participants", "outcomes"])
def test_api_publishes_an_event_cited_in_the_same_request(staff_api, where):
    body = operation_body(DocumentFactory())
    citations = [{"document": DocumentFactory().pk, "quote": "In all, 585 crimes were solved."}]
    if where == "citations":
        body["citations"] = citations
    else:
        body[where][0]["citations"] = citations

    response = staff_api.post(f"{API}/operations/", body, format="json")

    assert response.status_code == 201, response.json()
    assert JointOperation.objects.get(slug="operation-passenger").status == Status.PUBLISHED


def test_api_refuses_to_publish_an_uncited_record_and_writes_nothing(staff_api):
    operation = JointOperationFactory(status=Status.REVIEWED, title="Arsenal")
    stamped = operation.updated_at

    response = staff_api.patch(
        f"{API}/operations/{operation.pk}/", {"status": Status.PUBLISHED, "title": "Renamed"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["status"]
    operation.refresh_from_db()
    assert (operation.status, operation.title, operation.updated_at) == (Status.REVIEWED, "Arsenal", stamped)
    assert not Version.objects.get_for_object(operation).exists()


def test_api_refuses_to_remove_the_last_citation_of_a_published_record(staff_api):
    operation = JointOperationFactory(status=Status.PUBLISHED)
    cite(operation, "event")

    response = staff_api.patch(f"{API}/operations/{operation.pk}/", {"citations": []}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["status"]
    assert operation.citations.count() == 1


# Which kinds need a citation: table-driven over the writable API resources.
NEEDS_CITATION = {
    "operations": JointOperationFactory,
    "sessions": CouncilSessionFactory,
    "partnerships": PartnershipFactory,
}
NEEDS_NONE = {
    "organizations": OrganizationFactory,
    "councils": CouncilFactory,
    "people": PersonFactory,
    "sources": SourceFactory,
    "documents": DocumentFactory,
}


@pytest.mark.parametrize("resource", [*NEEDS_CITATION, *NEEDS_NONE])
def test_which_kinds_need_a_citation_to_be_published(staff_api, resource):
    factory = NEEDS_CITATION.get(resource) or NEEDS_NONE[resource]
    record = factory(status=Status.DRAFT)

    response = staff_api.patch(f"{API}/{resource}/{record.pk}/", {"status": Status.PUBLISHED}, format="json")

    assert response.status_code == (400 if resource in NEEDS_CITATION else 200), response.json()


# Anonymous clients ----------------------------------------------------------------------------------------------------


def test_anonymous_clients_see_published_records_only(api, staff_api):
    by_status = {status: MeetingFactory(status=status) for status in Status.values}

    anonymous = {row["id"] for row in api.get(f"{API}/events/").json()["results"]}
    staff = {row["id"] for row in staff_api.get(f"{API}/events/").json()["results"]}

    assert anonymous == {by_status[Status.PUBLISHED].pk}
    assert staff == {meeting.pk for meeting in by_status.values()}
    for status, meeting in by_status.items():
        assert api.get(f"{API}/meetings/{meeting.pk}/").status_code == (200 if status == Status.PUBLISHED else 404)
