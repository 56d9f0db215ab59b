"""The seed article fixture: it loads on every database, loads twice without duplicates, and says what the article says.

The figures and dates below are read from the article (``../shared/source/edm-2006-v3-i79.txt``), not from the
fixture, so a wrong number or a lost record in the fixture fails here.
"""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.core.management import call_command
from django.db.models import Q

from cooperation.choices import Qualifier, Role, Status
from cooperation.models import (
    EVENT_MODELS,
    Citation,
    Document,
    Event,
    Outcome,
    Participation,
    Partnership,
    Person,
    Position,
    Proposal,
    Statement,
)
from cooperation.models.base import Curated

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURE_PATH = REPO_ROOT / "fixtures" / "edm-2006-v3-i79.yaml"
# The shared checkout sits next to the repository (CI has it at ../shared too).
SOURCE_PATH = REPO_ROOT.parent / "shared" / "source" / "edm-2006-v3-i79.txt"

EDM = "edm-2006-v3-i79"
SESSION = "cis-interior-ministers-dushanbe-2006"
PASSENGER = "passenger-2005"
ARSENAL = "arsenal"
EXERCISE = "cis-anti-terror-exercises-2006-04-22"
TJ_RU_PARTNERSHIP = "tajikistan-russia-strategic-partnership"

# Loaded by data migrations, not by the fixture.
REFERENCE_MODELS = {"cooperation.country", "cooperation.topic", "cooperation.metric"}
DERIVED_FIELDS = {"date_lower", "date_upper", "date_precision", "created_at", "updated_at"}
CITED_MODELS = [Event, Participation, Outcome, Partnership, Position, Proposal]


def normalise(text: str) -> str:
    return " ".join(text.split())


def fixture_objects() -> list[dict]:
    return yaml.safe_load(FIXTURE_PATH.read_text(encoding="utf-8"))


def cooperation_models(*, include_auto_created=False):
    return apps.get_app_config("cooperation").get_models(include_auto_created=include_auto_created)


def fixture_models():
    labels = {obj["model"] for obj in fixture_objects()}
    return [model for model in cooperation_models() if model._meta.label_lower in labels]


def edm_text() -> str:
    return Document.objects.get(slug=EDM).text


# --- the file itself -------------------------------------------------------------------------------------------


def test_fixture_uses_natural_keys_only():
    """No ``pk`` anywhere (natural keys make re-loading idempotent) and no derived fields written by hand."""
    for obj in fixture_objects():
        model = apps.get_model(obj["model"])
        assert "pk" not in obj, obj
        assert not DERIVED_FIELDS & obj["fields"].keys(), obj
        if any(field.name == "uid" for field in model._meta.fields):
            assert obj["fields"].get("uid"), f"{obj['model']} row without a uid: {obj['fields']}"


# --- loading ---------------------------------------------------------------------------------------------------


def test_loading_twice_creates_no_duplicates(article):
    models = list(cooperation_models(include_auto_created=True))
    before = {model._meta.label: model.objects.count() for model in models}

    call_command("loaddata", EDM, verbosity=0)

    after = {model._meta.label: model.objects.count() for model in models}
    assert after == before
    assert all(before[model._meta.label] for model in fixture_models()), "a fixture model loaded no rows"


def test_every_loaded_record_passes_model_validation(article):
    """``loaddata`` skips validation; the admin and the API will not."""
    for model in fixture_models():
        for record in model.objects.all():
            record.full_clean()


def test_every_curated_record_is_published(article):
    curated = [model for model in fixture_models() if issubclass(model, Curated)]
    assert curated
    for model in curated:
        assert not model.objects.exclude(status=Status.PUBLISHED).exists(), model


def test_each_event_kind_matches_its_subclass(article):
    for kind, model in EVENT_MODELS.items():
        typed = set(model.objects.values_list("pk", flat=True))
        assert typed == set(Event.objects.filter(kind=kind).values_list("pk", flat=True)), kind
    assert sum(model.objects.count() for model in EVENT_MODELS.values()) == Event.objects.count()


# --- provenance ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", CITED_MODELS, ids=lambda model: model.__name__)
def test_every_fact_has_a_citation(article, model):
    assert model.objects.exists()
    uncited = model.objects.filter(citations__isnull=True)
    assert not uncited.exists(), list(uncited)


def test_every_edm_quote_occurs_verbatim_in_the_article(article):
    article_text = normalise(edm_text())
    citations = Citation.objects.filter(document__slug=EDM)
    assert citations.exists()
    for citation in citations:
        assert citation.quote, f"EDM citation {citation.uid} has no quote"
        assert normalise(citation.quote) in article_text, citation.quote


def test_quoted_statement_text_occurs_in_the_article(article):
    article_text = normalise(edm_text())
    quoted = Statement.objects.exclude(text="")
    assert quoted.exists()
    for statement in quoted:
        for passage in statement.text.split("\n\n"):
            assert normalise(passage) in article_text, (statement.slug, passage)


@pytest.mark.skipif(not SOURCE_PATH.exists(), reason=f"source article not found at {SOURCE_PATH}")
def test_article_text_is_the_source_file(article):
    assert edm_text() == SOURCE_PATH.read_text(encoding="utf-8")


# --- the article's facts ---------------------------------------------------------------------------------------


def figures(*, metric, **subject):
    return Outcome.objects.filter(metric__slug=metric, **subject)


def test_passenger_figures(article):
    crimes = figures(metric="crimes-solved", event__slug=PASSENGER).get()
    detained = figures(metric="persons-detained", event__slug=PASSENGER, part_of__isnull=True).get()
    previously_wanted = figures(metric="persons-detained", event__slug=PASSENGER, part_of__isnull=False).get()

    assert crimes.value == 585
    assert detained.value == 224
    assert previously_wanted.value == 6
    assert previously_wanted.part_of == detained
    assert previously_wanted.scope == "previously on the wanted list"


def test_arsenal_figures(article):
    small_arms = figures(metric="small-arms-seized", event__slug=ARSENAL).get()
    explosives = figures(metric="explosives-seized", event__slug=ARSENAL).get()
    wanted = figures(metric="persons-wanted", event__slug=ARSENAL, part_of__isnull=True).get()
    wanted_in_cis = figures(metric="persons-wanted", event__slug=ARSENAL, part_of__isnull=False).get()

    assert small_arms.value == 10_000
    assert (explosives.value, explosives.unit, explosives.qualifier) == (200, "kg", Qualifier.MORE_THAN)
    assert wanted.value == 7_250
    assert (wanted_in_cis.value, wanted_in_cis.part_of, wanted_in_cis.scope) == (214, wanted, "in CIS countries")


def test_subset_figures_do_not_inflate_totals(article):
    """A dashboard sums the figures that are not part of another: 7,250 wanted, not 7,464."""
    totals = figures(metric="persons-wanted", part_of__isnull=True, counts=True)
    assert sum(figure.value for figure in totals) == 7_250


def test_projected_russian_investment(article):
    investment = figures(metric="investment", partnership__slug=TJ_RU_PARTNERSHIP).get()

    assert investment.value == Decimal("2500000000")
    assert (investment.unit, investment.qualifier) == ("USD", Qualifier.PROJECTED)
    parties = set(investment.partnership.parties.values_list("country__code", flat=True))
    assert parties == {"TJ", "RU"}


@pytest.mark.parametrize(
    ("slug", "lower", "upper"),
    [
        (PASSENGER, datetime.date(2005, 7, 1), datetime.date(2005, 12, 31)),  # “late 2005”
        (SESSION, datetime.date(2006, 4, 21), datetime.date(2006, 4, 22)),
        (EXERCISE, datetime.date(2006, 4, 22), datetime.date(2006, 4, 22)),
        (ARSENAL, None, datetime.date(2006, 4, 21)),  # undated, reported on April 21
    ],
)
def test_date_bounds(article, slug, lower, upper):
    event = Event.objects.get(slug=slug)
    assert (event.date_lower, event.date_upper) == (lower, upper)


def participating_countries(slug, **roles):
    return dict(
        Participation.objects.filter(event__slug=slug, country__isnull=False, **roles).values_list(
            "country__code", "role"
        )
    )


def test_passenger_was_russian_led_with_ukraine(article):
    assert participating_countries(PASSENGER) == {"RU": Role.LEAD, "UA": Role.PARTICIPANT}


def test_exercise_participants(article):
    assert set(participating_countries(EXERCISE)) == {"RU", "BY", "TJ", "AM"}
    units = Participation.objects.filter(event__slug=EXERCISE, organization__isnull=False)
    assert set(units.values_list("organization__country__code", flat=True)) == {"RU", "BY", "TJ", "AM"}
    assert units.get(organization__kind="police").detail == "units"


def test_session_belongs_to_its_council_and_was_hosted_by_tajikistan(article):
    session = EVENT_MODELS["session"].objects.get(slug=SESSION)
    assert session.council.slug == "cis-council-of-interior-ministers"
    assert participating_countries(SESSION, role=Role.HOST) == {"TJ": Role.HOST}


@pytest.mark.parametrize(
    ("variant", "slug"),
    [
        ("Rakhmonov", "emomali-rahmon"),
        ("Imomali Rahmonov", "emomali-rahmon"),
        ("Emomali Rahmon", "emomali-rahmon"),
        ("Nurgaliyev", "rashid-nurgaliev"),
        ("Akilov", "oqil-oqilov"),
        ("Khairulloev", "sherali-khayrulloyev"),
        ("Болдырев", "vladimir-boldyrev"),
    ],
)
def test_person_found_by_name_variant(article, variant, slug):
    matches = Person.objects.filter(Q(name__icontains=variant) | Q(names__name__icontains=variant)).distinct()
    assert list(matches.values_list("slug", flat=True)) == [slug]
