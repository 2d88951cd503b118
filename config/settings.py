"""Karte settings: one file, read from the environment, strict.

Without any environment the app runs at once on SQLite and local files. Set
KARTE_PRODUCTION=1 for a deployment: DEBUG goes off, cookies become secure and
SECRET_KEY and ALLOWED_HOSTS must be given.
"""

import ipaddress
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.database import database_from_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


PRODUCTION = env_bool("KARTE_PRODUCTION", False)
DEBUG = env_bool("DEBUG", not PRODUCTION)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when KARTE_PRODUCTION=1.")
    SECRET_KEY = "development-only-key-not-for-production-use-0123456789abcdef"
elif PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names when KARTE_PRODUCTION=1.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Reverse proxies (addresses or networks) whose X-Forwarded-For is believed; none by default.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        message = f"TRUSTED_PROXIES must list IP addresses or networks; got {_proxy!r}."
        raise ImproperlyConfigured(message) from None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "common",
    "salons",
    "accounts",
    "customers",
    "kartes",
    "menus",
    "transfer",
    "followups",
    "counselling",
    "analytics",
    "audit",
    "linking",
    "notices",
    "appointments",
    "push",
    "privacy",
    "operations",
    "staff",
    "customer_app",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "common.middleware.TextGZipMiddleware",
    "common.middleware.SecurityHeadersMiddleware",
    "common.bodylimit.BodyLimitMiddleware",
    "common.outage.OutageMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "common.pagekeep.PageKeepMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before the session's use is noted, so that the note is made in the salon's scope.
    "salons.middleware.SalonScopeMiddleware",
    "accounts.middleware.SessionActivityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# StaffBackend signs in as Django's does; ModelBackend stays listed so that sessions begun before it
# (which name ModelBackend) stay signed in.
AUTHENTICATION_BACKENDS = ["salons.backends.StaffBackend", "django.contrib.auth.backends.ModelBackend"]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "salons.context_processors.current_salon",
                "staff.context_processors.waiting",
            ],
        },
    },
]

# Database: SQLite by default, DATABASE_URL for PostgreSQL (several hosts for failover, see
# config/database.py). DB_POOLED=1 behind PgBouncer in transaction mode. DATABASE_REPLICA_URL: a
# standby for the heavy reads (exports, the analytics roll-up, backups) while it keeps up.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
DB_POOLED = env_bool("DB_POOLED", False)
if DATABASE_URL:
    DATABASES = {
        "default": database_from_url(
            DATABASE_URL,
            name="DATABASE_URL",
            conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
            pooled=DB_POOLED,
            # Plans kept per connection: PgBouncer before 1.21 cannot keep them in transaction mode.
            prepared=env_bool("DB_PREPARED_STATEMENTS", True),
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(BASE_DIR / "var" / "karte.sqlite3"),
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    }
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    if not DATABASE_URL.startswith("postgres"):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL to point at PostgreSQL.")
    DATABASES["replica"] = {
        **database_from_url(
            DATABASE_REPLICA_URL, name="DATABASE_REPLICA_URL", conn_max_age=0, pooled=False, prepared=False
        ),
        # Tests read the one test database through both names.
        "TEST": {"MIRROR": "default"},
    }
# The primary itself, not through the pool, for pg_dump and pg_restore (backup and restore).
DATABASE_DIRECT_URL = os.environ.get("DATABASE_DIRECT_URL", "")
DATABASE_DIRECT = (
    database_from_url(
        DATABASE_DIRECT_URL, name="DATABASE_DIRECT_URL", conn_max_age=0, pooled=False, prepared=False
    )
    if DATABASE_DIRECT_URL
    else None
)
# Further behind than this, the standby is passed over and the heavy reads go to the primary.
DB_REPLICA_MAX_LAG_SECONDS = env_int("DB_REPLICA_MAX_LAG_SECONDS", 30)
if not 0 <= DB_REPLICA_MAX_LAG_SECONDS <= 600:
    # The analytics roll-up reads the last 10 minutes' changes again: no more may be unreplayed.
    raise ImproperlyConfigured("DB_REPLICA_MAX_LAG_SECONDS must be between 0 and 600.")
DATABASE_ROUTERS = ["common.replica.PrimaryRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: local memory by default, Redis with REDIS_URL.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("REDIS_URL must start with redis://, rediss:// or unix://.")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # An unreachable Redis must cost a request a second at most, never hang it.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Whole pages kept for a repeated request while nothing they were read from changed (common.pagekeep).
# The tables' versions are kept in the cache, so it needs Redis as soon as there is more than one
# process: on by default with REDIS_URL, off without it.
PAGE_KEEP = env_bool("KARTE_PAGE_KEEP", bool(REDIS_URL))

# Drawn cards kept in each process's memory (common.fragments); 0 draws every page afresh.
FRAGMENT_STORE_MB = env_int("KARTE_FRAGMENT_STORE_MB", 16)
if FRAGMENT_STORE_MB < 0:
    raise ImproperlyConfigured("KARTE_FRAGMENT_STORE_MB must be 0 or more.")

# Background work (Huey: photo copies, purges, scheduled jobs). Without a server of its own the
# queue is a SQLite file next to the data, so `make run` needs nothing else; with
# KARTE_TASKS_REDIS_URL (or REDIS_URL) every app and worker process on every machine shares one
# Redis queue. `manage.py run_huey` is the worker. KARTE_TASKS_IMMEDIATE=1 runs each task inside
# the request that asks for it (tests, and a one-process installation with no worker).
TASKS_REDIS_URL = os.environ.get("KARTE_TASKS_REDIS_URL", REDIS_URL)
HUEY: dict = {
    "name": "karte",
    "immediate": env_bool("KARTE_TASKS_IMMEDIATE", False),
    "results": False,
    "utc": True,
    "consumer": {
        "workers": env_int("KARTE_TASK_WORKERS", 2),
        "worker_type": "thread",
        "check_worker_health": True,
        "health_check_interval": 5,
    },
}
if TASKS_REDIS_URL:
    # A priority queue (common.tasks): its Redis key is a sorted set, so it has a name of its own
    # beside a plain list queue left by an older release (whose work the sweeps ask for again).
    HUEY.update({"huey_class": "huey.PriorityRedisHuey", "name": "karte-by-priority", "url": TASKS_REDIS_URL})
else:
    HUEY.update(
        {
            "huey_class": "huey.SqliteHuey",
            "filename": os.environ.get("KARTE_TASKS_FILE", str(BASE_DIR / "var" / "tasks.sqlite3")),
        }
    )
    # A file queue is polled, not waited on like Redis: look at least every half second.
    HUEY["consumer"]["max_delay"] = 0.5

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Japanese everyday words, the trade's and the salon's own name, with digits around them.
    {"NAME": "accounts.validators.SalonWordsValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff:customer_list"
LOGOUT_REDIRECT_URL = "login"

# Language and time: Japanese first, English second.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
FORMAT_MODULE_PATH = ["config.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Tokyo"
USE_TZ = True

# Static files come from our own origin, front-end packages straight out of node_modules.
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/zxing", BASE_DIR / "node_modules" / "zxing-wasm" / "dist"),
]
# Bumped with each release so installed apps refresh their cached shell.
KARTE_APP_VERSION = "2026.12.1"

# Media is private: files live in storage and are only served by views that check permission,
# so there is no MEDIA_URL.
# Without collectstatic (development, tests) WhiteNoise serves straight from the finders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# S3-compatible object storage with S3_BUCKET; objects stay private and are streamed by our views.
S3_BUCKET = os.environ.get("S3_BUCKET", "")
if S3_BUCKET:
    if not all(os.environ.get(name) for name in ("S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")):
        raise ImproperlyConfigured("S3_BUCKET needs S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY as well.")
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ["S3_ACCESS_KEY_ID"],
            "secret_key": os.environ["S3_SECRET_ACCESS_KEY"],
            "location": os.environ.get("S3_PREFIX", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "private, no-store"},
        },
    }
else:
    DEFAULT_STORAGE = {
        "BACKEND": "common.storage.AtomicFileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "common.storage.StaticStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Behind nginx: photos are handed to it with X-Accel-Redirect after the permission check
# (deploy/nginx/karte.conf has the internal locations).
KARTE_ACCEL_REDIRECT = env_bool("KARTE_ACCEL_REDIRECT", False)

# Photos: 20 MB and 50 megapixels at most per file.
KARTE_PHOTO_MAX_BYTES = 20 * 1024 * 1024
KARTE_PHOTO_MAX_PIXELS = 50_000_000
# Uploads larger than FILE_UPLOAD_MAX_MEMORY_SIZE spool here while the request runs; a worker
# killed mid-upload leaves its spool file behind, and purge_unused_uploads removes stale ones.
FILE_UPLOAD_TEMP_DIR = str(Path(os.environ.get("KARTE_SPOOL_DIR", BASE_DIR / "var" / "spool")))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# What pages open to phones and strangers accept, refused with 413 before the body is read (first
# match wins; deploy/nginx/karte.conf sets the same): a counselling sheet with its signature (a PNG
# of at most 600 kB, sent as a data URL, and the answers), small forms elsewhere in the app and on
# the login page. Staff pages take photos of up to KARTE_PHOTO_MAX_BYTES.
REQUEST_BODY_LIMITS = [
    (r"/s/[^/]+/(app/)?sheet/", 1000 * 1024),
    (r"/s/", 64 * 1024),
    (r"/login/", 16 * 1024),
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Push notifications (Web Push with VAPID): `manage.py vapid_keys` prints a pair. Without keys push is
# off. Pushes go only to the browsers' own push services (a subscription naming any other host is
# refused); plain http only to the hosts in PUSH_INSECURE_HOSTS (a test's own push service).
VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY", "")
VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")
VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:support@karte.example.jp")
if not VAPID_SUBJECT.startswith(("mailto:", "https://")):
    raise ImproperlyConfigured(f"VAPID_SUBJECT must be a mailto: or https:// address; got {VAPID_SUBJECT!r}.")
PUSH_SERVICE_HOSTS = env_list(
    "PUSH_SERVICE_HOSTS",
    ["fcm.googleapis.com", ".push.apple.com", ".push.services.mozilla.com", ".notify.windows.com"],
)
PUSH_INSECURE_HOSTS = env_list("PUSH_INSECURE_HOSTS", [])

# Email (password resets, invitations, sign-in alerts), sent by the task queue with retries. With
# EMAIL_HOST, over SMTP; without it every mail is written as a file under var/mail/ (make run), and a
# deployment must name its server.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS (STARTTLS) and EMAIL_USE_SSL cannot both be on.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Karte <no-reply@karte.example.jp>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif PRODUCTION:
    raise ImproperlyConfigured("EMAIL_HOST must name the SMTP server when KARTE_PRODUCTION=1.")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))

# How long an outage's 503 asks clients to wait (Retry-After); 0 keeps each part's own default.
KARTE_RETRY_AFTER_SECONDS = env_int("KARTE_RETRY_AFTER_SECONDS", 0)

SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "common.views.csrf_failure"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # libvips reports each unreadable tile of a damaged photo; the photo's own failure says enough.
    "loggers": {"pyvips": {"level": "ERROR"}},
}
