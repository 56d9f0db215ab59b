"""Settings for the tracker, read from the environment (see README, “Configuration”).

Defaults suit local development on SQLite; production sets DJANGO_DEBUG=false,
DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DATABASE_URL.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return default if value is None else [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    """A whole number ≥ 0; unset or empty gives the default. A malformed one stops the start-up."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ImproperlyConfigured(f"{name}: give a whole number (0 or more), not {value!r}.")
    return int(value)


def throttle_rate(value: str, name: str) -> str | None:
    """A DRF throttle rate (``120/min``); empty means no limit. A malformed one stops the start-up, not a request."""
    value = value.strip()
    if value and not re.fullmatch(r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise ImproperlyConfigured(f"{name}: give a rate such as 120/min (per sec, min, hour or day), or nothing.")
    return value or None


BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=True)

_DEV_SECRET = "dev-only-insecure-key-change-me"  # noqa: S105 (refused below when DEBUG is off)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", _DEV_SECRET)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY when DJANGO_DEBUG is false.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# How many reverse proxies in front of the app append to X-Forwarded-For. 0: the header is ignored and the
# client is the connection's address (REMOTE_ADDR); N: the N-th address from the header's right end, the one
# the outermost proxy saw. It names the client for the API's throttles and the admin's lock-out alike
# (tracker.security.client_ip). More than there are lets clients choose their own address: never over-count.
TRUSTED_PROXIES = env_int("DJANGO_TRUSTED_PROXIES", 0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "reversion",  # change history of every curated record, with revert and recovery of deleted records
    "import_export",  # CSV/JSON import (previewed, all-or-nothing) and export in the admin: cooperation.admin.transfer
    "axes",  # admin login lock-out after repeated failures (AXES_* below)
    "csp",  # the Content-Security-Policy header (CONTENT_SECURITY_POLICY below)
    "cooperation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "cooperation.middleware.RefuseNulCharacters",  # a NUL in a path, parameter or header is a 400, never a 500
    # gzip for the API's JSON and CSV (streamed CSV too, as it is sent), never for HTML: the admin's and the
    # browsable API's pages carry a CSRF token, which compression would expose to BREACH (see the class). Above
    # everything that reads or writes the body, so that it compresses last, and above ConditionalGetMiddleware,
    # whose ETags are then of the uncompressed body.
    "cooperation.middleware.CompressAPIResponses",
    # Before anything that may answer on its own, so that those answers carry the CORS headers too.
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETag from the body (and 304s) for GET answers that set no validator of their own: the aggregates,
    # reference data. Curated lists and details compute theirs up front (cooperation.api.conditional).
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The project's own overrides of the apps' templates (rest_framework/api.html), found before theirs.
        "DIRS": [BASE_DIR / "tracker" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "tracker.wsgi.application"

# SQLite by default so the quick start needs no server; DATABASE_URL selects PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# The API's queries are short; PostgreSQL's JIT compiles the costlier aggregates for longer than they then run
# (0.7-1.4 s on the 100k-event benchmark), so it is off for the app's own connections (and the benchmark's baseline).
# random_page_cost 1.1 (PostgreSQL's default, 4, prices a random read for a spinning disk): on SSDs or a cached data
# set an index probe costs little more than a sequential read, and the planner should know it to walk a facet's
# index to the page (``cooperation.facets``) rather than hash a whole kind's table and sort the match.
POSTGRES_SESSION_OPTIONS = "-c jit=off -c random_page_cost=1.1"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", POSTGRES_SESSION_OPTIONS)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has one writer at a time. A write transaction takes the lock when it begins (IMMEDIATE), so one that
    # finds it taken waits up to the busy timeout instead of failing at once when it would upgrade from a read
    # (which is what "database is locked" at the first concurrent write was); past the timeout it is a 503 to
    # retry (cooperation.api.errors). WAL lets reads go on while a write is under way.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=float(os.environ.get("SQLITE_BUSY_TIMEOUT", "20")),
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )

# django-axes' check first: a locked-out login is refused before its password is even tried (tracker.security).
AUTHENTICATION_BACKENDS = [
    "tracker.security.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# In development WhiteNoise looks files up per request (no collectstatic needed); in production
# it serves the collected, hashed files from STATIC_ROOT.
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

REST_FRAMEWORK = {
    # Token first: an anonymous write is answered 401 with "WWW-Authenticate: Token", not a bare 403.
    # Tokens are issued with `manage.py issue_token <username> [--read-write]` or in the admin ("API tokens");
    # DRF's own (`drf_create_token`, "Tokens") still work, read-write.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cooperation.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Writes: staff with the admin's model permissions, never with a read-only token.
    "DEFAULT_PERMISSION_CLASSES": ["cooperation.api.permissions.ModelPermissionsOrReadOnly"],
    # What every view uses, so a new view behaves like the others without overrides: filters that are a 400
    # when malformed, an ordering that names its unknown fields, errors flattened to paths.
    "DEFAULT_FILTER_BACKENDS": [
        "cooperation.api.filters.FilterBackend",
        "cooperation.api.filters.StrictOrderingFilter",
    ],
    "EXCEPTION_HANDLER": "cooperation.api.errors.exception_handler",
    # Writes are JSON only, bounded in size, depth, list length and characters (cooperation.api.parsers).
    "DEFAULT_PARSER_CLASSES": ["cooperation.api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "cooperation.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": [
        "cooperation.api.json_renderer.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        # ?format=csv or Accept: text/csv; lists stream every matching row, unpaginated.
        "cooperation.api.renderers.CSVRenderer",
    ],
    # Anonymous reads are limited per client address; signed-in users (staff, token holders) get their
    # own, higher budget. An empty rate switches that limit off. Counts live in the default cache
    # (per process unless a shared cache is configured).
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": throttle_rate(os.environ.get("API_ANON_RATE", "120/min"), "API_ANON_RATE"),
        "user": throttle_rate(os.environ.get("API_USER_RATE", "1200/min"), "API_USER_RATE"),
    },
    # Whose address an anonymous budget is: never the whole X-Forwarded-For, which any client can write.
    "NUM_PROXIES": TRUSTED_PROXIES,
    "DEFAULT_SCHEMA_CLASS": "cooperation.api.schema.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Figures are data dashboards sum: send them as JSON numbers, not strings.
    "COERCE_DECIMAL_TO_STRING": False,
}

# Safe writes: PUT/PATCH/DELETE with a stale If-Match are refused (412) either way; with this on, a write
# without If-Match is refused too (428), so no client can overwrite a change it has not seen.
API_REQUIRE_IF_MATCH = env_bool("API_REQUIRE_IF_MATCH", default=False)

# The stats aggregates are cached (in the default cache) under the data version, which the database moves on
# every write (cooperation.changes): a cached answer is never stale. This is how long an unread one is kept;
# 0 switches the cache off.
STATS_CACHE_SECONDS = int(os.environ.get("STATS_CACHE_SECONDS", "300"))
# The same for the event resources' JSON pages and details (cooperation.api.answers): a dashboard polling a page
# costs one query until the data changes. 0 switches it off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))

# The default cache holds the API's throttle counts and the stats answers. Without REDIS_URL it is each
# process's own memory: every gunicorn worker then counts (and caches) for itself. With it, Redis
# (redis://host:6379/0) is shared by every worker and every container, so a budget is one budget.
# Short timeouts: a Redis that stops answering costs a request seconds, not the worker.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# OpenAPI schema (/api/v1/schema/) and its docs (/api/v1/docs/, /api/v1/redoc/), assets served from
# drf-spectacular-sidecar's static files: the docs work offline and load nothing from a CDN.
SPECTACULAR_SETTINGS = {
    "TITLE": "Security-cooperation tracker API",
    "DESCRIPTION": "Multilateral security cooperation — events, partnerships, actors and their sources. "
    "Anonymous clients read published records; staff (session or `Authorization: Token …`) read "
    "everything and write. Every list and aggregate is also CSV (`?format=csv` or `Accept: text/csv`).",
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Writes take natural keys ("UA") where reads return objects: separate request and response shapes.
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several fields are called status or kind: name each enumeration after its choices.
    "ENUM_NAME_OVERRIDES": {
        "CurationStatusEnum": "cooperation.choices.Status",
        "ProposalStatusEnum": "cooperation.choices.ProposalStatus",
        "EventKindEnum": "cooperation.choices.EventKind",
        "OrganizationKindEnum": "cooperation.choices.OrganizationKind",
        "PartnershipKindEnum": "cooperation.choices.PartnershipKind",
        "SourceKindEnum": "cooperation.choices.SourceKind",
        "DocumentKindEnum": "cooperation.choices.DocumentKind",
        "LinkKindEnum": "cooperation.choices.LinkKind",
    },
}

# Browser dashboards on other origins: comma-separated, scheme included (https://dash.example.org).
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/"
# Conditional requests and change reasons need their headers allowed in; validators, file names and
# throttling waits must be readable by scripts.
CORS_ALLOW_HEADERS = (
    *default_headers,
    "if-match",
    "if-none-match",
    "if-modified-since",
    "if-unmodified-since",
    "x-change-reason",
)
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Content-Disposition", "Retry-After"]

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- HTTPS and what browsers are told (README, "Security") --------------------------------------------------------
# HSTS: browsers that once reached the site over HTTPS use nothing else for a year. Off in DEBUG (a development
# server on localhost must stay reachable over http). Subdomains and preloading are decisions about the whole
# domain, so they are off unless asked for.
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=False)
# Behind the documented TLS-terminating proxy, the proxy redirects http:// to https:// and the app's own port is
# plain http for it (and for health checks); true makes the app redirect too (it trusts X-Forwarded-Proto).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# `check --deploy` warns of the three settings above left at their default; a value given in the environment
# (docker-compose.yml gives all three) is a decision taken, and its warning is silenced.
SILENCED_SYSTEM_CHECKS = [
    check
    for check, (variable, on) in {
        "security.W005": ("DJANGO_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_INCLUDE_SUBDOMAINS),
        "security.W021": ("DJANGO_HSTS_PRELOAD", SECURE_HSTS_PRELOAD),
        "security.W008": ("DJANGO_SSL_REDIRECT", SECURE_SSL_REDIRECT),
    }.items()
    if not on and os.environ.get(variable, "").strip()
]

# Content-Security-Policy (django-csp), in development too so that a violation shows at once: the page's own
# scripts, styles, images and fonts only, and inline <script>/<style> only with the request's nonce (the API
# docs' templates carry it, cooperation/templates/api/, and DRF's browsable API's, tracker/templates/rest_framework/;
# the admin has no inline code). Style *attributes* are allowed (the admin, DRF's
# browsable API and import-export write some; an attribute cannot select or exfiltrate), as is the one inline
# handler import-export's export page has, by its hash, and the two style elements Redoc's bundle inserts before
# it knows the nonce (perfect-scrollbar's CSS, then an empty one), by theirs. Redoc's search runs in a worker made
# from a blob: URL. Redoc's footer logo (from cdn.redoc.ly) is refused on purpose: the docs load nothing from a CDN.
# DJANGO_CSP_REPORT_ONLY=true only reports violations (to the browser's console) instead of blocking them.
_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "script-src-attr": ["'unsafe-hashes'", "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"],
        "style-src": [
            SELF,
            NONCE,
            "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",  # Redoc: perfect-scrollbar's CSS
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # Redoc: an empty style element
        ],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if env_bool("DJANGO_CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# --- Admin login lock-out (django-axes) ----------------------------------------------------------------------------
# After AXES_FAILURE_LIMIT failed logins for one username from one client address, that pair is refused (even with
# the right password: a 429 page) until AXES_COOLOFF_TIME has passed since the last failure, or
# `manage.py axes_reset` lifts it. Per pair, so nobody can lock a curator out from elsewhere, and one office behind
# a NAT does not lock out its colleagues. Attempts are kept in the database: every worker sees the same count.
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
if AXES_FAILURE_LIMIT < 1:
    raise ImproperlyConfigured("DJANGO_LOGIN_FAILURE_LIMIT: give 1 or more failed logins before a lock-out.")
_COOLOFF_MINUTES = env_int("DJANGO_LOGIN_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = timedelta(minutes=_COOLOFF_MINUTES) if _COOLOFF_MINUTES else None  # 0: until axes_reset
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # a curator who mistyped, then logged in, starts from nothing
AXES_CLIENT_IP_CALLABLE = "tracker.security.client_ip"  # the address the throttles use (DJANGO_TRUSTED_PROXIES)
AXES_LOCKOUT_CALLABLE = "tracker.security.lockout_response"
AXES_ENABLE_ADMIN = False  # no attempt/log pages in the admin: `manage.py axes_reset` lifts a lock-out

# Import and export in the admin (cooperation.admin.transfer): all-or-nothing imports, and only staff
# with the model's change permission may import.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO" if not DEBUG else "WARNING"},
}
