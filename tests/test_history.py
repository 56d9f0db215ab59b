"""Change history: every change through the admin and the API is a revision (who, when, why) of the
record with its rows; the admin shows it as a readable diff, reverts to any version, and recovers
deleted records."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.contrib.admin import site
from django.forms import CheckboxInput
from django.urls import reverse
from reversion.models import Revision, Version

from cooperation import history, services
from cooperation.admin.history import FieldChange, HistoryAdmin
from cooperation.choices import MeetingKind, Role, Status
from cooperation.models import Citation, Event, JointOperation, Meeting, Outcome, Participation
from tests.factories import (
    CitationFactory,
    DocumentFactory,
    JointOperationFactory,
    MetricFactory,
    OutcomeFactory,
    ParticipationFactory,
    TopicFactory,
    populate_event,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def admin_form_data(response) -> dict:
    """What a browser submits for the admin form in ``response``, as shown: the record's form and every inline."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if isinstance(field.field.widget, CheckboxInput):
                if value:
                    data[field.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[field.html_name] = [str(item) for item in value]
            elif value is not None:
                data[field.html_name] = str(value)
    return data


def versions_of(record) -> list[Version]:
    """The record's versions, newest first."""
    return list(Version.objects.get_for_object(record).select_related("revision__user").order_by("-pk"))


def participant_codes(operation) -> list[str]:
    return sorted(operation.participations.values_list("country", flat=True))


@pytest.fixture
def document():
    return DocumentFactory()


@pytest.fixture
def added_operation(admin_client, document):
    """An operation entered in the admin: RU and TJ taking part, 585 crimes solved, one citation."""
    data = admin_form_data(admin_client.get(admin_url(JointOperation, "add"))) | {
        "title": "Operation Passenger",
        "slug": "operation-passenger",
        "status": Status.DRAFT,
        "date": "2005-41",
        "date_text": "late 2005",
        "code_name": "Passenger",
        "participations-TOTAL_FORMS": "2",
        "participations-0-country": "RU",
        "participations-0-role": Role.LEAD,
        "participations-1-country": "TJ",
        "participations-1-role": Role.PARTICIPANT,
        "outcomes-0-metric": str(MetricFactory(slug="crimes-solved").pk),
        "outcomes-0-value": "585",
        "outcomes-0-qualifier": "exact",
        "outcomes-0-counts": "on",
        "citations-0-document": str(document.pk),
        "citations-0-quote": "In all, 585 crimes were solved.",
    }
    response = admin_client.post(admin_url(JointOperation, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    return JointOperation.objects.get(slug="operation-passenger")


def change_in_admin(client, record, **changes):
    """Submit ``record``'s admin change form as shown, with ``changes`` (form field names) applied."""
    url = admin_url(type(record), "change", record.pk)
    data = admin_form_data(client.get(url)) | changes
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    return response


# Recorded: who, when, why -------------------------------------------------------------------------------------------


def test_adding_in_the_admin_records_the_record_with_its_rows(added_operation, admin_user):
    (version,) = versions_of(added_operation)

    assert version.revision.user == admin_user
    in_revision = {(v.content_type.model, v.object_repr) for v in version.revision.version_set.all()}
    assert {model for model, _ in in_revision} >= {"jointoperation", "event", "participation", "outcome", "citation"}
    assert sum(model == "participation" for model, _ in in_revision) == 2


def test_an_admin_change_records_the_reason_given_or_else_a_summary(admin_client, admin_user, added_operation):
    change_in_admin(admin_client, added_operation, title="Operation “Passenger”", change_reason="Title as quoted")
    change_in_admin(admin_client, added_operation, aim="Block terrorist groups")

    summary, reasoned, _ = versions_of(added_operation)
    assert (reasoned.revision.user, reasoned.revision.comment) == (admin_user, "Title as quoted")
    assert summary.revision.get_comment() == "Changed Aim."
    assert Version.objects.get_for_object(added_operation).count() == 3


def test_a_row_changed_on_its_own_page_is_a_new_version_of_its_record(admin_client, added_operation):
    outcome = added_operation.outcomes.get()

    change_in_admin(admin_client, outcome, value="600", change_reason="Corrected per Interfax")

    latest = versions_of(added_operation)[0]
    assert latest.revision.comment == "Corrected per Interfax"
    assert Outcome.objects.get(pk=outcome.pk).value == 600


@pytest.mark.parametrize(
    ("method", "status"),
    [("post", 201), ("patch", 200), ("delete", 204)],
)
def test_api_writes_record_the_api_user_and_the_reason_header(staff_api, staff_user, method, status):
    operation = populate_event(JointOperationFactory())
    url, body = f"{API}/operations/{operation.pk}/", {"title": "Renamed"}
    if method == "post":
        url, body = f"{API}/operations/", {"slug": "arsenal", "title": "Arsenal", "date": "2006-04", "code_name": "A"}

    response = getattr(staff_api, method)(url, body, format="json", headers={"X-Change-Reason": "Per Asia-Plus"})

    assert response.status_code == status, response.content
    latest = Revision.objects.order_by("-pk").first()
    assert (latest.user, latest.comment) == (staff_user, "Per Asia-Plus")
    record = JointOperation.objects.filter(slug="arsenal").first() if method == "post" else operation
    assert Version.objects.get_for_object(record).filter(revision=latest).exists()


def test_the_reason_header_may_carry_any_language_percent_encoded(staff_api):
    operation = JointOperationFactory(status=Status.DRAFT)
    reason = "По данным ТАСС"  # noqa: RUF001 (Cyrillic on purpose)

    response = staff_api.patch(
        f"{API}/operations/{operation.pk}/",
        {"title": "Renamed"},
        format="json",
        headers={"X-Change-Reason": quote(reason)},
    )

    assert response.status_code == 200, response.content
    assert versions_of(operation)[0].revision.comment == reason


def test_a_too_long_reason_is_a_400_naming_the_header_and_writes_nothing(staff_api):
    operation = JointOperationFactory(title="Arsenal")
    reason = "x" * (history.REASON_MAX_LENGTH + 1)

    response = staff_api.patch(
        f"{API}/operations/{operation.pk}/", {"title": "Renamed"}, format="json", headers={"X-Change-Reason": reason}
    )

    assert response.status_code == 400
    assert list(response.json()) == ["X-Change-Reason"]
    assert JointOperation.objects.get(pk=operation.pk).title == "Arsenal"
    assert not Revision.objects.exists()


def test_a_record_without_history_gets_its_prior_state_recorded_before_its_first_change(staff_api):
    operation = populate_event(JointOperationFactory(title="Arsenal"))  # as if loaded from a fixture

    staff_api.patch(f"{API}/operations/{operation.pk}/", {"title": "Renamed"}, format="json")
    staff_api.patch(f"{API}/operations/{operation.pk}/", {"title": "Renamed again"}, format="json")

    latest, change, baseline = versions_of(operation)
    assert baseline.revision.comment == history.BASELINE_COMMENT
    assert [version.field_dict["title"] for version in (baseline, change, latest)] == [
        "Arsenal",
        "Renamed",
        "Renamed again",
    ]


def test_services_record_their_writes_when_called_directly(staff_user):
    document = DocumentFactory()
    data = {
        "slug": "talks",
        "title": "Talks",
        "date": "2006-04-21",
        "meeting_kind": MeetingKind.TALKS,
        "citations": [{"document": document}],
    }

    meeting = services.record_create(Meeting, data=data, user=staff_user, reason="Imported")

    (version,) = versions_of(meeting)
    assert (version.revision.user, version.revision.comment) == (staff_user, "Imported")
    assert version.revision.version_set.filter(content_type__model="citation").count() == 1


def test_a_bulk_status_change_is_one_revision_per_record(admin_client):
    operations = [CitationFactory(event=JointOperationFactory(status=Status.DRAFT)).event for _ in range(2)]

    admin_client.post(
        admin_url(JointOperation, "changelist"),
        {"action": "mark_reviewed", "_selected_action": [operation.pk for operation in operations]},
    )

    latest = [versions_of(operation)[0] for operation in operations]
    assert [version.field_dict["status"] for version in latest] == [Status.REVIEWED] * 2
    assert latest[0].revision != latest[1].revision
    assert latest[0].revision.version_set.filter(object_id=str(operations[1].pk)).count() == 0


# History and changes pages ------------------------------------------------------------------------------------------


def test_history_page_lists_versions_with_user_reason_and_links(admin_client, admin_user, added_operation):
    change_in_admin(admin_client, added_operation, title="Renamed", change_reason="Title as quoted")

    response = admin_client.get(admin_url(JointOperation, "history", added_operation.pk))

    assert response.status_code == 200
    assert [entry["revision"].user for entry in response.context["versions"]] == [admin_user, admin_user]
    content = response.content.decode()
    newest, oldest = versions_of(added_operation)
    assert "Title as quoted" in content
    for version in (newest, oldest):
        assert admin_url(JointOperation, "changes", added_operation.pk, version.pk) in content
        assert admin_url(JointOperation, "revision", added_operation.pk, version.pk) in content


HISTORY_ADMINS = [
    (model, model_admin)
    for model, model_admin in sorted(site._registry.items(), key=lambda item: item[0]._meta.label)
    if isinstance(model_admin, HistoryAdmin)
]


def test_every_record_admin_records_a_change_and_shows_it(admin_client, article, subtests):
    """Saving any record's form as shown, with a reason, is a version whose history and changes pages render."""
    for model, _ in HISTORY_ADMINS:
        with subtests.test(model=model._meta.label):
            record = model.objects.first()
            change_in_admin(admin_client, record, change_reason=f"Checked {model._meta.verbose_name}")

            newest = versions_of(record)[0]
            assert newest.revision.comment == f"Checked {model._meta.verbose_name}"
            history_page = admin_client.get(admin_url(model, "history", record.pk))
            assert newest.revision.comment in history_page.content.decode()
            changes = admin_client.get(admin_url(model, "changes", record.pk, newest.pk))
            assert changes.status_code == 200
            assert changes.context["rows"] == [], "a form saved as shown changes nothing"


def test_changes_page_shows_an_inline_change_field_by_field(admin_client, added_operation):
    change_in_admin(admin_client, added_operation, **{"outcomes-0-value": "600", "participations-1-DELETE": "on"})
    newest, _ = versions_of(added_operation)

    response = admin_client.get(admin_url(JointOperation, "changes", added_operation.pk, newest.pk))

    assert response.status_code == 200
    rows = {(row.kind, row.action): row for row in response.context["rows"]}
    assert set(rows) == {("outcome", "changed"), ("participation", "removed")}
    assert rows[("outcome", "changed")].fields == [FieldChange("value", "585", "600")]
    assert FieldChange("country", "Tajikistan (TJ)", "—") in rows[("participation", "removed")].fields
    content = response.content.decode()
    assert "585" in content
    assert "600" in content


def test_changes_page_compares_any_two_versions_and_lists_additions(admin_client, added_operation):
    first = versions_of(added_operation)[0]
    change_in_admin(admin_client, added_operation, title="Renamed")
    change_in_admin(admin_client, added_operation, **{"outcomes-0-value": "600"})
    newest = versions_of(added_operation)[0]

    since_first = admin_client.get(
        admin_url(JointOperation, "changes", added_operation.pk, newest.pk), {"from": first.pk}
    ).context["rows"]
    very_first = admin_client.get(admin_url(JointOperation, "changes", added_operation.pk, first.pk)).context["rows"]

    assert [(row.kind, row.action) for row in since_first] == [("joint operation", "changed"), ("outcome", "changed")]
    assert since_first[0].fields == [FieldChange("title", "Operation Passenger", "Renamed")]
    assert {row.action for row in very_first} == {"added"}
    assert very_first[0].kind == "joint operation"


def test_changes_page_shows_changed_topics_of_an_event_kind(admin_client, added_operation):
    """Topics live on the Event row of a joint operation; the version still has them as saved."""
    terrorism = TopicFactory(slug="terrorism")

    change_in_admin(admin_client, added_operation, topics=[str(terrorism.pk)])

    newest = versions_of(added_operation)[0]
    rows = admin_client.get(admin_url(JointOperation, "changes", added_operation.pk, newest.pk)).context["rows"]
    assert [(row.kind, row.fields) for row in rows] == [
        ("joint operation", [FieldChange("topics", "—", str(terrorism))])
    ]


@pytest.mark.parametrize("since", ["abc", "999999"])
def test_changes_page_refuses_a_version_of_another_record(admin_client, added_operation, since):
    version = versions_of(added_operation)[0]

    response = admin_client.get(admin_url(JointOperation, "changes", added_operation.pk, version.pk), {"from": since})

    assert response.status_code == 400
    assert b"from" in response.content


# Revert and recover -------------------------------------------------------------------------------------------------


def test_revert_restores_earlier_values_and_rows(admin_client, added_operation):
    change_in_admin(admin_client, added_operation, title="Renamed")  # a version in which no row changed
    renamed = versions_of(added_operation)[0]
    change_in_admin(
        admin_client,
        added_operation,
        title="Renamed again",
        **{
            "outcomes-0-value": "600",
            "participations-1-DELETE": "on",  # TJ
            "participations-2-country": "BY",
            "participations-2-role": Role.PARTICIPANT,
        },
    )
    assert participant_codes(added_operation) == ["BY", "RU"]

    url = admin_url(JointOperation, "revision", added_operation.pk, renamed.pk)
    form = admin_client.get(url)
    response = admin_client.post(url, admin_form_data(form))

    assert response.status_code == 302
    operation = JointOperation.objects.get(pk=added_operation.pk)
    assert operation.title == "Renamed"
    assert participant_codes(operation) == ["RU", "TJ"]
    assert [outcome.value for outcome in operation.outcomes.all()] == [585]
    assert operation.citations.count() == 1
    assert versions_of(operation)[0].revision.comment.startswith("Reverted to previous version")


@pytest.mark.parametrize("deleted_through", ["admin", "api"])
def test_a_deleted_event_is_recovered_with_its_participants_outcomes_and_citations(
    admin_client, staff_api, deleted_through
):
    operation = populate_event(JointOperationFactory(title="Arsenal"))  # never changed: no version before
    rows = {
        "participants": sorted(str(p) for p in operation.participations.all()),
        "outcomes": sorted(o.value for o in operation.outcomes.all()),
        "citations": Citation.objects.filter(participation__event=operation).count()
        + operation.citations.count()
        + Citation.objects.filter(outcome__event=operation).count(),
    }
    if deleted_through == "admin":
        response = admin_client.post(admin_url(JointOperation, "delete", operation.pk), {"post": "yes"})
        assert response.status_code == 302
    else:
        assert staff_api.delete(f"{API}/operations/{operation.pk}/").status_code == 204
    assert not Event.objects.filter(pk=operation.pk).exists()

    listing = admin_client.get(admin_url(JointOperation, "recoverlist"))
    (deleted,) = listing.context["deleted"]
    assert deleted.object_repr == "Arsenal"
    url = admin_url(JointOperation, "recover", deleted.pk)
    response = admin_client.post(url, admin_form_data(admin_client.get(url)))

    assert response.status_code == 302
    recovered = JointOperation.objects.get(pk=operation.pk)
    assert recovered.title == "Arsenal"
    assert sorted(str(p) for p in recovered.participations.all()) == rows["participants"]
    assert sorted(o.value for o in recovered.outcomes.all()) == rows["outcomes"]
    assert (
        Citation.objects.filter(participation__event=recovered).count()
        + recovered.citations.count()
        + Citation.objects.filter(outcome__event=recovered).count()
    ) == rows["citations"]


def test_a_row_deleted_on_its_own_page_comes_back_by_reverting_its_record(admin_client):
    operation = JointOperationFactory(status=Status.DRAFT)
    kept, deleted = ParticipationFactory(event=operation), ParticipationFactory(event=operation, country__code="TJ")

    response = admin_client.post(admin_url(Participation, "delete", deleted.pk), {"post": "yes"})

    assert response.status_code == 302
    after, before = versions_of(operation)  # the state before (first recorded), then the deletion
    assert after.revision.comment == f"Deleted participation “{deleted}”."
    url = admin_url(JointOperation, "revision", operation.pk, before.pk)
    admin_client.post(url, admin_form_data(admin_client.get(url)))
    assert participant_codes(operation) == sorted([kept.country_id, "TJ"])


def test_outcome_figures_are_kept_exactly(admin_client):
    """A revert restores figures as stored, not rounded through their display."""
    operation = JointOperationFactory(status=Status.DRAFT)
    OutcomeFactory(event=operation, value="7250.5")
    first_change = change_in_admin(admin_client, operation, title="Renamed")
    assert first_change.status_code == 302

    baseline = versions_of(operation)[-1]
    url = admin_url(JointOperation, "revision", operation.pk, baseline.pk)
    admin_client.post(url, admin_form_data(admin_client.get(url)))

    assert [str(outcome.value.normalize()) for outcome in operation.outcomes.all()] == ["7250.5"]
