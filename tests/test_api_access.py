"""Who may do what, from where: token authentication, anonymous throttling, CORS, and the throttle settings."""

from __future__ import annotations

import ipaddress
import secrets

import pytest
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from rest_framework.authtoken.models import Token, TokenProxy
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from cooperation.models import Source
from tests.factories import SourceFactory
from tracker.settings import throttle_rate

API = "/api/v1"
DASHBOARD = "https://dashboard.example.org"
NEW_SOURCE = {"slug": "interfax", "name": "Interfax", "kind": "news_agency"}


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


# Token authentication -----------------------------------------------------------------------------------------------


def test_a_staff_token_can_write(staff_user):
    response = token_client(staff_user).post(f"{API}/sources/", NEW_SOURCE)

    assert response.status_code == 201, response.content
    assert Source.objects.filter(slug="interfax").exists()


def test_an_anonymous_write_is_401_with_a_token_challenge(api, db):
    response = api.post(f"{API}/sources/", NEW_SOURCE)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert not Source.objects.exists()


def test_a_bad_token_is_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")

    assert client.get(f"{API}/sources/").status_code == 401


def test_a_non_staff_token_reads_published_records_only_and_cannot_write(django_user_model, db):
    SourceFactory(slug="published")
    SourceFactory(slug="draft", status="draft")
    client = token_client(django_user_model.objects.create_user(username="reader", password="reader-pass-1"))

    listed = {row["slug"] for row in client.get(f"{API}/sources/").json()["results"]}

    assert listed == {"published"}
    assert client.post(f"{API}/sources/", NEW_SOURCE).status_code == 403


def test_tokens_are_issued_by_command_and_kept_in_the_admin(staff_user, capsys):
    call_command("drf_create_token", staff_user.username)

    assert Token.objects.get(user=staff_user).key in capsys.readouterr().out
    assert admin.site.is_registered(TokenProxy)


# Throttling ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def rates(monkeypatch):
    """Small limits for the test (DRF reads the rates into the throttle classes at import)."""
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "5/min"})
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "5/min"})


def test_anonymous_reads_are_throttled(api, db, rates):
    statuses = [api.get(f"{API}/countries/").status_code for _ in range(4)]
    refused = api.get(f"{API}/stats/events-by-kind/")

    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0


def test_signed_in_users_have_their_own_higher_limit(api, staff_api, db, rates):
    for _ in range(3):
        api.get(f"{API}/countries/")

    statuses = [staff_api.get(f"{API}/countries/").status_code for _ in range(6)]

    assert statuses == [200] * 5 + [429]


def random_address() -> str:
    return str(ipaddress.IPv4Address(secrets.randbits(32)))


@pytest.fixture
def trusted_proxies(settings):
    """``trusted_proxies(n)``: DJANGO_TRUSTED_PROXIES=n, as settings would have it (DRF reloads its settings)."""

    def trust(count: int) -> None:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": count}

    return trust


def test_by_default_no_proxy_is_trusted(settings):
    assert settings.TRUSTED_PROXIES == 0
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0


def test_a_forged_forwarded_for_does_not_reset_the_anonymous_budget(api, db, rates):
    """No proxy trusted: a client writing a new X-Forwarded-For each time is still the one connection address."""
    statuses = [api.get(f"{API}/countries/", HTTP_X_FORWARDED_FOR=random_address()).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_behind_one_proxy_the_client_is_the_last_forwarded_address(api, db, rates, trusted_proxies):
    """One trusted proxy: it appends the address it saw, so only the header's last entry is the client's."""
    trusted_proxies(1)
    client, neighbour = "203.0.113.7", "203.0.113.8"

    def get(forwarded_for: str) -> int:
        return api.get(f"{API}/countries/", HTTP_X_FORWARDED_FOR=forwarded_for, REMOTE_ADDR="10.0.0.2").status_code

    # What the client wrote itself comes first, and changing it changes nothing.
    statuses = [get(f"{random_address()}, {client}") for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert get(client) == 429
    assert get(f"{client}, {neighbour}") == 200  # another client behind the same proxy has a budget of its own


@pytest.mark.parametrize(("value", "rate"), [("120/min", "120/min"), (" 5/second ", "5/second"), ("", None)])
def test_throttle_rates_from_the_environment(value, rate):
    assert throttle_rate(value, "API_ANON_RATE") == rate


@pytest.mark.parametrize("value", ["120", "fast", "120/fortnight", "-1/min"])
def test_a_malformed_throttle_rate_stops_the_start(value):
    with pytest.raises(ImproperlyConfigured, match="API_ANON_RATE"):
        throttle_rate(value, "API_ANON_RATE")


# CORS ---------------------------------------------------------------------------------------------------------------


@pytest.fixture
def dashboard_allowed(settings):
    settings.CORS_ALLOWED_ORIGINS = [DASHBOARD]


def test_an_allowed_origin_may_read_and_see_the_validators(api, db, dashboard_allowed):
    response = api.get(f"{API}/sources/", HTTP_ORIGIN=DASHBOARD)

    assert response["Access-Control-Allow-Origin"] == DASHBOARD
    assert {"etag", "last-modified"} <= {
        h.strip().lower() for h in response["Access-Control-Expose-Headers"].split(",")
    }


def test_an_allowed_origin_may_send_conditional_writes(api, db, dashboard_allowed):
    response = api.options(
        f"{API}/sources/1/",
        HTTP_ORIGIN=DASHBOARD,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, if-match",
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == DASHBOARD
    assert "if-match" in response["Access-Control-Allow-Headers"]


def test_other_origins_get_no_cors_headers(api, db, dashboard_allowed):
    response = api.get(f"{API}/sources/", HTTP_ORIGIN="https://elsewhere.example.com")

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_no_origin_is_allowed_by_default(api, db, settings):
    assert settings.CORS_ALLOWED_ORIGINS == []
    assert "Access-Control-Allow-Origin" not in api.get(f"{API}/sources/", HTTP_ORIGIN=DASHBOARD)
