"""Query parameters of the API v1 lists: what each filter matches, and 400s for values it cannot use."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cooperation.choices import (
    DocumentKind,
    ExerciseKind,
    MeetingKind,
    OrganizationKind,
    PartnershipKind,
    PartnershipStage,
    SourceKind,
    StatementForm,
    Status,
)
from cooperation.models import Event
from tests.factories import (
    CouncilFactory,
    CouncilSessionFactory,
    CountryFactory,
    DocumentFactory,
    ExerciseFactory,
    JointOperationFactory,
    MeetingFactory,
    OrganizationFactory,
    OutcomeFactory,
    ParticipationFactory,
    PartnershipFactory,
    PartnershipPartyFactory,
    PersonFactory,
    PersonNameFactory,
    SourceFactory,
    StatementFactory,
    TopicFactory,
)

API = "/api/v1"


def ids(client, resource: str, **params) -> list[int]:
    response = client.get(f"{API}/{resource}/", {"page_size": 200, **params})
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def ukraine():
    return CountryFactory(code="UA")


# country -------------------------------------------------------------------------------------------------------------


def ua_as_country(event):
    ParticipationFactory(event=event, country=ukraine())


def ua_through_organization(event):
    ParticipationFactory(event=event, country=None, organization=OrganizationFactory(country=ukraine()))


def ua_through_person(event):
    ParticipationFactory(event=event, country=None, person=PersonFactory(country=ukraine()))


def ua_as_place(event):
    event.place_country = ukraine()
    event.save()


@pytest.mark.parametrize("resource", ["events", "operations"])
@pytest.mark.parametrize("involve", [ua_as_country, ua_through_organization, ua_through_person, ua_as_place])
def test_event_country_matches_any_participation_or_the_place(api, db, resource, involve):
    match, other = JointOperationFactory(), JointOperationFactory()
    involve(match)
    ParticipationFactory(event=other, country=CountryFactory(code="RU"))

    assert ids(api, resource, country="UA") == [match.pk]


def test_event_country_lists_an_event_once_however_many_rows_match(api, db):
    operation = JointOperationFactory()
    for involve in (ua_as_country, ua_through_organization, ua_through_person, ua_as_place):
        involve(operation)

    response = api.get(f"{API}/events/", {"country": "ua"})

    assert response.json()["count"] == 1
    assert [row["id"] for row in response.json()["results"]] == [operation.pk]


COUNTRY_MATCHES = [
    ("organizations", lambda: OrganizationFactory(country=ukraine())),
    ("organizations", lambda: OrganizationFactory(country=None, members=[ukraine()])),
    ("councils", lambda: CouncilFactory(members=[ukraine()])),
    ("councils", lambda: CouncilFactory(organization=OrganizationFactory(country=ukraine()))),
    ("people", lambda: PersonFactory(country=ukraine())),
    ("partnerships", lambda: PartnershipPartyFactory(country=ukraine()).partnership),
    (
        "partnerships",
        lambda: PartnershipPartyFactory(country=None, organization=OrganizationFactory(country=ukraine())).partnership,
    ),
    ("sources", lambda: SourceFactory(country=ukraine())),
    ("documents", lambda: DocumentFactory(source=SourceFactory(country=ukraine()))),
]


@pytest.mark.parametrize(("resource", "make_match"), COUNTRY_MATCHES)
def test_country_filter_of_other_resources(api, db, resource, make_match):
    match = make_match()
    others = {
        "organizations": OrganizationFactory,
        "councils": CouncilFactory,
        "people": PersonFactory,
        "partnerships": lambda: PartnershipPartyFactory().partnership,
        "sources": SourceFactory,
        "documents": DocumentFactory,
    }
    others[resource]()  # from Russia, the factories' default

    assert ids(api, resource, country="UA") == [match.pk]


@pytest.mark.parametrize(
    "resource",
    [
        "events",
        "sessions",
        "operations",
        "exercises",
        "meetings",
        "statements",
        "partnerships",
        "organizations",
        "councils",
        "people",
        "sources",
        "documents",
    ],
)
def test_unknown_country_is_a_400_naming_the_parameter(api, db, resource):
    response = api.get(f"{API}/{resource}/", {"country": "XX"})

    assert response.status_code == 400
    assert list(response.json()) == ["country"]
    assert "XX" in response.json()["country"][0]


# kind ----------------------------------------------------------------------------------------------------------------

KIND_CASES = [
    ("events", "operation", JointOperationFactory, MeetingFactory),
    (
        "organizations",
        OrganizationKind.POLICE,
        lambda: OrganizationFactory(kind=OrganizationKind.POLICE),
        OrganizationFactory,
    ),
    ("exercises", ExerciseKind.BORDER, lambda: ExerciseFactory(exercise_kind=ExerciseKind.BORDER), ExerciseFactory),
    ("meetings", MeetingKind.TALKS, lambda: MeetingFactory(meeting_kind=MeetingKind.TALKS), MeetingFactory),
    ("statements", StatementForm.ADDRESS, lambda: StatementFactory(form=StatementForm.ADDRESS), StatementFactory),
    (
        "partnerships",
        PartnershipKind.SECURITY,
        lambda: PartnershipFactory(kind=PartnershipKind.SECURITY),
        PartnershipFactory,
    ),
    ("sources", SourceKind.BROADCASTER, lambda: SourceFactory(kind=SourceKind.BROADCASTER), SourceFactory),
    ("documents", DocumentKind.BROADCAST, lambda: DocumentFactory(kind=DocumentKind.BROADCAST), DocumentFactory),
]


@pytest.mark.parametrize(("resource", "kind", "make_match", "make_other"), KIND_CASES)
def test_kind_filters_the_resources_own_kind(api, db, resource, kind, make_match, make_other):
    match = make_match()
    make_other()

    assert ids(api, resource, kind=kind) == [match.pk]


@pytest.mark.parametrize("resource", [case[0] for case in KIND_CASES])
def test_unknown_kind_is_a_400(api, db, resource):
    response = api.get(f"{API}/{resource}/", {"kind": "nonsense"})

    assert response.status_code == 400
    assert list(response.json()) == ["kind"]


# dates ---------------------------------------------------------------------------------------------------------------

YEAR_2005 = {"date_after": "2005-01-01", "date_before": "2005-12-31"}
OCTOBER_2005 = {"date_after": "2005-10-01", "date_before": "2005-10-31"}


@pytest.mark.parametrize("resource", ["events", "operations"])
@pytest.mark.parametrize(
    ("window", "mode", "found"),
    [
        (YEAR_2005, None, True),
        (YEAR_2005, "overlap", True),
        (YEAR_2005, "within", True),
        (OCTOBER_2005, None, True),
        (OCTOBER_2005, "within", False),
        ({"date_before": "2005-10-01"}, None, True),
        ({"date_before": "2005-10-01"}, "within", False),
        ({"date_before": "2005-06-30"}, None, False),
    ],
)
def test_uncertain_dates_overlap_by_default_and_within_on_request(api, db, resource, window, mode, found):
    late_2005 = JointOperationFactory(date="2005-41", date_text="late 2005")
    JointOperationFactory(date="2006-04-21")
    params = {**window, **({"date_mode": mode} if mode else {})}

    assert ids(api, resource, **params) == ([late_2005.pk] if found else [])


@pytest.mark.parametrize(("mode", "found"), [("overlap", True), ("within", False)])
def test_open_ended_partnership_dates(api, db, mode, found):
    since_2004 = PartnershipFactory(date="2004/..")
    PartnershipFactory(date="2006-01/2006-12")

    assert ids(api, "partnerships", **YEAR_2005, date_mode=mode) == ([since_2004.pk] if found else [])


def test_documents_filter_by_publication_date(api, db):
    april = DocumentFactory(published_on=datetime.date(2006, 4, 21))
    DocumentFactory(published_on=datetime.date(2006, 5, 2))

    assert ids(api, "documents", date_after="2006-04-01", date_before="2006-04-30") == [april.pk]


@pytest.mark.parametrize("resource", ["events", "operations", "partnerships", "documents"])
@pytest.mark.parametrize("parameter", ["date_after", "date_before"])
@pytest.mark.parametrize("value", ["2005-13-01", "late 2005", "21/04/2006"])
def test_malformed_date_is_a_400(api, db, resource, parameter, value):
    response = api.get(f"{API}/{resource}/", {parameter: value})

    assert response.status_code == 400
    assert list(response.json()) == [parameter]


def test_unknown_date_mode_is_a_400(api, db):
    response = api.get(f"{API}/events/", {**YEAR_2005, "date_mode": "maybe"})

    assert response.status_code == 400
    assert list(response.json()) == ["date_mode"]


# search --------------------------------------------------------------------------------------------------------------


SEARCH_MISSES = {
    "operations": lambda: JointOperationFactory(code_name="Arsenal"),
    "events": lambda: MeetingFactory(title="Talks", summary="On energy"),
    "people": lambda: PersonNameFactory(person=PersonFactory(name="Rashid Nurgaliev"), name="Nurgaliyev"),
    "organizations": lambda: OrganizationFactory(abbreviation="MVD"),
    "sources": lambda: SourceFactory(name="Interfax"),
    "documents": DocumentFactory,
    "statements": StatementFactory,
}


@pytest.mark.parametrize(
    ("resource", "make_match", "term"),
    [
        ("operations", lambda: JointOperationFactory(code_name="Passenger"), "passenger"),
        ("events", lambda: JointOperationFactory(code_name="Arsenal"), "ARSENAL"),
        ("events", lambda: MeetingFactory(summary="Talks on military-technical cooperation"), "technical COOPERATION"),
        ("people", lambda: PersonNameFactory(name="Rakhmonov", person=PersonFactory(name="Rahmon")).person, "rakhm"),
        ("people", lambda: PersonFactory(name="Imomali Rahmonov"), "imomali rahmonov"),
        ("organizations", lambda: OrganizationFactory(abbreviation="CSTO"), "csto"),
        ("sources", lambda: SourceFactory(name="Interfax-Kazakhstan"), "kazakh"),
        ("documents", lambda: DocumentFactory(source=SourceFactory(name="Asia-Plus")), "asia-plus"),
        ("statements", lambda: StatementFactory(text="a balanced strategic partnership"), "strategic partnership"),
    ],
)
def test_search_is_case_insensitive_and_every_word_must_match(api, db, resource, make_match, term):
    match = make_match()
    SEARCH_MISSES[resource]()

    assert ids(api, resource, search=term) == [match.pk]
    assert ids(api, resource, search=f"{term} zzz-no-such-word") == []


def test_search_by_several_name_variants_lists_a_person_once(api, db):
    person = PersonFactory(name="Rahmon")
    PersonNameFactory(person=person, name="Rahmonov")
    PersonNameFactory(person=person, name="Rakhmonov")

    assert ids(api, "people", search="rahmon") == [person.pk]


def test_countries_search(api, db):
    response = api.get(f"{API}/countries/", {"search": "tajik"})

    assert [row["code"] for row in response.json()["results"]] == ["TJ"]


# status --------------------------------------------------------------------------------------------------------------


def test_status_filter_for_staff(staff_api, db):
    draft = JointOperationFactory(status=Status.DRAFT)
    published = JointOperationFactory()

    assert ids(staff_api, "operations", status=Status.DRAFT) == [draft.pk]
    assert ids(staff_api, "operations", status=Status.PUBLISHED) == [published.pk]


def test_status_filter_never_reveals_unpublished_records_to_anonymous(api, db):
    JointOperationFactory(status=Status.DRAFT)
    JointOperationFactory(status=Status.REVIEWED)
    published = JointOperationFactory()

    assert ids(api, "operations", status=Status.DRAFT) == []
    assert ids(api, "events", status=Status.REVIEWED) == []
    assert ids(api, "operations", status=Status.PUBLISHED) == [published.pk]


# other filters -------------------------------------------------------------------------------------------------------


def test_topic_filter(api, db):
    match = MeetingFactory()
    match.topics.add(TopicFactory(slug="drug-trafficking"), TopicFactory(slug="terrorism"))
    MeetingFactory().topics.add(TopicFactory(slug="energy"))

    assert ids(api, "events", topic="drug-trafficking") == [match.pk]


@pytest.mark.parametrize("parameter", ["organization", "person"])
def test_participant_filters(api, db, parameter):
    factories = {"organization": OrganizationFactory, "person": PersonFactory}
    record = factories[parameter]()
    match = MeetingFactory()
    ParticipationFactory(event=match, country=None, **{parameter: record})
    ParticipationFactory(event=MeetingFactory(), country=None, **{parameter: factories[parameter]()})

    assert ids(api, "events", **{parameter: record.slug}) == [match.pk]
    assert ids(api, "meetings", **{parameter: record.slug}) == [match.pk]


@pytest.mark.parametrize("parameter", ["organization", "person"])
def test_unpublished_or_unknown_participant_is_a_400_for_anonymous(api, staff_api, db, parameter):
    factories = {"organization": OrganizationFactory, "person": PersonFactory}
    draft = factories[parameter](status=Status.DRAFT)

    hidden = api.get(f"{API}/events/", {parameter: draft.slug})
    unknown = api.get(f"{API}/events/", {parameter: "no-such-slug"})

    assert hidden.status_code == unknown.status_code == 400
    assert list(hidden.json()) == [parameter]
    assert staff_api.get(f"{API}/events/", {parameter: draft.slug}).status_code == 200


def test_session_council_filter(api, db):
    council = CouncilFactory()
    match = CouncilSessionFactory(council=council)
    CouncilSessionFactory()

    assert ids(api, "sessions", council=council.slug) == [match.pk]


def test_operation_metric_filter(api, db):
    match = JointOperationFactory()
    OutcomeFactory(event=match)  # crimes solved
    OutcomeFactory(event=match, value=224)
    OutcomeFactory(event=JointOperationFactory(), metric__slug="small-arms-seized")

    assert ids(api, "operations", metric="crimes-solved") == [match.pk]


def test_partnership_stage_filter(api, db):
    match = PartnershipFactory(stage=PartnershipStage.STRENGTHENING)
    PartnershipFactory()

    assert ids(api, "partnerships", stage=PartnershipStage.STRENGTHENING) == [match.pk]


def test_updated_since(api, db):
    old, recent = MeetingFactory(), MeetingFactory()
    Event.objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=3))
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()

    assert ids(api, "events", updated_since=since) == [recent.pk]


# ordering ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "field", "factory"),
    [
        ("events", "title", MeetingFactory),
        ("operations", "date", JointOperationFactory),
        ("organizations", "name", OrganizationFactory),
        ("documents", "published_on", DocumentFactory),
    ],
)
def test_ordering_ascending_and_descending(api, db, resource, field, factory):
    records = [factory() for _ in range(3)]
    if field == "date":
        for record, date in zip(records, ["2006-04-22", "2005-41", "2006-04-21"], strict=True):
            record.date = date
            record.save()
    if field == "published_on":
        for record, day in zip(records, [22, 20, 21], strict=True):
            record.published_on = datetime.date(2006, 4, day)
            record.save()
    attribute = {"date": "date_lower"}.get(field, field)
    expected = [record.pk for record in sorted(records, key=lambda record: getattr(record, attribute))]

    assert ids(api, resource, ordering=field) == expected
    assert ids(api, resource, ordering=f"-{field}") == expected[::-1]


@pytest.mark.parametrize("resource", ["events", "operations", "people", "countries", "documents"])
def test_unknown_ordering_is_a_400(api, db, resource):
    response = api.get(f"{API}/{resource}/", {"ordering": "title,secret_field"})

    assert response.status_code == 400
    assert list(response.json()) == ["ordering"]
    assert "secret_field" in response.json()["ordering"][0]
