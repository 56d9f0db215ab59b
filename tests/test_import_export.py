"""Import and export in the admin (``cooperation.admin.transfer``): round trips, previews, all-or-nothing, filters,
and one write path with the API (``cooperation.services``)."""

import csv
import io
import json
import tempfile
import uuid
from pathlib import Path

import pytest
import tablib
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from reversion.models import Version

from cooperation import services
from cooperation.admin.transfer import RESOURCES, TransferMixin
from cooperation.choices import Status
from cooperation.models import Event, JointOperation, Organization, Outcome, Participation, Person
from tests.factories import JointOperationFactory

pytestmark = pytest.mark.django_db

FORMATS = [format.__name__.lower() for format in TransferMixin.formats]  # the form's choice is the index


@pytest.fixture
def curator_client(client, staff_user):
    client.force_login(staff_user)
    return client


def export(client, model=JointOperation, file_format="csv", query=""):
    """The admin's export of ``model`` (every column), as the changelist with ``query`` would list it."""
    url = reverse(f"admin:cooperation_{model._meta.model_name}_export") + query
    form = client.get(url).context["form"]
    data = {name: "on" for name in form.fields if name.startswith(RESOURCES[model].__name__.lower())}
    response = client.post(url, {**data, "format": FORMATS.index(file_format), "resource": 0})
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def csv_rows(content: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content)))


def write_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def preview(client, content: str, model=JointOperation, file_format="csv"):
    """The dry run: the admin's import page after uploading ``content``."""
    upload = SimpleUploadedFile(f"upload.{file_format}", content.encode(), content_type="text/plain")
    url = reverse(f"admin:cooperation_{model._meta.model_name}_import")
    response = client.post(url, {"import_file": upload, "format": FORMATS.index(file_format), "resource": 0})
    assert response.status_code == 200
    return response


def confirm(client, previewed, model=JointOperation):
    """Confirm a previewed import, as the preview page's “Confirm import” button does."""
    url = reverse(f"admin:cooperation_{model._meta.model_name}_process_import")
    response = client.post(url, previewed.context["confirm_form"].initial)
    assert response.status_code == 302, response.content[:500]
    return response


def snapshot():
    """Everything an operation import may write, as comparable values."""
    return {
        "operations": sorted(JointOperation.objects.values_list("slug", "status", "date", "title", "updated_at")),
        "participations": sorted(Participation.objects.values_list("uid", "event__slug", "role", "country", "detail")),
        "outcomes": sorted(Outcome.objects.values_list("uid", "metric__slug", "value", "scope", "part_of__uid")),
    }


def test_export_csv_has_passenger_with_participants_and_outcomes(curator_client, article):
    rows = {row["slug"]: row for row in csv_rows(export(curator_client))}

    passenger = rows["passenger-2005"]
    assert passenger["date"] == "2005-41"
    assert passenger["date_text"] == "late 2005"
    assert passenger["participants"] == "country:RU:lead; country:UA:participant"
    figures = json.loads(passenger["outcomes"])
    assert [(f["metric"], f["value"]) for f in figures] == [
        ("crimes-solved", "585"),
        ("persons-detained", "224"),
        ("persons-detained", "6"),
    ]
    assert figures[2]["part_of"] == figures[1]["uid"]  # “six of whom” are among the 224


def test_export_json_has_passenger(curator_client, article):
    records = {record["slug"]: record for record in json.loads(export(curator_client, file_format="json"))}

    assert records["passenger-2005"]["participants"] == "country:RU:lead; country:UA:participant"
    assert records["passenger-2005"]["topics"] == "cross-border-crime,law-enforcement,terrorism"


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_reimporting_an_export_changes_nothing(curator_client, article, file_format):
    content = export(curator_client, file_format=file_format)
    before = snapshot()

    previewed = preview(curator_client, content, file_format=file_format)
    result = previewed.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == JointOperation.objects.count()
    assert result.totals["new"] == result.totals["update"] == 0
    confirm(curator_client, previewed)

    assert snapshot() == before


def test_second_import_of_an_edited_file_updates(curator_client, article, staff_user):
    rows = csv_rows(export(curator_client))
    passenger = next(row for row in rows if row["slug"] == "passenger-2005")
    passenger["title"] = "Operation Passenger"
    passenger["participants"] = "country:RU:lead; country:UA:participant; country:BY:participant"
    figures = json.loads(passenger["outcomes"])
    figures[0]["value"] = "586"
    passenger["outcomes"] = json.dumps(figures)
    events, participations, outcomes = Event.objects.count(), Participation.objects.count(), Outcome.objects.count()
    kept = Participation.objects.get(event__slug="passenger-2005", country="RU")

    previewed = preview(curator_client, write_csv(rows))
    assert previewed.context["result"].totals["update"] == 1
    confirm(curator_client, previewed)

    operation = JointOperation.objects.get(slug="passenger-2005")
    assert operation.title == "Operation Passenger"
    assert Event.objects.count() == events  # matched on the slug: updated, not duplicated
    assert Participation.objects.count() == participations + 1
    assert Participation.objects.get(pk=kept.pk).detail == kept.detail  # a kept row keeps its detail and citations
    assert Participation.objects.get(pk=kept.pk).citations.count() == 3
    assert Outcome.objects.count() == outcomes
    assert operation.outcomes.get(uid=figures[0]["uid"]).value == 586
    latest = Version.objects.get_for_object(operation).first()
    assert latest.revision.user == staff_user  # the import is in the record's history


def test_a_bad_row_is_shown_by_row_and_field_and_nothing_is_written(curator_client, article):
    rows = csv_rows(export(curator_client))
    rows[0]["title"] = "Changed, but must not be saved"
    rows[-1]["date"] = "2005-13-45"
    rows[-1]["participants"] = "country:XX:lead"
    rows.append({**rows[0], "slug": "new-operation", "participants": "", "outcomes": "", "status": Status.DRAFT})
    before = snapshot()

    previewed = preview(curator_client, write_csv(rows))
    result = previewed.context["result"]
    [invalid] = result.invalid_rows
    assert invalid.number == len(rows) - 1  # the preview numbers data rows from 1, the bad one is second to last
    assert set(invalid.field_specific_errors) == {"date", "participants"}
    assert invalid.field_specific_errors["participants"] == ["No country “XX”."]
    assert "confirm_form" not in previewed.context  # nothing to confirm
    assert "No country “XX”." in previewed.content.decode()

    # Imported straight through, as the confirm step does: the valid rows are rolled back with the bad one.
    result = RESOURCES[JointOperation]().import_data(
        tablib.Dataset().load(write_csv(rows), format="csv"), dry_run=False, rollback_on_validation_errors=True
    )
    assert result.has_validation_errors()
    assert snapshot() == before


def test_a_row_failing_only_at_confirmation_rolls_back_the_whole_import(curator_client, article):
    rows = csv_rows(export(curator_client))
    rows[0]["title"] = "Changed, but must not be saved"
    previewed = preview(curator_client, write_csv(rows))
    assert previewed.context["result"].totals["update"] == 1
    # Between preview and confirmation the stored file no longer holds what was previewed.
    rows[-1]["date"] = "2005-13-45"
    stored = Path(tempfile.gettempdir()) / previewed.context["confirm_form"].initial["import_file_name"]
    stored.write_text(write_csv(rows), encoding="utf-8-sig")
    before = snapshot()

    response = confirm(curator_client, previewed)

    assert snapshot() == before
    [message] = get_messages(response.wsgi_request)
    assert "Nothing was imported" in str(message)


def test_importing_published_without_citation_is_an_error_on_status(curator_client, article):
    rows = csv_rows(export(curator_client))
    new = {**rows[0], "slug": "uncited-operation", "participants": "", "outcomes": "", "status": Status.PUBLISHED}

    result = preview(curator_client, write_csv([new])).context["result"]

    [invalid] = result.invalid_rows
    assert "citation" in invalid.field_specific_errors["status"][0]
    assert not JointOperation.objects.filter(slug="uncited-operation").exists()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?status=draft", {"draft-operation"}),  # the status filter
        ("?country=UA", {"passenger-2005"}),  # the country-involved filter
        ("?q=Arsenal", {"arsenal"}),  # the search box
        ("", {"passenger-2005", "arsenal", "draft-operation"}),
    ],
)
def test_export_respects_the_changelist_filters(curator_client, article, query, expected):
    JointOperationFactory(slug="draft-operation", status=Status.DRAFT)

    assert {row["slug"] for row in csv_rows(export(curator_client, query=query))} == expected


@pytest.mark.parametrize("model", [Organization, Person])
def test_other_records_round_trip(curator_client, article, model):
    content = export(curator_client, model=model)
    count = model.objects.count()

    result = preview(curator_client, content, model=model).context["result"]

    assert result.totals["skip"] == count > 0
    assert not result.has_validation_errors()


def test_export_queries_do_not_grow_with_the_number_of_operations(
    curator_client, article, django_assert_max_num_queries
):
    # Participants come prefetched with the changelist's queryset; figures are one query per operation.
    operations = JointOperation.objects.count()
    with django_assert_max_num_queries(20 + operations):
        export(curator_client)


def test_changelist_offers_import_and_export_next_to_recover_deleted(curator_client, article):
    content = curator_client.get(reverse("admin:cooperation_jointoperation_changelist") + "?status=draft").content

    assert reverse("admin:cooperation_jointoperation_import").encode() in content
    assert (reverse("admin:cooperation_jointoperation_export") + "?status=draft").encode() in content
    assert reverse("admin:cooperation_jointoperation_recoverlist").encode() in content  # history's, kept


# One write path: the import goes through the API's write services ------------------------------------------------


def passenger_row(client) -> tuple[list[dict], dict, list[dict]]:
    """The exported rows, Passenger's among them, and Passenger's figures as the file has them."""
    rows = csv_rows(export(client))
    passenger = next(row for row in rows if row["slug"] == "passenger-2005")
    return rows, passenger, json.loads(passenger["outcomes"])


@pytest.mark.parametrize("listed_too", [False, True], ids=["named-by-uid", "listed-in-the-file-too"])
def test_a_figure_part_of_another_events_figure_is_a_row_error_and_nothing_is_written(
    curator_client, article, listed_too
):
    rows, passenger, figures = passenger_row(curator_client)
    other = Outcome.objects.exclude(event__slug="passenger-2005").filter(event__isnull=False).first()
    figures[2]["part_of"] = str(other.uid)
    if listed_too:  # the other event's figure copied into this list: still not this event's
        figures.append({"uid": str(other.uid), "metric": other.metric.slug, "value": "1"})
    passenger["outcomes"] = json.dumps(figures)
    before = snapshot()

    result = preview(curator_client, write_csv(rows)).context["result"]

    [invalid] = result.invalid_rows
    assert list(invalid.field_specific_errors) == ["outcomes"]
    messages = invalid.field_specific_errors["outcomes"]
    assert "Figure 3, part_of: No row with uid" in messages[-1]  # the services': not a figure of this list
    if listed_too:  # and not a new figure either: its uid is the other event's figure's
        assert messages[0] == "Figure 4, uid: Outcome with this UID already exists."
    result = RESOURCES[JointOperation]().import_data(
        tablib.Dataset().load(write_csv(rows), format="csv"), dry_run=False, rollback_on_validation_errors=True
    )
    assert result.has_validation_errors()
    assert snapshot() == before


def test_a_figure_part_of_itself_is_refused_with_the_models_message_as_by_the_api(curator_client, article, staff_api):
    rows, passenger, figures = passenger_row(curator_client)
    figures[2]["part_of"] = figures[2]["uid"]
    passenger["outcomes"] = json.dumps(figures)
    before = snapshot()

    [invalid] = preview(curator_client, write_csv(rows)).context["result"].invalid_rows
    api = staff_api.patch(
        f"/api/v1/operations/{JointOperation.objects.get(slug='passenger-2005').pk}/",
        {"outcomes": [{**figure, "value": float(figure["value"])} for figure in figures]},
        format="json",
    )

    assert api.status_code == 400, api.json()
    [api_message] = api.json()["outcomes[2].part_of"]
    assert api_message == "A figure cannot be part of itself, nor of a figure part of it."  # Outcome.clean()'s
    assert invalid.field_specific_errors == {"outcomes": [f"Figure 3, part_of: {api_message}"]}
    assert snapshot() == before


def test_an_import_writes_through_the_services(curator_client, article, staff_user, monkeypatch):
    calls = []
    for name in ("record_create", "record_update"):
        real = getattr(services, name)
        monkeypatch.setattr(
            services,
            name,
            lambda *args, real=real, name=name, **kwargs: calls.append((name, kwargs)) or real(*args, **kwargs),
        )
    _, passenger, figures = passenger_row(curator_client)
    passenger["participants"] += "; country:BY:participant"
    new = {
        **passenger,
        "slug": "new-operation",
        "participants": "country:RU:lead",
        "outcomes": "",
        "status": Status.DRAFT,
    }
    kept = Participation.objects.get(event__slug="passenger-2005", country="RU")
    stored = set(Participation.objects.filter(event__slug="passenger-2005").values_list("uid", flat=True))

    confirm(curator_client, preview(curator_client, write_csv([passenger, new])))

    [(update, updated), (create, created)] = calls[len(calls) // 2 :]  # the confirmed import's, after the preview's
    assert (update, create) == ("record_update", "record_create")
    assert updated["user"] == created["user"] == staff_user
    participations = updated["data"]["participations"]
    assert {row["uid"] for row in participations} == {*stored, None}  # rows already there sent with their uid
    assert [figure["uid"] for figure in updated["data"]["outcomes"]] == [uuid.UUID(f["uid"]) for f in figures]
    assert Participation.objects.get(pk=kept.pk).citations.count() == 3
    assert JointOperation.objects.get(slug="new-operation").participations.get().country_id == "RU"
