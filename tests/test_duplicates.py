"""Duplicate warnings: the look-alike selector, and the admin warning before saving."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.admin.events import event_change_url
from cooperation.choices import Role, Status
from cooperation.dates import parse_edtf
from cooperation.duplicates import find_lookalikes, party_key
from cooperation.models import Event, JointOperation
from tests.factories import ExerciseFactory, JointOperationFactory, ParticipationFactory, PersonFactory
from tests.test_admin import admin_url, inline_management_data, with_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator(admin_client):
    """A staff member logged in to the admin (pytest-django's superuser client)."""
    return admin_client


RU_TJ = frozenset({party_key("country", "RU"), party_key("country", "TJ")})


@pytest.fixture
def recorded():
    """An operation already recorded: “Channel”, late 2005, Russia and Tajikistan taking part."""
    operation = JointOperationFactory(title="Operation Channel 2005", code_name="Channel", date="2005-41")
    ParticipationFactory(event=operation, country__code="RU", role=Role.LEAD)
    ParticipationFactory(event=operation, country__code="TJ")
    return operation


def lookalikes(model=JointOperation, date="2005-11", title="Something else", **draft):
    bounds = parse_edtf(date)
    found = find_lookalikes(model, lower=bounds.lower, upper=bounds.upper, title=title, **draft)
    return {lookalike.event.pk: lookalike.reasons for lookalike in found}


# --- The selector ------------------------------------------------------------------------------


def test_same_code_name_in_any_case_looks_alike(recorded):
    assert lookalikes(code_name=" CHANNEL ") == {recorded.pk: ("same code name",)}


def test_largely_the_same_participants_look_alike(recorded):
    person = PersonFactory()
    # {RU, TJ, person} against {RU, TJ}: 2/3 shared.
    assert lookalikes(parties=RU_TJ | {party_key("person", person.pk)}) == {
        recorded.pk: ("largely the same participants",)
    }
    # {RU, person} against {RU, TJ}: 1/3 shared, below one half.
    assert lookalikes(parties=frozenset({party_key("country", "RU"), party_key("person", person.pk)})) == {}


def test_similar_title_looks_alike(recorded):
    assert lookalikes(title="operation channel-2005") == {recorded.pk: ("similar title",)}
    assert lookalikes(title="Operation Poppy") == {}


def test_every_reason_is_given(recorded):
    reasons = lookalikes(title=recorded.title, code_name="Channel", parties=RU_TJ)[recorded.pk]
    assert reasons == ("same code name", "largely the same participants", "similar title")


@pytest.mark.parametrize(
    "draft",
    [
        {"date": "2006-04", "code_name": "Channel"},  # dates that cannot overlap
        {"date": "2005/..", "exclude_pk": "recorded"},  # the record itself, being edited
    ],
)
def test_no_lookalike_without_overlap_or_for_itself(recorded, draft):
    if draft.get("exclude_pk") == "recorded":
        draft = draft | {"exclude_pk": recorded.pk, "code_name": "Channel", "parties": RU_TJ}
    assert lookalikes(**draft) == {}


def test_other_kinds_do_not_look_alike(recorded):
    exercise = ExerciseFactory(title=recorded.title, date=recorded.date)
    assert lookalikes(ExerciseFactory._meta.model, title=recorded.title, code_name="Channel") == {
        exercise.pk: ("similar title",)
    }


def test_open_ended_bounds_overlap():
    ongoing = JointOperationFactory(code_name="Channel", date="2004-07/..")
    assert lookalikes(date="2010", code_name="channel") == {ongoing.pk: ("same code name",)}


def test_two_queries_however_many_candidates(recorded):
    for _ in range(5):
        ParticipationFactory(event=JointOperationFactory(date="2005-11-07"), country__code="TJ")
    with CaptureQueriesContext(connection) as queries:
        found = lookalikes(parties=RU_TJ)
    assert len(found) == 6  # TJ alone is one half of {RU, TJ}
    assert len(queries) == 2, [query["sql"] for query in queries.captured_queries]


# --- In the admin ------------------------------------------------------------------------------


@pytest.fixture
def channel_form(curator):
    """POST data for a new operation like the recorded one: another code name and title, same parties."""
    data = inline_management_data(curator.get(admin_url(JointOperation, "add"))) | {
        "title": "Anti-drug operation in Central Asia",
        "slug": "anti-drug-operation",
        "status": Status.DRAFT,
        "date": "2005-12",
        "code_name": "Kanal",
    }
    return with_rows(
        data, "participations", {"country": "RU", "role": Role.LEAD}, {"country": "TJ", "role": Role.PARTICIPANT}
    )


def test_lookalike_is_shown_with_a_link_and_nothing_is_saved(curator, recorded, channel_form):
    before = Event.objects.count()
    response = curator.post(admin_url(JointOperation, "add"), channel_form)

    assert response.status_code == 200
    page = response.content.decode()
    assert f'<a href="{event_change_url(recorded)}">{recorded.title}</a>' in page
    assert "largely the same participants" in page
    assert 'name="save_anyway"' in page
    assert "tick “Save anyway” and save again" in response.context["adminform"].form.non_field_errors()[0]
    assert Event.objects.count() == before


def test_save_anyway_saves(curator, recorded, channel_form):
    response = curator.post(admin_url(JointOperation, "add"), channel_form | {"save_anyway": "on"})

    assert response.status_code == 302
    saved = JointOperation.objects.get(slug="anti-drug-operation")
    assert sorted(saved.participations.values_list("country", flat=True)) == ["RU", "TJ"]


def test_deleted_participant_rows_do_not_count(curator, recorded, channel_form):
    # Both rows removed before saving: no participants, so nothing in common with the recorded one.
    channel_form |= {"participations-0-DELETE": "on", "participations-1-DELETE": "on"}
    assert curator.post(admin_url(JointOperation, "add"), channel_form).status_code == 302


def test_no_warning_when_dates_do_not_overlap(curator, recorded, channel_form):
    response = curator.post(admin_url(JointOperation, "add"), channel_form | {"date": "2006-04-21"})
    assert response.status_code == 302


def edit(client, record, **changes):
    """Post ``record``'s change form with its identifying fields as they are, and ``changes``."""
    page = client.get(admin_url(JointOperation, "change", record.pk))
    data = inline_management_data(page) | {
        "title": record.title,
        "slug": record.slug,
        "status": Status.DRAFT,
        "date": record.date,
        "code_name": record.code_name,
    }
    return client.post(admin_url(JointOperation, "change", record.pk), data | changes)


def test_editing_a_record_does_not_warn_about_itself(curator, recorded):
    response = edit(curator, recorded, title="Operation Channel, 2005", date="2005-12")
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_editing_warns_only_when_what_identifies_the_record_changes(curator, recorded):
    # Recorded before these warnings, or saved anyway: a look-alike of ``recorded``.
    other = JointOperationFactory(title="Operation Channel 2005 II", code_name="Other", date="2005-12")
    assert edit(curator, other, summary="Its look-alikes are not checked again").status_code == 302

    response = edit(curator, other, title="Operation Channel 2005 (II)")
    assert response.status_code == 200
    assert [item["event"] for item in response.context["adminform"].form.lookalikes] == [recorded]
