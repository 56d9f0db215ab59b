"""``?search=``: every word must match one of the record's texts (``cooperation.search``).

On PostgreSQL a word matches the start of a word of the text (full-text search through GIN
indexes); on SQLite any part of it. Most tests hold on both; those marked ``postgres_only``
pin down what only full-text search does, and that its indexes serve every search.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.api import filters
from cooperation.models import (
    Council,
    CouncilSession,
    Country,
    Document,
    Event,
    Exercise,
    JointOperation,
    Meeting,
    Metric,
    Organization,
    Partnership,
    Person,
    Source,
    Statement,
    Topic,
)
from cooperation.search import SearchIndex, words
from tests.factories import (
    CitationFactory,
    CouncilSessionFactory,
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
    ProposalFactory,
    StatementFactory,
)

API = "/api/v1"
POSTGRES = connection.vendor == "postgresql"
postgres_only = pytest.mark.skipif(not POSTGRES, reason="full-text search and its indexes are PostgreSQL's")

# Every FilterSet with a ``search`` parameter, and the model it filters.
# The event resources search their events' stored texts (``selectors.facets.matching``); the others their own texts.
EVENT_SEARCHES = [
    (filters.EventFilterSet, Event),
    (filters.CouncilSessionFilterSet, CouncilSession),
    (filters.JointOperationFilterSet, JointOperation),
    (filters.ExerciseFilterSet, Exercise),
    (filters.MeetingFilterSet, Meeting),
    (filters.StatementFilterSet, Statement),
]
SEARCHES = [
    (filters.PartnershipFilterSet, Partnership),
    (filters.OrganizationFilterSet, Organization),
    (filters.CouncilFilterSet, Council),
    (filters.PersonFilterSet, Person),
    (filters.SourceFilterSet, Source),
    (filters.DocumentFilterSet, Document),
    (filters.CountryFilterSet, Country),
    (filters.VocabularyFilterSet, Topic),
    (filters.VocabularyFilterSet, Metric),
]


def ids(client, resource: str, **params) -> list[int]:
    response = client.get(f"{API}/{resource}/", {"page_size": 200, **params})
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


def participant(event, **target):
    ParticipationFactory(event=event, **{"country": None, **target})
    return event


def rahmon():
    """A person known by several spellings, one of them Cyrillic."""
    person = PersonFactory(name="Emomali Rahmon")
    PersonNameFactory(person=person, name="Imomali Rakhmonov")
    PersonNameFactory(person=person, name="Эмомали Рахмон")
    return person


# Words ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  rahm  &  o'brien ", ["rahm", "o'brien"]),
        ("Asia-Plus (TV)", ["Asia-Plus", "(TV)"]),
        ("&|!():*'\\ <->", []),
        ("", []),
    ],
)
def test_a_search_is_split_into_words_and_punctuation_alone_is_not_one(value, expected):
    assert words(value) == expected


# What a word matches -------------------------------------------------------------------------------------------------


def test_a_word_matches_the_start_of_a_word_whatever_its_case(api, db):
    meeting = MeetingFactory(title="Rahmonov receives Nurgaliev")
    MeetingFactory(title="Talks")

    assert ids(api, "events", search="rahm") == [meeting.pk]
    assert ids(api, "meetings", search="RECEIVES nurg") == [meeting.pk]


def test_only_sqlite_matches_inside_a_word(api, db):
    meeting = MeetingFactory(title="Rahmonov receives Nurgaliev")

    assert ids(api, "events", search="monov") == ([] if POSTGRES else [meeting.pk])


def test_every_word_must_match_each_in_any_of_the_texts(api, db):
    meeting = participant(MeetingFactory(title="Talks in Dushanbe"), person=PersonFactory(name="Imomali Rahmonov"))
    CitationFactory(event=meeting, quote="a balanced strategic partnership")
    MeetingFactory(title="Talks in Moscow")

    assert ids(api, "events", search="talks rahmonov balanced") == [meeting.pk]  # title, participant, quote
    assert ids(api, "events", search="talks rahmonov moscow") == []


@pytest.mark.parametrize("term", ["rahmon", "Rakhmonov", "imomali", "Рахмон"])
def test_any_spelling_of_a_name_finds_the_person_and_the_events_they_take_part_in(api, db, term):
    person = rahmon()
    statement = participant(StatementFactory(), person=person)
    participant(StatementFactory(), person=PersonFactory(name="Rashid Nurgaliev"))

    assert ids(api, "people", search=term) == [person.pk]
    assert ids(api, "events", search=term) == [statement.pk]
    assert ids(api, "statements", search=term) == [statement.pk]


def test_an_abbreviation_finds_the_organization_its_events_and_partnerships(api, db):
    csto = OrganizationFactory(name="Collective Security Treaty Organization", abbreviation="CSTO")
    exercise = participant(ExerciseFactory(), organization=csto)
    partnership = PartnershipPartyFactory(country=None, organization=csto).partnership
    sco = OrganizationFactory(name="Shanghai Cooperation Organisation", abbreviation="SCO")
    participant(ExerciseFactory(), organization=sco)
    PartnershipPartyFactory(country=None, organization=sco)

    assert ids(api, "organizations", search="csto") == [csto.pk]
    assert ids(api, "events", search="csto") == [exercise.pk]
    assert ids(api, "exercises", search="collective security") == [exercise.pk]
    assert ids(api, "partnerships", search="csto") == [partnership.pk]


@pytest.mark.parametrize(
    ("resource", "cite"),
    [
        ("events", lambda quote: CitationFactory(event=MeetingFactory(), quote=quote).event),
        (
            "events",
            lambda quote: (
                CitationFactory(
                    event=None, participation=ParticipationFactory(event=MeetingFactory()), quote=quote
                ).participation.event
            ),
        ),
        (
            "operations",
            lambda quote: CitationFactory(event=None, outcome=OutcomeFactory(), quote=quote).outcome.event,
        ),
        (
            "sessions",
            lambda quote: CitationFactory(event=None, proposal=ProposalFactory(), quote=quote).proposal.session,
        ),
        (
            "partnerships",
            lambda quote: CitationFactory(event=None, partnership=PartnershipFactory(), quote=quote).partnership,
        ),
    ],
)
def test_a_citations_quote_finds_the_record_it_supports(api, db, resource, cite):
    record = cite("Some 7,250 persons on the wanted list")
    cite("In all, 585 crimes were solved.")

    assert ids(api, resource, search="wanted 7,250") == [record.pk]


def test_operations_are_found_on_the_timeline_by_code_name_and_aim(api, db):
    passenger = JointOperationFactory(code_name="Passenger", aim="Illegal migration")
    JointOperationFactory(code_name="Arsenal", aim="Illegal arms")
    CouncilSessionFactory(title="Session on migration")

    assert ids(api, "events", search="passenger") == [passenger.pk]
    assert ids(api, "events", search="illegal migr") == [passenger.pk]


# Characters of the tsquery syntax ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["&|!():*'\\", "rahm:*", "(rahmonov)", "'rahmonov'", "rahmonov\\", "!rahm | nurg", "a<->b", "a''b", "%_"]
)
def test_query_syntax_characters_are_a_plain_search_not_an_error(api, db, value):
    participant(MeetingFactory(), person=rahmon())

    response = api.get(f"{API}/events/", {"search": value})

    assert response.status_code == 200, response.content


def test_punctuation_alone_searches_nothing(api, db):
    meetings = sorted(MeetingFactory().pk for _ in range(2))

    assert ids(api, "events", search="&|!():*'\\ --") == meetings


def test_an_apostrophe_in_a_name_is_searched_as_written(api, db):
    person = PersonFactory(name="Patrick O'Brien")
    PersonFactory(name="Patrick Brien")

    assert ids(api, "people", search="o'brien") == [person.pk]


@postgres_only
@pytest.mark.parametrize("value", ["rahm:*", "(rakhmonov)", "'Rakhmonov'", "rakhmonov\\", "!rahm", "ЭМОМАЛИ"])
def test_punctuation_around_a_word_is_ignored_as_in_the_text(api, db, value):
    meeting = participant(MeetingFactory(), person=rahmon())
    MeetingFactory()

    assert ids(api, "events", search=value) == [meeting.pk]


# Cost ----------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", ["events", "operations", "people"])
def test_a_search_costs_no_extra_query(api, db, resource):
    participant(JointOperationFactory(), person=rahmon())

    def queries(**params) -> tuple[int, list[int]]:
        with CaptureQueriesContext(connection) as captured:
            listed = ids(api, resource, **params)
        return len(captured), listed

    searched, everything = queries(search="rahmon"), queries()
    assert searched[1] == everything[1]  # the same page, so the same prefetching
    assert searched[0] == everything[0]


@pytest.mark.parametrize(("filterset", "model"), SEARCHES)
def test_every_text_a_search_reads_in_place_has_its_index(filterset, model):
    """The texts of the record itself; those of other tables (names, quotes) are covered by the EXPLAIN test below."""
    for entry in filterset.base_filters["search"].search_fields:
        if callable(entry):
            continue
        table = model._meta.get_field(entry[0]).model
        indexed = [index.search_fields for index in table._meta.indexes if isinstance(index, SearchIndex)]
        assert entry in indexed, f"{table.__name__} has no SearchIndex{entry}"


def test_a_search_index_survives_a_migration_round_trip():
    index = next(index for index in Organization._meta.indexes if isinstance(index, SearchIndex))
    path, args, kwargs = index.deconstruct()

    assert path == "cooperation.search.SearchIndex"
    assert SearchIndex(*args, **kwargs) == index


def test_a_search_index_is_a_gin_index_on_postgresql_and_an_empty_stand_in_elsewhere():
    index = next(index for index in Organization._meta.indexes if isinstance(index, SearchIndex))

    sql = str(index.create_sql(Organization, connection.schema_editor()))

    if POSTGRES:
        assert "USING gin" in sql
        assert "to_tsvector('simple'" in sql
    else:
        assert sql.endswith('WHERE "id" IS NULL')


@postgres_only
@pytest.mark.parametrize(("filterset", "model"), SEARCHES)
def test_every_text_a_search_reads_is_read_through_its_gin_index(db, filterset, model):
    """No to_tsvector() of a word is evaluated row by row: every text condition is an index condition.

    With a few rows the planner would rightly scan tables instead; switching sequential and
    plain index scans off for this transaction shows that a GIN index can serve each one. (One
    word: with more, PostgreSQL may rightly check a second word on the few rows the first found.)
    """
    queryset = filterset({"search": "rahmon"}, queryset=model.objects.all()).qs
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")

    plan = queryset.explain()

    assert "to_tsvector" in plan
    assert [line for line in plan.splitlines() if "Filter:" in line and "to_tsvector" in line] == []


@postgres_only
@pytest.mark.parametrize("reader", ["anonymous", "curator"])
@pytest.mark.parametrize(("filterset", "model"), EVENT_SEARCHES)
def test_an_event_search_matches_the_stored_documents_that_a_text_index_serves(
    db, staff_user, filterset, model, reader
):
    """Every event resource matches the event's stored document (``facets.texts``: its own texts, its kind's, its
    council's, participants' names, agenda, proposals and quotes): no text is parsed row by row, no other table's
    text is searched, and a GIN index serves the condition (which plan PostgreSQL takes at scale:
    ``tests/test_facets_plan.py``)."""
    request = SimpleNamespace(user=staff_user if reader == "curator" else None)
    queryset = filterset({"search": "rahmon"}, queryset=model.objects.all(), request=request).qs
    column, index = ("document", "cooperation_text_document")
    if reader == "anonymous":
        column, index = ("public_document", "cooperation_text_public_doc")

    plan = queryset.explain()

    assert f"({column} @@ '''rahmon'':*'::tsquery)" in plan, plan
    assert "to_tsvector" not in plan and "_fts" not in plan, plan
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [index])
        assert f"USING gin ({column})" in cursor.fetchone()[0]
