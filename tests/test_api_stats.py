"""``/api/v1/stats/``: the aggregates, checked against numbers worked out by hand from the seed article.

The article's events (fixtures/edm-2006-v3-i79.yaml), with the countries taking part
(directly, or through an organization's or a person's country):

    session    cis-interior-ministers-dushanbe-2006    2006-04-21/22  TJ RU (Nurgaliev RU, Oqilov TJ, Sharipov TJ)
    statement  putin-message-…                         2006-04-21     RU (Putin, Nurgaliev)
    statement  oqilov-speech-…                         2006-04-21/22  TJ
    statement  sharipov-speech-…                       2006-04-21/22  TJ
    operation  passenger-2005                          2005-41        RU UA
    operation  arsenal                                 ../2006-04-21  — (the CIS has no country)
    meeting    nurgaliev-rahmonov-meeting-2006         2006-04-21/22  TJ RU
    exercise   cis-anti-terror-exercises-2006-04-22    2006-04-22     RU BY TJ AM
    meeting    boldyrev-visit-tajikistan-2006          2006-04~       RU TJ (Boldyrev RU, 201st base RU)
    meeting    khayrulloyev-boldyrev-talks-2006        2006-04~       TJ RU
    statement  rahmonov-state-of-the-nation-address…   2006-04-20     TJ RU CN US (CSTO: no country)

Figures: Passenger 585 crimes solved, 224 persons detained (6 of them a subset); Arsenal
10,000 small arms, 200 kg explosives, 7,250 persons wanted (214 of them a subset); the
Tajikistan-Russia strategic partnership a projected USD 2.5 billion investment.
Partnerships: TJ-RU strategic, TJ-RU military-technical, TJ-US security, US → Tajik
border guard service (an organization) assistance, TJ-CN economic.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.choices import EventKind, PartnershipKind, Role, Status
from cooperation.models import Country, Partnership
from tests.factories import (
    CountryFactory,
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
)

STATS = "/api/v1/stats"
AGGREGATES = ("events-by-kind", "events-by-year", "events-by-country", "outcome-totals", "network")

ARTICLE_KINDS = {"session": 1, "operation": 2, "exercise": 1, "meeting": 3, "statement": 4}
ARTICLE_COUNTRIES = {"RU": 8, "TJ": 8, "AM": 1, "BY": 1, "CN": 1, "UA": 1, "US": 1}
ARTICLE_EVENT_TOTALS = {
    ("crimes-solved", "crimes"): 585,
    ("persons-detained", "persons"): 224,  # not 230: the six wanted ones are part of the 224
    ("small-arms-seized", "weapons"): 10000,
    ("explosives-seized", "kg"): 200,
    ("persons-wanted", "persons"): 7250,  # not 7464: the 214 in CIS countries are part of the 7,250
}
ARTICLE_PARTNERSHIP_TOTALS = {("investment", "USD"): 2500000000}
# Pairs of countries in the same event; RU-TJ share the session, the Nurgaliev-Rahmonov meeting,
# the exercises, Boldyrev's visit, his talks and Rahmonov's address.
ARTICLE_CO_PARTICIPATION = {
    ("RU", "TJ"): 6,
    ("RU", "UA"): 1,
    **dict.fromkeys([("AM", "BY"), ("AM", "RU"), ("AM", "TJ"), ("BY", "RU"), ("BY", "TJ")], 1),
    **dict.fromkeys([("CN", "RU"), ("CN", "TJ"), ("CN", "US"), ("RU", "US"), ("TJ", "US")], 1),
}
ARTICLE_PARTNERSHIP_EDGES = {
    ("country:RU", "country:TJ"): {
        "tajikistan-russia-strategic-partnership",
        "tajikistan-russia-military-technical-cooperation",
    },
    ("country:TJ", "country:US"): {"tajikistan-united-states-security-partnership"},
    ("country:US", "organization:tajikistan-border-guard-service"): {"united-states-assistance-tajik-border-guards"},
    ("country:CN", "country:TJ"): {"tajikistan-china-partnership"},
}


def stats(client, name: str, **params):
    response = client.get(f"{STATS}/{name}/", params)
    assert response.status_code == 200, response.content
    return response.json()


def kinds(client, **params) -> dict[str, int]:
    return {row["kind"]: row["count"] for row in stats(client, "events-by-kind", **params)["results"]}


def years(client, **params) -> dict[int | None, int]:
    return {row["year"]: row["count"] for row in stats(client, "events-by-year", **params)["results"]}


def countries(client, **params) -> dict[str, int]:
    return {row["country"]["code"]: row["count"] for row in stats(client, "events-by-country", **params)["results"]}


def totals(client, **params) -> dict[tuple[str, str], int | float]:
    rows = stats(client, "outcome-totals", **params)["results"]
    return {(row["metric"]["slug"], row["unit"]): row["total"] for row in rows}


def edges(client, edge_kind: str, /, **params) -> dict[tuple[str, str], dict]:
    network = stats(client, "network", **params)
    return {(e["source"], e["target"]): e for e in network["edges"] if e["kind"] == edge_kind}


def co_participation(client, **params) -> dict[tuple[str, str], int]:
    pairs = edges(client, "co-participation", **params)
    return {(a.removeprefix("country:"), b.removeprefix("country:")): e["weight"] for (a, b), e in pairs.items()}


def partnership_edges(client, **params) -> dict[tuple[str, str], set[str]]:
    slugs = dict(Partnership.objects.values_list("pk", "slug"))
    pairs = edges(client, "partnership", **params)
    for edge in pairs.values():
        assert edge["weight"] == len(edge["partnerships"])
    return {pair: {slugs[pk] for pk in edge["partnerships"]} for pair, edge in pairs.items()}


# Index ---------------------------------------------------------------------------------------------------------------


def test_index_links_every_aggregate(api, db):
    response = api.get(f"{STATS}/")
    assert response.status_code == 200
    index = response.json()

    assert list(index) == list(AGGREGATES)
    for name, url in index.items():
        assert url == f"http://testserver{STATS}/{name}/"
        assert api.get(url).status_code == 200


# Events by kind, year, country ---------------------------------------------------------------------------------------


def test_events_by_kind_lists_every_kind_with_the_article_counts(api, article):
    rows = stats(api, "events-by-kind")["results"]

    assert rows == [{"kind": kind, "label": label, "count": ARTICLE_KINDS[kind]} for kind, label in EventKind.choices]


def test_events_by_year_counts_uncertain_dates_in_the_year_they_may_start(api, article):
    rows = stats(api, "events-by-year")["results"]

    # Passenger (“late 2005”, 2005-41) counts in 2005; Arsenal (../2006-04-21) has no start: year null, last.
    assert rows == [{"year": 2005, "count": 1}, {"year": 2006, "count": 9}, {"year": None, "count": 1}]


def test_events_by_country_counts_each_event_once_per_country_taking_part(api, article):
    rows = stats(api, "events-by-country")["results"]

    assert {row["country"]["code"]: row["count"] for row in rows} == ARTICLE_COUNTRIES
    assert [row["count"] for row in rows] == sorted(ARTICLE_COUNTRIES.values(), reverse=True)
    names = dict(Country.objects.values_list("code", "name"))
    assert all(row["country"]["name"] == names[row["country"]["code"]] for row in rows)


def test_a_country_takes_part_directly_or_through_its_organizations_and_people(api, db):
    ukraine = CountryFactory(code="UA")
    operation = JointOperationFactory()
    ParticipationFactory(event=operation, country=ukraine)
    ParticipationFactory(event=operation, country=None, organization=OrganizationFactory(country=ukraine))
    ParticipationFactory(event=operation, country=None, person=PersonFactory(country=ukraine))
    ParticipationFactory(event=JointOperationFactory(), country=None, person=PersonFactory(country=ukraine))
    ParticipationFactory(event=MeetingFactory(), country=None, organization=OrganizationFactory(country=None))
    ExerciseFactory(place_country=CountryFactory(code="TJ"))  # hosted, nobody recorded as taking part

    assert countries(api) == {"UA": 2}


def test_a_country_in_several_roles_counts_once_per_event(api, db):
    # Host and participant, and through its minister too: one event for Tajikistan, one shared with Russia.
    tajikistan, russia = CountryFactory(code="TJ"), CountryFactory(code="RU")
    exercise = ExerciseFactory()
    ParticipationFactory(event=exercise, country=tajikistan, role=Role.HOST)
    ParticipationFactory(event=exercise, country=tajikistan, role=Role.PARTICIPANT)
    ParticipationFactory(event=exercise, country=None, person=PersonFactory(country=tajikistan))
    ParticipationFactory(event=exercise, country=russia)

    assert countries(api) == {"TJ": 1, "RU": 1}
    assert co_participation(api) == {("RU", "TJ"): 1}


# Outcome totals ------------------------------------------------------------------------------------------------------


def test_outcome_totals_add_the_events_figures_that_count(api, article):
    rows = stats(api, "outcome-totals")["results"]

    assert {(row["metric"]["slug"], row["unit"]): row["total"] for row in rows} == ARTICLE_EVENT_TOTALS
    assert all(type(row["total"]) is int for row in rows)
    assert {(row["figures"], row["events"], row["partnerships"]) for row in rows} == {(1, 1, 0)}
    assert [row["metric"]["name"] for row in rows] == sorted(row["metric"]["name"] for row in rows)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("events", ARTICLE_EVENT_TOTALS),
        ("partnerships", ARTICLE_PARTNERSHIP_TOTALS),
        ("all", {**ARTICLE_EVENT_TOTALS, **ARTICLE_PARTNERSHIP_TOTALS}),
    ],
)
def test_partnership_figures_count_only_when_asked_for(api, article, subject, expected):
    assert totals(api, subject=subject) == expected


def test_outcome_totals_restricted_to_one_metric(api, article):
    assert totals(api, metric="persons-wanted") == {("persons-wanted", "persons"): 7250}


def test_outcome_totals_say_how_many_figures_the_source_qualified(api, article):
    rows = {row["metric"]["slug"]: row for row in stats(api, "outcome-totals", subject="all")["results"]}

    # “more than 200 kilograms of explosives”; Russian investment “could reach” $2.5 billion.
    assert rows["explosives-seized"]["inexact"] == 1
    assert rows["investment"]["inexact"] == 1
    assert rows["crimes-solved"]["inexact"] == 0


def test_outcome_totals_keep_units_apart_and_leave_out_subsets_and_contradicted_figures(api, db):
    explosives = MetricFactory(slug="explosives-seized")
    operation = JointOperationFactory()
    total = OutcomeFactory(event=operation, metric=explosives, value=Decimal("200.5"), unit="kg")
    OutcomeFactory(event=operation, metric=explosives, value=20, unit="kg", part_of=total)
    OutcomeFactory(event=operation, metric=explosives, value=1000, unit="kg", counts=False)
    OutcomeFactory(event=JointOperationFactory(), metric=explosives, value=50, unit="kg")
    OutcomeFactory(event=operation, metric=explosives, value=3, unit="tonnes")

    rows = stats(api, "outcome-totals")["results"]

    assert [(row["unit"], row["total"], row["figures"], row["events"]) for row in rows] == [
        ("kg", 250.5, 2, 2),
        ("tonnes", 3, 1, 1),
    ]


# Network -------------------------------------------------------------------------------------------------------------


def test_network_partnership_edges_join_the_parties_of_each_partnership(api, article):
    assert partnership_edges(api) == ARTICLE_PARTNERSHIP_EDGES


def test_network_co_participation_edges_count_shared_events(api, article):
    assert co_participation(api) == ARTICLE_CO_PARTICIPATION


def test_network_nodes_are_the_ends_of_the_edges(api, article):
    nodes = {node["id"]: node for node in stats(api, "network")["nodes"]}

    # Distinct neighbours over both kinds of edge, e.g. the US: TJ (both), the border guards, CN and RU.
    degrees = {"RU": 6, "TJ": 5, "US": 4, "CN": 3, "AM": 3, "BY": 3, "UA": 1}
    assert {key: node["degree"] for key, node in nodes.items()} == {
        **{f"country:{code}": degree for code, degree in degrees.items()},
        "organization:tajikistan-border-guard-service": 1,
    }
    assert nodes["country:UA"] == {"id": "country:UA", "type": "country", "code": "UA", "name": "Ukraine", "degree": 1}
    assert nodes["organization:tajikistan-border-guard-service"] == {
        "id": "organization:tajikistan-border-guard-service",
        "type": "organization",
        "slug": "tajikistan-border-guard-service",
        "name": "Border guard service of Tajikistan",
        "degree": 1,
    }


def test_network_edges_are_unordered_pairs_listed_once(api, db):
    # Three parties entered out of order, in two partnerships: each pair is one edge, source < target, weight 2.
    organization = OrganizationFactory(slug="a-org")
    for _ in range(2):
        partnership = PartnershipFactory()
        PartnershipPartyFactory(partnership=partnership, country=CountryFactory(code="US"))
        PartnershipPartyFactory(partnership=partnership, country=None, organization=organization)
        PartnershipPartyFactory(partnership=partnership, country=CountryFactory(code="CN"))

    network = stats(api, "network")

    assert [(e["source"], e["target"], e["weight"]) for e in network["edges"]] == [
        ("country:CN", "country:US", 2),
        ("country:CN", "organization:a-org", 2),
        ("country:US", "organization:a-org", 2),
    ]


def test_network_min_weight_keeps_the_strong_edges_and_their_ends(api, article):
    network = stats(api, "network", min_weight=2)

    # RU and TJ share six events and two partnerships; every other pair is joined once.
    assert [(e["source"], e["target"], e["kind"], e["weight"]) for e in network["edges"]] == [
        ("country:RU", "country:TJ", "co-participation", 6),
        ("country:RU", "country:TJ", "partnership", 2),
    ]
    assert [(node["id"], node["degree"]) for node in network["nodes"]] == [("country:RU", 1), ("country:TJ", 1)]
    assert stats(api, "network", min_weight=1) == stats(api, "network")


# The lists' filters --------------------------------------------------------------------------------------------------

ARTICLE_FILTERS = [
    pytest.param(kinds, {"country": "UA"}, {**dict.fromkeys(ARTICLE_KINDS, 0), "operation": 1}, id="kind-by-country"),
    pytest.param(
        years,
        {"date_after": "2005-01-01", "date_before": "2005-12-31"},
        {2005: 1, None: 1},  # Passenger, and Arsenal, which may have happened any time before April 2006
        id="year-by-overlap",
    ),
    pytest.param(
        years,
        {"date_after": "2005-01-01", "date_before": "2005-12-31", "date_mode": "within"},
        {2005: 1},
        id="year-within",
    ),
    pytest.param(countries, {"kind": "exercise"}, dict.fromkeys(["AM", "BY", "RU", "TJ"], 1), id="country-by-kind"),
    pytest.param(countries, {"person": "vladimir-boldyrev"}, {"RU": 2, "TJ": 2}, id="country-by-person"),
    pytest.param(
        totals,
        {"country": "UA"},  # only Passenger's figures
        {("crimes-solved", "crimes"): 585, ("persons-detained", "persons"): 224},
        id="totals-by-country",
    ),
    pytest.param(
        totals,
        {"search": "arsenal"},  # the session's summary names Arsenal too, but has no figures
        {
            ("small-arms-seized", "weapons"): 10000,
            ("explosives-seized", "kg"): 200,
            ("persons-wanted", "persons"): 7250,
        },
        id="totals-by-search",
    ),
    pytest.param(
        totals,
        {"subject": "partnerships", "kind": "strategic"},
        ARTICLE_PARTNERSHIP_TOTALS,
        id="partnership-totals-by-kind",
    ),
    pytest.param(
        totals, {"subject": "partnerships", "kind": "security"}, {}, id="partnership-totals-by-kind-without-figures"
    ),
    pytest.param(co_participation, {"country": "UA"}, {("RU", "UA"): 1}, id="co-participation-by-country"),
    pytest.param(partnership_edges, {"country": "UA"}, {}, id="partnerships-by-country"),
    pytest.param(
        partnership_edges,
        {"edges": "partnership", "kind": "security"},
        {("country:TJ", "country:US"): {"tajikistan-united-states-security-partnership"}},
        id="partnerships-by-kind",
    ),
    pytest.param(co_participation, {"edges": "partnership"}, {}, id="partnership-edges-only"),
    pytest.param(partnership_edges, {"edges": "co-participation"}, {}, id="co-participation-edges-only"),
]


@pytest.mark.parametrize(("aggregate", "params", "expected"), ARTICLE_FILTERS)
def test_aggregates_take_the_lists_filters(api, article, aggregate, params, expected):
    assert aggregate(api, **params) == expected


BAD_PARAMETERS = [
    *((name, {"country": "XX"}, "country") for name in AGGREGATES),
    *((name, {"date_after": "2005-13-01"}, "date_after") for name in AGGREGATES),
    *((name, {"status": "lost"}, "status") for name in AGGREGATES),
    ("events-by-kind", {"kind": "battle"}, "kind"),
    ("events-by-country", {"organization": "no-such-body"}, "organization"),
    ("outcome-totals", {"subject": "people"}, "subject"),
    ("outcome-totals", {"metric": "no-such-metric"}, "metric"),
    ("outcome-totals", {"subject": "partnerships", "stage": "forever"}, "stage"),
    ("outcome-totals", {"subject": "all", "kind": "operation"}, "kind"),  # not a partnership kind
    ("network", {"edges": "friendship"}, "edges"),
    ("network", {"min_weight": "0"}, "min_weight"),
    ("network", {"kind": "security"}, "kind"),  # a partnership kind, but co-participation edges read event kinds
]


@pytest.mark.parametrize(("name", "params", "parameter"), BAD_PARAMETERS)
def test_a_bad_parameter_is_a_400_naming_it(api, db, name, params, parameter):
    response = api.get(f"{STATS}/{name}/", params)

    assert response.status_code == 400
    assert list(response.json()) == [parameter]


@pytest.mark.parametrize(
    ("name", "params", "resource"),
    [
        ("events-by-kind", {"country": "XX", "date_before": "yesterday"}, "events"),
        ("outcome-totals", {"topic": "no-such-topic"}, "events"),
        ("outcome-totals", {"subject": "partnerships", "kind": "operation"}, "partnerships"),
        ("network", {"edges": "partnership", "updated_since": "soon"}, "partnerships"),
    ],
)
def test_a_bad_filter_value_is_the_same_400_as_on_the_list(api, db, name, params, resource):
    response = api.get(f"{STATS}/{name}/", params)
    on_the_list = api.get(f"/api/v1/{resource}/", params)

    assert response.status_code == on_the_list.status_code == 400
    assert response.json() == on_the_list.json()


# Visibility ----------------------------------------------------------------------------------------------------------


def test_anonymous_clients_do_not_count_drafts(api, staff_api, article):
    draft = JointOperationFactory(status=Status.DRAFT, date="2007-03")
    OutcomeFactory(event=draft, metric=MetricFactory(slug="crimes-solved"), value=15)
    ParticipationFactory(event=draft, country=CountryFactory(code="UA"))
    ParticipationFactory(event=draft, country=CountryFactory(code="US"))
    hidden = PartnershipFactory(status=Status.DRAFT, kind=PartnershipKind.ECONOMIC)
    OutcomeFactory(event=None, partnership=hidden, metric=MetricFactory(slug="investment"), value=1000, unit="USD")
    PartnershipPartyFactory(partnership=hidden, country=CountryFactory(code="UA"))
    PartnershipPartyFactory(partnership=hidden, country=CountryFactory(code="US"))

    assert totals(api, subject="all") == {**ARTICLE_EVENT_TOTALS, **ARTICLE_PARTNERSHIP_TOTALS}
    assert kinds(api) == ARTICLE_KINDS
    assert 2007 not in [row["year"] for row in stats(api, "events-by-year")["results"]]
    assert countries(api) == ARTICLE_COUNTRIES
    assert ("UA", "US") not in co_participation(api)
    assert ("country:UA", "country:US") not in partnership_edges(api)

    assert totals(staff_api, subject="all") == {
        **ARTICLE_EVENT_TOTALS,
        ("crimes-solved", "crimes"): 585 + 15,
        ("investment", "USD"): 2500000000 + 1000,
    }
    assert kinds(staff_api) == {**ARTICLE_KINDS, "operation": 3}
    assert {"year": 2007, "count": 1} in stats(staff_api, "events-by-year")["results"]
    assert countries(staff_api) == {**ARTICLE_COUNTRIES, "UA": 2, "US": 2}
    assert co_participation(staff_api)[("UA", "US")] == 1
    assert partnership_edges(staff_api)[("country:UA", "country:US")] == {hidden.slug}


# Query counts --------------------------------------------------------------------------------------------------------


def add_cooperation(n: int):
    """``n`` more events and partnerships, each with participants, figures and parties."""
    codes = ["RU", "TJ", "UA", "BY", "AM", "KZ"]
    for i in range(n):
        operation = JointOperationFactory(date=f"{2000 + i}-05")
        for code in codes[i % 3 : i % 3 + 3]:
            ParticipationFactory(event=operation, country=CountryFactory(code=code))
        ParticipationFactory(event=operation, country=None, person=PersonFactory(country=CountryFactory(code="KZ")))
        OutcomeFactory(event=operation, metric=MetricFactory(slug="crimes-solved"), value=10 + i)
        OutcomeFactory(event=operation, metric=MetricFactory(slug=("persons-detained", "small-arms-seized")[i % 2]))
        partnership = PartnershipFactory()
        PartnershipPartyFactory(partnership=partnership, country=CountryFactory(code=codes[i % len(codes)]))
        PartnershipPartyFactory(partnership=partnership, country=None, organization=OrganizationFactory())
        OutcomeFactory(event=None, partnership=partnership, metric=MetricFactory(slug="investment"), value=100)


QUERY_BUDGETS = [
    ("events-by-kind", {}, 1),
    ("events-by-year", {}, 1),
    ("events-by-country", {}, 1),
    ("outcome-totals", {"subject": "all"}, 1),
    ("network", {}, 2),  # one per kind of edge
    ("network", {"country": "RU"}, 4),  # and the country looked up by each list's FilterSet
]


@pytest.mark.parametrize(("name", "params", "budget"), QUERY_BUDGETS)
def test_aggregates_answer_in_a_fixed_number_of_queries(api, db, name, params, budget):
    add_cooperation(1)
    with CaptureQueriesContext(connection) as few:
        few_rows = stats(api, name, **params)
    add_cooperation(6)
    with CaptureQueriesContext(connection) as many:
        many_rows = stats(api, name, **params)

    assert many_rows != few_rows, "the second call sees more data"
    assert len(few) == len(many) == budget
