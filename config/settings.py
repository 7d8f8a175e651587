"""Settings for the outage radar, read from the environment.

Every default lets `make run` start on a laptop with nothing set; production
sets DEBUG=0 and a real SECRET_KEY (see docker/.env.example).
"""

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.email import smtp_server
from config.env import env_bool, env_choice, env_int, env_int_list, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and (SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "SECRET_KEY must be a random string of 32 or more characters when DEBUG "
        "is off: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_NAME = env_str("SITE_NAME", "Outage Radar")
# Where the site is reached from outside: the links in webhook events.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "config.apps.StaticFiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "outages",
    "reports",
    "outages.alerts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.replica.ReplicaReadsMiddleware",
    # Before anything that may answer on its own, so its answers get CORS too.
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETag on every GET, and 304 for a client that has it already.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "outages.web.unavailable.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "outages.web.context.site",
            ],
        },
    },
]


def _database(url: str, name: str = "DATABASE_URL") -> dict:
    if urlsplit(url).scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(
            f"{name} must be a postgres:// URL, not {url.split(':', 1)[0]!r}"
        )
    # No health check before each request: it costs a round trip per report.
    # After a PostgreSQL restart each web thread answers one request with 503
    # (nothing stored) and then reconnects.
    return dj_database_url.parse(url, conn_max_age=60, conn_health_checks=False)


DATABASE_URL = env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:25432/radar")
DATABASES = {"default": _database(DATABASE_URL)}
# A read replica for pages and the read API (config/replica.py); unset, all
# reads go to DATABASE_URL.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = _database(DATABASE_REPLICA_URL, "DATABASE_REPLICA_URL")
DATABASE_ROUTERS = ["config.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:26379/0")
if urlsplit(REDIS_URL).scheme not in {"redis", "rediss", "unix"}:
    raise ImproperlyConfigured(
        f"REDIS_URL must be a redis://, rediss:// or unix:// URL, not {REDIS_URL!r}"
    )
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "radar",
    },
    # Each web process's own copy of read answers: no round trip at all.
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
# How long read pages and API answers may be served from that copy.
READ_CACHE_SECONDS = env_int("READ_CACHE_SECONDS", 10, minimum=0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end libraries come from npm (package.json, package-lock.json) and are
# served by the app under static/vendor/: nothing loads from elsewhere.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    (f"vendor/{prefix}", NODE_MODULES / path)
    for prefix, path in (
        ("leaflet", "leaflet/dist"),
        ("topojson-client", "topojson-client/dist"),
        ("world-atlas", "world-atlas"),
        ("us-atlas", "us-atlas"),
        ("uplot", "uplot/dist"),
    )
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Production runs behind TLS; a self-hoster on plain HTTP turns these off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "config.negotiation.ContentNegotiation",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "EXCEPTION_HANDLER": "reports.errors.handle_api_exception",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Outage radar API",
    "DESCRIPTION": (
        "Crowd-sourced outage reports: submit reports, read each service's "
        "status, time series, regions and incidents."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.openapi.empty_means_absent",
        "config.openapi.closed_bodies",
        "config.openapi.catalog_enums",
        "reports.schema.items_refused_alone",
    ],
    "ENUM_NAME_OVERRIDES": {
        "RegionKindEnum": ["country", "subdivision"],
        "IncidentUpdateKindEnum": "outages.models.IncidentUpdate.Kind",
    },
}


def _celery_broker(redis_url: str) -> str:
    """REDIS_URL as Kombu names it: a socket is redis+socket:///path there."""
    parts = urlsplit(redis_url)
    if parts.scheme != "unix":
        return redis_url
    db = parse_qs(parts.query).get("db", ["0"])[0]
    return f"redis+socket://{parts.path}?virtual_host={db}"


CELERY_BROKER_URL = _celery_broker(REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
# A task is acknowledged only after it ran, and a worker that dies mid-task
# hands it back: bucketing and detection are idempotent, so a rerun is safe.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
# Must exceed the longest task, or Redis hands a running task to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "bucket-new-reports": {
        "task": "outages.tasks.bucket_new_reports",
        "schedule": 2.0,
        # A run that waited longer than this is superseded by a newer one.
        "options": {"expires": 10},
    },
    "detect": {
        "task": "outages.tasks.detect",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
    "roll-up-hours": {
        "task": "outages.tasks.roll_up_hours",
        "schedule": 600.0,
        "options": {"expires": 600},
    },
    "maintain-partitions": {
        "task": "outages.tasks.maintain_partitions",
        "schedule": 3600.0,
        "options": {"expires": 3600},
    },
    "heartbeat": {
        "task": "outages.tasks.record_heartbeat",
        "schedule": 30.0,
        "options": {"expires": 30},
    },
}

# The read API is readable from any web page (a status dashboard, a script in
# a browser); the write endpoints are not offered cross-origin.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/api/v1/(?!reports|webhooks)"
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_EXPOSE_HEADERS = ("ETag",)

# Intake. A person never needs more than a handful of reports a minute; a
# network (one address, or one IPv6 /64) may hold many people behind a NAT.
REPORTS_PER_MINUTE = env_int("REPORTS_PER_MINUTE", 6, minimum=1)
NETWORK_REPORTS_PER_MINUTE = env_int("NETWORK_REPORTS_PER_MINUTE", 300, minimum=1)
# A reporter's repeats for the same service within this window are kept but
# not counted again.
DEDUP_WINDOW_MINUTES = env_int("DEDUP_WINDOW_MINUTES", 30, minimum=1)
# What one network (an IPv4 /24, an IPv6 /48) can add to a service's count in
# a de-dup window: a household or an office, not one person with many user
# agents (docs/abuse.md). Its reports beyond that are kept, not counted.
REPORTERS_PER_NETWORK = env_int("REPORTERS_PER_NETWORK", 3, minimum=1)
# What one integrator's token can add to a service's count in a minute, unless
# its entry in the admin says otherwise.
TOKEN_REPORTERS_PER_MINUTE = env_int("TOKEN_REPORTERS_PER_MINUTE", 20, minimum=1)
# An incident (and a "possible problem") needs reports from this many networks,
# with no single larger block (IPv4 /16, IPv6 /32, or one integrator) making
# more than this share (in %) of the excess over normal.
INCIDENT_MIN_NETWORKS = env_int("INCIDENT_MIN_NETWORKS", 5, minimum=1)
INCIDENT_MAX_BLOCK_PERCENT = env_int("INCIDENT_MAX_BLOCK_PERCENT", 50, minimum=1)
# How many proxies in front of the app append to X-Forwarded-For. Zero trusts
# only the socket address, so a forged header cannot dodge the limits.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
BATCH_MAX_ITEMS = env_int("BATCH_MAX_ITEMS", 1000, minimum=1)
# Reports moved from the intake log and counted per bucketing transaction.
BUCKETING_BATCH_SIZE = env_int("BUCKETING_BATCH_SIZE", 20000, minimum=1)
# The intake log's bound: beyond it intake answers 503 with Retry-After until
# bucketing catches up (PostgreSQL away for a long time). An entry takes about
# 100 bytes of Redis memory, so the default holds an hour of 500 reports a
# second in about 200 MB; Redis's own maxmemory (noeviction) is the hard stop.
INTAKE_BACKLOG_MAX_ENTRIES = env_int("INTAKE_BACKLOG_MAX_ENTRIES", 2_000_000, minimum=1)
# How the intake Redis syncs its append-only file, as it was started:
# "always" (a 2xx survives a machine crash) or "everysec" (faster; a machine
# crash may lose the last second). /readyz refuses when Redis differs.
INTAKE_FSYNC = env_choice("INTAKE_FSYNC", "always", ("always", "everysec"))
# /readyz fails when the oldest uncounted report has waited longer than this.
BUCKETING_MAX_LAG_SECONDS = env_int("BUCKETING_MAX_LAG_SECONDS", 120, minimum=1)
# The detector's state is split into this many shards by service, each
# judged by a task of its own each minute, so as many workers share the cycle
# (docs/scaling.md). Four keep a cycle's tasks small on one server and let up
# to four workers share it; changing it regroups the saved series at the next
# cycle (docs/scaling.md).
DETECTOR_SHARDS = env_int("DETECTOR_SHARDS", 4, minimum=1)

# Reports and minute buckets are kept in daily partitions for this many days
# (docs/scaling.md); every hour of the buckets is rolled up first and kept.
# The detector relearns from two weeks of minute buckets, so they are kept
# longer than that.
REPORTS_RETENTION_DAYS = env_int("REPORTS_RETENTION_DAYS", 14, minimum=1)
MINUTE_BUCKETS_RETENTION_DAYS = env_int("MINUTE_BUCKETS_RETENTION_DAYS", 35, minimum=15)

# The demo: simulated history on an empty database and a light crowd.
DEMO = env_bool("DEMO", False)
if DEMO:
    CELERY_BEAT_SCHEDULE["report-crowd"] = {
        "task": "outages.tasks.report_crowd",
        "schedule": 15.0,
        "options": {"expires": 15},
    }

# Webhooks (outages/alerts, docs/api.md). Destinations must be public HTTPS
# addresses; allowing private ones is for development and tests only.
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", False)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
# Seconds before each retry of a failed delivery: eight tries over 22 hours.
WEBHOOK_RETRY_SECONDS = env_int_list(
    "WEBHOOK_RETRY_SECONDS", "30,120,600,3600,10800,21600,43200", minimum=1
)
CELERY_BEAT_SCHEDULE["send-due-deliveries"] = {
    "task": "outages.alerts.tasks.send_due_deliveries",
    "schedule": 60.0,
    "options": {"expires": 60},
}

# Email (outages/alerts, docs/alerts.md): EMAIL_URL, or Django's own settings
# one by one. `make run` writes messages to files in .run/mail/ instead.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / ".run" / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_URL = env_str("EMAIL_URL", "")
if EMAIL_URL:
    _smtp = smtp_server(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST, EMAIL_PORT = _smtp.host, _smtp.port
    EMAIL_HOST_USER, EMAIL_HOST_PASSWORD = _smtp.user, _smtp.password
    EMAIL_USE_TLS, EMAIL_USE_SSL = _smtp.use_tls, _smtp.use_ssl
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL exclude each other")
# Without one, a server that stops answering holds a worker forever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", f"{SITE_NAME} <alerts@{urlsplit(SITE_URL).hostname}>"
)
# Email alerts. An incident that flaps sends a subscription at most one
# message per window; what happened meanwhile is told by the next one.
ALERT_EMAIL_WINDOW_MINUTES = env_int("ALERT_EMAIL_WINDOW_MINUTES", 30, minimum=1)
# How long a confirmation link works; an unconfirmed address is then forgotten.
ALERT_EMAIL_CONFIRM_DAYS = env_int("ALERT_EMAIL_CONFIRM_DAYS", 3, minimum=1)
# So the form cannot be used to flood someone: sign-ups per reporter per hour,
# and confirmation messages to one address while its links are valid.
ALERT_EMAIL_SIGNUPS_PER_HOUR = env_int("ALERT_EMAIL_SIGNUPS_PER_HOUR", 5, minimum=1)
ALERT_EMAIL_CONFIRMATIONS_PER_ADDRESS = env_int(
    "ALERT_EMAIL_CONFIRMATIONS_PER_ADDRESS", 3, minimum=1
)
# Seconds before each retry of a message the SMTP server did not take.
ALERT_EMAIL_RETRY_SECONDS = env_int_list(
    "ALERT_EMAIL_RETRY_SECONDS", "60,300,1800", minimum=1
)
CELERY_BEAT_SCHEDULE["send-due-emails"] = {
    "task": "outages.alerts.tasks.send_due_emails",
    "schedule": 60.0,
    "options": {"expires": 60},
}
CELERY_BEAT_SCHEDULE["forget-unconfirmed-emails"] = {
    "task": "outages.alerts.tasks.forget_unconfirmed_emails",
    "schedule": 3600.0,
    "options": {"expires": 3600},
}

# The worker counts as alive while its last heartbeat is younger than this.
HEARTBEAT_MAX_AGE_SECONDS = env_int("HEARTBEAT_MAX_AGE_SECONDS", 120, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
