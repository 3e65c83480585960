"""Settings of the RII portal, all from the environment (see .env.example)."""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.contrib.messages import constants as message_constants
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from dotenv import load_dotenv

from core.logs import logging_config
from portal.databases import connection_settings

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(os.environ.get("DJANGO_ENV_FILE") or BASE_DIR / ".env")


def env(name: str, default: str | None = None) -> str:
    """A variable's value; an empty one counts as unset."""
    value = os.environ.get(name) or default
    if value is None:
        raise ImproperlyConfigured(
            f"Set the environment variable {name} (see .env.example)."
        )
    return value


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str | None = None) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env("DJANGO_SECRET_KEY", "insecure-development-key" if DEBUG else None)
ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else None
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks_db",
    "import_export",
    # The portal's apps, from the bottom layer up (see the README's architecture).
    "core",
    "notifications",
    "accounts",
    "catalogue",
    "access",
    "workspace",
    "moderation",
    "imports",
    "alerts",
    "demo",
    "bench",
    "portal",
]

MIDDLEWARE = [
    # The request id (in every log line of the request) and the slow-request log.
    "core.middleware.request_id",
    # /healthz and /readyz, before host checks, redirects and sessions.
    "core.middleware.health_probes",
    # Then: a too large body or a NUL character is refused before anything reads it.
    "core.middleware.reject_malformed_requests",
    # Before WhiteNoise, so that static files carry them too.
    "core.middleware.security_headers",
    # A cached public page for an anonymous visitor answers here, before sessions,
    # CSRF and the database; it keeps the headers of the middleware below.
    "core.pagecache.anonymous_pages",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Which database this request reads from: a replica for public pages.
    "core.replicas.replica_reads",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Signed-out after inactivity or the absolute limit; no-store on signed-in pages.
    "core.middleware.session_timeouts",
    "accounts.middleware.admin_mfa_required",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A public page whose database connection was lost is served once more.
    "core.middleware.RetryLostDatabaseConnection",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "portal.context_processors.site",
            ],
        },
    },
]

# PostgreSQL only: DATABASE_URL, or the embedded server under var/ (portal/embedded_db.py)
# in development, or outside it only when asked for (benchmarks, a demo machine): a
# production that forgot DATABASE_URL must not run on a local throw-away database.
PORTAL_EMBEDDED_DATABASE = env_bool("PORTAL_EMBEDDED_DATABASE", DEBUG)
DATABASES: dict[str, Any]
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
elif not PORTAL_EMBEDDED_DATABASE:
    raise ImproperlyConfigured(
        "Set DATABASE_URL to the production PostgreSQL server (see .env.example), "
        "or PORTAL_EMBEDDED_DATABASE=true to run on the embedded one with DEBUG off."
    )
else:
    from portal.embedded_db import ensure_database

    DATABASES = {"default": ensure_database()}

# PORTAL_DB_POOL: connections per process in a pool (psycopg_pool) shared by its
# threads; 0 keeps a persistent connection per thread (DJANGO_CONN_MAX_AGE).
PORTAL_DB_POOL = int(env("PORTAL_DB_POOL", "0"))
_connections: dict[str, Any] = {
    "pool_size": PORTAL_DB_POOL,
    "conn_max_age": int(env("DJANGO_CONN_MAX_AGE", "60")),
    "work_mem": env("DATABASE_WORK_MEM", "32MB"),
}
DATABASES["default"] = connection_settings(DATABASES["default"], **_connections)
# Read replicas (core/replicas.py): the public pages named here read from one of
# them, other pages and every write from the primary, "default".
PORTAL_DATABASE_REPLICAS: list[str] = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", ""), start=1):
    _alias = f"replica_{_number}"
    _replica = connection_settings(dict(dj_database_url.parse(_url)), **_connections)
    # An unreachable replica costs a request this long before the primary answers.
    _replica["OPTIONS"].setdefault("connect_timeout", 3)
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[_alias] = _replica
    PORTAL_DATABASE_REPLICAS.append(_alias)
DATABASE_ROUTERS = ["core.replicas.ReplicaRouter"]
PORTAL_REPLICA_VIEWS = [
    "home",
    "catalogue:infrastructure_list",
    "catalogue:infrastructure_detail",
    "catalogue:region_detail",
    "catalogue:technology_detail",
    "sitemap",
]
# A replica further behind than this is not read; after a write (a POST, or a
# request that wrote), the client reads from the primary for this long.
PORTAL_REPLICA_MAX_LAG_SECONDS = float(env("PORTAL_REPLICA_MAX_LAG_SECONDS", "5"))
PORTAL_REPLICA_STICKY_SECONDS = int(env("PORTAL_REPLICA_STICKY_SECONDS", "15"))
# A replica that did not answer is tried again after this long.
PORTAL_REPLICA_RETRY_SECONDS = float(env("PORTAL_REPLICA_RETRY_SECONDS", "10"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# Sign-up, sign-in, email and password flows: django-allauth, by email address.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[RII portal] "
# Queues allauth's emails in the outbox, in the recipient's language.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Failed sign-ins: ten from one IP address in a minute or fifty in an hour, or five
# for one address from one IP address in five minutes, refuse further attempts
# (from that IP address, for that address) for the rest of that time. The "key" is
# the pair of address and client IP (accounts.adapter), so nobody elsewhere can
# lock the owner out; a success does not count. Counted in Django's cache, which
# every process shares (CACHES).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,50/h/ip,5/5m/key",
    # Access requests (a brief to up to five RIIs counts once) and thread messages.
    "access_request": "10/h/ip",
    "access_request_account": "20/d/user",
    "access_message": "30/10m/user",
}
# Sign-in offers "Remember me"; sessions end after inactivity (core.middleware):
# PORTAL_SESSION_IDLE_SECONDS, or PORTAL_SESSION_REMEMBER_IDLE_SECONDS when
# remembered, PORTAL_ADMIN_SESSION_IDLE_SECONDS for staff in the admin, and in any
# case PORTAL_SESSION_MAX_SECONDS after signing in.
ACCOUNT_SESSION_REMEMBER = None
PORTAL_SESSION_IDLE_SECONDS = int(env("PORTAL_SESSION_IDLE_SECONDS", str(2 * 3600)))
PORTAL_SESSION_REMEMBER_IDLE_SECONDS = int(
    env("PORTAL_SESSION_REMEMBER_IDLE_SECONDS", str(7 * 86400))
)
PORTAL_ADMIN_SESSION_IDLE_SECONDS = int(
    env("PORTAL_ADMIN_SESSION_IDLE_SECONDS", str(30 * 60))
)
PORTAL_SESSION_MAX_SECONDS = int(env("PORTAL_SESSION_MAX_SECONDS", str(14 * 86400)))
SESSION_COOKIE_AGE = PORTAL_SESSION_MAX_SECONDS
# Only "Remember me" keeps the cookie after the browser closes.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "RII portal"
# Staff must set up an authenticator app before they reach the Django admin.
PORTAL_REQUIRE_ADMIN_MFA = env_bool("PORTAL_REQUIRE_ADMIN_MFA", not DEBUG)
# RII staff, who read confidential access requests, must set one up before the
# workspace and the inbox.
PORTAL_REQUIRE_STAFF_MFA = env_bool("PORTAL_REQUIRE_STAFF_MFA", not DEBUG)

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("it", _("Italian")),
    ("nl", _("Dutch")),
    ("de", _("German")),
    ("lv", _("Latvian")),
    ("et", _("Estonian")),
    ("cs", _("Czech")),
    ("sv", _("Swedish")),
    ("fr", _("French")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Files only their owners may see (access request attachments), outside MEDIA_ROOT.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env("PORTAL_PRIVATE_ROOT", str(BASE_DIR / "var" / "private")),
            "base_url": None,
        },
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Request bodies: core.middleware refuses one announced larger than this (the
# largest upload, a 20 MB import file, and its form) before reading it; the proxy
# in front should refuse them first (nginx: client_max_body_size 21m).
PORTAL_MAX_REQUEST_BYTES = int(env("PORTAL_MAX_REQUEST_BYTES", str(21 * 1024 * 1024)))
# Form fields other than files: at most 2.5 MB; files above 2.5 MB are streamed to
# a temporary file instead of memory; few files and fields per request.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# Bootstrap calls the error alert "danger".
MESSAGE_TAGS = {message_constants.ERROR: "danger"}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: the console in development; SMTP when SMTP_HOST is set.
if env("SMTP_HOST", ""):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env("SMTP_HOST"),
                "port": int(env("SMTP_PORT", "587")),
                "username": env("SMTP_USER", ""),
                "password": env("SMTP_PASSWORD", ""),
                "use_tls": env_bool("SMTP_USE_TLS", True),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
# One cache for every process (rate limits must be counted across them): Redis when
# REDIS_URL is set (core.cache fails open: if Redis is away pages still answer, and
# sessions stay in the database), else a table in the database, created by `migrate`.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "rii"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }
# Anonymous visitors' public pages, whole, for this many seconds (core.pagecache;
# 0: off, the default without REDIS_URL).
PORTAL_PAGE_CACHE_SECONDS = int(
    env("PORTAL_PAGE_CACHE_SECONDS", "300" if REDIS_URL else "0")
)

# Background work (email above all) is queued in the database and run by
# `manage.py db_worker`, which `make run` starts beside the web server. Every email
# goes through the outbox (notifications/): stored with the request's writes, sent
# by the worker after commit, retried until the mail server takes it.
TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
}
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", "RII portal <noreply@localhost>")
# The portal's public address, for absolute links in emails.
PORTAL_SITE_URL = env("PORTAL_SITE_URL", "http://127.0.0.1:8000")

# Security: the deployment checklist holds whenever DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
# "__Host-": browsers take these cookies only over https, for the whole site (Path=/,
# Django's default) and from this host alone (no Domain). Plain names over http in
# development.
SESSION_COOKIE_NAME = "sessionid" if DEBUG else "__Host-sessionid"
CSRF_COOKIE_NAME = "csrftoken" if DEBUG else "__Host-csrftoken"
SESSION_COOKIE_PATH = CSRF_COOKIE_PATH = "/"
SESSION_COOKIE_DOMAIN = CSRF_COOKIE_DOMAIN = None
# Added by core.middleware.security_headers to every response.
PORTAL_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)
PORTAL_CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = not DEBUG
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The client's address (rate limits per IP) is the PORTAL_TRUSTED_PROXY_COUNT-th
# entry from the right of X-Forwarded-For, and only when the request comes from one
# of PORTAL_TRUSTED_PROXIES (accounts.adapter); otherwise it is REMOTE_ADDR, so a
# client reaching the portal directly cannot name its own address.
ALLAUTH_TRUSTED_PROXY_COUNT = int(
    env("PORTAL_TRUSTED_PROXY_COUNT", "1" if BEHIND_PROXY else "0")
)
PORTAL_TRUSTED_PROXIES = env_list("PORTAL_TRUSTED_PROXIES", "127.0.0.1,::1")

# Strict Content Security Policy: everything is served by the portal itself.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}

# An optional tile server for RII maps; maps stay self-rendered while this is empty.
MAP_TILE_URL = env("PORTAL_MAP_TILE_URL", "")

# Operations: logs, health probes, files behind a proxy (README, "Deployment").
# Log lines as text, or one JSON object per line (PORTAL_LOG_FORMAT=json); each
# carries the id of its request (core.middleware.request_id).
PORTAL_LOG_FORMAT = env("PORTAL_LOG_FORMAT", "text").strip().lower()
if PORTAL_LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured("PORTAL_LOG_FORMAT must be text or json.")
LOGGING = logging_config(
    log_format=PORTAL_LOG_FORMAT, level=env("DJANGO_LOG_LEVEL", "INFO")
)
# Requests and SQL statements slower than this are logged as warnings (0: never).
PORTAL_SLOW_REQUEST_MS = int(env("PORTAL_SLOW_REQUEST_MS", "1000"))
PORTAL_SLOW_QUERY_MS = int(env("PORTAL_SLOW_QUERY_MS", "500"))
# /readyz: what it checks, in order, and how old the task worker's heartbeat and
# the oldest due email may be.
PORTAL_READINESS_CHECKS = {
    "database": "core.health.database",
    "migrations": "core.health.migrations",
    "task_worker": "core.health.task_worker",
    "outbox": "notifications.health.outbox",
}
PORTAL_READY_WORKER_SECONDS = int(env("PORTAL_READY_WORKER_SECONDS", "600"))
PORTAL_READY_OUTBOX_MINUTES = int(env("PORTAL_READY_OUTBOX_MINUTES", "15"))
# Behind nginx: uploads and attachments are sent by the proxy from this internal
# location (X-Accel-Redirect) once the portal has checked who may see them; empty,
# the portal streams them itself.
PORTAL_X_ACCEL_REDIRECT = env("PORTAL_X_ACCEL_REDIRECT", "")
