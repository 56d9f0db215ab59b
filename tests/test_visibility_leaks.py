"""Nobody learns of a record they may not see through one they may (``cooperation.selectors.visibility``).

One world: published records that refer to a draft of every kind that can be referred to — an organization, a
council, a person, a document, an outlet, a linked event with a figure — and every read a client can make of the
published ones: each list and detail, in JSON with every payload shape and in CSV, the filters, search, the
aggregates and the deletion feed. No anonymous and no non-staff response may carry a hidden record's name, slug,
URL or figure; staff, who may see them, get them all (so the test can fail).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cooperation.choices import LinkKind, Role, Status
from cooperation.models import Citation, Country, Document, Event, Organization, Person, Source
from tests.factories import (
    CitationFactory,
    CouncilFactory,
    CouncilSessionFactory,
    DocumentFactory,
    EventLinkFactory,
    ExerciseFactory,
    JointOperationFactory,
    OrganizationFactory,
    OutcomeFactory,
    ParticipationFactory,
    PartnershipFactory,
    PartnershipPartyFactory,
    PersonFactory,
    PersonNameFactory,
    PositionFactory,
    SourceFactory,
)

HIDDEN_FIGURE = 987_654  # the draft event's figure: in no total a reader of published records gets
SECRET_QUOTE = "Quxquotation"  # a citation of a draft document


@dataclass
class World:
    hidden: list  # the drafts
    published: dict  # resource → a published record referring to them
    secret_words: list[str]  # text found only in hidden records or rows about them


@pytest.fixture
def world(db) -> World:
    country, other_country = Country.objects.get(code="TJ"), Country.objects.get(code="KG")
    draft = {"status": Status.DRAFT}
    organization = OrganizationFactory(name="Zzhidden Agency", slug="zzhidden-agency", country=other_country, **draft)
    person = PersonFactory(name="Zzhidden Minister", slug="zzhidden-minister", country=other_country, **draft)
    PersonNameFactory(person=person, name="Zzhiddenov")
    source = SourceFactory(name="Zzhidden Wire", slug="zzhidden-wire", country=other_country, **draft)
    council = CouncilFactory(name="Zzhidden Council", slug="zzhidden-council", **draft)
    document = DocumentFactory(title="Zzhidden Report", slug="zzhidden-report", **draft)
    of_hidden_source = DocumentFactory(title="Public report of a hidden outlet", slug="public-report", source=source)
    event = JointOperationFactory(title="Zzhidden Raid", slug="zzhidden-raid", **draft)
    OutcomeFactory(event=event, value=HIDDEN_FIGURE)
    hidden = [organization, person, source, council, document, event]

    public_document = DocumentFactory(title="Open report", slug="open-report")
    exercise = ExerciseFactory(title="Open Exercise", slug="open-exercise")
    CitationFactory(document=public_document, event=exercise, quote="The exercise was held.")
    ParticipationFactory(event=exercise, country=country, role=Role.HOST)
    for party in ({"organization": organization}, {"person": person}):
        row = ParticipationFactory(event=exercise, country=None, role=Role.PARTICIPANT, **party)
        CitationFactory(document=public_document, event=None, participation=row, quote="Zzhidden took part.")
    CitationFactory(document=document, event=exercise, quote=f"{SECRET_QUOTE} of a draft document.")
    CitationFactory(document=of_hidden_source, event=exercise, quote=f"{SECRET_QUOTE} of a hidden outlet.")
    EventLinkFactory(source=exercise, target=event, kind=LinkKind.PART_OF)
    figure = OutcomeFactory(event=JointOperationFactory(title="Open Operation", slug="open-operation"), value=5)
    CitationFactory(document=document, event=None, outcome=figure, quote=f"{SECRET_QUOTE} of a figure.")
    CitationFactory(document=public_document, event=figure.event)
    EventLinkFactory(source=event, target=figure.event, kind=LinkKind.FOLLOWS)

    session = CouncilSessionFactory(title="Open Session", slug="open-session", council=council)
    CitationFactory(document=public_document, event=session)
    partnership = PartnershipFactory(title="Open Partnership", slug="open-partnership")
    PartnershipPartyFactory(partnership=partnership, country=country, organization=None)
    PartnershipPartyFactory(partnership=partnership, country=None, organization=organization)
    partnership.events.add(event, exercise)
    CitationFactory(document=public_document, event=None, partnership=partnership)

    minister = PersonFactory(name="Open Minister", slug="open-minister", country=country)
    office = PositionFactory(person=minister, organization=organization, title="Director")
    CitationFactory(document=document, event=None, position=office, quote=f"{SECRET_QUOTE} of an office.")
    child = OrganizationFactory(name="Open Bureau", slug="open-bureau", parent=organization, country=country)
    body = CouncilFactory(name="Open Council", slug="open-council", organization=organization)
    return World(
        hidden=hidden,
        published={
            "exercises": exercise,
            "operations": figure.event,
            "sessions": session,
            "partnerships": partnership,
            "people": minister,
            "organizations": child,
            "councils": body,
            "documents": of_hidden_source,
        },
        secret_words=["Zzhidden", "zzhidden", SECRET_QUOTE, str(HIDDEN_FIGURE)],
    )


def reads(world: World) -> list[str]:
    """Every read of the published records: lists, details, shapes, CSV, filters, search, aggregates, sync."""
    shapes = ["", "?brief=1", "?include=citations", "?format=csv", "?include=citations&format=csv"]
    paths = []
    for resource, record in world.published.items():
        for shape in shapes:
            paths += [f"/api/v1/{resource}/{shape}", f"/api/v1/{resource}/{record.pk}/{shape}"]
    for shape in shapes:
        paths.append(f"/api/v1/events/{shape}")
        paths.append(f"/api/v1/events/{world.published['exercises'].pk}/{shape}")
    paths += [
        "/api/v1/events/?fields=id,participants,links",
        "/api/v1/exercises/?fields=participants,citations&include=citations",
        "/api/v1/sessions/?fields=council",
        "/api/v1/people/?fields=positions",
        "/api/v1/organizations/?fields=parent",
        "/api/v1/councils/?fields=organization",
        "/api/v1/documents/?fields=source",
        "/api/v1/partnerships/?fields=parties,events",
    ]
    for stat in ("events-by-kind", "events-by-year", "events-by-country", "outcome-totals/?subject=all"):
        paths.append(f"/api/v1/stats/{stat}" + ("" if "?" in stat else "/"))
    paths += ["/api/v1/stats/network/", "/api/v1/stats/network/?format=csv"]
    since = (timezone.now() - timezone.timedelta(days=1)).isoformat().replace("+00:00", "Z")
    paths.append(f"/api/v1/deleted/?since={since}")
    return paths


def hidden_marks(world: World) -> list[str]:
    """What would give a hidden record away: its slug, its name, its URL, and the secret texts."""
    resources = {
        Organization: "organizations",
        Person: "people",
        Source: "sources",
        Document: "documents",
    }
    marks = list(world.secret_words)
    for record in world.hidden:
        resource = resources.get(type(record))
        if isinstance(record, Event):
            resource = "operations"
            marks.append(f"/api/v1/events/{record.pk}/")
        elif resource is None:
            resource = "councils"
        marks.append(f"/api/v1/{resource}/{record.pk}/")
        marks.append(record.slug)
    return marks


def readers(django_user_model) -> dict[str, APIClient]:
    anonymous = APIClient()
    reader = APIClient()
    reader.force_authenticate(django_user_model.objects.create_user(username="reader", password="reader-pass-1"))
    return {"anonymous": anonymous, "non-staff": reader}


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


def test_no_read_gives_a_hidden_record_away(world, django_user_model):
    marks = hidden_marks(world)
    leaks = []
    for who, client in readers(django_user_model).items():
        for path in reads(world):
            response = client.get(path)
            assert response.status_code == 200, (who, path, response.status_code)
            text = body(response)
            leaks += [(who, path, mark) for mark in marks if mark in text]
    assert not leaks


def test_staff_see_what_the_others_do_not(world, staff_api):
    """The same reads as staff show the hidden records: the marks are real, so the test above can fail."""
    found = set()
    for path in reads(world):
        text = body(staff_api.get(path))
        found |= {mark for mark in hidden_marks(world) if mark in text}
    assert found == set(hidden_marks(world))


# Each finds a published record only through a hidden one: the draft organization's and person's country (KG),
# their names and spellings, the council's and the outlet's names, a draft document's quote.
THROUGH_HIDDEN = [
    ("events", "search=Zzhidden"),
    ("exercises", "search=Zzhiddenov"),
    ("events", f"search={SECRET_QUOTE}"),
    ("events", "country=KG"),
    ("sessions", "search=Zzhidden"),
    ("partnerships", "country=KG"),
    ("partnerships", "search=Zzhidden"),
    ("people", "country=KG"),
    ("councils", "country=KG"),
    ("documents", "country=KG"),
    ("documents", "search=Zzhidden"),
]


@pytest.mark.parametrize(("resource", "query"), THROUGH_HIDDEN)
def test_filters_never_match_through_a_hidden_record(world, api, staff_api, resource, query):
    public = api.get(f"/api/v1/{resource}/?{query}")
    staff = staff_api.get(f"/api/v1/{resource}/?{query}")

    assert public.status_code == 200
    assert public.json()["results"] == []
    assert staff.json()["results"], "staff, who may see the hidden record, find the published one through it"


def test_a_hidden_records_slug_is_an_unknown_one(world, api):
    response = api.get("/api/v1/events/?organization=zzhidden-agency")

    assert response.status_code == 400
    assert response.json() == {"organization": ["No organization with slug “zzhidden-agency”."]}


def test_aggregates_count_no_hidden_row(world, api, staff_api):
    def by_country(client):
        rows = client.get("/api/v1/stats/events-by-country/").json()["results"]
        return {row["country"]["code"]: row["count"] for row in rows}

    assert by_country(api) == {"TJ": 1}
    assert by_country(staff_api) == {"TJ": 1, "KG": 1}

    network = api.get("/api/v1/stats/network/").json()
    assert {node["id"] for node in network["nodes"]} <= {"country:TJ"}
    staff_network = staff_api.get("/api/v1/stats/network/").json()
    assert "organization:zzhidden-agency" in {node["id"] for node in staff_network["nodes"]}


def test_single_references_read_null(world, api):
    """A published record standing on its own shows a hidden reference as null, and its rows about one not at all."""
    session = api.get(f"/api/v1/sessions/{world.published['sessions'].pk}/").json()
    assert session["council"] is None
    document = api.get(f"/api/v1/documents/{world.published['documents'].pk}/").json()
    assert document["source"] is None
    minister = api.get(f"/api/v1/people/{world.published['people'].pk}/?include=citations").json()
    assert [(office["title"], office["organization"], office["citations"]) for office in minister["positions"]] == [
        ("Director", None, [])
    ]
    exercise = api.get(f"/api/v1/exercises/{world.published['exercises'].pk}/?include=citations").json()
    assert [participant["country"]["code"] for participant in exercise["participants"]] == ["TJ"]
    assert [citation["quote"] for citation in exercise["citations"]] == ["The exercise was held."]
    assert exercise["links"] == []


def test_the_deletion_feed_names_no_draft(world, api, staff_api):
    since = (timezone.now() - timezone.timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    Citation.objects.filter(document__status=Status.DRAFT).delete()
    DocumentFactory(title="Zzhidden Draft", slug="zzhidden-draft", status=Status.DRAFT).delete()
    world.hidden[-1].delete()  # the draft event
    public = json.dumps(api.get(f"/api/v1/deleted/?since={since}").json())
    assert "zzhidden" not in public
    assert "zzhidden-draft" in json.dumps(staff_api.get(f"/api/v1/deleted/?since={since}").json())


@pytest.mark.parametrize(
    ("component", "field"), [("CouncilSession", "council"), ("Document", "source"), ("Council", "organization")]
)
def test_the_schema_says_a_hidden_reference_reads_null(api, db, component, field):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()["components"]["schemas"]
    assert schema[component]["properties"][field].get("nullable") is True


def test_a_reference_that_may_read_null_is_still_required_on_writes(staff_api, db):
    response = staff_api.post(
        "/api/v1/sessions/", {"slug": "s-1", "title": "A session", "date": "2006-04-21", "council": None}
    )

    assert response.status_code == 400
    assert list(response.json()) == ["council"]
