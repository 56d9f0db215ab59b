"""Daily-use polish in the admin: save as new, date help and bounds, clear validation messages."""

import pytest

from cooperation.choices import Role, Status
from cooperation.models import Event, JointOperation, Partnership
from tests.factories import JointOperationFactory, OutcomeFactory, ParticipationFactory, PartnershipFactory
from tests.test_admin import admin_url, inline_management_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator(admin_client):
    """A staff member logged in to the admin (pytest-django's superuser client)."""
    return admin_client


def posted_form(response) -> dict:
    """What a browser posts back from a rendered change form: every field's current value, inlines included."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is not None and value is not False:  # an unticked box is not posted; 0 is
                data[field.html_name] = "on" if value is True else value
    return data


@pytest.fixture
def operation():
    """A draft operation with two participants and a figure."""
    operation = JointOperationFactory(title="Channel 2005", code_name="Channel", date="2005-41", status=Status.DRAFT)
    ParticipationFactory(event=operation, country__code="RU", role=Role.LEAD)
    ParticipationFactory(event=operation, country__code="TJ")
    OutcomeFactory(event=operation)
    return operation


def save_as_new(client, record, **changes):
    url = admin_url(type(record), "change", record.pk)
    return client.post(url, posted_form(client.get(url)) | {"_saveasnew": "Save as new"} | changes)


def test_save_as_new_copies_the_event_and_its_rows_with_new_uids(curator, operation):
    response = save_as_new(
        curator, operation, title="Channel 2006", slug="channel-2006", code_name="Channel", date="2006-41"
    )

    assert response.status_code == 302, response.context["errors"]
    copy = JointOperation.objects.get(slug="channel-2006")
    assert (copy.title, copy.date, copy.code_name) == ("Channel 2006", "2006-41", "Channel")
    for relation in ("participations", "outcomes"):
        originals, copies = getattr(operation, relation).all(), getattr(copy, relation).all()
        assert len(copies) == len(originals) > 0
        assert not {row.uid for row in copies} & {row.uid for row in originals}
    assert sorted(copy.participations.values_list("country", flat=True)) == ["RU", "TJ"]
    assert operation.participations.count() == 2  # the original keeps its rows


def test_save_as_new_with_the_copied_slug_says_the_slug_is_taken(curator, operation):
    before = Event.objects.count()
    response = save_as_new(curator, operation, date="2006-41")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == ["Event with this Slug already exists."]
    assert Event.objects.count() == before


def test_save_as_new_of_a_similar_event_warns_about_the_original(curator, operation):
    response = save_as_new(curator, operation, slug="channel-2005-bis")
    assert response.status_code == 200
    assert [item["event"] for item in response.context["adminform"].form.lookalikes] == [operation]


def test_partnerships_save_as_new(curator):
    partnership = PartnershipFactory(status=Status.DRAFT)
    response = save_as_new(curator, partnership, slug="partnership-copy")
    assert response.status_code == 302, response.context["errors"]
    assert Partnership.objects.filter(slug="partnership-copy").exists()


# --- Dates as the source gives them ----------------------------------------------------------------


def test_add_form_explains_edtf_with_examples(curator):
    page = curator.get(admin_url(JointOperation, "add")).content.decode()
    assert 'id="id_date_helptext"' in page
    assert "2005-41 (second half of 2005)" in page
    assert "“late 2005”" in page  # the source's wording, kept in date_text


def test_bounds_are_shown_once_saved(curator, operation):
    page = curator.get(admin_url(JointOperation, "change", operation.pk)).content.decode()
    assert "2005-07-01 to 2005-12-31 (season)" in page


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("late 2005", "“late 2005” is not a valid EDTF date."),
        ("2006/2005", "“2006/2005” ends before it starts."),
        ("", "Enter a date."),
    ],
)
def test_a_bad_date_is_a_clear_error_on_the_date(curator, date, message):
    add_page = curator.get(admin_url(JointOperation, "add"))
    data = inline_management_data(add_page) | {"title": "T", "slug": "t", "status": Status.DRAFT, "date": date}
    response = curator.post(admin_url(JointOperation, "add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["date"][0].startswith(message)
    assert not Event.objects.exists()
