"""Paceway settings: one file, every machine-specific value read from the environment.

With no variables set, Paceway runs on embedded defaults (SQLite in WAL mode, local-memory cache,
in-memory channel layer, a filesystem Celery broker). ``DATABASE_URL`` and ``REDIS_URL`` switch to
PostgreSQL and Redis. ``DEBUG=false`` is production and refuses to start without its secrets.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import django_stubs_ext
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .email_url import parse_email_url
from .env import check_redis_url, env_bool, env_choice, env_int, env_list, env_secret, env_str, parse_database_url
from .keyring.crypto import parse_master_keys

# Django's generic classes subscriptable at run time (admin.ModelAdmin[User]), as django-stubs documents.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
CORE_DIR = Path(__file__).resolve().parent

DEBUG = env_bool("DEBUG", True)
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "data"))).resolve()

SECRET_KEY = env_secret("SECRET_KEY")
ENCRYPTION_KEYS = env_secret("ENCRYPTION_KEYS")
AUDIT_HMAC_KEY = env_secret("AUDIT_HMAC_KEY")
# Where the audit chains' heads are copied outside the database (paceway.audit.witness).
AUDIT_WITNESS_PATH = env_str("AUDIT_WITNESS_PATH") or str(DATA_DIR / "audit-witness.jsonl")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else [])

if not DEBUG:
    missing = [
        name
        for name, value in (
            ("SECRET_KEY", SECRET_KEY),
            ("ALLOWED_HOSTS", ALLOWED_HOSTS),
            ("ENCRYPTION_KEYS", ENCRYPTION_KEYS),
            ("AUDIT_HMAC_KEY", AUDIT_HMAC_KEY),
        )
        if not value
    ]
    if missing:
        raise ImproperlyConfigured("Production (DEBUG=false) needs these set: " + ", ".join(missing))
else:
    # Development-only fallbacks: fixed so that demo sessions and encrypted demo data survive a
    # restart. They are never used in production (see the check above).
    SECRET_KEY = SECRET_KEY or "dev-only-insecure-secret-key-do-not-use-in-production-0123456789"
    ENCRYPTION_KEYS = ENCRYPTION_KEYS or "dev1:ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM="
    AUDIT_HMAC_KEY = AUDIT_HMAC_KEY or "dev-only-audit-hmac-key"

# Refuse a malformed key list at start-up, not at the first encrypted read.
parse_master_keys(ENCRYPTION_KEYS)

# `make run` serves on HOST:PORT (deploy/run_all.py); in development the e-mail links follow it.
PORT = env_int("PORT", 8000, minimum=1)
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])
REDIS_URL = env_str("REDIS_URL")
DATABASE_URL = env_str("DATABASE_URL")
if REDIS_URL:
    check_redis_url(REDIS_URL)

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_celery_beat",
    "rest_framework",
    "drf_spectacular",
    "django_htmx",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "paceway.accounts",
    "paceway.audit",
    "paceway.keyring",
    "paceway.ops",
    "modules.program",
    "modules.outcomes",
    "modules.record",
    "therapist.workspace",
    "therapist.screening",
    "messaging",
]

MIDDLEWARE = [
    "paceway.ops.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that reads the session: a saturated database answers 503, not 500.
    "paceway.ops.saturation.DatabaseSaturationMiddleware",
    "paceway.audit.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "paceway.inputs.RejectNullCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "paceway.accounts.middleware.UserTimeZoneMiddleware",
    "paceway.accounts.middleware.UserLanguageMiddleware",
    "paceway.audit.middleware.UserIdLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "paceway.accounts.middleware.NoStoreForSignedInMiddleware",
    "paceway.accounts.middleware.SessionLimitMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "paceway.accounts.middleware.RequireClinicianMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "paceway.urls"
ASGI_APPLICATION = "paceway.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [CORE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "paceway.accounts.context_processors.role",
            ],
        },
    },
]

# Database -------------------------------------------------------------------------------------
# Under ASGI every request runs in a thread of its own, so a persistent connection (CONN_MAX_AGE)
# is one PostgreSQL connection per request in flight, kept after the request: a burst of 200
# submissions asked PostgreSQL for 200 connections and got "too many clients" (issue 15). On
# PostgreSQL each process therefore borrows from a bounded pool (psycopg_pool, Django 5.2's native
# support; Django requires CONN_MAX_AGE 0 with it) and returns the connection when the request
# ends. DATABASE_POOL_MAX=0 turns the pool off (then one connection per request, closed after it).
# The pool checks a connection before lending it (at most once a second each: paceway.dbpool), so
# one that died in a server restart is replaced rather than failing a request. Waiting longer than DATABASE_POOL_TIMEOUT for a connection
# answers 503 with Retry-After (paceway.ops.saturation), never 500.
DATABASE_POOL_MIN = env_int("DATABASE_POOL_MIN", 2, minimum=0)
DATABASE_POOL_MAX = env_int("DATABASE_POOL_MAX", 20, minimum=0)
DATABASE_POOL_TIMEOUT = env_int("DATABASE_POOL_TIMEOUT", 5, minimum=1)
if DATABASE_URL:
    DATABASES = {"default": parse_database_url(DATABASE_URL)}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DATABASE_POOL_MAX:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(DATABASE_POOL_MIN, DATABASE_POOL_MAX),
            "max_size": DATABASE_POOL_MAX,
            "timeout": DATABASE_POOL_TIMEOUT,
            "name": "paceway",
        }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "paceway.sqlite3"),
            "OPTIONS": {
                "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"),
                "transaction_mode": "IMMEDIATE",
            },
            # A file (not :memory:) so live Daphne and Celery processes in tests can share it; one per
            # process so parallel test runs never share a database.
            "TEST": {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Requests in flight ------------------------------------------------------------------------------
# Django under Daphne gives every request in flight a thread of its own (asgiref's
# ThreadSensitiveContext: one single-thread executor per request; ASGI_THREADS sizes only the
# shared executor and does not bound these). The gate around Django (paceway.ops.saturation.
# RequestGate, in paceway.asgi) lets at most HTTP_CONCURRENCY requests per process in at once;
# the others wait in the event loop, costing no thread and no connection, for up to
# HTTP_QUEUE_SECONDS, then get 503 with Retry-After: HTTP_RETRY_AFTER seconds. On PostgreSQL the default leaves 4 of the pool's
# connections to the sockets' database threads (messaging.db_work, the group commit, Channels).
MESSAGING_DB_RESERVE = 4
HTTP_CONCURRENCY = env_int(
    "HTTP_CONCURRENCY",
    max(1, DATABASE_POOL_MAX - MESSAGING_DB_RESERVE) if DATABASE_URL and DATABASE_POOL_MAX else 16,
    minimum=0,  # 0: no gate
)
HTTP_QUEUE_SECONDS = env_int("HTTP_QUEUE_SECONDS", 20, minimum=1)
HTTP_RETRY_AFTER = env_int("HTTP_RETRY_AFTER", 5, minimum=1)

# Cache, channel layer, Celery broker ------------------------------------------------------------
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # The pub/sub layer is not hit by redis-py 8's 5 s socket timeout (see messaging.md) and
    # recovers from a Redis restart; the database stays the source of truth for messages.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": None}]},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # The filesystem transport needs no server and works across processes on one machine, so
    # `make run` has a real worker and scheduler (not eager mode) with nothing else installed.
    _broker_dir = DATA_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),  # not the working directory
    }

CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# The schedule and last runs live in the database; one beat at a time holds a lock (paceway.ops.beat).
CELERY_BEAT_SCHEDULER = "paceway.ops.beat:SingleDatabaseScheduler"
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}
for _schedule_module in (
    "modules.program.beat_schedule",
    "modules.outcomes.beat_schedule",
    "modules.record.beat_schedule",
    "messaging.beat_schedule",
    "paceway.audit.beat_schedule",
):
    # Plain dicts only (no Django imports), so reading them here is safe.
    CELERY_BEAT_SCHEDULE.update(__import__(_schedule_module, fromlist=["BEAT_SCHEDULE"]).BEAT_SCHEDULE)

# Identity ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "paceway.accounts.permissions.RolePermissionBackend",  # admin permissions by role; no superusers
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_ADAPTER = "paceway.accounts.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "paceway.accounts.forms.SignupForm"  # preferred name, pronouns, time zone
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
MFA_ADAPTER = "paceway.accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Paceway"
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

# Session limits (NIST SP 800-63B): idle minutes per role, absolute 12 hours for everyone.
SESSION_IDLE_MINUTES = {"patient": 30, "therapist": 15, "administrator": 15, "privacy_officer": 15}
SESSION_ABSOLUTE_HOURS = 12
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Internationalisation ---------------------------------------------------------------------------
LANGUAGE_CODE = "en"
# Each language is shown in its own name. "fr-ca" reads locale/fr_CA; Django's and allauth's own
# "fr" catalogues are gettext's fallback for what ours lacks. Code that only asks "French or not?"
# checks `(get_language() or "en").startswith("fr")`.
LANGUAGES = [("en", "English"), ("fr-ca", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Corrections to Django's date and time formats (paceway/formats/<locale>/formats.py).
FORMAT_MODULE_PATH = ["paceway.formats"]
# Visitors' choice lives in this cookie; a signed-in person's on their account (preferred_language).
LANGUAGE_COOKIE_NAME = "paceway_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env_str("TIME_ZONE", "America/Toronto")
USE_I18N = True
USE_TZ = True

# Static files: `collectstatic` (run by `make run` and at image build) writes compressed copies with
# content-hashed names to STATIC_ROOT, outside DATA_DIR so the image carries them read-only;
# WhiteNoise serves them from the web process, hashed names with a far-future `immutable` cache.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles"))).resolve()
STATICFILES_DIRS = [CORE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
with contextlib.suppress(OSError):  # a read-only image, where collectstatic made it at build time
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG  # development: files changed since the last collectstatic are served too
WHITENOISE_MAX_AGE = 3600  # for unhashed names; hashed names get WhiteNoise's ten years, immutable

# E-mail ------------------------------------------------------------------------------------------
globals().update(parse_email_url(env_str("EMAIL_URL", "console://" if DEBUG else "smtp://localhost:25")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Paceway <no-reply@paceway.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Clinic -----------------------------------------------------------------------------------------
CLINIC_NAME = env_str("CLINIC_NAME", "Paceway Demo Clinic")
# Told of every break-glass access (with the patient's therapist); empty: the therapist only.
PRIVACY_CONTACT_EMAIL = env_str("PRIVACY_CONTACT_EMAIL", "")
# Years a closed patient's record is kept after the last contact (Ontario practice for adults: 10).
RECORD_RETENTION_YEARS = env_int("RECORD_RETENTION_YEARS", 10, minimum=0)
BREAK_GLASS_MAX_MINUTES = env_int("BREAK_GLASS_MAX_MINUTES", 240, minimum=1)
CLINIC_CONTACT = env_str("CLINIC_CONTACT", "1-555-010-0000")  # hours: the clinic profile's, never typed here
# The copy of the clinic profile's crisis resources that the 503 page reads with no database
# (written on every save of the profile; paceway.clinic).
CLINIC_SNAPSHOT_PATH = env_str("CLINIC_SNAPSHOT_PATH") or str(DATA_DIR / "clinic-resources.json")
# What the clinic promises (paceway.clinic): business days to reply to a patient's message (the
# therapist inbox flags replies that are later), to decide on an intake, to assign a therapist.
REPLY_TARGET_BUSINESS_DAYS = env_int("REPLY_TARGET_BUSINESS_DAYS", 1, minimum=1)
SCREENING_DECISION_BUSINESS_DAYS = env_int("SCREENING_DECISION_BUSINESS_DAYS", 3, minimum=1)
ASSIGNMENT_BUSINESS_DAYS = env_int("ASSIGNMENT_BUSINESS_DAYS", 2, minimum=1)
# Text messages of the risk escalation ladder (modules.outcomes.sms): console in development.
SMS_BACKEND = env_str("SMS_BACKEND", "modules.outcomes.sms.ConsoleBackend")
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env_secret("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM = env_str("TWILIO_FROM", "")

# API --------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "paceway.api_schema.AutoSchema",  # documents 400/403/404/429
    # Size, depth and NUL limits: bad JSON is a 400, never a 500 (paceway.inputs).
    "DEFAULT_PARSER_CLASSES": [
        "paceway.inputs.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {"user": "600/min"},
    "EXCEPTION_HANDLER": "rest_framework.views.exception_handler",
}
API_MAX_JSON_BYTES = 1024 * 1024
API_MAX_JSON_DEPTH = 32
SPECTACULAR_SETTINGS = {
    "TITLE": "Paceway API",
    "DESCRIPTION": "Therapist-guided iCBT for chronic pain",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Not public: signed-in therapists and administrators only (paceway.api_schema).
    "SERVE_PERMISSIONS": ["paceway.api_schema.IsSignedInStaff"],
    "SERVE_AUTHENTICATION": ["rest_framework.authentication.SessionAuthentication"],
}

# Security headers --------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # NONCE (django-csp 4) puts a fresh 'nonce-...' in the header whenever a page used
        # request.csp_nonce; a literal "'nonce'" would be an invalid source.
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Operations: Prometheus metrics (paceway.ops.metrics), never public; optional Sentry ------------
METRICS_TOKEN = env_secret("METRICS_TOKEN")
if METRICS_TOKEN and len(METRICS_TOKEN) < 16:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 16 characters (or unset: no /metrics)")
METRICS_PORT = env_int("METRICS_PORT", 0, minimum=0)
WORKER_METRICS_PORT = env_int("WORKER_METRICS_PORT", 0, minimum=0)
METRICS_BIND = env_str("METRICS_BIND", "127.0.0.1")

SENTRY_DSN = env_secret("SENTRY_DSN")
if SENTRY_DSN:
    from .ops.sentry import init as _init_sentry

    try:
        _traces = float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0"))
    except ValueError as exc:
        raise ImproperlyConfigured("SENTRY_TRACES_SAMPLE_RATE must be a number from 0 to 1") from exc
    _init_sentry(SENTRY_DSN, environment=env_str("SENTRY_ENVIRONMENT", "production"), traces_sample_rate=_traces)

# Logging: request and user ids only, never health data. LOG_FORMAT=json: one object per line.
LOG_FORMAT = env_choice("LOG_FORMAT", "plain", ("plain", "json"))
ACCESS_LOG = env_bool("ACCESS_LOG", False)  # a line per HTTP request (method, URL pattern, status, time)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "paceway.audit.middleware.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "paceway.logs.ParsimoniousJsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
# Celery's worker and beat log through the handler above (JSON too) instead of their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
