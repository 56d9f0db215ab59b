"""Who may do what: the permissions table of the API, publishing as a permission, tokens, and the two groups.

The table is driven by the router's registry and the stats URLs, so a new endpoint (or a new method on one) is
covered without an edit here — given a way to make one of its records (``RECORDS``). Print it with

    .venv/bin/python -m pytest tests/test_api_permissions.py -k table -s

or set ``PERMISSIONS_TABLE=<file>`` to have the test write it there as markdown.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from cooperation import services, workflow
from cooperation.api.stats import urls as stats_urls
from cooperation.api.urls import router
from cooperation.choices import Status
from cooperation.models import (
    ApiToken,
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
from tests.factories import (
    CitationFactory,
    CouncilFactory,
    CouncilSessionFactory,
    DocumentFactory,
    ExerciseFactory,
    JointOperationFactory,
    MeetingFactory,
    OrganizationFactory,
    PartnershipFactory,
    PersonFactory,
    SourceFactory,
    StatementFactory,
)
from tests.test_history import admin_form_data, admin_url

pytestmark = pytest.mark.django_db

API = "/api/v1"
GROUPS_MIGRATION = "0010_curator_groups"

ANONYMOUS, READ_ONLY, CURATOR, REVIEWER, SUPERUSER = "anonymous", "read-only token", "curator", "reviewer", "superuser"
ACTORS = (ANONYMOUS, READ_ONLY, CURATOR, REVIEWER, SUPERUSER)
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ALLOWED = "✓"  # a read: 200; a write past authentication and permissions: 200, 201, 204, or validation's 400 or 409
PASSED = {200, 201, 204, 400, 409}
QUERIES = {"deleted": "?since=2000-01-01T00:00:00Z"}  # what a list needs to answer a read with 200
GET = frozenset({"GET"})

# How to make a record of each model an endpoint serves (``status`` for curated ones).
RECORDS = {
    Country: lambda status: Country.objects.get(code="UA"),
    Topic: lambda status: Topic.objects.order_by("pk").first(),
    Metric: lambda status: Metric.objects.order_by("pk").first(),
    Organization: lambda status: OrganizationFactory(status=status),
    Council: lambda status: CouncilFactory(status=status),
    Person: lambda status: PersonFactory(status=status),
    Event: lambda status: MeetingFactory(status=status),
    CouncilSession: lambda status: CouncilSessionFactory(status=status),
    JointOperation: lambda status: JointOperationFactory(status=status),
    Exercise: lambda status: ExerciseFactory(status=status),
    Meeting: lambda status: MeetingFactory(status=status),
    Statement: lambda status: StatementFactory(status=status),
    Partnership: lambda status: PartnershipFactory(status=status),
    Source: lambda status: SourceFactory(status=status),
    Document: lambda status: DocumentFactory(status=status),
}


# Who ---------------------------------------------------------------------------------------------------------------


def staff_in(django_user_model, group: str, username: str):
    """An active staff member in ``group`` (no password: hashing one would cost more than the test)."""
    user = django_user_model.objects.create_user(username=username, password=None, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def token_client(user, *, read_only: bool) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.objects.issue(user, name='t', read_only=read_only)[1]}")
    return client


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(username="root", email="", password=None)


@pytest.fixture
def curator(django_user_model):
    return staff_in(django_user_model, "Curators", "curator-1")


@pytest.fixture
def reviewer(django_user_model):
    return staff_in(django_user_model, "Reviewers", "reviewer-1")


@pytest.fixture
def clients(superuser, curator, reviewer):
    """Each actor's API client; every signed-in one by token, the read-only one a superuser's (the token decides)."""
    return {
        ANONYMOUS: APIClient(),
        READ_ONLY: token_client(superuser, read_only=True),
        CURATOR: token_client(curator, read_only=False),
        REVIEWER: token_client(reviewer, read_only=False),
        SUPERUSER: token_client(superuser, read_only=False),
    }


@pytest.fixture
def no_throttles(monkeypatch):
    for throttle in (AnonRateThrottle, UserRateThrottle):
        monkeypatch.setattr(throttle, "THROTTLE_RATES", {"anon": None, "user": None})


# The table ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str  # the router's prefix (``operations``) or ``stats/<name>``
    kind: str  # ``list``, ``detail`` (reference data) or ``detail, <status>``
    url: str
    methods: frozenset[str]  # those the endpoint offers
    status: str | None = None  # of the record at a detail URL


def router_endpoints() -> list[Endpoint]:
    """Every route of every viewset registered, a curated record's details once published and once a draft."""
    found = [Endpoint("(root)", "list", reverse("api-root"), GET)]
    for prefix, viewset, basename in router.registry:
        for route in router.get_routes(viewset):
            mapping = router.get_method_map(viewset, route.mapping)
            if not mapping:
                continue
            name, methods = route.name.format(basename=basename), frozenset(method.upper() for method in mapping)
            if not route.detail:
                found.append(Endpoint(prefix, "list", reverse(name) + QUERIES.get(prefix, ""), methods))
                continue
            model = viewset.model
            assert model in RECORDS, f"add to RECORDS how to make a {model.__name__} for /{prefix}/"
            curated = any(field.name == "status" for field in model._meta.fields)
            for status in (Status.PUBLISHED, Status.DRAFT) if curated else (None,):
                record = RECORDS[model](status)
                lookup = viewset.lookup_field
                url = reverse(name, kwargs={viewset.lookup_url_kwarg or lookup: getattr(record, lookup)})
                kind = f"detail, {status}" if status else "detail"
                found.append(Endpoint(prefix, kind, url, methods, status))
    for pattern in stats_urls.urlpatterns:
        name = pattern.name.removeprefix("stats-")
        found.append(Endpoint("stats" if name == "root" else f"stats/{name}", "list", reverse(pattern.name), GET))
    return found


def expected(actor: str, endpoint: Endpoint, method: str) -> str:
    """The rule, in words: reads are everyone's (drafts staff's), writes staff's with the model's permissions."""
    if method not in endpoint.methods:
        return "405"  # whoever asks
    if method == "GET":
        return "404" if actor == ANONYMOUS and endpoint.status == Status.DRAFT else ALLOWED
    if actor == ANONYMOUS:
        return "401"
    if actor == READ_ONLY:
        return "403"
    if actor == CURATOR and method == "DELETE" and endpoint.status == Status.PUBLISHED:
        return "403"  # taking a published record away is a reviewer's
    return ALLOWED


def outcome(method: str, status_code: int) -> str:
    return ALLOWED if status_code in ({200} if method == "GET" else PASSED) else str(status_code)


def answer(client: APIClient, endpoint: Endpoint, method: str) -> int:
    """The status of one request, whatever it wrote rolled back, so each request meets the same records."""
    with transaction.atomic():
        response = client.generic(method, endpoint.url, "{}" if method != "GET" else "", "application/json")
        transaction.set_rollback(True)
    return response.status_code


def markdown_table(rows: dict[tuple[Endpoint, str], tuple[str, ...]]) -> str:
    """One line per group of endpoints that behave alike and the methods they answer alike."""
    by_endpoint: dict[Endpoint, dict[str, tuple[str, ...]]] = {}
    for (endpoint, method), cells in rows.items():
        by_endpoint.setdefault(endpoint, {})[method] = cells
    groups: dict[tuple, list[str]] = {}
    for endpoint, answers in by_endpoint.items():
        signature = (endpoint.kind, tuple(answers[method] for method in METHODS))
        groups.setdefault(signature, []).append(endpoint.name)
    lines = [
        f"| endpoints | route | method | {' | '.join(ACTORS)} |",
        f"|---|---|---|{'---|' * len(ACTORS)}",
    ]
    for (kind, answers), names in groups.items():
        merged: dict[tuple[str, ...], list[str]] = {}
        for method, cells in zip(METHODS, answers, strict=True):
            merged.setdefault(cells, []).append(method)
        endpoints = ", ".join(f"`{name}`" for name in dict.fromkeys(names))
        for cells, methods in merged.items():
            lines.append(f"| {endpoints} | {kind} | {' '.join(methods)} | {' | '.join(cells)} |")
            endpoints = kind = ""  # named on the group's first line only
    legend = (
        f"\n{ALLOWED}: allowed (a read 200; a write 200/201/204, or 400/409 from validation of the test's empty body); "
        "401: no credentials (`WWW-Authenticate: Token`); 403: refused; 404: not visible; 405: not offered. "
        "Curator and reviewer: staff in the Curators and Reviewers groups; the read-only token is a superuser's. "
        "Besides: a curator's PUT/PATCH that publishes, or takes a record off published, is a 400 on `status`."
    )
    return "\n".join(lines) + "\n" + legend


def test_the_permissions_table(clients, no_throttles, capsys):
    endpoints = router_endpoints()
    actual = {
        (endpoint, method): tuple(outcome(method, answer(clients[actor], endpoint, method)) for actor in ACTORS)
        for endpoint in endpoints
        for method in METHODS
    }
    wanted = {key: tuple(expected(actor, *key) for actor in ACTORS) for key in actual}
    table = markdown_table(actual)
    with capsys.disabled():
        print(f"\n{table}\n")
    if path := os.environ.get("PERMISSIONS_TABLE"):
        with open(path, "w", encoding="utf-8") as out:
            out.write(table + "\n")

    wrong = {
        f"{method} {endpoint.url} ({endpoint.kind})": dict(
            zip(ACTORS, zip(actual[endpoint, method], cells, strict=True), strict=True)
        )
        for (endpoint, method), cells in wanted.items()
        if actual[endpoint, method] != cells
    }
    assert not wrong, wrong  # each actor: (answered, expected)
    assert {endpoint.name for endpoint in endpoints} >= {prefix for prefix, _, _ in router.registry}


# The API's answers, in detail --------------------------------------------------------------------------------------

NEW_SOURCE = {"slug": "interfax", "name": "Interfax", "kind": "news_agency"}


def cited_operation(status=Status.DRAFT):
    operation = JointOperationFactory(status=status)
    CitationFactory(event=operation)
    return operation


def test_an_anonymous_write_is_still_401_with_the_token_challenge(db):
    response = APIClient().post(f"{API}/sources/", NEW_SOURCE, format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_read_only_token_reads_but_never_writes(superuser):
    client = token_client(superuser, read_only=True)
    SourceFactory(status=Status.DRAFT)

    assert client.get(f"{API}/sources/").json()["count"] == 1  # its user's view: staff see drafts
    response = client.post(f"{API}/sources/", NEW_SOURCE, format="json")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("This token is read-only")
    assert not Source.objects.filter(slug="interfax").exists()


def test_staff_without_the_model_permission_are_told_which_one(django_user_model):
    client = APIClient()
    client.force_authenticate(django_user_model.objects.create_user(username="staff", is_staff=True))

    response = client.post(f"{API}/sources/", NEW_SOURCE, format="json")

    assert response.status_code == 403
    assert "cooperation.add_source" in response.json()["detail"]


def test_a_non_staff_user_with_the_permission_still_cannot_write(django_user_model):
    user = django_user_model.objects.create_user(username="outsider")
    user.user_permissions.add(Permission.objects.get(codename="add_source"))
    client = APIClient()
    client.force_authenticate(user)

    assert client.post(f"{API}/sources/", NEW_SOURCE, format="json").status_code == 403


def test_drf_tokens_keep_working_read_write(curator):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=curator).key}")

    assert client.post(f"{API}/sources/", NEW_SOURCE, format="json").status_code == 201


def test_an_inactive_users_token_is_refused(curator):
    client = token_client(curator, read_only=False)
    curator.is_active = False
    curator.save()

    assert client.get(f"{API}/sources/").status_code == 401


def test_a_curator_writes_drafts_and_edits_a_published_record_but_does_not_publish(curator):
    client = token_client(curator, read_only=False)

    created = client.post(f"{API}/sources/", NEW_SOURCE | {"status": Status.PUBLISHED}, format="json")
    assert created.status_code == 400
    assert workflow.PUBLISH_PERMISSION in created.json()["status"][0]
    assert client.post(f"{API}/sources/", NEW_SOURCE | {"status": Status.REVIEWED}, format="json").status_code == 201

    draft, published = cited_operation(), cited_operation(Status.PUBLISHED)
    assert client.patch(f"{API}/operations/{draft.pk}/", {"status": "published"}, format="json").status_code == 400
    assert client.patch(f"{API}/operations/{published.pk}/", {"status": "withdrawn"}, format="json").status_code == 400
    linked = {"title": "Again", "status": "published", "publish_linked": True}
    assert client.patch(f"{API}/operations/{published.pk}/", linked, format="json").status_code == 400
    edited = client.patch(f"{API}/operations/{published.pk}/", {"title": "Arsenal 2"}, format="json")
    assert edited.status_code == 200, edited.content
    assert JointOperation.objects.get(pk=draft.pk).status == Status.DRAFT
    assert JointOperation.objects.get(pk=published.pk).status == Status.PUBLISHED


def test_a_reviewer_publishes_and_withdraws(reviewer):
    client = token_client(reviewer, read_only=False)
    draft, published = cited_operation(), cited_operation(Status.PUBLISHED)

    assert client.patch(f"{API}/operations/{draft.pk}/", {"status": "published"}, format="json").status_code == 200
    assert client.patch(f"{API}/operations/{published.pk}/", {"status": "withdrawn"}, format="json").status_code == 200
    assert JointOperation.objects.get(pk=draft.pk).status == Status.PUBLISHED
    assert JointOperation.objects.get(pk=published.pk).status == Status.WITHDRAWN


def test_only_a_reviewer_deletes_a_published_record(curator, reviewer):
    published, draft = SourceFactory(), SourceFactory(status=Status.DRAFT)

    refused = token_client(curator, read_only=False).delete(f"{API}/sources/{published.pk}/")
    assert refused.status_code == 403
    assert workflow.PUBLISH_PERMISSION in refused.json()["detail"]
    assert token_client(curator, read_only=False).delete(f"{API}/sources/{draft.pk}/").status_code == 204
    assert token_client(reviewer, read_only=False).delete(f"{API}/sources/{published.pk}/").status_code == 204


def test_the_services_ask_the_rule_of_whoever_writes_imports_included(curator, reviewer):
    operation = cited_operation()

    with pytest.raises(ValidationError) as refused:
        services.record_update(operation, data={"status": Status.PUBLISHED}, user=curator)
    assert workflow.PUBLISH_PERMISSION in refused.value.message_dict["status"][0]
    operation.refresh_from_db()
    # An import sets the row's values on the record before the services see it: judged from the stored status.
    operation.status = Status.PUBLISHED
    with pytest.raises(ValidationError):
        services.record_update(operation, data={"title": "Imported"}, user=curator)
    services.record_update(operation, data={"status": Status.PUBLISHED}, user=reviewer)
    assert JointOperation.objects.get(pk=operation.pk).status == Status.PUBLISHED


# The admin ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def curator_admin(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def reviewer_admin(client, reviewer):
    client.force_login(reviewer)
    return client


def status_choices(response) -> set[str]:
    return {value for value, _ in response.context["adminform"].form.fields["status"].choices}


def test_the_admin_form_does_not_offer_a_curator_published(curator_admin):
    operation = cited_operation()
    url = admin_url(JointOperation, "change", operation.pk)
    shown = curator_admin.get(url)

    assert Status.PUBLISHED not in status_choices(shown)
    assert "publish_linked" not in shown.context["adminform"].form.fields
    response = curator_admin.post(url, admin_form_data(shown) | {"status": Status.PUBLISHED})

    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    assert JointOperation.objects.get(pk=operation.pk).status == Status.DRAFT


def test_a_curator_edits_a_published_record_in_the_admin_with_its_status_fixed(curator_admin):
    operation = cited_operation(Status.PUBLISHED)
    url = admin_url(JointOperation, "change", operation.pk)
    shown = curator_admin.get(url)

    assert shown.context["adminform"].form.fields["status"].disabled
    response = curator_admin.post(url, admin_form_data(shown) | {"title": "Arsenal 2", "status": Status.DRAFT})

    assert response.status_code == 302
    operation.refresh_from_db()
    assert (operation.title, operation.status) == ("Arsenal 2", Status.PUBLISHED)


@pytest.mark.parametrize(
    ("before", "after", "linked", "refusal"),
    [
        (None, Status.PUBLISHED, False, workflow.PUBLISH_REFUSAL),
        (Status.REVIEWED, Status.PUBLISHED, False, workflow.PUBLISH_REFUSAL),
        (Status.PUBLISHED, Status.PUBLISHED, True, workflow.PUBLISH_REFUSAL),  # publishing linked drafts along
        (Status.PUBLISHED, Status.WITHDRAWN, False, workflow.UNPUBLISH_REFUSAL),
        (Status.PUBLISHED, Status.DRAFT, False, workflow.UNPUBLISH_REFUSAL),
        (Status.PUBLISHED, None, False, workflow.UNPUBLISH_REFUSAL),  # deleted
        (Status.PUBLISHED, Status.PUBLISHED, False, None),  # its content edited
        (None, Status.DRAFT, False, None),
        (Status.DRAFT, Status.WITHDRAWN, False, None),
        (Status.DRAFT, None, False, None),
    ],
)
def test_the_rule_for_a_curator_and_a_reviewer(curator, reviewer, before, after, linked, refusal):
    assert workflow.status_refusal(curator, before, after, publish_linked=linked) == refusal
    assert workflow.status_refusal(reviewer, before, after, publish_linked=linked) is None


def test_a_reviewer_publishes_in_the_admin(reviewer_admin):
    operation = cited_operation()
    url = admin_url(JointOperation, "change", operation.pk)
    shown = reviewer_admin.get(url)

    assert Status.PUBLISHED in status_choices(shown)
    response = reviewer_admin.post(url, admin_form_data(shown) | {"status": Status.PUBLISHED})

    assert response.status_code == 302
    assert JointOperation.objects.get(pk=operation.pk).status == Status.PUBLISHED


def action_names(client, model) -> set[str]:
    response = client.get(admin_url(model, "changelist"))
    return {name for name, _ in response.context["action_form"].fields["action"].choices}


def test_bulk_publishing_is_offered_to_reviewers_only(curator_admin, reviewer, client):
    assert action_names(curator_admin, JointOperation) >= {"mark_reviewed", "delete_selected"}
    assert not action_names(curator_admin, JointOperation) & {"publish", "publish_with_linked", "withdraw"}
    operation = cited_operation(Status.REVIEWED)

    curator_admin.post(
        admin_url(JointOperation, "changelist"), {"action": "publish", "_selected_action": [operation.pk]}
    )
    assert JointOperation.objects.get(pk=operation.pk).status == Status.REVIEWED

    client.force_login(reviewer)
    assert action_names(client, JointOperation) >= {"publish", "publish_with_linked", "withdraw"}
    client.post(admin_url(JointOperation, "changelist"), {"action": "publish", "_selected_action": [operation.pk]})
    assert JointOperation.objects.get(pk=operation.pk).status == Status.PUBLISHED


def test_marking_reviewed_skips_published_records_for_a_curator(curator_admin):
    published, draft = cited_operation(Status.PUBLISHED), cited_operation()

    response = curator_admin.post(
        admin_url(JointOperation, "changelist"),
        {"action": "mark_reviewed", "_selected_action": [published.pk, draft.pk]},
    )

    assert JointOperation.objects.get(pk=published.pk).status == Status.PUBLISHED
    assert JointOperation.objects.get(pk=draft.pk).status == Status.REVIEWED
    warnings = [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert warnings and workflow.PUBLISH_PERMISSION in warnings[0]


def test_only_a_reviewer_deletes_a_published_record_in_the_admin(curator_admin):
    published, draft = cited_operation(Status.PUBLISHED), cited_operation()

    assert curator_admin.get(admin_url(JointOperation, "delete", published.pk)).status_code == 403
    assert curator_admin.get(admin_url(JointOperation, "delete", draft.pk)).status_code == 200
    bulk = {"action": "delete_selected", "_selected_action": [published.pk], "post": "yes"}
    assert curator_admin.post(admin_url(JointOperation, "changelist"), bulk).status_code == 403
    assert JointOperation.objects.filter(pk=published.pk).exists()


def test_importing_needs_add_and_change(curator, django_user_model, rf_request):
    viewer = django_user_model.objects.create_user(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_jointoperation"))
    model_admin = admin_model(JointOperation)

    assert model_admin.has_import_permission(rf_request(curator))
    assert not model_admin.has_import_permission(rf_request(viewer))


@pytest.fixture
def rf_request():
    def build(user):
        request = RequestFactory().get("/")
        request.user = user
        return request

    return build


def admin_model(model):
    return admin.site._registry[model]


# Tokens ------------------------------------------------------------------------------------------------------------


def test_issue_token_prints_a_read_only_key_that_is_stored_as_a_digest(curator, capsys):
    call_command("issue_token", curator.username, "--name", "Grafana")
    key = capsys.readouterr().out.strip()

    token = ApiToken.objects.get(user=curator)
    assert (token.name, token.read_only, token.prefix) == ("Grafana", True, key[:8])
    assert not ApiToken.objects.filter(digest__contains=key).exists() and key not in token.digest
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(f"{API}/sources/").status_code == 200
    assert client.post(f"{API}/sources/", NEW_SOURCE, format="json").status_code == 403


def test_issue_token_read_write_and_several_per_user(curator, capsys):
    call_command("issue_token", curator.username, "--read-write")
    call_command("issue_token", curator.username)
    first, _ = capsys.readouterr().out.split()

    assert sorted(ApiToken.objects.filter(user=curator).values_list("read_only", flat=True)) == [False, True]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert client.post(f"{API}/sources/", NEW_SOURCE, format="json").status_code == 201


def test_issue_token_names_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user “nobody”"):
        call_command("issue_token", "nobody")


def test_the_admin_shows_a_new_key_once_and_lists_keys_cut_short(admin_client, curator):
    response = admin_client.post(
        admin_url(ApiToken, "add"), {"name": "Dashboard", "user": curator.pk, "read_only": "on"}
    )

    assert response.status_code == 200
    key = response.context["key"]
    token = ApiToken.objects.get(user=curator)
    assert token.read_only and token.prefix == key[:8] and key in response.content.decode()
    listed = admin_client.get(admin_url(ApiToken, "changelist")).content.decode()
    assert key not in listed and f"{key[:8]}…" in listed
    assert key not in admin_client.get(admin_url(ApiToken, "change", token.pk)).content.decode()

    drf_key = Token.objects.create(user=curator).key
    listed = admin_client.get(reverse("admin:authtoken_tokenproxy_changelist")).content.decode()
    assert drf_key not in listed and f"{drf_key[:8]}…" in listed


def test_the_schema_documents_token_authentication(api, db):
    schema = api.get("/api/v1/schema/?format=json").json()

    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }
    assert {"tokenAuth": []} in schema["paths"]["/api/v1/operations/"]["post"]["security"]


# The groups --------------------------------------------------------------------------------------------------------


def codenames(group: str) -> set[str]:
    return set(Group.objects.get(name=group).permissions.values_list("codename", flat=True))


def test_the_groups_exist_after_migrate_with_their_permissions(db):
    curators, reviewers = codenames("Curators"), codenames("Reviewers")

    assert reviewers == curators | {"publish_record"}
    assert "publish_record" not in curators
    for model in ("jointoperation", "organization", "document", "participation", "citation", "outcome"):
        assert {f"{action}_{model}" for action in ("add", "change", "delete", "view")} <= curators
    assert {"view_event", "view_country", "add_topic", "change_metric"} <= curators
    assert not {"add_event", "add_country", "delete_topic", "delete_metric", "add_apitoken", "view_apitoken"} & curators
    assert not any(codename.endswith("_user") or codename.endswith("_group") for codename in reviewers)


def test_every_model_of_an_api_endpoint_is_curated_by_the_groups(db):
    """A new endpoint's model must be given to the groups (migration 0010) or be read-only."""
    curators = codenames("Curators")
    for prefix, viewset, _ in router.registry:
        if hasattr(viewset, "create"):
            model = viewset.model._meta.model_name
            assert {f"add_{model}", f"change_{model}", f"delete_{model}"} <= curators, prefix


def test_the_groups_migration_is_idempotent_and_reversible(db):
    migration = import_module(f"cooperation.migrations.{GROUPS_MIGRATION}")
    apps = MigrationExecutor(connection).loader.project_state(("cooperation", GROUPS_MIGRATION)).apps
    editor = SimpleNamespace(connection=connection)
    before = {name: codenames(name) for name in ("Curators", "Reviewers")}

    migration.create_groups(apps, editor)
    assert {name: codenames(name) for name in before} == before
    assert Group.objects.filter(name__in=before).count() == 2

    migration.delete_groups(apps, editor)
    assert not Group.objects.filter(name__in=before).exists()
    migration.create_groups(apps, editor)
    assert {name: codenames(name) for name in before} == before
