"""The public API: Django REST Framework, throttles and their cache, 304s, the schema, CORS."""

from __future__ import annotations

import os

from newsroom.settings.environment import envbool, envint, envlist

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
