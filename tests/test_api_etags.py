"""Honest ETags: a record's validators change when anything its payload embeds changes (``api.stamps``).

Each test reads a detail or a list, changes one thing the payload shows of another record or row (an
organization's name, a figure, a citation, a document's outlet, a linked event, a session's council, a
country), and asks again with the ETag it had: the answer is the new payload, not a ``304``. What the client
may not see (a draft participant) leaves its ETags alone.
"""

from __future__ import annotations

from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.api import conditional, stamps
from cooperation.choices import Role, Status
from cooperation.models import Country, Event, Organization
from tests.factories import (
    CitationFactory,
    CouncilFactory,
    CouncilSessionFactory,
    CountryFactory,
    DocumentFactory,
    EventLinkFactory,
    JointOperationFactory,
    MeetingFactory,
    MetricFactory,
    OrganizationFactory,
    OutcomeFactory,
    ParticipationFactory,
    PartnershipFactory,
    PersonFactory,
    SourceFactory,
    populate_event,
)

API = "/api/v1"


@pytest.fixture
def operation(db):
    """A published operation with an organization, a person and a country taking part, a figure, a link, citations."""
    operation = JointOperationFactory(title="Passenger")
    document = DocumentFactory(title="Interfax report", source=SourceFactory(name="Interfax"))
    ParticipationFactory(event=operation, country=None, organization=OrganizationFactory(name="MVD"), role=Role.LEAD)
    ParticipationFactory(event=operation, country=None, person=PersonFactory(name="Rashid Nurgaliev"))
    ParticipationFactory(event=operation, country=CountryFactory(code="UA"))
    OutcomeFactory(event=operation, value=585, metric=MetricFactory(slug="crimes-solved"))
    CitationFactory(event=operation, document=document)
    EventLinkFactory(source=operation, target=MeetingFactory(title="Dushanbe session"))
    return operation


def detail(operation) -> str:
    return f"{API}/operations/{operation.pk}/"


def refreshed(client, url: str, change, params: dict | None = None):
    """The answer to ``url`` asked again with its ETag after ``change()``; checks it was a 304 before."""
    params = params or {}
    etag = client.get(url, params)["ETag"]
    assert client.get(url, params, HTTP_IF_NONE_MATCH=etag).status_code == 304
    change()
    response = client.get(url, params, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200, "a 304 with what the client had: stale"
    assert response["ETag"] != etag
    assert client.get(url, params, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304  # and current again
    return response


def rename(record, name: str, field: str = "name"):
    def change():
        setattr(record, field, name)
        record.save()

    return change


def participant_names(payload) -> set[str]:
    return {(row["organization"] or row["person"] or {}).get("name") for row in payload["participants"]} - {None}


# Details -------------------------------------------------------------------------------------------------------------


def test_renaming_a_participating_organization_or_person_changes_the_etag(api, operation):
    organization = Organization.objects.get(name="MVD")
    person = operation.participations.get(person__isnull=False).person

    response = refreshed(api, detail(operation), rename(organization, "MVD of Russia"))
    assert "MVD of Russia" in participant_names(response.json())
    response = refreshed(api, detail(operation), rename(person, "Rashid G. Nurgaliev"))
    assert "Rashid G. Nurgaliev" in participant_names(response.json())


def test_changing_a_figure_changes_the_etag(api, operation):
    figure = operation.outcomes.get()

    response = refreshed(api, detail(operation), rename(figure, Decimal(600), field="value"))
    assert [outcome["value"] for outcome in response.json()["outcomes"]] == [600]


def test_adding_or_removing_a_figure_changes_the_etag(api, operation):
    response = refreshed(api, detail(operation), lambda: OutcomeFactory(event=operation, value=224))
    assert len(response.json()["outcomes"]) == 2
    response = refreshed(api, detail(operation), lambda: operation.outcomes.filter(value=224).delete())
    assert len(response.json()["outcomes"]) == 1


def test_adding_or_removing_a_citation_changes_the_etag(api, operation):
    cited = {"include": "citations"}
    second = DocumentFactory(title="RIA report")

    response = refreshed(api, detail(operation), lambda: CitationFactory(event=operation, document=second), cited)
    assert {row["document"]["title"] for row in response.json()["citations"]} == {"Interfax report", "RIA report"}
    response = refreshed(api, detail(operation), lambda: operation.citations.get(document=second).delete(), cited)
    assert [row["document"]["title"] for row in response.json()["citations"]] == ["Interfax report"]


def test_a_citation_of_a_participant_or_a_figure_is_covered_too(api, operation):
    cited = {"include": "citations"}
    document = DocumentFactory(title="Asia-Plus")
    participation, figure = operation.participations.first(), operation.outcomes.get()

    refreshed(
        api,
        detail(operation),
        lambda: CitationFactory(event=None, participation=participation, document=document),
        cited,
    )
    response = refreshed(
        api, detail(operation), lambda: CitationFactory(event=None, outcome=figure, document=document), cited
    )
    assert response.json()["outcomes"][0]["citations"][0]["document"]["title"] == "Asia-Plus"


def test_renaming_a_cited_document_or_its_source_changes_the_etag(api, operation):
    cited = {"include": "citations"}
    document = operation.citations.get().document

    response = refreshed(api, detail(operation), rename(document, "Interfax, 21 April", field="title"), cited)
    assert response.json()["citations"][0]["document"]["title"] == "Interfax, 21 April"
    response = refreshed(api, detail(operation), rename(document.source, "Interfax-Kazakhstan"), cited)
    assert response.json()["citations"][0]["document"]["source"]["name"] == "Interfax-Kazakhstan"


def test_renaming_a_linked_event_changes_the_etag_at_both_ends(api, operation):
    meeting = Event.objects.get(title="Dushanbe session")

    response = refreshed(api, detail(operation), rename(meeting, "Dushanbe meeting", field="title"))
    assert [link["event"]["title"] for link in response.json()["links"]] == ["Dushanbe meeting"]
    response = refreshed(api, f"{API}/meetings/{meeting.pk}/", rename(operation, "Passenger-2006", field="title"))
    assert [link["event"]["title"] for link in response.json()["links"]] == ["Passenger-2006"]


def test_renaming_a_sessions_council_changes_the_etag(api, db):
    session = CouncilSessionFactory(council=CouncilFactory(name="Council of Interior Ministers"))

    response = refreshed(api, f"{API}/sessions/{session.pk}/", rename(session.council, "CIS Council of Ministers"))
    assert response.json()["council"]["name"] == "CIS Council of Ministers"


def test_renaming_a_documents_source_changes_the_documents_etag(api, db):
    document = DocumentFactory(source=SourceFactory(name="Interfax"))

    response = refreshed(api, f"{API}/documents/{document.pk}/", rename(document.source, "Interfax-Ukraine"))
    assert response.json()["source"]["name"] == "Interfax-Ukraine"
    response = refreshed(api, f"{API}/documents/", rename(document.source, "Interfax-Kazakhstan"))
    assert response.json()["results"][0]["source"]["name"] == "Interfax-Kazakhstan"


def test_a_partnerships_parties_figures_and_events_are_covered(api, db):
    partnership = PartnershipFactory()
    party = OrganizationFactory(name="CSTO")
    partnership.parties.create(organization=party, country=None)
    url = f"{API}/partnerships/{partnership.pk}/"

    refreshed(api, url, rename(party, "Collective Security Treaty Organization"))
    refreshed(api, url, lambda: partnership.figures.create(metric=MetricFactory(), value=3))
    response = refreshed(api, url, lambda: partnership.events.add(JointOperationFactory()))
    assert len(response.json()["events"]) == 1


@pytest.mark.parametrize("change", ["unpublished", "published"])
def test_a_participant_unpublished_or_published_changes_the_public_etag(api, operation, change):
    organization = Organization.objects.get(name="MVD")
    if change == "published":
        organization.status = Status.DRAFT
        organization.save()
    status = Status.DRAFT if change == "unpublished" else Status.PUBLISHED

    response = refreshed(api, detail(operation), rename(organization, status, field="status"))
    assert ("MVD" in participant_names(response.json())) == (change == "published")


def test_a_drafts_changes_leave_the_public_etag_alone_but_not_the_staffs(api, staff_api, operation):
    draft = OrganizationFactory(name="Zarya Agency", status=Status.DRAFT)
    ParticipationFactory(event=operation, country=None, organization=draft)
    public, staff = api.get(detail(operation))["ETag"], staff_api.get(detail(operation))["ETag"]

    rename(draft, "Zarya Security Agency")()

    assert api.get(detail(operation), HTTP_IF_NONE_MATCH=public).status_code == 304
    response = staff_api.get(detail(operation), HTTP_IF_NONE_MATCH=staff)
    assert response.status_code == 200
    assert "Zarya Security Agency" in participant_names(response.json())


def test_an_unchanged_record_stays_304_in_one_query(api, operation):
    etag = api.get(detail(operation))["ETag"]
    Organization.objects.create(name="Unrelated", slug="unrelated", status=Status.PUBLISHED)  # not shown here

    with CaptureQueriesContext(connection) as queries:
        assert api.get(detail(operation), HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert len(queries) == 1  # the record's id, timestamp and stamp


def test_last_modified_follows_what_the_record_shows(api, operation):
    before = api.get(detail(operation))["Last-Modified"]
    organization = Organization.objects.get(name="MVD")
    organization.updated_at = organization.updated_at.replace(year=2030)
    Organization.objects.filter(pk=organization.pk).update(updated_at=organization.updated_at)

    after = api.get(detail(operation))["Last-Modified"]
    assert after != before
    assert "2030" in after


def test_a_write_with_an_etag_read_before_an_embedded_change_is_412(staff_api, operation):
    etag = staff_api.get(detail(operation))["ETag"]
    rename(Organization.objects.get(name="MVD"), "MVD of Russia")()

    assert staff_api.patch(detail(operation), {"aim": "Stale"}, HTTP_IF_MATCH=etag).status_code == 412
    current = staff_api.get(detail(operation))["ETag"]
    response = staff_api.patch(detail(operation), {"aim": "Current"}, HTTP_IF_MATCH=current)
    assert response.status_code == 200, response.content
    assert response["ETag"] == staff_api.get(detail(operation))["ETag"]


# Lists ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", ["events", "operations"])
def test_a_keyset_page_changes_with_what_its_rows_embed(api, operation, resource):
    url = f"{API}/{resource}/"

    refreshed(api, url, rename(Organization.objects.get(name="MVD"), "MVD of Russia"))
    refreshed(api, url, rename(Event.objects.get(title="Dushanbe session"), "Dushanbe meeting", field="title"))
    response = refreshed(api, url, rename(operation.participations.get(organization__isnull=False), "host", "detail"))
    row = next(row for row in response.json()["results"] if row["id"] == operation.pk)
    assert "host" in {participant["detail"] for participant in row["participants"]}


def test_a_counted_list_changes_with_what_its_rows_embed(api, db):
    parent = OrganizationFactory(name="CIS")
    OrganizationFactory(name="CIS Executive Committee", parent=parent)

    response = refreshed(api, f"{API}/organizations/", rename(parent, "Commonwealth of Independent States"))
    parents = {row["parent"]["name"] for row in response.json()["results"] if row["parent"]}
    assert parents == {"Commonwealth of Independent States"}


def test_a_list_that_shows_nothing_of_others_is_not_stamped(api, operation):
    with CaptureQueriesContext(connection) as queries:
        api.get(f"{API}/events/", {"fields": "id,title"})

    assert stamps.STAMP not in queries[0]["sql"]


# Every resource is stamped exactly, not by the data version (``stamps.Undescribed``) ---------------------------------


RESOURCES = [
    "organizations",
    "councils",
    "people",
    "events",
    "sessions",
    "operations",
    "exercises",
    "meetings",
    "statements",
    "partnerships",
    "sources",
    "documents",
]


@pytest.mark.parametrize("who", ["api", "staff_api"])
@pytest.mark.parametrize("params", [{}, {"include": "citations"}, {"brief": "1"}])
def test_every_resource_is_described_exactly(request, db, who, params):
    client = request.getfixturevalue(who)
    populate_event(JointOperationFactory())
    conditional._plans.clear()

    for resource in RESOURCES:
        assert client.get(f"{API}/{resource}/", params).status_code == 200

    assert conditional._plans, "the lists were validated"
    coarse = [key[0].__name__ for key, plan in conditional._plans.items() if plan.coarse]
    assert not coarse, f"stamped by the data version: {coarse}"


# Reference data: stamped by its digest, recomputed when the data version moves (at commit on PostgreSQL) ----------


@pytest.fixture
def _countries(transactional_db):
    """Every country, as migration 0002 loads them: a committed test empties every table when it ends."""
    import_module("cooperation.migrations.0002_countries").load_countries(apps, None)


@pytest.mark.django_db(transaction=True)
def test_renaming_a_country_changes_the_etag_of_what_shows_it(api, _countries):
    operation = JointOperationFactory()
    ParticipationFactory(event=operation, country=CountryFactory(code="UA"))
    country = Country.objects.get(code="UA")

    response = refreshed(api, detail(operation), rename(country, "Ukraina"))
    assert response.json()["participants"][0]["country"]["name"] == "Ukraina"
    # A CSV list of events: every committed write moves its ETag (the data version stands for what it embeds).
    response = refreshed(api, f"{API}/events/", rename(country, "Ukraine"), {"format": "csv"})
    assert b"UA (participant)" in b"".join(response.streaming_content)
