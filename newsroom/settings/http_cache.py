"""The HTTP cache or CDN in front: cache-tag headers and purges."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from newsroom.settings.environment import envbool, envint, envlist, envsecret

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
