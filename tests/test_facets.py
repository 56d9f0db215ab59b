"""The timeline's facets (``cooperation.facets``) stay exact on every write path, and the filters that walk them find
what the rule says: a country's, organization's, person's or topic's events, as each reader may see them.

"Exact" is checked against the oracle ``facets.differences()``: the stored rows against a fresh derivation from the
source tables. What the derivation means is checked against the rule as it was written before the facets existed
(``involving()``, participations, a session's council) on a synthetic data set.
"""

from __future__ import annotations

import csv
import io
import json
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count
from django.urls import reverse

from bench import synthetic
from cooperation import facets
from cooperation.choices import Role, Status
from cooperation.models import (
    Council,
    CouncilSession,
    Country,
    Event,
    EventFacet,
    EventText,
    JointOperation,
    Organization,
    Participation,
    Person,
    Topic,
)
from tests.factories import (
    CouncilFactory,
    CouncilSessionFactory,
    DocumentFactory,
    JointOperationFactory,
    OrganizationFactory,
    ParticipationFactory,
    PersonFactory,
)
from tests.test_admin import admin_url, inline_management_data, with_rows
from tests.test_import_export import confirm, csv_rows, export, preview, write_csv

pytestmark = pytest.mark.django_db
API = "/api/v1"


def assert_exact():
    missing, unexpected = facets.differences()
    assert (missing, unexpected) == (set(), set())


def keys_of(event) -> dict[str, tuple[bool, bool, bool]]:
    rows = EventFacet.objects.filter(event_id=event.pk).values_list("key", "public", "party", "public_party")
    return {key: (public, party, public_party) for key, public, party, public_party in rows}


@pytest.fixture
def curator_client(client, staff_user):
    client.force_login(staff_user)
    return client


# Write paths ---------------------------------------------------------------------------------------------------------


def test_fixtures_loaded_twice_leave_the_facets_exact(article):
    call_command("loaddata", "edm-2006-v3-i79", verbosity=0)

    assert_exact()
    passenger = JointOperation.objects.get(slug="passenger-2005")
    assert {"c:RU", "c:UA"} <= set(keys_of(passenger))
    session = CouncilSession.objects.get()
    assert f"o:{session.council.organization_id}" in keys_of(session)  # the organization whose council met


def test_an_api_create_update_and_delete_keep_them_exact(staff_api):
    organization = OrganizationFactory(country=Country.objects.get(code="KZ"))
    person = PersonFactory(country=Country.objects.get(code="KG"))
    body = {
        "slug": "op-facets",
        "title": "Operation Facets",
        "status": Status.DRAFT,
        "date": {"edtf": "2006-04"},
        "place": {"name": "Dushanbe", "country": "TJ"},
        "topics": ["terrorism"],
        "participants": [{"country": "RU"}, {"organization": organization.slug}, {"person": person.slug}],
    }
    created = staff_api.post(f"{API}/operations/", body, format="json")
    assert created.status_code == 201, created.json()
    event = Event.objects.get(slug="op-facets")
    assert_exact()
    topic = Topic.objects.get(slug="terrorism")
    expected = {"c:TJ", "c:RU", "c:KZ", "c:KG", f"o:{organization.pk}", f"p:{person.pk}", f"t:{topic.pk}"}
    assert set(keys_of(event)) == expected
    assert keys_of(event)["c:TJ"] == (False, False, False)  # the place only, and a draft

    changed = staff_api.patch(
        f"{API}/operations/{event.pk}/",
        {"title": "Renamed", "date": {"edtf": "2007"}, "place": {"country": None}, "participants": [{"country": "UZ"}]},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert_exact()
    assert set(keys_of(event)) == {"c:UZ", f"t:{topic.pk}"}
    assert set(EventFacet.objects.filter(event_id=event.pk).values_list("title", flat=True)) == {"Renamed"}

    assert staff_api.delete(f"{API}/operations/{event.pk}/").status_code == 204
    assert_exact()
    assert not EventFacet.objects.filter(event_id=event.pk).exists()
    assert not EventText.objects.filter(event_id=event.pk).exists()


def test_publishing_and_withdrawing_in_the_admin_move_the_public_flags(curator_client):
    operation = JointOperationFactory(status=Status.DRAFT)
    ParticipationFactory(event=operation, country=Country.objects.get(code="TJ"))
    citation_document = DocumentFactory()
    operation.citations.create(document=citation_document, quote="cited")
    changelist = reverse("admin:cooperation_jointoperation_changelist")
    assert keys_of(operation)["c:TJ"][0] is False

    curator_client.post(changelist, {"action": "publish", "_selected_action": [operation.pk]})
    assert Event.objects.get(pk=operation.pk).status == Status.PUBLISHED
    assert_exact()
    assert keys_of(operation)["c:TJ"] == (True, True, True)

    curator_client.post(changelist, {"action": "withdraw", "_selected_action": [operation.pk]})
    assert_exact()
    assert keys_of(operation)["c:TJ"] == (False, True, False)


def test_an_actor_hidden_or_moved_hides_or_moves_the_events_found_through_it():
    organization = OrganizationFactory(country=Country.objects.get(code="KZ"))
    person = PersonFactory(country=Country.objects.get(code="KG"))
    operation = JointOperationFactory()
    ParticipationFactory(event=operation, country=None, organization=organization)
    ParticipationFactory(event=operation, country=None, person=person)
    assert keys_of(operation)["c:KZ"] == (True, True, True)

    Organization.objects.filter(pk=organization.pk).update(status=Status.DRAFT)  # a queryset update: no signal
    assert_exact()
    assert keys_of(operation)["c:KZ"] == (False, True, False)
    assert keys_of(operation)[f"o:{organization.pk}"][0] is False

    person.country = Country.objects.get(code="UZ")
    person.save()
    assert_exact()
    assert "c:KG" not in keys_of(operation) and "c:UZ" in keys_of(operation)


def test_a_council_moved_to_another_organization_moves_its_sessions():
    session = CouncilSessionFactory()
    other = OrganizationFactory()
    Council.objects.filter(pk=session.council_id).update(organization=other)

    assert_exact()
    assert f"o:{other.pk}" in keys_of(session)

    session.council = CouncilFactory()
    session.save()
    assert_exact()


def test_topics_added_and_removed_keep_them_exact():
    operation = JointOperationFactory()
    topics = list(Topic.objects.all()[:3])
    operation.topics.set(topics)
    assert_exact()
    operation.topics.remove(topics[0])
    assert_exact()
    operation.topics.clear()
    assert_exact()
    assert not any(key.startswith("t:") for key in keys_of(operation))


def test_an_admin_import_keeps_them_exact(curator_client, article):
    rows = csv_rows(export(curator_client))
    passenger = next(row for row in rows if row["slug"] == "passenger-2005")
    passenger["participants"] = "country:RU:lead; country:BY:participant"
    passenger["date"] = "2004"

    confirm(curator_client, preview(curator_client, write_csv(rows)))

    assert_exact()
    assert "c:BY" in keys_of(JointOperation.objects.get(slug="passenger-2005"))


def test_an_admin_add_form_with_inline_participants_keeps_them_exact(curator_client):
    add = admin_url(JointOperation, "add")
    data = inline_management_data(curator_client.get(add)) | {
        "title": "Operation Arsenal",
        "slug": "operation-arsenal",
        "status": Status.DRAFT,
        "date": "2006-04",
        "code_name": "Arsenal",
    }
    with_rows(data, "participations", {"country": "RU", "role": Role.LEAD}, {"country": "TJ", "role": Role.PARTICIPANT})

    response = curator_client.post(add, data)

    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert_exact()
    assert {"c:RU", "c:TJ"} <= set(keys_of(JointOperation.objects.get(slug="operation-arsenal")))


def test_a_raw_sql_write_and_a_rolled_back_one_keep_them_exact():
    operation = JointOperationFactory()
    participation = ParticipationFactory(event=operation, country=Country.objects.get(code="TJ"))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cooperation_participation SET country_id = 'AF' WHERE id = %s", [participation.pk])
    assert_exact()
    assert "c:AF" in keys_of(operation)

    with pytest.raises(RuntimeError), transaction.atomic():
        ParticipationFactory(event=operation, country=Country.objects.get(code="IR"))
        raise RuntimeError("rolled back")
    assert_exact()
    assert "c:IR" not in keys_of(operation)


def test_synthetic_data_loaded_and_cleared_keeps_them_exact_with_the_triggers_back():
    synthetic.generate(200, seed=5)
    assert_exact()
    assert EventFacet.objects.count() > 200

    operation = JointOperation.objects.filter(slug__startswith=synthetic.PREFIX).first()
    ParticipationFactory(event=operation, country=Country.objects.get(code="MN"))  # the triggers are back
    assert_exact()

    synthetic.clear()
    assert_exact()
    assert not EventFacet.objects.exists()


def test_texts_written_anywhere_keep_the_search_documents_exact(article):
    session = CouncilSession.objects.get()
    session.agenda_items.create(order=99, title="Migration flows")
    session.proposals.create(title="A joint register of firearms")
    person = Person.objects.filter(participations__isnull=False).first()
    person.names.create(name="Rakhmonoff")
    Organization.objects.filter(participations__isnull=False).update(name="Renamed ministry")
    passenger = JointOperation.objects.get(slug="passenger-2005")
    passenger.code_name = "Passazhir"
    passenger.save()
    passenger.citations.create(document=DocumentFactory(), quote="Unheard-of quote")
    assert_exact()

    document = passenger.citations.last().document
    document.source.status = Status.DRAFT
    document.source.save()
    assert_exact()
    passenger.citations.filter(document=document).delete()
    assert_exact()


def search(client, resource: str, words: str) -> set[str]:
    return {row["title"] for row in listed_rows(client, resource, search=words)}


def test_search_finds_agenda_items_proposals_name_variants_and_kind_texts_everywhere(article, api):
    session = CouncilSession.objects.get()
    session.agenda_items.create(order=99, title="Migration flows")
    session.proposals.create(title="A joint register of firearms")
    person = Person.objects.filter(participations__event=session).first()
    person.names.create(name="Rakhmonoff")

    assert search(api, "events", "migration flows") == {session.title}
    assert search(api, "sessions", "register firearms") == {session.title}
    assert session.title in search(api, "events", "rakhmonoff")
    assert JointOperation.objects.get(slug="passenger-2005").title in search(api, "events", "passenger")


def test_search_never_finds_an_event_through_what_the_reader_may_not_see(api, staff_api):
    hidden = OrganizationFactory(status=Status.DRAFT, name="Secretive Directorate")
    operation = JointOperationFactory(title="Operation Plain")
    ParticipationFactory(event=operation, country=None, organization=hidden)
    draft = DocumentFactory(status=Status.DRAFT)
    operation.citations.create(document=draft, quote="an unpublished sighting")

    for words in ("secretive", "sighting"):
        assert search(api, "events", words) == set()
        assert search(staff_api, "events", words) == {"Operation Plain"}
        assert search(api, "operations", words) == set()


# What the filters find -----------------------------------------------------------------------------------------------


@pytest.fixture
def dataset():
    """A synthetic timeline with drafts among its events, organizations and people."""
    synthetic.generate(400, seed=11)
    rng = random.Random(4)  # noqa: S311 -- test data
    for model in (Organization, Person):  # a fifth of them
        pks = list(model.objects.values_list("pk", flat=True))
        model.objects.filter(pk__in=rng.sample(pks, len(pks) // 5)).update(status=Status.DRAFT)


def busiest(prefix: str, n: int = 1) -> list[str]:
    """The values (country codes, ids) of the ``n`` keys starting with ``prefix`` most events are found under."""
    keys = EventFacet.objects.filter(key__startswith=prefix, public=True).values("key").order_by()
    ranked = keys.annotate(n=Count("id")).order_by("-n", "key")[:n]
    return [row["key"].removeprefix(prefix) for row in ranked]


def listed_rows(client, resource: str, **params) -> list[dict]:
    """Every row the list gives (id and title), page after page, in order."""
    rows, url, query = [], f"{API}/{resource}/", {**params, "page_size": 200, "fields": "id,title"}
    while url:
        response = client.get(url, query)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        rows += body["results"]
        url, query = body["next"], None
    return rows


def listed(client, resource: str, **params) -> list[int]:
    return [row["id"] for row in listed_rows(client, resource, **params)]


def involving(code: str, user, *, place: bool = True):
    """The events ``user`` sees that ``code`` takes part in (directly, or an organization or person of it that
    ``user`` sees), or hosts: the rule, said without the facets."""
    participations = Participation.objects.order_by()
    ways = [
        participations.filter(country=code),
        participations.filter(organization__in=Organization.objects.visible_to(user).filter(country=code)),
        participations.filter(person__in=Person.objects.visible_to(user).filter(country=code)),
    ]
    ways = {event for way in ways for event in way.values_list("event", flat=True)}
    ids = set(ways) | (set(Event.objects.filter(place_country=code).values_list("pk", flat=True)) if place else set())
    return Event.objects.visible_to(user).filter(pk__in=ids)


def timeline_order(events) -> list[int]:
    return list(events.order_by("-date_lower", "title", "pk").values_list("pk", flat=True))


@pytest.mark.parametrize("reader", ["anonymous", "curator"])
def test_the_country_filter_finds_what_the_involvement_rule_says(dataset, api, staff_api, staff_user, reader):
    client, user = (api, None) if reader == "anonymous" else (staff_api, staff_user)
    for code in [*busiest("c:", 3), "TJ"]:
        events = involving(code, user)
        assert listed(client, "events", country=code) == timeline_order(events)
        operations = events.filter(kind="operation")
        assert listed(client, "operations", country=code, date_after="2001-01-01") == timeline_order(
            operations.filter(date_upper__gte="2001-01-01")
        )


@pytest.mark.parametrize("reader", ["anonymous", "curator"])
def test_the_organization_person_and_topic_filters_combine(dataset, api, staff_api, staff_user, reader):
    client, user = (api, None) if reader == "anonymous" else (staff_api, staff_user)
    visible = Event.objects.visible_to(user)
    shown = Participation.objects.filter(organization__in=Organization.objects.visible_to(user))
    organization = shown.values_list("organization", flat=True).order_by("organization").first()
    slug = Organization.objects.get(pk=organization).slug
    by_organization = Participation.objects.filter(organization=organization).order_by().values("event")
    councils = Council.objects.visible_to(user).filter(organization=organization)
    sessions = Event.objects.filter(councilsession__council__in=councils).order_by().values("pk")
    found = visible.filter(pk__in=by_organization.union(sessions))
    assert listed(client, "events", organization=slug) == timeline_order(found)

    topic = Topic.objects.filter(events__isnull=False).order_by("pk").first()
    code = busiest("c:")[0]
    both = involving(code, user).filter(topics=topic)
    assert listed(client, "events", topic=topic.slug, country=code) == timeline_order(both)

    person = Person.objects.visible_to(user).filter(participations__isnull=False).order_by("pk").first()
    theirs = visible.filter(pk__in=Participation.objects.filter(person=person).values("event"))
    assert listed(client, "events", person=person.slug, date_before="2010-12-31") == timeline_order(
        theirs.filter(date_lower__lte="2010-12-31")
    )


def test_a_draft_organization_is_no_way_in_for_anonymous_readers(api, staff_api):
    hidden = OrganizationFactory(status=Status.DRAFT, country=Country.objects.get(code="MN"))
    operation = JointOperationFactory()
    ParticipationFactory(event=operation, country=None, organization=hidden)

    assert listed(api, "events", country="MN") == []
    assert listed(staff_api, "events", country="MN") == [operation.pk]


def test_a_facet_list_pages_back_and_forth_and_exports_the_same_rows(dataset, api):
    code = busiest("c:")[0]
    forward = listed(api, "events", country=code)
    assert len(forward) > 14
    first = api.get(f"{API}/events/", {"country": code, "page_size": 7}).json()
    second = api.get(first["next"]).json()
    back = api.get(second["previous"]).json()
    assert [row["id"] for row in back["results"]] == forward[:7]
    assert [row["id"] for row in second["results"]] == forward[7:14]

    exported = api.get(f"{API}/events/", {"country": code, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert [int(row["id"]) for row in rows] == forward


def test_the_facet_rows_of_an_event_are_one_per_key(article):
    rows = EventFacet.objects.values_list("event_id", "key")
    assert len(rows) == len(set(rows)) > 0
    assert json.dumps(sorted({key[:2] for _, key in rows})) == json.dumps(["c:", "o:", "p:", "t:"])


def test_the_facets_command_finds_rows_written_past_the_triggers_and_rebuilds_them(article, capsys):
    call_command("facets")
    assert capsys.readouterr().out.startswith("Exact:")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cooperation_eventfacet WHERE key LIKE 'c:%'")
        cursor.execute("UPDATE cooperation_eventtext SET title = 'stale'")

    with pytest.raises(CommandError, match="derived rows missing"):
        call_command("facets")
    call_command("facets", "--rebuild")
    assert_exact()
