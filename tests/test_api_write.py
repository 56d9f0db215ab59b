"""Writing through the API v1: staff only; a record and its nested rows in one request, validated by the
models as in the admin, and written all or nothing."""

from __future__ import annotations

import uuid

import pytest

from cooperation.choices import Role, Status
from cooperation.models import Citation, Event, JointOperation, Organization, Outcome, Participation
from tests.factories import (
    CouncilFactory,
    CouncilSessionFactory,
    DocumentFactory,
    ExerciseFactory,
    JointOperationFactory,
    MeetingFactory,
    OrganizationFactory,
    ParticipationFactory,
    PartnershipFactory,
    PersonFactory,
    SourceFactory,
    StatementFactory,
    populate_council,
    populate_event,
    populate_organization,
    populate_partnership,
    populate_person,
)

API = "/api/v1"
ROWS = (Event, Participation, Outcome, Citation)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ROWS}


def passenger(document, **overrides) -> dict:
    """The article's operation “Passenger”, with participants, outcomes and citations."""
    total = str(uuid.uuid4())
    body = {
        "slug": "operation-passenger",
        "title": "Joint operation “Passenger”",
        "status": Status.PUBLISHED,
        "code_name": "Passenger",
        "aim": "Block international terrorist groups from entering Russia.",
        "date": {"edtf": "2005-41", "text": "late 2005"},
        "topics": ["terrorism"],
        "participants": [
            {"country": "RU", "role": Role.LEAD, "citations": [{"document": document.pk, "quote": "with Ukraine"}]},
            {"country": "ua"},
            {"organization": OrganizationFactory(slug="mvd-russia").slug},
            {"person": PersonFactory(slug="rashid-nurgaliev").slug, "role": Role.SPEAKER},
        ],
        "outcomes": [
            {"uid": total, "metric": "persons-detained", "value": 224},
            {"metric": "persons-wanted", "value": 6, "scope": "had been on the wanted list", "part_of": total},
            {
                "metric": "crimes-solved",
                "value": "585",
                "citations": [{"document": {"id": document.pk}, "quote": "In all, 585 crimes were solved"}],
            },
        ],
        "citations": [{"document": document.pk, "quote": "codenamed “Passenger”", "claim": "code_name"}],
    }
    return {**body, **overrides}


# Permissions ---------------------------------------------------------------------------------------------------------

WRITABLE = {
    "organizations": OrganizationFactory,
    "councils": CouncilFactory,
    "people": PersonFactory,
    "sessions": CouncilSessionFactory,
    "operations": JointOperationFactory,
    "exercises": ExerciseFactory,
    "meetings": MeetingFactory,
    "statements": StatementFactory,
    "partnerships": PartnershipFactory,
    "sources": SourceFactory,
    "documents": DocumentFactory,
}


@pytest.mark.parametrize("resource", WRITABLE)
def test_anonymous_cannot_write(api, db, resource):
    record = WRITABLE[resource]()
    url = f"{API}/{resource}/{record.pk}/"
    model = type(record)

    responses = [
        api.post(f"{API}/{resource}/", {"slug": "new-record"}, format="json"),
        api.put(url, {"slug": "changed"}, format="json"),
        api.patch(url, {"slug": "changed"}, format="json"),
        api.delete(url),
    ]

    statuses = [response.status_code for response in responses]
    assert set(statuses) <= {401, 403}, statuses
    assert model.objects.get(pk=record.pk).slug == record.slug
    assert not model.objects.filter(slug__in=["new-record", "changed"]).exists()


def test_the_timeline_is_read_only_even_for_staff(staff_api, db):
    meeting = MeetingFactory()

    assert staff_api.post(f"{API}/events/", {"slug": "x"}, format="json").status_code == 405
    assert staff_api.patch(f"{API}/events/{meeting.pk}/", {"title": "x"}, format="json").status_code == 405
    assert staff_api.delete(f"{API}/events/{meeting.pk}/").status_code == 405


@pytest.mark.parametrize("resource", ["countries", "topics", "metrics"])
def test_reference_data_is_read_only(staff_api, db, resource):
    assert staff_api.post(f"{API}/{resource}/", {"slug": "x"}, format="json").status_code == 405


# Create --------------------------------------------------------------------------------------------------------------


def test_staff_creates_an_operation_with_participants_outcomes_and_citations(staff_api, db):
    document = DocumentFactory()

    response = staff_api.post(f"{API}/operations/", passenger(document), format="json")

    assert response.status_code == 201, response.json()
    operation = JointOperation.objects.get(slug="operation-passenger")
    assert (operation.kind, operation.date_lower.isoformat(), operation.date_upper.isoformat()) == (
        "operation",
        "2005-07-01",
        "2005-12-31",
    )
    parties = {
        (p.role, p.country_id, p.organization and p.organization.slug, p.person and p.person.slug)
        for p in operation.participations.all()
    }
    assert parties == {
        (Role.LEAD, "RU", None, None),
        (Role.PARTICIPANT, "UA", None, None),
        (Role.PARTICIPANT, None, "mvd-russia", None),
        (Role.SPEAKER, None, None, "rashid-nurgaliev"),
    }
    figures = {outcome.metric.slug: outcome for outcome in operation.outcomes.all()}
    assert figures["crimes-solved"].value == 585
    assert figures["crimes-solved"].unit == "crimes", "the metric's unit when none is given"
    assert figures["persons-wanted"].part_of == figures["persons-detained"]
    assert Citation.objects.filter(document=document).count() == 3
    assert operation.citations.get().claim == "code_name"
    assert response.json() == staff_api.get(response.json()["url"]).json()


def test_a_subset_figure_may_come_before_its_total(staff_api, db):
    body = passenger(DocumentFactory())
    body["outcomes"].reverse()

    response = staff_api.post(f"{API}/operations/", body, format="json")

    assert response.status_code == 201, response.json()
    outcomes = {row["value"]: row for row in response.json()["outcomes"]}
    assert outcomes[6]["part_of"] == outcomes[224]["uid"]


def create_payloads(document) -> dict[str, dict]:
    """A valid body per writable resource, nested rows included where the resource has them."""
    council, organization = CouncilFactory(), OrganizationFactory()
    citation = [{"document": document.pk, "quote": "As reported."}]
    event = {"title": "New event", "date": "2006-04-21", "place": {"name": "Dushanbe", "country": "TJ"}}
    return {
        "organizations": {
            "slug": "csto",
            "name": "Collective Security Treaty Organization",
            "kind": "intergovernmental",
            "members": ["RU", "TJ", "AM", "BY"],
            "parent": None,
        },
        "councils": {
            "slug": "cis-cim",
            "name": "CIS Council of Interior Ministers",
            "organization": organization.slug,
            "members": ["RU", "TJ"],
        },
        "people": {
            "slug": "imomali-rahmonov",
            "name": "Imomali Rahmonov",
            "country": "TJ",
            "names": [{"name": "Rakhmonov"}, {"name": "Rahmon"}],
            "positions": [{"title": "President", "country": "TJ", "date": "1994-11/..", "citations": citation}],
        },
        "sessions": {
            **event,
            "slug": "cim-session",
            "council": council.slug,
            "agenda_items": [{"order": 1, "title": "Terrorism", "topic": "terrorism"}],
            "proposals": [{"title": "A single database of criminals", "citations": citation}],
        },
        "operations": {
            **event,
            "slug": "arsenal",
            "code_name": "Arsenal",
            "outcomes": [{"metric": "small-arms-seized", "value": 10000, "citations": citation}],
        },
        "exercises": {
            **event,
            "slug": "anti-terror-drill",
            "exercise_kind": "anti_terror",
            "scale": "large-scale",
            "participants": [{"country": "AM", "detail": "police units"}],
        },
        "meetings": {
            **event,
            "slug": "talks",
            "meeting_kind": "talks",
            "subject": "Military-technical cooperation",
            "participants": [{"person": PersonFactory().slug}],
            "citations": citation,
        },
        "statements": {
            **event,
            "slug": "address",
            "form": "address",
            "text": "A balanced strategic partnership.",
            "participants": [{"person": PersonFactory().slug, "role": "speaker"}],
        },
        "partnerships": {
            "slug": "tj-ru",
            "title": "Tajik-Russian strategic partnership",
            "kind": "strategic",
            "date": {"edtf": "2006-04/..", "text": "now"},
            "topics": ["investment"],
            "parties": [{"country": "TJ"}, {"country": "RU"}],
            "figures": [{"metric": "investment", "value": 2.5e9, "qualifier": "projected"}],
            "events": [MeetingFactory().pk],
            "citations": citation,
        },
        "sources": {
            "slug": "asia-plus",
            "name": "Asia-Plus",
            "kind": "news_agency",
            "country": "TJ",
            "web_url": "https://asiaplustj.info/",
        },
        "documents": {
            "slug": "edm-3-79",
            "source": SourceFactory().slug,
            "title": "Dushanbe hosts CIS ministers",
            "published_on": "2006-04-25",
            "volume": "3",
            "issue": "79",
        },
    }


@pytest.mark.parametrize("resource", WRITABLE)
def test_staff_creates_every_writable_resource(staff_api, db, resource):
    body = create_payloads(DocumentFactory())[resource]
    model = WRITABLE[resource]._meta.model

    response = staff_api.post(f"{API}/{resource}/", body, format="json")

    assert response.status_code == 201, response.json()
    record = model.objects.get(slug=body["slug"])
    assert response.json()["id"] == record.pk
    assert response.json() == staff_api.get(response.json()["url"]).json()
    assert record.status == Status.DRAFT, "new records start as drafts unless told otherwise"


# Invalid input -------------------------------------------------------------------------------------------------------


def second_participant_unknown_country(body):
    body["participants"][1] = {"country": "XX"}


def date_in_words(body):
    body["date"] = "late 2005"


def participant_with_two_targets(body):
    body["participants"][0]["organization"] = OrganizationFactory().slug


def same_participant_twice(body):
    body["participants"].append({"country": "UA"})


def citation_of_unknown_document(body):
    body["participants"][0]["citations"][0]["document"] = 987654


def subset_of_a_figure_not_in_the_request(body):
    body["outcomes"][1]["part_of"] = str(uuid.uuid4())


def unknown_metric(body):
    body["outcomes"][2]["metric"] = "happiness"


def negative_figure(body):
    body["outcomes"][0]["value"] = -1


def slug_of_another_kinds_event(body):
    body["slug"] = MeetingFactory().slug


@pytest.mark.parametrize(
    ("spoil", "field"),
    [
        (second_participant_unknown_country, "participants[1].country"),
        (date_in_words, "date"),
        (participant_with_two_targets, "participants[0]"),
        (same_participant_twice, "participants[4]"),
        (citation_of_unknown_document, "participants[0].citations[0].document"),
        (subset_of_a_figure_not_in_the_request, "outcomes[1].part_of"),
        (unknown_metric, "outcomes[2].metric"),
        (negative_figure, "outcomes[0].value"),
        (slug_of_another_kinds_event, "slug"),
    ],
)
def test_invalid_input_is_a_400_per_field_and_writes_nothing(staff_api, db, spoil, field):
    body = passenger(DocumentFactory())
    spoil(body)
    before = row_counts()

    response = staff_api.post(f"{API}/operations/", body, format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert all(isinstance(message, str) and message for message in response.json()[field])
    assert row_counts() == before


def test_several_bad_rows_are_all_reported(staff_api, db):
    body = passenger(DocumentFactory())
    body["participants"][1] = {"country": "XX"}
    body["participants"][3] = {"person": "nobody"}
    body["outcomes"][2]["metric"] = "happiness"

    response = staff_api.post(f"{API}/operations/", body, format="json")

    assert set(response.json()) == {"participants[1].country", "participants[3].person", "outcomes[2].metric"}


def test_invalid_update_leaves_the_record_as_it_was(staff_api, db):
    url = staff_api.post(f"{API}/operations/", passenger(DocumentFactory()), format="json").json()["url"]
    before = staff_api.get(url).json()
    body = {
        "title": "Renamed",
        "participants": [{"country": "RU"}, {"country": "RU", "person": PersonFactory().slug}],
    }

    response = staff_api.patch(url, body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["participants[1]"]
    assert staff_api.get(url).json() == before


# Update and delete ---------------------------------------------------------------------------------------------------


def test_update_keeps_rows_sent_with_their_uid_and_replaces_the_rest(staff_api, db):
    url = staff_api.post(f"{API}/operations/", passenger(DocumentFactory()), format="json").json()["url"]
    url = f"{url}?include=citations"
    kept = staff_api.get(url).json()["participants"][0]
    kept_citation = kept["citations"][0]["uid"]

    response = staff_api.patch(
        url,
        {"participants": [{**kept, "detail": "special subdivisions"}, {"country": "BY"}]},
        format="json",
    )

    assert response.status_code == 200, response.json()
    participants = response.json()["participants"]
    assert [(p["uid"], p["detail"]) for p in participants if p["country"]["code"] == "RU"] == [
        (kept["uid"], "special subdivisions")
    ]
    assert {p["country"]["code"] for p in participants} == {"RU", "BY"}
    assert participants[0]["citations"][0]["uid"] == kept_citation
    operation = JointOperation.objects.get(slug="operation-passenger")
    assert operation.participations.count() == 2
    assert operation.outcomes.count() == 3, "rows of lists not sent are left alone"


def test_patch_changes_only_the_fields_it_names(staff_api, db):
    url = staff_api.post(f"{API}/operations/", passenger(DocumentFactory()), format="json").json()["url"]
    before = staff_api.get(url).json()

    after = staff_api.patch(url, {"title": "Operation Passenger", "date": "2005-12"}, format="json").json()

    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"title", "date", "updated_at"}
    assert after["date"]["text"] == "late 2005", "a date sent as a string leaves the source's wording alone"


@pytest.mark.parametrize(
    ("resource", "make"),
    [
        ("organizations", lambda: populate_organization(OrganizationFactory())),
        ("councils", lambda: populate_council(CouncilFactory())),
        ("people", lambda: populate_person(PersonFactory())),
        ("sessions", lambda: populate_event(CouncilSessionFactory())),
        ("operations", lambda: populate_event(JointOperationFactory())),
        ("exercises", lambda: populate_event(ExerciseFactory())),
        ("meetings", lambda: populate_event(MeetingFactory())),
        ("statements", lambda: populate_event(StatementFactory())),
        ("partnerships", lambda: populate_partnership(PartnershipFactory())),
        ("sources", SourceFactory),
        ("documents", DocumentFactory),
    ],
)
@pytest.mark.parametrize("query", ["", "?include=citations"])
def test_a_payload_read_can_be_written_back_unchanged(staff_api, db, resource, make, query):
    url = f"{API}/{resource}/{make().pk}/{query}"
    before = staff_api.get(url).json()

    response = staff_api.put(url, before, format="json")

    assert response.status_code == 200, response.json()
    after = response.json()
    assert {key: value for key, value in after.items() if key != "updated_at"} == {
        key: value for key, value in before.items() if key != "updated_at"
    }


def test_staff_deletes_an_event_with_its_rows(staff_api, db):
    operation = populate_event(JointOperationFactory())

    response = staff_api.delete(f"{API}/operations/{operation.pk}/")

    assert response.status_code == 204
    assert not Event.objects.filter(pk=operation.pk).exists()
    assert not Participation.objects.filter(event_id=operation.pk).exists()
    assert not Outcome.objects.filter(event_id=operation.pk).exists()


def test_deleting_a_record_others_point_at_is_a_409(staff_api, db):
    organization = OrganizationFactory()
    ParticipationFactory(country=None, organization=organization)

    response = staff_api.delete(f"{API}/organizations/{organization.pk}/")

    assert response.status_code == 409
    assert "participations" in response.json()["detail"]
    assert Organization.objects.filter(pk=organization.pk).exists()


def test_statement_speaker_is_written_as_a_participant(staff_api, db):
    body = create_payloads(DocumentFactory())["statements"]

    payload = staff_api.post(f"{API}/statements/", body, format="json").json()

    assert payload["speaker"]["person"]["slug"] == body["participants"][0]["person"]
