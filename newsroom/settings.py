"""
Settings for newsroom, read from the environment.

A fresh checkout runs with no environment at all: SQLite in ./var, media in ./var/media and a
Celery broker that needs no server. Production switches behaviour only through environment
variables; `.env.example` documents every one of them.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("NEWSROOM_VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envsecret(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the contents of the file named by NAME_FILE (container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


# --- Core ---------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/#core-settings

DEBUG = envbool("DEBUG", "false")

# The fallback key is only good for development; `check --deploy` flags it (security.W009).
SECRET_KEY = envsecret("SECRET_KEY") or "django-insecure-development-only-key-change-me"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

# Absolute base URL of the public site, used for canonical URLs, feeds and webhooks.
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
# Absolute base URL where newsroom itself answers (its paths are appended): links it gives to
# itself, such as the API's `next`/`previous`, preview links and the feeds' own addresses.
# Never built from the request's Host, which the client chooses (newsroom.checks).
API_BASE_URL = os.environ.get("API_BASE_URL", SITE_URL).rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "Newsroom")
# Where the front end shows an article; used for canonical URLs, feeds, sitemaps, JSON-LD.
ARTICLE_URL_TEMPLATE = os.environ.get("ARTICLE_URL_TEMPLATE", "{site_url}/{section}/{slug}")

INSTALLED_APPS = [
    # Without `autodiscover` at start: the admin URLconf (newsroom.admin_urls) runs it when
    # it is first needed, so a worker serving only the public API never loads the admins.
    "newsroom.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "taggit",
    # The admin's rich-text body editor; its JavaScript and CSS are served from our static files.
    "django_prose_editor",
    "newsroom",
    "tagging",
    # Tokens for the write API (/api/v1/manage/), stored hashed; the public API is anonymous.
    "newsroom.accounts",
    "newsroom.jobs",
    "articles.photos",
    "articles",
    "articles.published",
    "articles.wordpress",
]

MIDDLEWARE = [
    # First, so every response (redirects and Django's own refusals too) has X-Request-ID.
    "newsroom.http.middleware.RequestIdMiddleware",
    # Public reads from a read replica, when DATABASE_REPLICA_URLS names any.
    "newsroom.http.replicas.ReplicaMiddleware",
    # Before anything reads the URL: an over-long one is refused (414) at once.
    "newsroom.http.middleware.UriLengthLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Sessions, users and messages only on the editorial side: the public paths (API, feeds,
    # sitemaps) skip them (`newsroom.http.middleware.EditorialOnlyMixin`).
    "newsroom.http.middleware.EditorialSessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "newsroom.http.middleware.EditorialLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETag from the response body and 304 answers to conditional GETs (API, feeds, sitemaps).
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "newsroom.http.middleware.EditorialAuthenticationMiddleware",
    "newsroom.http.middleware.EditorialMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/newsroom; SQLite by default.

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, whose health check skips the round trip when the socket is quiet.
    DATABASES["default"]["ENGINE"] = "newsroom.postgresql"
if DATABASES["default"]["ENGINE"] == "newsroom.postgresql" and envbool(
    "DATABASE_PREPARED_STATEMENTS", "true"
):
    # Parameters bound by the server, and a statement run 5 times on a connection is
    # prepared: PostgreSQL stops re-planning the API's few hot queries. Turn it off behind a
    # pooler in transaction mode (PgBouncer before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The one-box set-up (`make run`) writes from the web server and several worker
    # processes: take the write lock at BEGIN and wait for it, instead of failing at once
    # with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Read replicas (PostgreSQL streaming standbys of DATABASE_URL), comma-separated: the public
# reads (API, feeds, sitemaps) go to one of them, everything else to the primary
# (newsroom/replicas.py). None by default: everything reads the primary.
DATABASE_REPLICA_URLS = envlist("DATABASE_REPLICA_URLS", "")
for _number, _url in enumerate(DATABASE_REPLICA_URLS):
    _replica = dj_database_url.parse(
        _url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True
    )
    if _replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS must be postgres:// URLs")
    _replica["ENGINE"] = "newsroom.postgresql"
    # A replica that does not answer within 2 s is skipped for the primary.
    _replica["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), "connect_timeout": 2}
    # Tests read the test database through the replica: it is a mirror, not a copy.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
DATABASE_ROUTERS = ["newsroom.replicas.ReplicaRouter"]
# A replica further behind the primary than this is skipped, as is one that does not answer;
# each process checks every DATABASE_REPLICA_CHECK_SECONDS. A cache purge waits at most this
# long for the replicas to replay its change (articles/published/cache.py).
DATABASE_REPLICA_MAX_LAG_SECONDS = envint("DATABASE_REPLICA_MAX_LAG_SECONDS", 5)
DATABASE_REPLICA_CHECK_SECONDS = envint("DATABASE_REPLICA_CHECK_SECONDS", 1)
# After a write, the client reads the primary for this long (a cookie): editors see their own
# saves even through a lagging replica. Keep it above DATABASE_REPLICA_MAX_LAG_SECONDS.
DATABASE_REPLICA_PIN_SECONDS = envint("DATABASE_REPLICA_PIN_SECONDS", 10)

# --- Internationalisation -----------------------------------------------------------------

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
LANGUAGES = [("en", "English"), ("id", "Bahasa Indonesia")]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------------------
# Media is written through Django's storage API; STORAGES["default"] can be switched to any
# django-storages backend (e.g. S3) by setting MEDIA_STORAGE_BACKEND.

STATIC_URL = os.environ.get("STATIC_URL", "/static/")
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Origin prefixed to media URLs in the API when MEDIA_URL is a path; in production a separate,
# cookie-less media origin (docs/operations.md, "Serving media in production").
MEDIA_PUBLIC_URL = os.environ.get("MEDIA_PUBLIC_URL", SITE_URL).rstrip("/")
STORAGES = {
    "default": {
        "BACKEND": os.environ.get(
            "MEDIA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
        ),
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}

# MEDIA_STORAGE_BACKEND=s3: django-storages' S3 backend, on AWS or any S3-compatible server
# (MEDIA_S3_ENDPOINT_URL). Keys come from MEDIA_S3_ACCESS_KEY_ID / _SECRET_ACCESS_KEY, else
# from boto3's own chain (an instance role). Objects are public reads through their URL: the
# MEDIA_PUBLIC_URL origin (a CDN in front of the bucket) when it is set, else the bucket's own.
if STORAGES["default"]["BACKEND"] == "s3":
    MEDIA_S3_BUCKET = os.environ.get("MEDIA_S3_BUCKET", "")
    if not MEDIA_S3_BUCKET:
        raise ImproperlyConfigured("MEDIA_STORAGE_BACKEND=s3 needs MEDIA_S3_BUCKET")
    _s3_options = {
        "bucket_name": MEDIA_S3_BUCKET,
        "endpoint_url": os.environ.get("MEDIA_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("MEDIA_S3_REGION") or None,
        "access_key": envsecret("MEDIA_S3_ACCESS_KEY_ID"),
        "secret_key": envsecret("MEDIA_S3_SECRET_ACCESS_KEY"),
        # Unsigned, lasting URLs (the API's), and a new name for a clashing upload, as on disk.
        "querystring_auth": False,
        "file_overwrite": False,
    }
    if os.environ.get("MEDIA_PUBLIC_URL"):
        _scheme, _, _origin = MEDIA_PUBLIC_URL.partition("://")
        _s3_options.update({"custom_domain": _origin, "url_protocol": f"{_scheme}:"})
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}

# --- Uploads and request limits (docs/reliability.md, Figures) ---------------------------

# Longest URL (path and query string, as sent) answered: longer ones get 414 `uri_too_long`,
# JSON under /api/. Below gunicorn's request-line limit (gunicorn.conf.py), so clients meet
# this answer rather than gunicorn's page.
REQUEST_URI_MAX_LENGTH = envint("REQUEST_URI_MAX_LENGTH", 4096)
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# Uploads larger than this are streamed to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o644

PHOTO_MAX_UPLOAD_BYTES = envint("PHOTO_MAX_UPLOAD_BYTES", 25 * 1024 * 1024)
PHOTO_MAX_PIXELS = envint("PHOTO_MAX_PIXELS", 40_000_000)

# --- WordPress import (articles/wordpress) ------------------------------------------------
# The largest export read at once; a bigger site is exported and imported in date ranges.
WORDPRESS_IMPORT_MAX_BYTES = envint("WORDPRESS_IMPORT_MAX_MB", 512) * 1024 * 1024
# An attachment fetched with --fetch-media: at most this many bytes, within this many seconds.
WORDPRESS_MEDIA_MAX_BYTES = envint("WORDPRESS_MEDIA_MAX_MB", 25) * 1024 * 1024
WORDPRESS_MEDIA_TIMEOUT_SECONDS = envint("WORDPRESS_MEDIA_TIMEOUT_SECONDS", 20)
# Exports uploaded in the admin wait here for their job: never under MEDIA_ROOT (they hold
# drafts and e-mail addresses); each is deleted when its import has run.
WORDPRESS_IMPORT_DIR = Path(os.environ.get("WORDPRESS_IMPORT_DIR", VAR_DIR / "wordpress"))
PHOTO_MAX_GIF_FRAMES = envint("PHOTO_MAX_GIF_FRAMES", 300)

# Article body HTML is capped before sanitising (docs/reliability.md E4).
ARTICLE_BODY_MAX_BYTES = envint("ARTICLE_BODY_MAX_BYTES", 500 * 1024)

# --- Security -----------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/#security ; secure by default, relaxed by
# DEBUG for local http development. `manage.py check --deploy` is clean with production values.

SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false" if DEBUG else "true")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if envbool("SECURE_PROXY_SSL_HEADER", "false"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "true")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "false" if DEBUG else "true")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "false" if DEBUG else "true")
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", "false" if DEBUG else "true")
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# Staff sign in through the admin (there is no /accounts/ page). After signing in, a `next`
# that is missing or leads off the site (`//evil.example`, `/\evil`) falls back to the index.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Publishing ---------------------------------------------------------------------------

# How far ahead a publish time or an embargo end may lie (a mistyped year is refused).
SCHEDULE_HORIZON_DAYS = envint("SCHEDULE_HORIZON_DAYS", 730)

# --- Tags (django-taggit) -----------------------------------------------------------------

TAGGIT_CASE_INSENSITIVE = True
# Related reading: suggestions are offered in the API when editors picked fewer links than
# this; how many suggestions are computed and stored per article on publish.
RELATED_SUGGESTIONS_MIN_LINKS = envint("RELATED_SUGGESTIONS_MIN_LINKS", 3)
RELATED_SUGGESTIONS_COUNT = envint("RELATED_SUGGESTIONS_COUNT", 5)

# --- Django REST Framework and the public API ---------------------------------------------
# https://www.django-rest-framework.org/api-guide/settings/

REST_FRAMEWORK = {
    # JSON only: no browsable API in any environment (docs/reliability.md C5).
    "DEFAULT_RENDERER_CLASSES": ["newsroom.api.renderers.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "newsroom.api.negotiation.APIContentNegotiation",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["newsroom.api.throttles.AnonymousThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "newsroom.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
}
# The proxies in front of Django (the web server, a CDN) that each append the address they
# were called from to X-Forwarded-For. With N, the throttles count a client by the address
# the Nth proxy from Django saw (DRF's NUM_PROXIES), not by a proxy's own address. 0, the
# default, counts by REMOTE_ADDR alone: DRF left unset would count by the whole header,
# which any client can write to get a fresh count on every request. Never more than the
# proxies that really are there: what lies beyond them in the header is the client's.
REST_FRAMEWORK["NUM_PROXIES"] = envint("API_TRUSTED_PROXIES", 0)
API_PAGE_SIZE_DEFAULT = 20
API_PAGE_SIZE_MAX = 100
API_SEARCH_MAX_PAGES = 20
# Search ranks the newest this many matches (with the filters given): as many as its pages can
# show, and a bound on the work of a word found in most of the archive.
API_SEARCH_RANK_WINDOW = API_SEARCH_MAX_PAGES * API_PAGE_SIZE_MAX
API_ANON_THROTTLE_RATE = os.environ.get("API_ANON_THROTTLE_RATE", "600/min")
# Writes through the write API (POST, PATCH), per token user; stricter than reads.
API_WRITE_THROTTLE_RATE = os.environ.get("API_WRITE_THROTTLE_RATE", "60/min")
# Write API tokens are valid this many days at most (and by default) from when they are made.
API_TOKEN_MAX_AGE_DAYS = envint("API_TOKEN_MAX_AGE_DAYS", 90)
# The API throttles count requests in the default cache. Without CACHE_URL every process
# counts for itself, so a client gets each rate once per gunicorn worker; production sets
# CACHE_URL (redis://...) and all workers count together. A Redis that does not answer within
# half a second lets requests through unthrottled (logged) rather than failing them.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "newsroom",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    # In-process, bounded by entries: the throttle's counters, a few hundred bytes each (about
    # 0.3 MiB at the bound). Past it Django drops a third of them: some clients' counts restart.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": envint("LOCMEM_CACHE_MAX_ENTRIES", 1_000)},
        }
    }
API_CACHE_CONTROL = os.environ.get(
    "API_CACHE_CONTROL", "public, max-age=60, stale-while-revalidate=300"
)
# Each server process gives Django's 304 for an article again to the same revalidation until
# the published articles change, told by PostgreSQL LISTEN/NOTIFY (newsroom/http/not_modified.py).
# Needs a direct or session-pooled PostgreSQL connection; off with SQLite.
NOT_MODIFIED_CACHE = envbool("NOT_MODIFIED_CACHE", "true")
# Its bounds per process: kept answers, and characters they hold (keys and headers; Python's
# own overhead about doubles that in memory). Past either, the oldest go first.
NOT_MODIFIED_CACHE_MAX_ENTRIES = envint("NOT_MODIFIED_CACHE_MAX_ENTRIES", 10_000)
NOT_MODIFIED_CACHE_MAX_BYTES = envint("NOT_MODIFIED_CACHE_MAX_BYTES", 2 * 1024 * 1024)

# The HTTP cache or CDN in front: public answers name their cache tags in these headers, and a
# change purges the tags it affects (articles/published/cache.py, newsroom/http/cache_purge.py).
HTTP_CACHE_TAG_HEADERS = envlist("HTTP_CACHE_TAG_HEADERS", "Surrogate-Key,Cache-Tag")
HTTP_CACHE_PURGE_BACKEND = os.environ.get("HTTP_CACHE_PURGE_BACKEND", "none").strip().lower()
HTTP_CACHE_PURGE_TIMEOUT_SECONDS = envint("HTTP_CACHE_PURGE_TIMEOUT_SECONDS", 5)
HTTP_CACHE_PURGE_VARNISH_URLS = envlist("HTTP_CACHE_PURGE_VARNISH_URLS", "")
HTTP_CACHE_PURGE_FASTLY_API_URL = os.environ.get(
    "HTTP_CACHE_PURGE_FASTLY_API_URL", "https://api.fastly.com"
)
HTTP_CACHE_PURGE_FASTLY_SERVICE_ID = os.environ.get("HTTP_CACHE_PURGE_FASTLY_SERVICE_ID", "")
HTTP_CACHE_PURGE_FASTLY_API_TOKEN = envsecret("HTTP_CACHE_PURGE_FASTLY_API_TOKEN")
HTTP_CACHE_PURGE_FASTLY_SOFT = envbool("HTTP_CACHE_PURGE_FASTLY_SOFT", "false")
HTTP_CACHE_PURGE_CLOUDFLARE_API_URL = os.environ.get(
    "HTTP_CACHE_PURGE_CLOUDFLARE_API_URL", "https://api.cloudflare.com"
)
HTTP_CACHE_PURGE_CLOUDFLARE_ZONE_ID = os.environ.get("HTTP_CACHE_PURGE_CLOUDFLARE_ZONE_ID", "")
HTTP_CACHE_PURGE_CLOUDFLARE_API_TOKEN = envsecret("HTTP_CACHE_PURGE_CLOUDFLARE_API_TOKEN")
_purge_needs = {
    "none": [],
    "varnish": ["HTTP_CACHE_PURGE_VARNISH_URLS"],
    "fastly": ["HTTP_CACHE_PURGE_FASTLY_SERVICE_ID", "HTTP_CACHE_PURGE_FASTLY_API_TOKEN"],
    "cloudflare": ["HTTP_CACHE_PURGE_CLOUDFLARE_ZONE_ID", "HTTP_CACHE_PURGE_CLOUDFLARE_API_TOKEN"],
}
if HTTP_CACHE_PURGE_BACKEND not in _purge_needs:
    raise ImproperlyConfigured(
        "HTTP_CACHE_PURGE_BACKEND must be one of none, varnish, fastly, cloudflare, not "
        f"{HTTP_CACHE_PURGE_BACKEND!r}"
    )
for _name in _purge_needs[HTTP_CACHE_PURGE_BACKEND]:
    if not globals()[_name]:
        raise ImproperlyConfigured(
            f"HTTP_CACHE_PURGE_BACKEND={HTTP_CACHE_PURGE_BACKEND} needs {_name}"
        )

SPECTACULAR_SETTINGS = {
    "TITLE": "Newsroom public content API",
    "DESCRIPTION": (
        "Read-only API of published content for front-end sites. Only published articles "
        "whose publish time has passed are visible; anything else answers 404."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # What operation ids and default tags leave out of a path ("v1_articles_list"); stated, as
    # the guess from the paths' common prefix changes with the views the URLconf holds.
    "SCHEMA_PATH_PREFIX": r"/api/",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Applies the views' `extend_schema` annotations (newsroom.api.schema) when the schema is
    # generated, so that serving the API never imports the schema class.
    "DEFAULT_GENERATOR_CLASS": "newsroom.api.schema_generator.SchemaGenerator",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "newsroom.api.schema.add_error_responses",
    ],
}

# Front-end origins allowed to call the API from a browser, e.g. https://www.example.com
CORS_ALLOWED_ORIGINS = envlist("CORS_ALLOWED_ORIGINS", "")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified"]

# --- Celery -------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# The default broker keeps messages in files under ./var/broker, so `make run` needs no
# server; CELERY_BROKER_URL=redis://… (or amqp://…) switches to a real broker. The database
# is the source of truth for all background work (outbox rows, scheduled articles); the
# broker only carries hints, and a sweeper re-enqueues whatever a lost message left behind.

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_FILESYSTEM_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_FILESYSTEM_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FILESYSTEM_DIR),
        "data_folder_out": str(CELERY_BROKER_FILESYSTEM_DIR),
        "store_processed": False,
        # kombu's default is ./control in the working directory; keep it with the messages.
        "control_folder": str(CELERY_BROKER_FILESYSTEM_DIR / "control"),
    }
else:
    # Redis re-delivers a message not acknowledged within this time. It must exceed the
    # longest task and any countdown (docs/reliability.md I5); no task uses a long ETA.
    # A dead worker's unacknowledged messages are looked for every interval * throttle
    # seconds (kombu's defaults: 10 * 10); tests shorten all three.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 7200),
        "unacked_restore_interval": envint("CELERY_UNACKED_RESTORE_INTERVAL", 10),
        "unacked_restore_throttle": envint("CELERY_UNACKED_RESTORE_THROTTLE", 10),
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", "false")
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 5 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 4 * 60)
# Acknowledge a message only after its task ran, and put it back when the worker process
# died under it (OOM kill); with prefetch 1 a worker holds at most one unstarted message.
# Every task is idempotent, so a re-delivery is harmless (docs/reliability.md I1).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Separate queues, so a flood of image work cannot delay a publish: the queues themselves are
# declared in newsroom/celery.py (kombu's objects, which a web process does not load). A
# worker started without -Q consumes all of them; production runs one worker per queue
# (docs/background-jobs.md).
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "articles.photos.tasks.photo_renditions_*": {"queue": "media"},
    "articles.tasks.article_*": {"queue": "publishing"},
    "articles.tasks.articles_*": {"queue": "publishing"},
    "articles.published.tasks.related_suggestions_*": {"queue": "publishing"},
    "articles.published.tasks.published_*": {"queue": "publishing"},
    "articles.published.tasks.webhook_*": {"queue": "delivery"},
    "articles.published.tasks.cache_purge_*": {"queue": "delivery"},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Every periodic job, in one place. Each publishes only what the database says is due, so
# an extra run (two beats, a restart) changes nothing.
CELERY_BEAT_SCHEDULE = {
    # Every second: publish scheduled articles whose time has come, so an article goes live
    # at most ~1 s late. `expires` drops runs a stalled worker missed.
    "publish-due-articles": {
        "task": "articles.tasks.articles_publish_due_task",
        "schedule": float(envint("ARTICLE_PUBLISH_SWEEP_SECONDS", 1)),
        "options": {"expires": 10},
    },
    # As often: reveal articles whose embargo or publish time has passed (subscribers hear of
    # them, articles linking to them show the link).
    "reveal-due-articles": {
        "task": "articles.published.tasks.published_reveal_due_task",
        "schedule": float(envint("ARTICLE_PUBLISH_SWEEP_SECONDS", 1)),
        "options": {"expires": 10},
    },
    # Every minute: re-enqueue pending or stuck outbox work whose broker message was lost
    # (broker restart without persistence, a killed worker). docs/reliability.md I3.
    "sweep-background-work": {
        "task": "newsroom.jobs.tasks.jobs_sweep_task",
        "schedule": float(envint("JOB_SWEEP_SECONDS", 60)),
        "options": {"expires": 50},
    },
}

# --- Background work: renditions and webhooks ---------------------------------------------

# Rendition specs: name -> width (never upscaled; none: the original's) and an optional crop
# ratio centred on the photo's focal point. Each is made in every format below, named
# "<spec>.<format>". The public API's photo `url` and the JSON-LD image are the widest
# uncropped one ("full"): an uploaded original is never sent to readers.
PHOTO_RENDITIONS = {
    "full": {"width": None},
    "w320": {"width": 320},
    "w640": {"width": 640},
    "w1024": {"width": 1024},
    "w1600": {"width": 1600},
    "16x9": {"width": 1200, "crop": (16, 9)},
    "1x1": {"width": 600, "crop": (1, 1)},
}
PHOTO_RENDITION_FORMATS = ["jpeg", "webp"]
# A rename (tag, author, section), tag merge or photo edit shown by more published articles than
# this rebuilds them in the background, PUBLISHED_FANOUT_BATCH per transaction
# (docs/background-jobs.md); up to it, in the editor's transaction.
PUBLISHED_FANOUT_INLINE_LIMIT = envint("PUBLISHED_FANOUT_INLINE_LIMIT", 50)
PUBLISHED_FANOUT_BATCH = envint("PUBLISHED_FANOUT_BATCH", 500)
# Outbox work (renditions, suggestions) that failed this often (a killed worker, storage
# errors) is given up.
JOB_MAX_ATTEMPTS = envint("JOB_MAX_ATTEMPTS", 5)
# Outbox work still "running" after this long was lost with its worker; the sweeper retries.
JOB_STUCK_AFTER_SECONDS = envint("JOB_STUCK_AFTER_SECONDS", CELERY_TASK_TIME_LIMIT + 60)

# Webhooks (docs/reliability.md G3-G5). Targets must be https and public; http is allowed with
# DEBUG, and WEBHOOK_ALLOWED_NETWORKS (CIDRs, e.g. "127.0.0.0/8" for tests) opens others.
WEBHOOK_ALLOW_HTTP = envbool("WEBHOOK_ALLOW_HTTP", "true" if DEBUG else "false")
WEBHOOK_ALLOWED_NETWORKS = envlist("WEBHOOK_ALLOWED_NETWORKS", "")
WEBHOOK_TIMEOUT_SECONDS = envint("WEBHOOK_TIMEOUT_SECONDS", 5)
WEBHOOK_MAX_ATTEMPTS = envint("WEBHOOK_MAX_ATTEMPTS", 10)
# Backoff: base * 2^(attempt-1) with jitter, capped; 10 attempts span about 3 hours.
WEBHOOK_RETRY_BASE_SECONDS = envint("WEBHOOK_RETRY_BASE_SECONDS", 30)
WEBHOOK_RETRY_MAX_SECONDS = envint("WEBHOOK_RETRY_MAX_SECONDS", 3600)

# --- E-mail (the admin's password reset, sent by a worker) --------------------------------
# https://docs.djangoproject.com/en/5.2/topics/email/

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newsroom@localhost")

# --- Logging ------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # request_id: the X-Request-ID of the request being served ("-" outside a request).
    "filters": {"request_id": {"()": "newsroom.logging_filters.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
