"""The set-up contract on paper: compose, Dockerfile, CI script, README, env docs and production settings.

No Docker engine runs in CI, so the deployment files are checked by reading them; the production
settings are checked for real, in subprocesses with a production environment.
"""

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

COMPOSE_COMMAND = "docker compose up --build -d"
README_COMMANDS = ("python3 tasks.py demo", "python3 tasks.py test")

# Where configuration is read: settings, the task runner, and the management commands.
ENV_READERS = [
    ROOT / "tracker/settings.py",
    ROOT / "tasks.py",
    *sorted((ROOT / "cooperation/management/commands").glob("*.py")),
]
ENV_READ = re.compile(
    r"""(?:environ\.get|getenv|env_bool|env_list|env_int)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|environ\[["']([A-Z][A-Z0-9_]*)["']\]"""
)
# dj_database_url.config() reads DATABASE_URL without naming it.
IMPLICIT_ENV = {"DATABASE_URL"}


def read(relative: str) -> str:
    return (ROOT / relative).read_text(encoding="utf-8")


def env_vars_read() -> set[str]:
    found = set(IMPLICIT_ENV)
    for path in ENV_READERS:
        text = path.read_text(encoding="utf-8")
        found.update(name for match in ENV_READ.finditer(text) for name in match.groups() if name)
    return found


def test_env_scan_finds_the_known_variables():
    """Guards the scan itself: if it found nothing, the documentation tests below would prove nothing."""
    assert {"DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DEMO_ADMIN_PASSWORD", "TRACKER_VENV"} <= env_vars_read()
    assert {"DJANGO_TRUSTED_PROXIES", "DJANGO_HSTS_SECONDS", "REDIS_URL"} <= env_vars_read()  # env_int, .get


@pytest.mark.parametrize("name", sorted(env_vars_read()))
def test_every_env_var_is_documented(name):
    assert re.search(rf"^#?\s*{name}=", read(".env.example"), re.MULTILINE), f"{name} missing from .env.example"
    assert f"`{name}`" in read("README.md"), f"{name} missing from the README's configuration"


# --- docker compose ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(read("docker-compose.yml"))


def environment(service: dict) -> dict[str, str]:
    """A service's environment whether written as a mapping or as a list of NAME=value."""
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def test_compose_has_db_and_web(compose):
    assert {"db", "web"} <= set(compose["services"])


def test_compose_db_is_postgres_with_healthcheck_and_volume(compose):
    db = compose["services"]["db"]

    assert db["image"] == "postgres:15"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    volume, _, mount = db["volumes"][0].partition(":")
    assert mount == "/var/lib/postgresql/data"
    assert volume in compose["volumes"]


def test_compose_web_waits_for_healthy_db(compose):
    web = compose["services"]["web"]

    assert web["build"] == "."
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert any(str(port).endswith("8000") for port in web["ports"])


def test_compose_web_migrates_then_serves_with_gunicorn(compose):
    command = compose["services"]["web"]["command"]
    command = command if isinstance(command, str) else " ".join(command)

    assert "manage.py migrate --noinput" in command
    assert re.search(r"exec gunicorn -c tracker/gunicorn\.conf\.py tracker\.wsgi:application", command)
    assert command.index("migrate") < command.index("gunicorn")


def test_compose_web_uses_the_db_service(compose):
    env = environment(compose["services"]["web"])
    url = urlsplit(env["DATABASE_URL"])
    db_env = environment(compose["services"]["db"])

    assert url.scheme == "postgres"
    assert url.hostname == "db"
    assert url.hostname in compose["services"]
    assert (url.username, url.password, url.path.lstrip("/")) == (
        db_env["POSTGRES_USER"],
        db_env["POSTGRES_PASSWORD"],
        db_env["POSTGRES_DB"],
    )


def test_compose_web_runs_in_production_mode_with_a_required_secret(compose):
    env = environment(compose["services"]["web"])

    assert env["DJANGO_DEBUG"] == "false"
    assert env["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")
    assert "DJANGO_ALLOWED_HOSTS" in env


def test_compose_web_shares_its_cache_through_the_redis_service(compose):
    redis = compose["services"]["redis"]
    web = compose["services"]["web"]
    url = urlsplit(environment(web)["REDIS_URL"])

    assert redis["image"].startswith("redis:")
    assert "redis-cli" in redis["healthcheck"]["test"]
    assert (url.scheme, url.hostname) == ("redis", "redis")
    assert web["depends_on"]["redis"]["condition"] == "service_healthy"


def test_compose_trusts_one_proxy_and_only_it_reaches_the_app(compose):
    """One trusted proxy means whoever reaches gunicorn writes the trusted entry: only the host's proxy may."""
    web = compose["services"]["web"]

    assert compose_defaults(environment(web))["DJANGO_TRUSTED_PROXIES"] == "1"
    assert [str(port) for port in web["ports"]] == ["127.0.0.1:8000:8000"]


def compose_defaults(env: dict[str, str]) -> dict[str, str]:
    """A service's environment as compose gives it with nothing set: ``${NAME:-default}`` is its default."""
    return {key: re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", value) for key, value in env.items()}


# --- Dockerfile ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dockerfile() -> list[str]:
    """Instructions, with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", read("Dockerfile"))
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_dockerfile_builds_on_python_311_slim(dockerfile):
    assert dockerfile[0] == "FROM python:3.11-slim"


def test_dockerfile_installs_requirements_txt(dockerfile):
    copies = [i for i, line in enumerate(dockerfile) if line.startswith("COPY requirements.txt")]
    installs = [i for i, line in enumerate(dockerfile) if re.match(r"RUN .*pip install .*-r requirements\.txt", line)]

    assert copies
    assert installs
    assert copies[0] < installs[0]


def test_dockerfile_collects_static_files_with_a_placeholder_secret(dockerfile):
    (collect,) = [line for line in dockerfile if "collectstatic" in line]

    assert "DJANGO_DEBUG=false" in collect
    assert "DJANGO_SECRET_KEY=" in collect
    assert "--noinput" in collect


def test_dockerfile_runs_gunicorn_as_a_non_root_user(dockerfile):
    users = [line.split()[1] for line in dockerfile if line.startswith("USER ")]
    cmd = next(line for line in dockerfile if line.startswith("CMD "))

    assert users
    assert users[-1] not in {"root", "0"}
    assert "gunicorn" in cmd
    assert "tracker.wsgi:application" in cmd


# --- README, Makefile, CI script, requirements --------------------------------------------------


def test_readme_opens_with_the_two_commands():
    opening = read("README.md").split("\n## ", 1)[0]

    for command in README_COMMANDS:
        assert command in opening


def test_readme_documents_the_compose_command_and_api_section():
    readme = read("README.md")

    assert COMPOSE_COMMAND in readme
    assert re.search(r"^## API at a glance$", readme, re.MULTILINE)


def test_readme_does_not_require_make():
    opening = read("README.md").split("\n## ", 1)[0]

    assert not re.search(r"^\s*make\b", opening, re.MULTILINE)


@pytest.mark.parametrize("target", ["demo", "setup", "test", "test-pg", "lint"])
def test_makefile_targets_wrap_tasks_py(target):
    recipe = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", read("Makefile"), re.MULTILINE)

    assert recipe, f"no recipe for {target}"
    assert "tasks.py" in recipe.group(1)


@pytest.fixture(scope="module")
def ci_script() -> str:
    return read(".ci/run")


def test_ci_script_is_strict_executable_bash(ci_script):
    assert ci_script.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in ci_script
    assert os.access(ROOT / ".ci/run", os.X_OK)
    subprocess.run([shutil.which("bash"), "-n", str(ROOT / ".ci/run")], check=True)  # noqa: S603 (fixed arguments)


def test_ci_runs_the_readme_test_command_on_sqlite_and_postgres(ci_script):
    test_lines = [line for line in ci_script.splitlines() if re.search(r"\btasks\.py test\b", line)]

    assert any('DATABASE_URL="postgres://' in line for line in test_lines)
    assert any("DATABASE_URL=" not in line for line in test_lines)


def test_ci_uses_a_fresh_venv_and_runs_lint_and_setup(ci_script):
    assert re.search(r"^export TRACKER_VENV=.*\$WORK", ci_script, re.MULTILINE)
    assert "tasks.py lint" in ci_script
    assert "tasks.py setup" in ci_script


@pytest.mark.parametrize("requirements", ["requirements.txt", "requirements-dev.txt"])
def test_requirements_are_pinned(requirements):
    lines = [line.split("#")[0].strip() for line in read(requirements).splitlines()]
    packages = [line for line in lines if line and not line.startswith("-r ")]

    assert packages
    unpinned = [line for line in packages if not re.fullmatch(r"[A-Za-z0-9._-]+(\[[A-Za-z0-9_,-]+\])?==[\w.]+", line)]
    assert not unpinned


# --- production settings, for real --------------------------------------------------------------


def production_env(**overrides: str) -> dict[str, str]:
    """The current environment minus any tracker configuration, plus production settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_") and key != "DATABASE_URL"}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        **overrides,
    }


def run_python(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Our own interpreter with arguments written in this module: nothing untrusted is executed.
    return subprocess.run(  # noqa: S603
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_import_cleanly():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DEBUG, settings.STORAGES['staticfiles']['BACKEND'], settings.SESSION_COOKIE_SECURE)"
    )
    result = run_python("-c", code, env=production_env())

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "whitenoise.storage.CompressedManifestStaticFilesStorage", "True"]


def deploy_issues(env: dict[str, str]) -> list[str]:
    result = run_python("manage.py", "check", "--deploy", env=env)

    assert result.returncode == 0, result.stderr  # errors fail; warnings are returned
    return re.findall(r"\((\w+\.[EW]\d+)\)", result.stderr)


def test_check_deploy_asks_for_the_choices_left_undecided():
    """Subdomains and preloading for HSTS, and who redirects to HTTPS: warned about until given a value."""
    assert sorted(deploy_issues(production_env())) == ["security.W005", "security.W008", "security.W021"]


def test_check_deploy_is_clean_for_the_documented_tls_proxy_setup(compose):
    """docker-compose.yml's environment with nothing set but the secret, and the README's host settings."""
    env = compose_defaults(environment(compose["services"]["web"]))
    env.pop("DATABASE_URL")  # check --deploy opens no connection; SQLite needs no server to be named
    env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    env["DJANGO_ALLOWED_HOSTS"] = "tracker.example.org"
    env["DJANGO_CSRF_TRUSTED_ORIGINS"] = "https://tracker.example.org"

    assert deploy_issues(production_env(**env)) == []


def test_production_refuses_to_start_without_a_secret():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]

    result = run_python("-c", "import django; django.setup()", env=env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_static_files_collect_for_production(tmp_path):
    """The image's collectstatic step: the manifest storage fails on any missing referenced file."""
    code = (
        "import sys, django; from django.conf import settings; django.setup(); "
        "settings.STATIC_ROOT = sys.argv[1]; "
        "from django.core.management import call_command; call_command('collectstatic', '--noinput', verbosity=0)"
    )
    result = run_python("-c", code, str(tmp_path), env=production_env())

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles.json").is_file()
    assert list(tmp_path.glob("admin/css/base.*.css.gz"))
