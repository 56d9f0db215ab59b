"""Security settings that hold: the admin's login lock-out, one client address for it and the throttles,
throttle counts shared through Redis, and the Content-Security-Policy of the admin and the API docs.

The CSP is checked here as headers and markup; tests/browser/test_csp.py checks that real pages raise no violation.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.utils import timezone
from rest_framework.throttling import BaseThrottle

from tracker.security import client_ip

ROOT = Path(__file__).resolve().parent.parent
LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "curator-pass-1"
ATTACKER, COLLEAGUE = "203.0.113.66", "203.0.113.67"


@pytest.fixture(autouse=True)
def _cheap_passwords(settings):
    """A dozen logins per test: the production hasher would spend seconds on them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def curators(django_user_model):
    for name in ("curator", "editor"):
        django_user_model.objects.create_user(username=name, password=PASSWORD, is_staff=True)


@pytest.fixture
def trusted_proxies(settings):
    def trust(count: int) -> None:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": count}

    return trust


def log_in(username: str, password: str, address: str = ATTACKER, **headers):
    return Client().post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def logged_in(response) -> bool:
    return response.status_code == 302 and "sessionid" in response.cookies


def fail(times: int, username: str = "curator", address: str = ATTACKER, **headers) -> list[int]:
    return [log_in(username, "wrong-password", address, **headers).status_code for _ in range(times)]


# --- Login lock-out ------------------------------------------------------------------------------------------------


def test_the_lock_out_settings(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "tracker.security.LoginLockoutBackend"


def test_five_failed_logins_lock_out_even_the_right_password(curators):
    statuses = fail(5)
    refused = log_in("curator", PASSWORD)

    # Four times the form again with its error; the fifth failure is the lock-out already.
    assert statuses == [200, 200, 200, 200, 429]
    assert refused.status_code == 429
    assert not logged_in(refused)
    assert int(refused["Retry-After"]) == 15 * 60
    page = refused.content.decode()
    assert "Too many failed logins" in page
    assert "Try again in 15 minutes" in page
    assert "manage.py axes_reset" in page


def test_the_lock_out_is_per_username_and_address(curators):
    fail(5)

    assert logged_in(log_in("editor", PASSWORD))  # another user from the same address
    assert logged_in(log_in("curator", PASSWORD, address=COLLEAGUE))  # the same user from elsewhere
    assert log_in("curator", PASSWORD).status_code == 429  # while the pair stays locked


def test_fewer_failures_then_a_success_start_the_count_again(curators):
    fail(4)
    assert logged_in(log_in("curator", PASSWORD))

    assert fail(4) == [200] * 4
    assert logged_in(log_in("curator", PASSWORD))


def test_the_lock_out_expires_after_the_cool_off(curators):
    fail(5)
    assert log_in("curator", PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert logged_in(log_in("curator", PASSWORD))


def test_axes_reset_lifts_a_lock_out_at_once(curators):
    fail(5)

    call_command("axes_reset", verbosity=0)

    assert logged_in(log_in("curator", PASSWORD))


def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_escape_the_lock_out(curators):
    statuses = [fail(1, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")[0] for n in range(5)]

    assert statuses == [200, 200, 200, 200, 429]
    assert log_in("curator", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429


def test_behind_a_trusted_proxy_the_lock_out_follows_the_forwarded_client(curators, trusted_proxies):
    trusted_proxies(1)
    proxy = "10.0.0.2"

    fail(5, address=proxy, HTTP_X_FORWARDED_FOR=f"198.51.100.1, {ATTACKER}")

    assert log_in("curator", PASSWORD, proxy, HTTP_X_FORWARDED_FOR=ATTACKER).status_code == 429
    assert logged_in(log_in("curator", PASSWORD, proxy, HTTP_X_FORWARDED_FOR=COLLEAGUE))


def test_the_test_clients_logins_still_work(client, curators, django_user_model):
    assert client.login(username="curator", password=PASSWORD)
    assert client.get("/admin/").status_code == 200
    assert not Client().login(username="curator", password="wrong-password")
    client.force_login(django_user_model.objects.get(username="editor"))
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "192.0.2.1", None, "192.0.2.1"),
        (0, "192.0.2.1", "198.51.100.9", "192.0.2.1"),
        (1, "192.0.2.1", "198.51.100.9", "198.51.100.9"),
        (1, "192.0.2.1", "198.51.100.8, 198.51.100.9", "198.51.100.9"),
        (2, "192.0.2.1", "198.51.100.8, 198.51.100.9", "198.51.100.8"),
        (1, "192.0.2.1", None, "192.0.2.1"),
        (1, "192.0.2.1", "2001:db8::5", "2001:db8::5"),
    ],
)
def test_the_lock_out_and_the_throttles_see_the_same_client(trusted_proxies, proxies, remote, forwarded, expected):
    trusted_proxies(proxies)
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)

    assert client_ip(request) == BaseThrottle().get_ident(request) == expected


def test_a_forwarded_entry_that_is_no_address_falls_back_to_the_connection(trusted_proxies):
    trusted_proxies(1)
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="unknown")

    assert client_ip(request) == "192.0.2.1"


# --- Headers: HSTS, CSP and the rest -------------------------------------------------------------------------------


def test_the_admin_login_sends_the_policy_and_the_browser_headers(db, client):
    response = client.get(LOGIN)
    policy = response["Content-Security-Policy"]

    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("style-src-attr")[0]  # inline code only by nonce
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(("path", "inline"), [("/api/v1/docs/", 2), ("/api/v1/redoc/", 2)])
def test_the_api_docs_inline_code_carries_the_requests_nonce(db, client, path, inline):
    response = client.get(path)
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    page = response.content.decode()

    assert f"style-src 'self' 'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert page.count(f'nonce="{nonce}"') == inline
    assert not re.search(r"<(script|style)>", page)  # no inline element without it
    assert nonce != re.search(r"'nonce-([^']+)'", client.get(path)["Content-Security-Policy"]).group(1)


# --- Settings from the environment, in subprocesses ----------------------------------------------------------------


def run_python(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    # Our own interpreter with code written in this module: nothing untrusted is executed.
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def clean_env(**values: str) -> dict[str, str]:
    """This environment without any tracker configuration, plus ``values``."""
    prefixes = ("DJANGO_", "API_", "REDIS_", "DATABASE_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(prefixes)}
    return {**env, "DJANGO_SETTINGS_MODULE": "tracker.settings", **values}


SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SECURE_SSL_REDIRECT, "
    "s.TRUSTED_PROXIES, s.CACHES['default']['BACKEND'].rsplit('.', 1)[1], "
    "hasattr(s, 'CONTENT_SECURITY_POLICY'), hasattr(s, 'CONTENT_SECURITY_POLICY_REPORT_ONLY'))"
)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "0 False False False 0 LocMemCache True False"),
        (
            {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)},
            "31536000 False False False 0 LocMemCache True False",
        ),
        (
            {
                "DJANGO_HSTS_SECONDS": "600",
                "DJANGO_HSTS_INCLUDE_SUBDOMAINS": "true",
                "DJANGO_HSTS_PRELOAD": "true",
                "DJANGO_SSL_REDIRECT": "true",
                "DJANGO_TRUSTED_PROXIES": "2",
                "REDIS_URL": "redis://127.0.0.1:6379/0",
                "DJANGO_CSP_REPORT_ONLY": "true",
            },
            "600 True True True 2 RedisCache False True",
        ),
    ],
    ids=["development", "production", "everything-set"],
)
def test_security_settings_from_the_environment(env, expected):
    result = run_python(SETTINGS, clean_env(**env))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


@pytest.mark.parametrize(
    "env",
    [{"DJANGO_TRUSTED_PROXIES": "one"}, {"DJANGO_TRUSTED_PROXIES": "-1"}, {"DJANGO_LOGIN_FAILURE_LIMIT": "0"}],
)
def test_a_malformed_number_stops_the_start(env):
    result = run_python("import django; django.setup()", clean_env(**env))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert next(iter(env)) in result.stderr


# --- Throttle counts shared through Redis --------------------------------------------------------------------------

REDIS_URL = "redis://127.0.0.1:6379/0"

# One process of a gunicorn worker's kind: its own settings and cache connection, a few anonymous API requests.
REQUESTS = (
    "import sys, django; django.setup(); from django.test import Client; "
    "client = Client(REMOTE_ADDR=sys.argv[1]); "
    "print(' '.join(str(client.get('/api/v1/').status_code) for _ in range(int(sys.argv[2]))))"
)


@pytest.fixture
def redis():
    import redis as redis_py

    connection = redis_py.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        connection.ping()
    except redis_py.exceptions.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    yield connection
    connection.close()


def test_with_redis_two_processes_share_one_anonymous_budget(redis, tmp_path):
    """4/min: three requests in one process and two in another are five from one client, so the fifth is a 429."""
    address = f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"  # this run's own counter in a shared Redis
    env = clean_env(
        REDIS_URL=REDIS_URL,
        API_ANON_RATE="4/min",
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",  # the API root reads no table
    )
    try:
        first = run_python(REQUESTS, env, address, "3")
        second = run_python(REQUESTS, env, address, "2")
    finally:
        if keys := redis.keys(f"*throttle_*_{address}"):
            redis.delete(*keys)

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert (first.stdout.split(), second.stdout.split()) == (["200"] * 3, ["200", "429"])


def test_without_redis_each_process_counts_for_itself(tmp_path):
    """What the README warns of: with the local-memory cache a second worker starts from nothing."""
    env = clean_env(
        API_ANON_RATE="4/min",
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    )

    first = run_python(REQUESTS, env, "192.0.2.10", "3")
    second = run_python(REQUESTS, env, "192.0.2.10", "2")

    assert (first.stdout.split(), second.stdout.split()) == (["200"] * 3, ["200", "200"]), first.stderr
