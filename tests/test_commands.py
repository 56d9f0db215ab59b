"""``seed_demo``: loads demo fixtures by natural key and creates the demo admin exactly once.

The tests use a tiny fixture of their own (through ``FIXTURE_DIRS``) so they do not depend on the
article fixture's content.
"""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.serializers.base import DeserializationError

from cooperation.models import Document, Source

pytestmark = pytest.mark.django_db

TINY_FIXTURE = [
    {
        "model": "cooperation.source",
        "fields": {"slug": "edm", "name": "Eurasia Daily Monitor", "kind": "journal", "status": "published"},
    },
    {
        "model": "cooperation.document",
        "fields": {
            "slug": "edm-2006-v3-i79",
            "source": ["edm"],
            "title": "Tiny test document",
            "published_on": "2006-04-24",
            "status": "published",
        },
    },
]


@pytest.fixture
def tiny_fixture(settings, tmp_path):
    """Name of a two-record fixture that only these tests can see."""
    (tmp_path / "tiny-demo.json").write_text(json.dumps(TINY_FIXTURE))
    settings.FIXTURE_DIRS = [tmp_path]
    return "tiny-demo"


@pytest.fixture(autouse=True)
def default_demo_login(monkeypatch):
    """Tests start from the documented defaults, whatever the developer's shell exports."""
    monkeypatch.delenv("DEMO_ADMIN_USER", raising=False)
    monkeypatch.delenv("DEMO_ADMIN_PASSWORD", raising=False)


def seed(*args, **options) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out, **options)
    return out.getvalue()


def stored_rows(django_user_model) -> dict[str, list]:
    return {
        "sources": list(Source.objects.values_list("slug", flat=True)),
        "documents": list(Document.objects.values_list("slug", flat=True)),
        "users": list(django_user_model.objects.values_list("username", flat=True)),
    }


def test_seed_demo_loads_fixtures_and_creates_the_admin(tiny_fixture, django_user_model):
    output = seed(tiny_fixture)

    assert stored_rows(django_user_model) == {"sources": ["edm"], "documents": ["edm-2006-v3-i79"], "users": ["admin"]}
    admin = django_user_model.objects.get(username="admin")
    assert admin.is_staff
    assert admin.is_superuser
    assert admin.check_password("admin")
    assert "(created)" in output
    assert "“admin”" in output


def test_seed_demo_twice_adds_nothing(tiny_fixture, django_user_model):
    seed(tiny_fixture)
    first = stored_rows(django_user_model)
    admin_password = django_user_model.objects.get(username="admin").password

    output = seed(tiny_fixture)

    assert stored_rows(django_user_model) == first
    assert django_user_model.objects.get(username="admin").password == admin_password
    assert "(exists)" in output


def test_seed_demo_takes_the_login_from_the_environment(tiny_fixture, django_user_model, monkeypatch):
    monkeypatch.setenv("DEMO_ADMIN_USER", "curator")
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "s3cret-demo")

    seed(tiny_fixture)

    (user,) = django_user_model.objects.all()
    assert user.username == "curator"
    assert user.check_password("s3cret-demo")


def test_seed_demo_refuses_an_empty_password(tiny_fixture, django_user_model):
    with pytest.raises(CommandError, match="password may not be empty"):
        seed(tiny_fixture, password="")

    assert stored_rows(django_user_model) == {"sources": [], "documents": [], "users": []}


def test_seed_demo_with_an_unknown_fixture_writes_nothing(tiny_fixture, django_user_model):
    with pytest.raises(CommandError, match="no-such-fixture"):
        seed(tiny_fixture, "no-such-fixture")

    assert stored_rows(django_user_model) == {"sources": [], "documents": [], "users": []}


def test_seed_demo_failing_part_way_writes_nothing(tiny_fixture, settings, django_user_model):
    # Loads after the good fixture, then fails on its second record's impossible date.
    broken_document = {**TINY_FIXTURE[1], "fields": {**TINY_FIXTURE[1]["fields"], "published_on": "2006-13-45"}}
    (settings.FIXTURE_DIRS[0] / "broken.json").write_text(json.dumps([TINY_FIXTURE[0], broken_document]))

    with pytest.raises(DeserializationError):
        seed(tiny_fixture, "broken")

    assert stored_rows(django_user_model) == {"sources": [], "documents": [], "users": []}
