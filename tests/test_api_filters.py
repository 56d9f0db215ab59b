"""Query parameters of the API v1 lists: what each filter matches, and 400s for values it cannot use."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cooperation.api import filters
from cooperation.api.urls import router
from cooperation.choices import (
    DocumentKind,
    ExerciseKind,
    MeetingKind,
    OrganizationKind,
    PartnershipKind,
    PartnershipStage,
    Role,
    SourceKind,
    StatementForm,
    Status,
)
from cooperation.models import Event
from tests.factories import (
    CitationFactory,
    CouncilFactory,
    CouncilSessionFactory,
    CountryFactory,
    DocumentFactory,
    ExerciseFactory,
    JointOperationFactory,
    MeetingFactory,
    MetricFactory,
    OrganizationFactory,
    OutcomeFactory,
    ParticipationFactory,
    PartnershipFactory,
    PartnershipPartyFactory,
    PersonFactory,
    PersonNameFactory,
    PositionFactory,
    ProposalFactory,
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


# Each event resource, and a factory of a record it lists.
EVENT_RESOURCES = {
    "events": MeetingFactory,
    "sessions": CouncilSessionFactory,
    "operations": JointOperationFactory,
    "exercises": ExerciseFactory,
    "meetings": MeetingFactory,
    "statements": StatementFactory,
}


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


@pytest.mark.parametrize("resource", EVENT_RESOURCES)
@pytest.mark.parametrize("involve", [ua_as_country, ua_through_organization, ua_through_person, ua_as_place])
def test_event_country_matches_any_participation_or_the_place(api, db, resource, involve):
    match, other = EVENT_RESOURCES[resource](), EVENT_RESOURCES[resource]()
    involve(match)
    ParticipationFactory(event=other, country=CountryFactory(code="RU"))

    assert ids(api, resource, country="UA") == [match.pk]


def test_event_country_lists_an_event_once_however_many_rows_match(api, db):
    operation = JointOperationFactory()
    for involve in (ua_as_country, ua_through_organization, ua_through_person, ua_as_place):
        involve(operation)

    response = api.get(f"{API}/events/", {"country": "ua"})

    assert [row["id"] for row in response.json()["results"]] == [operation.pk]


COUNTRY_MATCHES = [
    ("organizations", lambda: OrganizationFactory(country=ukraine())),
    ("organizations", lambda: OrganizationFactory(country=None, members=[ukraine()])),
    ("councils", lambda: CouncilFactory(members=[ukraine()])),
    ("councils", lambda: CouncilFactory(organization=OrganizationFactory(country=ukraine()))),
    ("people", lambda: PersonFactory(country=ukraine())),
    ("people", lambda: PositionFactory(country=ukraine()).person),  # President of Ukraine
    ("people", lambda: PositionFactory(country=None, organization=OrganizationFactory(country=ukraine())).person),
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


# dates ---------------------------------------------------------------------------------------------------------------

YEAR_2005 = {"date_after": "2005-01-01", "date_before": "2005-12-31"}
OCTOBER_2005 = {"date_after": "2005-10-01", "date_before": "2005-10-31"}


@pytest.mark.parametrize("resource", EVENT_RESOURCES)
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
    late_2005 = EVENT_RESOURCES[resource](date="2005-41", date_text="late 2005")
    EVENT_RESOURCES[resource](date="2006-04-21")
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


# search --------------------------------------------------------------------------------------------------------------


SEARCH_MISSES = {
    "operations": lambda: JointOperationFactory(code_name="Arsenal"),
    "events": lambda: MeetingFactory(title="Talks", summary="On energy"),
    "people": lambda: PersonNameFactory(person=PersonFactory(name="Rashid Nurgaliev"), name="Nurgaliyev"),
    "organizations": lambda: OrganizationFactory(abbreviation="MVD"),
    "sources": lambda: SourceFactory(name="Interfax"),
    "documents": DocumentFactory,
    "statements": StatementFactory,
    "sessions": CouncilSessionFactory,
    "meetings": lambda: participant(MeetingFactory(), person=PersonFactory(name="Rashid Nurgaliev")),
    "partnerships": lambda: PartnershipPartyFactory(partnership=PartnershipFactory(summary="Energy")).partnership,
}


def participant(event, **target):
    """``event`` with one participant, ``target`` (a country, organization or person)."""
    ParticipationFactory(event=event, **{"country": None, **target})
    return event


def event_cited(event, quote):
    CitationFactory(event=event, quote=quote)
    return event


def figure_cited(quote):
    operation = JointOperationFactory()
    CitationFactory(event=None, outcome=OutcomeFactory(event=operation), quote=quote)
    return operation


def proposal_cited(quote):
    session = CouncilSessionFactory()
    CitationFactory(event=None, proposal=ProposalFactory(session=session), quote=quote)
    return session


def partnership_cited(quote):
    partnership = PartnershipFactory()
    CitationFactory(event=None, partnership=partnership, quote=quote)
    return partnership


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
        ("organizations", lambda: OrganizationFactory(description="Runs the 201st base"), "201st"),
        # Events through their participants' names, every spelling included…
        ("events", lambda: participant(MeetingFactory(), country=ukraine()), "ukraine"),
        (
            "events",
            lambda: participant(MeetingFactory(), organization=OrganizationFactory(abbreviation="CSTO")),
            "csto",
        ),
        ("meetings", lambda: participant(MeetingFactory(), person=PersonFactory(name="Imomali Rahmonov")), "imomali"),
        (
            "statements",
            lambda: participant(StatementFactory(), person=PersonNameFactory(name="Rakhmonov").person),
            "rakhmonov",
        ),
        # …and through the quotes of their citations: the event's own, or its figures', participants', proposals'.
        ("events", lambda: event_cited(MeetingFactory(), "a balanced strategic partnership"), "balanced partnership"),
        ("operations", lambda: figure_cited("10,000 small arms"), "small arms"),
        ("sessions", lambda: proposal_cited("a single database of criminals"), "single database"),
        ("partnerships", lambda: PartnershipPartyFactory(country=CountryFactory(code="CN")).partnership, "china"),
        ("partnerships", lambda: partnership_cited("strategic partners"), "strategic partners"),
    ],
)
def test_search_is_case_insensitive_and_every_word_must_match(api, db, resource, make_match, term):
    match = make_match()
    SEARCH_MISSES[resource]()

    assert ids(api, resource, search=term) == [match.pk]
    assert ids(api, resource, search=f"{term} zzz-no-such-word") == []


def test_an_event_matching_through_many_rows_is_listed_once(api, db):
    rahmon = PersonFactory(name="Rahmon")
    PersonNameFactory(person=rahmon, name="Rahmonov")
    meeting = participant(MeetingFactory(title="Rahmonov receives Nurgaliev"), person=rahmon)
    participant(meeting, organization=OrganizationFactory(name="Office of President Rahmonov"))
    event_cited(meeting, "Rahmonov said")
    event_cited(meeting, "Rahmonov added")

    response = api.get(f"{API}/events/", {"search": "rahmon"})

    assert [row["id"] for row in response.json()["results"]] == [meeting.pk]


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


@pytest.mark.parametrize("resource", ["operations", "events", "people", "documents"])
@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEWED, Status.WITHDRAWN])
def test_anonymous_asking_for_unpublished_records_is_told_they_are_not_public(api, db, resource, status):
    JointOperationFactory(status=status)

    response = api.get(f"{API}/{resource}/", {"status": status})

    assert response.status_code == 400
    assert list(response.json()) == ["status"]
    assert "Only published records are public" in response.json()["status"][0]


def test_anonymous_may_ask_for_published_records(api, db):
    JointOperationFactory(status=Status.DRAFT)
    published = JointOperationFactory()

    assert ids(api, "operations", status=Status.PUBLISHED) == [published.pk]


# other filters -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", [*EVENT_RESOURCES, "partnerships"])
def test_topic_filter(api, db, resource):
    factory = EVENT_RESOURCES.get(resource, PartnershipFactory)
    match = factory()
    match.topics.add(TopicFactory(slug="drug-trafficking"), TopicFactory(slug="terrorism"))
    factory().topics.add(TopicFactory(slug="energy"))

    assert ids(api, resource, topic="drug-trafficking") == [match.pk]


@pytest.mark.parametrize("resource", EVENT_RESOURCES)
@pytest.mark.parametrize("parameter", ["organization", "person"])
def test_participant_filters(api, db, resource, parameter):
    factories = {"organization": OrganizationFactory, "person": PersonFactory}
    record = factories[parameter]()
    match = EVENT_RESOURCES[resource]()
    ParticipationFactory(event=match, country=None, **{parameter: record})
    ParticipationFactory(event=match, country=None, role=Role.HOST, **{parameter: record})  # twice, listed once
    ParticipationFactory(event=EVENT_RESOURCES[resource](), country=None, **{parameter: factories[parameter]()})

    assert ids(api, resource, **{parameter: record.slug}) == [match.pk]


@pytest.mark.parametrize("resource", ["events", "sessions"])
def test_organization_matches_the_sessions_of_its_councils(api, db, resource):
    cis = OrganizationFactory()
    session = CouncilSessionFactory(council=CouncilFactory(organization=cis))
    CouncilSessionFactory()

    assert ids(api, resource, organization=cis.slug) == [session.pk]


ORGANIZATION_MATCHES = [
    ("partnerships", lambda org: PartnershipPartyFactory(country=None, organization=org).partnership),
    ("councils", lambda org: CouncilFactory(organization=org)),
    ("people", lambda org: PositionFactory(organization=org).person),
]


@pytest.mark.parametrize(("resource", "make_match"), ORGANIZATION_MATCHES)
def test_organization_filter_of_other_resources(api, db, resource, make_match):
    organization = OrganizationFactory()
    match = make_match(organization)
    make_match(OrganizationFactory())

    assert ids(api, resource, organization=organization.slug) == [match.pk]


@pytest.mark.parametrize("parameter", ["organization", "person"])
def test_unpublished_or_unknown_participant_is_a_400_for_anonymous(api, staff_api, db, parameter):
    factories = {"organization": OrganizationFactory, "person": PersonFactory}
    draft = factories[parameter](status=Status.DRAFT)

    hidden = api.get(f"{API}/events/", {parameter: draft.slug})
    unknown = api.get(f"{API}/events/", {parameter: "no-such-slug"})

    assert hidden.status_code == unknown.status_code == 400
    assert list(hidden.json()) == [parameter]
    assert staff_api.get(f"{API}/events/", {parameter: draft.slug}).status_code == 200


@pytest.mark.parametrize("resource", ["sessions", "events"])
def test_council_filter(api, db, resource):
    council = CouncilFactory()
    match = CouncilSessionFactory(council=council)
    CouncilSessionFactory()
    MeetingFactory()

    assert ids(api, resource, council=council.slug) == [match.pk]


def test_operation_metric_filter(api, db):
    match = JointOperationFactory()
    OutcomeFactory(event=match)  # crimes solved
    OutcomeFactory(event=match, value=224)
    OutcomeFactory(event=JointOperationFactory(), metric__slug="small-arms-seized")

    assert ids(api, "operations", metric="crimes-solved") == [match.pk]


@pytest.fixture
def figures(db):
    """Two operations: few crimes solved but many detained; many crimes solved."""
    mixed, crimes = JointOperationFactory(), JointOperationFactory()
    OutcomeFactory(event=mixed, value=10)  # crimes solved
    OutcomeFactory(event=mixed, value=500, metric=MetricFactory(slug="persons-detained"))
    OutcomeFactory(event=crimes, value=600)
    OutcomeFactory(event=crimes, value=600)  # a second source's figure: still listed once
    JointOperationFactory()  # no figures
    return SimpleNamespace(mixed=mixed, crimes=crimes)


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"metric": "crimes-solved", "value_min": "100"}, ["crimes"]),  # the mixed one's ≥ 100 is another metric
        ({"metric": "crimes-solved", "value_min": "10"}, ["mixed", "crimes"]),
        ({"metric": "persons-detained", "value_min": "500"}, ["mixed"]),
        ({"value_min": "550"}, ["crimes"]),
        ({"value_min": "100.5"}, ["mixed", "crimes"]),
        ({"value_min": "0"}, ["mixed", "crimes"]),
        ({"metric": "crimes-solved", "value_min": "601"}, []),
    ],
)
def test_operation_figure_filters_hold_for_one_and_the_same_figure(api, figures, params, found):
    expected = sorted(getattr(figures, name).pk for name in found)

    assert sorted(ids(api, "operations", **params)) == expected


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


# filters combine -----------------------------------------------------------------------------------------------------


def test_filters_combine(api, db):
    match = participant(JointOperationFactory(date="2005-41"), country=ukraine())
    OutcomeFactory(event=match)
    participant(JointOperationFactory(date="2006-04-21"), country=ukraine())  # outside the dates
    OutcomeFactory(event=JointOperationFactory(date="2005-41"))  # not with Ukraine
    participant(MeetingFactory(date="2005-41"), country=ukraine())  # not an operation

    assert ids(api, "operations", country="UA", metric="crimes-solved", **YEAR_2005) == [match.pk]
    assert ids(api, "events", country="UA", kind="operation", **YEAR_2005) == [match.pk]


# Every list offers the parameters it should, and none takes a bad value silently --------------------------------------

COMMON = {"status", "updated_since", "search", "ordering"}
UNCERTAIN_DATES = {"date_after", "date_before", "date_mode"}
EVENT = COMMON | UNCERTAIN_DATES | {"country", "organization", "person", "topic"}
REFERENCE = {"search", "ordering"}
# The contract (DESIGN.md, the filters module's docstring): a resource registered without a row here, or a
# FilterSet that loses or gains a parameter, fails the test below.
PARAMETERS = {
    "events": EVENT | {"kind", "council"},
    "sessions": EVENT | {"council"},
    "operations": EVENT | {"metric", "value_min"},
    "exercises": EVENT | {"kind"},
    "meetings": EVENT | {"kind"},
    "statements": EVENT | {"kind"},
    "partnerships": COMMON | UNCERTAIN_DATES | {"country", "organization", "kind", "stage", "topic"},
    "organizations": COMMON | {"country", "kind"},
    "councils": COMMON | {"country", "organization"},
    "people": COMMON | {"country", "organization"},
    "sources": COMMON | {"country", "kind"},
    "documents": COMMON | {"country", "kind", "source", "date_after", "date_before"},
    "countries": REFERENCE,
    "topics": REFERENCE,
    "metrics": REFERENCE,
    "deleted": {"since", "resource", "ordering"},
}
BAD_VALUES = {
    "country": "XX",
    "organization": "no-such-slug",
    "person": "no-such-slug",
    "council": "no-such-slug",
    "source": "no-such-slug",
    "topic": "no-such-slug",
    "metric": "no-such-slug",
    "kind": "nonsense",
    "stage": "nonsense",
    "status": "nonsense",
    "resource": "nonsense",
    "date_mode": "maybe",
    "date_after": "late 2005",
    "date_before": "2005-13-01",
    "updated_since": "yesterday",
    "since": "yesterday",
    "value_min": "many",
    "ordering": "secret_field",
}
ANY_VALUE = {"search"}  # free text: nothing to reject


def offered(viewset) -> set[str]:
    """The query parameters a list view takes: its FilterSet's, and ``ordering`` where it has ordering fields."""
    parameters = set(viewset.filterset_class.base_filters)
    if filters.StrictOrderingFilter in viewset.filter_backends and viewset.ordering_fields:
        parameters.add("ordering")
    return parameters


def test_every_list_resource_has_a_row_in_the_parameter_table():
    assert {prefix for prefix, _, _ in router.registry} == set(PARAMETERS)


@pytest.mark.parametrize(("resource", "viewset"), [(prefix, viewset) for prefix, viewset, _ in router.registry])
def test_every_list_offers_exactly_its_parameters(resource, viewset):
    parameters = offered(viewset)

    assert not PARAMETERS[resource] - parameters, f"/{resource}/ lacks {sorted(PARAMETERS[resource] - parameters)}"
    assert not parameters - PARAMETERS[resource], f"/{resource}/ has undocumented {parameters - PARAMETERS[resource]}"


@pytest.mark.parametrize(
    ("resource", "parameter"),
    [
        (resource, parameter)
        for resource, parameters in PARAMETERS.items()
        for parameter in sorted(parameters - ANY_VALUE)
    ],
)
def test_a_bad_value_of_any_parameter_is_a_400_naming_it(api, db, resource, parameter):
    params = {parameter: BAD_VALUES[parameter]}
    if resource == "deleted" and parameter != "since":
        params["since"] = "2006-01-01T00:00:00Z"  # required there

    response = api.get(f"{API}/{resource}/", params)

    assert response.status_code == 400, response.content
    assert list(response.json()) == [parameter]
    assert all(isinstance(message, str) and message for message in response.json()[parameter])


def test_a_list_without_filter_parameters_builds_no_filterset(api, article, monkeypatch):
    built = []
    original = filters.EventFilterSet.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(filters.EventFilterSet, "__init__", counting)

    assert api.get("/api/v1/events/", {"page_size": 5}).status_code == 200
    assert built == []
    assert api.get("/api/v1/events/", {"country": "UA"}).status_code == 200
    assert built == [1]
