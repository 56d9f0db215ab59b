"""The model layer's guarantees: database constraints, validation, derived fields, visibility, natural keys.

Constraint tests save with validation bypassed, so they prove the database itself refuses bad rows
(on SQLite and PostgreSQL alike); the matching ``full_clean`` tests prove curators get the
constraint's own message instead of a server error.
"""

import json
from datetime import date
from types import SimpleNamespace

import pycountry
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from cooperation.choices import (
    EventKind,
    ExerciseKind,
    LinkKind,
    MeetingKind,
    OrganizationKind,
    PartnershipKind,
    Role,
    StatementForm,
    Status,
)
from cooperation.models import (
    EVENT_MODELS,
    AgendaItem,
    ApiToken,
    Citation,
    Council,
    Country,
    Document,
    Event,
    EventFacet,
    EventLink,
    EventTally,
    EventText,
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
    Tombstone,
    Topic,
)

pytestmark = pytest.mark.django_db


def make_meeting(slug: str, **fields) -> Meeting:
    return Meeting.objects.create(
        slug=slug, **{"title": slug, "date": "2006-04-21", "meeting_kind": MeetingKind.TALKS, **fields}
    )


@pytest.fixture
def records():
    """One saved record of each kind a child row can point at."""
    source = Source.objects.create(slug="interfax", name="Interfax", kind="news_agency")
    return SimpleNamespace(
        event=make_meeting("talks"),
        partnership=Partnership.objects.create(
            slug="ru-tj", title="Russia and Tajikistan", kind=PartnershipKind.SECURITY
        ),
        document=Document.objects.create(slug="report", source=source, title="Report", published_on=date(2006, 4, 21)),
        organization=Organization.objects.create(slug="cis", name="CIS", kind=OrganizationKind.INTERGOVERNMENTAL),
        person=Person.objects.create(slug="rahmonov", name="Emomali Rahmonov"),
        country=Country.objects.get(code="TJ"),
        metric=Metric.objects.get(slug="crimes-solved"),
    )


# (id, builder of an unsaved row breaking a rule, database constraint name, the constraint's message)
BROKEN_ROWS = [
    (
        "participation-without-target",
        lambda r: Participation(event=r.event),
        "cooperation_participation_exactly_one_target",
        "Choose exactly one of country, organization or person.",
    ),
    (
        "participation-with-two-targets",
        lambda r: Participation(event=r.event, country=r.country, person=r.person),
        "cooperation_participation_exactly_one_target",
        "Choose exactly one of country, organization or person.",
    ),
    (
        "citation-with-two-targets",
        lambda r: Citation(document=r.document, event=r.event, partnership=r.partnership),
        "cooperation_citation_exactly_one_target",
        "Cite exactly one of event, participation, outcome, partnership, position or proposal.",
    ),
    (
        "citation-without-target",
        lambda r: Citation(document=r.document),
        "cooperation_citation_exactly_one_target",
        "Cite exactly one of event, participation, outcome, partnership, position or proposal.",
    ),
    (
        "outcome-negative-value",
        lambda r: Outcome(event=r.event, metric=r.metric, value=-1),
        "cooperation_outcome_value_non_negative",
        "A figure cannot be negative.",
    ),
    (
        "outcome-of-event-and-partnership",
        lambda r: Outcome(event=r.event, partnership=r.partnership, metric=r.metric, value=5),
        "cooperation_outcome_exactly_one_subject",
        "A figure belongs to exactly one event or partnership.",
    ),
    (
        "event-linked-to-itself",
        lambda r: EventLink(source=r.event, target=r.event, kind=LinkKind.FOLLOWS),
        "cooperation_eventlink_not_self",
        "An event cannot be linked to itself.",
    ),
    (
        "partnership-party-with-two-parties",
        lambda r: PartnershipParty(partnership=r.partnership, country=r.country, organization=r.organization),
        "cooperation_partnershipparty_exactly_one_party",
        "Choose exactly one of country or organization.",
    ),
]


@pytest.mark.parametrize(("build", "constraint"), [pytest.param(b, c, id=i) for i, b, c, _ in BROKEN_ROWS])
def test_database_refuses_row_breaking_a_check_constraint(records, build, constraint):
    row = build(records)

    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        row.save()

    # Both backends name the violated CHECK constraint, so a failure for another reason cannot pass.
    assert constraint in str(caught.value)


@pytest.mark.parametrize(("build", "message"), [pytest.param(b, m, id=i) for i, b, _, m in BROKEN_ROWS])
def test_full_clean_reports_the_constraint_message(records, build, message):
    with pytest.raises(ValidationError) as caught:
        build(records).full_clean()

    assert message in caught.value.message_dict[NON_FIELD_ERRORS]


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda r: Participation(event=r.event, organization=r.organization), id="participation"),
        pytest.param(lambda r: Citation(document=r.document, partnership=r.partnership), id="citation"),
        pytest.param(lambda r: Outcome(partnership=r.partnership, metric=r.metric, value=0), id="outcome"),
        pytest.param(lambda r: EventLink(source=r.event, target=make_meeting("later"), kind="follows"), id="link"),
    ],
)
def test_valid_rows_pass_the_same_rules(records, build):
    """The counterpart of the refusals above: the rules are not simply refusing everything."""
    row = build(records)
    row.full_clean()
    row.save()

    assert type(row).objects.filter(pk=row.pk).exists()


def test_database_refuses_duplicate_participation(records):
    Participation.objects.create(event=records.event, country=records.country, role=Role.HOST)
    duplicate = Participation(event=records.event, country=records.country, role=Role.HOST)

    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert "This country already takes part in this event in this role." in caught.value.messages


def test_same_party_may_take_part_in_another_role(records):
    Participation.objects.create(event=records.event, country=records.country, role=Role.HOST)
    Participation.objects.create(event=records.event, country=records.country, role=Role.PARTICIPANT)

    assert records.event.participations.count() == 2


def test_database_refuses_date_bounds_out_of_order():
    event = make_meeting("talks")

    # QuerySet.update() skips the pre_save handler that would re-derive the bounds.
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        Event.objects.filter(pk=event.pk).update(date_lower=date(2006, 5, 1), date_upper=date(2006, 4, 1))
    assert "cooperation_event_date_order" in str(caught.value)


@pytest.mark.parametrize(
    ("edtf_date", "message"),
    [
        ("late 2005", "“late 2005” is not a valid EDTF date."),
        ("2006-13-01", "“2006-13-01” is not a valid EDTF date."),
        ("2006-04-22/2006-04-21", "“2006-04-22/2006-04-21” ends before it starts."),
        ("", "Enter a date."),
    ],
)
def test_bad_date_is_a_validation_error_on_the_date_field(edtf_date, message):
    meeting = Meeting(slug="talks", title="Talks", meeting_kind=MeetingKind.TALKS, date=edtf_date)

    with pytest.raises(ValidationError) as caught:
        meeting.full_clean()

    assert any(text.startswith(message) for text in caught.value.message_dict["date"])


def test_bad_date_is_refused_on_save_too():
    with pytest.raises(ValidationError):
        make_meeting("talks", date="late 2005")

    assert not Event.objects.exists()


def test_date_bounds_are_derived_on_save_and_follow_changes():
    meeting = make_meeting("talks", date="2005-36")
    assert (meeting.date_lower, meeting.date_upper, meeting.date_precision) == (
        date(2005, 10, 1),
        date(2005, 12, 31),
        "season",
    )

    meeting.date = "2006-04-21/2006-04-22"
    meeting.save()
    stored = Event.objects.get(pk=meeting.pk)
    assert (stored.date_lower, stored.date_upper, stored.date_precision) == (
        date(2006, 4, 21),
        date(2006, 4, 22),
        "day",
    )


def test_optional_date_left_empty_has_no_bounds():
    partnership = Partnership.objects.create(slug="open", title="Open", kind=PartnershipKind.SECURITY, date="")

    assert (partnership.date_lower, partnership.date_upper, partnership.date_precision) == (None, None, "")


def test_date_bounds_are_derived_on_raw_loaddata(tmp_path):
    # Stale bounds in the file must be replaced, not trusted: loaddata saves raw, skipping Model.save().
    fixture = tmp_path / "dated.json"
    fixture.write_text(
        json.dumps(
            [
                {
                    "model": "cooperation.event",
                    "fields": {
                        "slug": "late-2005-session",
                        "title": "Late 2005",
                        "kind": EventKind.MEETING,
                        "date": "2005-41",
                        "date_text": "late 2005",
                        "date_lower": "1999-01-01",
                    },
                },
                {
                    "model": "cooperation.meeting",
                    "fields": {"event_ptr": ["late-2005-session"], "meeting_kind": MeetingKind.TALKS},
                },
            ]
        )
    )

    call_command("loaddata", fixture, verbosity=0)

    meeting = Meeting.objects.get(slug="late-2005-session")
    assert (meeting.date_lower, meeting.date_upper, meeting.date_precision) == (
        date(2005, 7, 1),
        date(2005, 12, 31),
        "season",
    )


def make_event(kind: str, slug: str) -> Event:
    """An unsaved event of ``kind`` with the detail fields that kind requires."""
    detail = {
        EventKind.SESSION: lambda: {"council": make_council()},
        EventKind.OPERATION: lambda: {"code_name": "Passenger"},
        EventKind.EXERCISE: lambda: {"exercise_kind": ExerciseKind.ANTI_TERROR},
        EventKind.MEETING: lambda: {"meeting_kind": MeetingKind.VISIT},
        EventKind.STATEMENT: lambda: {"form": StatementForm.ADDRESS},
    }[kind]()
    return EVENT_MODELS[kind](slug=slug, title=slug, date="2006-04", **detail)


def make_council() -> Council:
    cis, _ = Organization.objects.get_or_create(
        slug="cis", defaults={"name": "CIS", "kind": OrganizationKind.INTERGOVERNMENTAL}
    )
    council, _ = Council.objects.get_or_create(
        slug="cis-interior-ministers", defaults={"name": "CIS Council of Interior Ministers", "organization": cis}
    )
    return council


def test_every_event_kind_has_a_model():
    assert set(EVENT_MODELS) == set(EventKind.values)


@pytest.mark.parametrize("kind", EventKind.values)
def test_event_kind_is_set_from_the_subclass(kind):
    wrong_kind = next(other for other in EventKind.values if other != kind)
    event = make_event(kind, slug=f"a-{kind}")
    event.kind = wrong_kind  # whatever a caller sets, the subclass decides
    event.save()

    stored = Event.objects.get(pk=event.pk)
    assert stored.kind == kind
    assert type(stored.typed) is EVENT_MODELS[kind]


@pytest.fixture
def organizations_in_every_status():
    for status in Status.values:
        Organization.objects.create(slug=f"org-{status}", name=status, kind=OrganizationKind.AGENCY, status=status)


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        pytest.param(lambda m: AnonymousUser(), {Status.PUBLISHED}, id="anonymous"),
        pytest.param(lambda m: None, {Status.PUBLISHED}, id="no-user"),
        pytest.param(lambda m: m.objects.create_user("reader"), {Status.PUBLISHED}, id="signed-in-non-staff"),
        pytest.param(
            lambda m: m.objects.create_user("former", is_staff=True, is_active=False),
            {Status.PUBLISHED},
            id="inactive-staff",
        ),
        pytest.param(lambda m: m.objects.create_user("curator", is_staff=True), set(Status.values), id="staff"),
    ],
)
def test_visible_to_shows_staff_everything_and_others_published_only(
    organizations_in_every_status, django_user_model, user, expected
):
    visible = Organization.objects.visible_to(user(django_user_model))

    assert set(visible.values_list("status", flat=True)) == expected


def test_reference_data_is_visible_to_everyone():
    assert Country.objects.visible_to(AnonymousUser()).count() == Country.objects.count() > 0


def test_every_iso_country_is_present():
    codes = set(Country.objects.values_list("code", flat=True))

    assert codes == {country.alpha_2 for country in pycountry.countries}
    assert len(codes) == 249  # ISO 3166-1 has 249 entries


@pytest.mark.parametrize(
    ("code", "alpha3"), [("UA", "UKR"), ("TJ", "TJK"), ("US", "USA"), ("CN", "CHN"), ("RU", "RUS")]
)
def test_country_is_found_by_iso_code(code, alpha3):
    assert Country.objects.get_by_natural_key(code).alpha3 == alpha3


# Reference data comes from migrations, not fixtures; everything else must round-trip.
REFERENCE = {Country, Topic, Metric}
SYNC_LOG = {Tombstone}  # written by deletions and withdrawals; not data to dump and load
ACCESS = {ApiToken}  # who may use the API: not data either
DERIVED = {EventFacet, EventTally, EventText}  # derived by the database's triggers (``cooperation.facets``)


def curated_snapshot() -> dict[str, list]:
    """Every non-reference row, by model, as sorted natural keys (duplicates would show twice)."""
    from django.apps import apps

    return {
        model._meta.label: sorted(obj.natural_key() for obj in model._default_manager.all())
        for model in apps.get_app_config("cooperation").get_models()
        if model not in REFERENCE | SYNC_LOG | ACCESS | DERIVED
    }


@pytest.fixture
def article_like_graph():
    """A small web of records touching every natural-key kind and relation type."""
    council = make_council()
    council.organization.members.set(["RU", "TJ", "BY"])
    session = make_event(EventKind.SESSION, slug="session-2006-04")
    session.save()
    session.topics.set(Topic.objects.filter(slug__in=["terrorism", "drug-trafficking"]))
    operation = make_event(EventKind.OPERATION, slug="passenger-2005")
    operation.date = "2005-41"
    operation.save()
    EventLink.objects.create(source=operation, target=session, kind=LinkKind.REPORTED_AT)
    for kind in (EventKind.EXERCISE, EventKind.MEETING, EventKind.STATEMENT):
        make_event(kind, slug=f"a-{kind}").save()
    AgendaItem.objects.create(session=session, order=1, title="Fight against terrorism")
    proposal = Proposal.objects.create(session=session, title="A single database of criminals")
    person = Person.objects.create(slug="nurgaliyev", name="Rashid Nurgaliyev", country_id="RU")
    PersonName.objects.create(person=person, name="Rashid Nurgaliev")
    position = Position.objects.create(person=person, title="Interior Minister", country_id="RU", date="2004-03/..")
    Participation.objects.create(event=session, person=person, role=Role.SPEAKER)
    Participation.objects.create(event=operation, country_id="TJ")
    crimes = Metric.objects.get(slug="crimes-solved")
    total = Outcome.objects.create(event=operation, metric=crimes, value=3000)
    subset = Outcome.objects.create(event=operation, metric=crimes, value=214, scope="in CIS countries", part_of=total)
    partnership = Partnership.objects.create(slug="ru-tj", title="Russia and Tajikistan", kind=PartnershipKind.SECURITY)
    PartnershipParty.objects.create(partnership=partnership, country_id="RU")
    PartnershipParty.objects.create(partnership=partnership, organization=council.organization)
    partnership.events.add(operation)
    source = Source.objects.create(slug="interfax", name="Interfax", kind="news_agency", country_id="RU")
    document = Document.objects.create(slug="interfax-1", source=source, title="Report", published_on=date(2006, 4, 21))
    for target in ({"outcome": subset}, {"proposal": proposal}, {"position": position}, {"event": session}):
        Citation.objects.create(document=document, quote="…", **target)
    return SimpleNamespace(subset=subset, total=total, council=council)


def delete_curated_records():
    # Children first: several relations PROTECT their targets.
    for model in (Citation, Outcome, Participation, EventLink, Event, Partnership, Person, Council, Organization):
        model.objects.all().delete()
    Document.objects.all().delete()
    Source.objects.all().delete()


def test_natural_keys_round_trip_without_duplicates(article_like_graph, tmp_path):
    dump = tmp_path / "dump.json"
    call_command(
        "dumpdata",
        "cooperation",
        *(f"--exclude={model._meta.label}" for model in REFERENCE | SYNC_LOG | ACCESS | DERIVED),
        natural_foreign=True,
        natural_primary=True,
        output=str(dump),
        verbosity=0,
    )
    before = curated_snapshot()
    assert all(before.values()), "the graph should give every model at least one row"

    call_command("loaddata", dump, verbosity=0)
    assert curated_snapshot() == before, "re-loading onto existing rows must update, not duplicate"

    delete_curated_records()
    assert not any(curated_snapshot().values())
    call_command("loaddata", dump, verbosity=0)
    call_command("loaddata", dump, verbosity=0)
    assert curated_snapshot() == before

    subset = Outcome.objects.get(uid=article_like_graph.subset.uid)
    assert subset.part_of.uid == article_like_graph.total.uid
    members = Organization.objects.get(slug="cis").members.values_list("code", flat=True)
    assert set(members) == {"RU", "TJ", "BY"}
