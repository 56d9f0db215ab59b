"""The curation admin: every model's pages render, lists stay cheap, and entry is safe.

Tests that walk ``admin.site._registry`` cover a newly registered model without edits here.
"""

from datetime import date
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import flatten_fieldsets
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import TokenProxy

from cooperation import workflow
from cooperation.admin.events import event_change_url
from cooperation.choices import (
    ExerciseKind,
    LinkKind,
    MeetingKind,
    OrganizationKind,
    PartnershipKind,
    Role,
    SourceKind,
    StatementForm,
    Status,
)
from cooperation.models import (
    AgendaItem,
    ApiToken,
    Citation,
    Council,
    CouncilSession,
    Country,
    Document,
    Event,
    EventLink,
    Exercise,
    JointOperation,
    Meeting,
    Metric,
    Organization,
    Outcome,
    Participation,
    Partnership,
    PartnershipParty,
    Person,
    PersonName,
    Position,
    Proposal,
    Source,
    Statement,
    Topic,
)

pytestmark = pytest.mark.django_db

# The timeline (records are added and edited in their kind's admin); DRF's tokens (listed to be revoked: new
# ones are API tokens, whose key can be shown once).
READ_ONLY = {Event, TokenProxy}
ACCESS = {ApiToken}  # not curated data: no record of it in the seed article or ``build_records``
REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
REGISTERED_IDS = [model._meta.label for model, _ in REGISTERED]
OURS = [
    (model, model_admin)
    for model, model_admin in REGISTERED
    if model._meta.app_label == "cooperation" and model not in ACCESS
]
EDITED = [(model, model_admin) for model, model_admin in OURS if model not in READ_ONLY]
EDITED_IDS = [model._meta.label for model, _ in EDITED]
AUTOCOMPLETE_TARGETS = {Country, Organization, Person, Council, Topic, Metric, Document, Event}


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def build_records(tag: str) -> SimpleNamespace:
    """One record of every registered model, tied together as a curator would enter them.

    ``tag`` (one capital letter) keeps slugs and names unique, so it can be called again to add rows.
    Each call adds a user-assigned country code (X<tag>), so countries grow with the rest.
    """
    slug = tag.lower()
    country = Country.objects.create(code=f"X{tag}", alpha3=f"XX{tag}", name=f"Testland {tag}")
    tajikistan = Country.objects.get(code="TJ")
    topic = Topic.objects.create(slug=f"topic-{slug}", name=f"Topic {tag}")
    metric = Metric.objects.create(slug=f"metric-{slug}", name=f"Metric {tag}", default_unit="persons")
    body = Organization.objects.create(
        slug=f"body-{slug}", name=f"Body {tag}", abbreviation=f"B{tag}", kind=OrganizationKind.INTERGOVERNMENTAL
    )
    body.members.add(country, tajikistan)
    ministry = Organization.objects.create(
        slug=f"ministry-{slug}", name=f"Ministry {tag}", kind=OrganizationKind.MINISTRY, country=country, parent=body
    )
    council = Council.objects.create(slug=f"council-{slug}", name=f"Council {tag}", organization=body)
    person = Person.objects.create(slug=f"person-{slug}", name=f"Person {tag}", country=tajikistan)
    PersonName.objects.create(person=person, name=f"Persson {tag}")
    position = Position.objects.create(person=person, title="Minister", organization=ministry, date="2005/..")
    source = Source.objects.create(slug=f"source-{slug}", name=f"Source {tag}", kind=SourceKind.NEWS_AGENCY)
    document = Document.objects.create(
        slug=f"document-{slug}", source=source, title=f"Report {tag}", published_on=date(2006, 4, 21)
    )
    event = {"date": "2006-04-21", "date_text": "April 21", "place_name": "Dushanbe", "place_country": tajikistan}
    session = CouncilSession.objects.create(slug=f"session-{slug}", title=f"Session {tag}", council=council, **event)
    operation = JointOperation.objects.create(
        slug=f"operation-{slug}", title=f"Operation {tag}", code_name=f"Arsenal {tag}", **event
    )
    exercise = Exercise.objects.create(
        slug=f"exercise-{slug}", title=f"Exercise {tag}", exercise_kind=ExerciseKind.ANTI_TERROR, **event
    )
    meeting = Meeting.objects.create(
        slug=f"meeting-{slug}", title=f"Meeting {tag}", meeting_kind=MeetingKind.TALKS, **event
    )
    statement = Statement.objects.create(
        slug=f"statement-{slug}", title=f"Statement {tag}", form=StatementForm.MESSAGE, **event
    )
    for kind_event in (session, operation, exercise, meeting, statement):
        kind_event.topics.add(topic)
        Participation.objects.create(event=kind_event, country=country, role=Role.PARTICIPANT)
        Participation.objects.create(event=kind_event, organization=ministry, role=Role.LEAD)
        Participation.objects.create(event=kind_event, person=person, role=Role.SPEAKER)
    AgendaItem.objects.create(session=session, order=1, title="Terrorism", topic=topic)
    proposal = Proposal.objects.create(session=session, title="A single database of criminals")
    total = Outcome.objects.create(event=operation, metric=metric, value=7250)
    subset = Outcome.objects.create(event=operation, metric=metric, value=214, scope="in CIS countries", part_of=total)
    EventLink.objects.create(source=exercise, target=session, kind=LinkKind.HELD_DURING)
    partnership = Partnership.objects.create(
        slug=f"partnership-{slug}", title=f"Partnership {tag}", kind=PartnershipKind.SECURITY, date="2004-07/.."
    )
    partnership.topics.add(topic)
    partnership.events.add(meeting)
    PartnershipParty.objects.create(partnership=partnership, country=country)
    PartnershipParty.objects.create(partnership=partnership, organization=body)
    Outcome.objects.create(partnership=partnership, metric=metric, value=2)
    participation = operation.participations.first()
    for target in (
        {"event": operation},
        {"participation": participation},
        {"outcome": subset},
        {"partnership": partnership},
        {"position": position},
        {"proposal": proposal},
    ):
        Citation.objects.create(document=document, quote=f"Quote {tag}", **target)
    return SimpleNamespace(country=country, person=person, operation=operation, meeting=meeting, document=document)


@pytest.fixture
def curator_user(django_user_model):
    """A superuser staff member without a password: hashing one would cost more than most tests here."""
    return django_user_model.objects.create_superuser(username="curator", email="", password=None)


@pytest.fixture
def curator(client, curator_user):
    client.force_login(curator_user)
    return client


@pytest.fixture
def records():
    return build_records("A")


def changelist(client, model, **params):
    response = client.get(admin_url(model, "changelist"), params)
    assert response.status_code == 200
    return response.context["cl"]


def inline_management_data(response) -> dict:
    """The management fields of every inline formset on an add page, with no rows yet."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000}
    return data


def with_rows(data: dict, prefix: str, *rows: dict) -> dict:
    data[f"{prefix}-TOTAL_FORMS"] = len(rows)
    for index, row in enumerate(rows):
        data |= {f"{prefix}-{index}-{name}": value for name, value in row.items()}
    return data


# --- Every registered model -------------------------------------------------------------------


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=REGISTERED_IDS)
def test_changelist_and_add_page_render(curator, model, model_admin):
    assert curator.get(admin_url(model, "changelist")).status_code == 200
    assert curator.get(admin_url(model, "add")).status_code == (403 if model in READ_ONLY else 200)


def test_changelist_and_change_page_render_with_article(curator, article, subtests):
    # One load of the seed article for all models; subtests report each model on its own.
    for model, _ in OURS:
        with subtests.test(model=model._meta.label):
            cl = changelist(curator, model)
            assert cl.result_count > 0
            record = model.objects.first()
            response = curator.get(admin_url(model, "change", record.pk), follow=True)
            assert response.status_code == 200
            assert response.context["original"].pk == record.pk


def test_changelist_queries_do_not_grow_with_rows(curator, subtests):
    build_records("A")
    urls = {model: admin_url(model, "changelist") for model, _ in OURS}
    few, rows = {}, {}
    for model, url in urls.items():
        curator.get(url)  # warm caches (content types, session) so only the list's own queries count
        with CaptureQueriesContext(connection) as few[model]:
            curator.get(url)
        rows[model] = model.objects.count()

    build_records("B")
    build_records("C")
    for model, url in urls.items():
        with subtests.test(model=model._meta.label):
            assert model.objects.count() > rows[model], "build_records must add rows of every registered model"
            with CaptureQueriesContext(connection) as many:
                assert curator.get(url).status_code == 200
            assert len(many) == len(few[model]), "\n".join(query["sql"] for query in many.captured_queries)


def form_relation_fields(model_admin, request):
    """Every (admin, field) on the admin's form and its inlines that points at an autocomplete target."""
    for form_admin, fk_name in [(model_admin, None)] + [
        (inline, inline.fk_name) for inline in model_admin.get_inline_instances(request)
    ]:
        readonly = set(form_admin.get_readonly_fields(request))
        for name in flatten_fieldsets(form_admin.get_fieldsets(request)):
            if name in readonly or name == fk_name:
                continue
            field = form_admin.model._meta.get_field(name)
            if field.is_relation and field.related_model in AUTOCOMPLETE_TARGETS:
                yield form_admin, name


@pytest.mark.parametrize(("model", "model_admin"), EDITED, ids=EDITED_IDS)
def test_relations_to_large_tables_use_autocomplete(curator_user, model, model_admin):
    request = RequestFactory().get("/")
    request.user = curator_user
    missing = [
        f"{type(form_admin).__name__}.{name}"
        for form_admin, name in form_relation_fields(model_admin, request)
        if name not in form_admin.autocomplete_fields
    ]
    assert not missing


@pytest.mark.parametrize(("model", "model_admin"), EDITED, ids=EDITED_IDS)
def test_fieldsets_offer_every_editable_field(curator_user, model, model_admin):
    """A field added to a model must show up in its form, not vanish from curation."""
    request = RequestFactory().get("/")
    request.user = curator_user
    offered = set(flatten_fieldsets(model_admin.get_fieldsets(request)))
    editable = {
        field.name
        for field in model._meta.get_fields()
        if field.concrete and field.editable and not field.auto_created and not getattr(field, "parent_link", False)
    }
    assert editable <= offered, f"missing from the form: {sorted(editable - offered)}"


def test_count_columns_count_each_relation_once(curator, records):
    build_records("B")  # rows of other records must not leak into these counts
    Citation.objects.create(document=records.document, event=records.operation, quote="Second source.")

    (operation,) = changelist(curator, JointOperation, q='"Arsenal A"').result_list
    # Its own two citations and its rows' (a participation's, a figure's): what the publish rule counts.
    assert (operation.citation_count, operation.outcome_count) == (4, 2)
    (topic,) = changelist(curator, Topic, q="topic-a").result_list
    assert topic.usage_count == 5  # one event of each kind


# --- Search and filters -----------------------------------------------------------------------


def test_people_are_found_by_any_spelling_once(curator):
    rahmonov = Person.objects.create(slug="rahmonov", name="Emomali Rahmonov")
    for variant in ("Emomali Rakhmonov", "Emomali Rahmon"):
        PersonName.objects.create(person=rahmonov, name=variant)
    Person.objects.create(slug="putin", name="Vladimir Putin")

    assert list(changelist(curator, Person, q="Rakhmonov").result_list) == [rahmonov]
    # The preferred name and both variants match: still one row.
    assert list(changelist(curator, Person, q="Rahm").result_list) == [rahmonov]


def test_events_are_found_by_code_name(curator, records):
    build_records("B")
    for model in (JointOperation, Event):
        assert [event.pk for event in changelist(curator, model, q='"Arsenal A"').result_list] == [records.operation.pk]


def test_status_filter(curator, records):
    JointOperation.objects.filter(pk=records.operation.pk).update(status=Status.PUBLISHED)

    published = changelist(curator, Event, status=Status.PUBLISHED).result_list
    assert [event.pk for event in published] == [records.operation.pk]


def test_country_filter_matches_any_participant_and_offers_only_countries_in_use(curator, records):
    other = build_records("B")
    # Tajikistan takes part in one meeting only through a person (a national of it),
    # Testland B in the other only through its ministry; Testland A in none.
    Participation.objects.filter(event=records.meeting, person__isnull=True).delete()
    Participation.objects.filter(event=other.meeting, organization__isnull=True).delete()

    assert list(changelist(curator, Meeting, country="TJ").result_list) == [records.meeting]
    cl = changelist(curator, Meeting, country="XB")
    assert list(cl.result_list) == [other.meeting]
    country_filter = next(spec for spec in cl.filter_specs if getattr(spec, "parameter_name", None) == "country")
    assert {code for code, _ in country_filter.lookup_choices} == {"TJ", "XB"}


# --- Entering an operation with its inlines ---------------------------------------------------


@pytest.fixture
def operation_form(curator, records):
    """POST data for a new joint operation with two participating countries, an outcome and a citation."""
    add_page = curator.get(admin_url(JointOperation, "add"))
    data = inline_management_data(add_page) | {
        "title": "Operation Passenger",
        "slug": "operation-passenger",
        "status": Status.DRAFT,
        "date": "2005-41",
        "date_text": "late 2005",
        "code_name": "Passenger",
    }
    with_rows(
        data,
        "participations",
        {"country": "RU", "role": Role.LEAD},
        {"country": "TJ", "role": Role.PARTICIPANT},
    )
    metric = Metric.objects.get(slug="metric-a")
    with_rows(data, "outcomes", {"metric": metric.pk, "value": "40", "qualifier": "more_than", "counts": "on"})
    with_rows(data, "citations", {"document": records.document.pk, "quote": "More than 40 detained."})
    return data


def row_counts():
    return {model: model.objects.count() for model in (Event, Participation, Outcome, Citation)}


def test_add_operation_with_participants_outcome_and_citation(curator, operation_form):
    response = curator.post(admin_url(JointOperation, "add"), operation_form)

    assert response.status_code == 302, response.context["errors"] if response.context else response
    operation = JointOperation.objects.get(slug="operation-passenger")
    assert (operation.date_lower, operation.date_upper) == (date(2005, 7, 1), date(2005, 12, 31))
    assert sorted(operation.participations.values_list("country", flat=True)) == ["RU", "TJ"]
    outcome = operation.outcomes.get()
    assert (outcome.value, outcome.unit) == (40, "persons")  # the unit defaults to the metric's
    assert operation.citations.get().quote == "More than 40 detained."


def test_bad_edtf_date_is_a_form_error_on_date_and_writes_nothing(curator, operation_form):
    before = row_counts()
    response = curator.post(admin_url(JointOperation, "add"), operation_form | {"date": "late 2005"})

    assert response.status_code == 200
    assert "not a valid EDTF date" in response.context["adminform"].form.errors["date"][0]
    assert row_counts() == before


def test_participant_with_both_country_and_person_gets_the_constraint_message(curator, operation_form, records):
    before = row_counts()
    operation_form["participations-0-person"] = records.person.pk
    response = curator.post(admin_url(JointOperation, "add"), operation_form)

    assert response.status_code == 200
    participations = next(
        formset for formset in response.context["inline_admin_formsets"] if formset.formset.prefix == "participations"
    )
    assert participations.formset.errors[0]["__all__"] == ["Choose exactly one of country, organization or person."]
    assert row_counts() == before


def test_same_participant_twice_is_a_form_error_not_a_database_error(curator, operation_form):
    before = row_counts()
    operation_form["participations-1-country"] = "RU"
    operation_form["participations-1-role"] = Role.LEAD
    response = curator.post(admin_url(JointOperation, "add"), operation_form)

    assert response.status_code == 200
    assert "This country already takes part in this event in this role." in response.content.decode()
    assert row_counts() == before


# --- Curation flow and the timeline ------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("mark_reviewed", Status.REVIEWED),
        ("publish", Status.PUBLISHED),
        ("publish_with_linked", Status.PUBLISHED),
        ("withdraw", Status.WITHDRAWN),
    ],
)
def test_status_actions_set_status_stamp_and_log(curator, records, action, status):
    operation = records.operation
    if action == "publish":  # refused while the actors and documents it refers to are drafts (test_workflow_linked)
        for record in workflow.unpublished_references(operation):
            type(record).objects.filter(pk=record.pk).update(status=Status.PUBLISHED)
    stamped = operation.updated_at
    response = curator.post(
        admin_url(JointOperation, "changelist"), {"action": action, "_selected_action": [operation.pk]}
    )

    assert response.status_code == 302
    operation.refresh_from_db()
    assert operation.status == status
    assert operation.updated_at > stamped  # incremental sync must see the change
    assert LogEntry.objects.filter(object_id=str(operation.pk)).exists()
    assert Meeting.objects.get(pk=records.meeting.pk).status == Status.DRAFT  # not selected


def test_timeline_rows_open_in_their_kind_admin(curator, records):
    content = curator.get(admin_url(Event, "changelist")).content.decode()
    assert event_change_url(records.operation) in content
    assert event_change_url(records.meeting) in content

    response = curator.get(admin_url(Event, "change", records.operation.pk))
    assert response.status_code == 302
    assert response.url == admin_url(JointOperation, "change", records.operation.pk)


def test_timeline_serves_event_autocomplete(curator, records):
    """The read-only timeline is still where every “event” field searches (links, participations…)."""
    response = curator.get(
        reverse("admin:autocomplete"),
        {"app_label": "cooperation", "model_name": "eventlink", "field_name": "target", "term": '"Arsenal A"'},
    )

    assert response.status_code == 200
    assert [result["id"] for result in response.json()["results"]] == [str(records.operation.pk)]
