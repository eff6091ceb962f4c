"""Cache tags on public answers, and the purge of tags from the HTTP cache in front.

Public answers name what they show in `HTTP_CACHE_TAG_HEADERS` (`Surrogate-Key`, read by
Varnish's xkey and by Fastly, space-separated; `Cache-Tag`, read by Cloudflare,
comma-separated). `cache_purge_send` asks the cache to drop every answer carrying one of the
tags, through `HTTP_CACHE_PURGE_BACKEND`:

* `none`: nothing (one box, no cache in front);
* `varnish`: a `PURGE` request with the header `xkey-purge: tag tag …` to each of
  `HTTP_CACHE_PURGE_VARNISH_URLS` (the VCL in deploy/varnish/newsroom.vcl);
* `fastly`: `POST {api}/service/{id}/purge` with `Surrogate-Key: tag tag …` and `Fastly-Key`;
* `cloudflare`: `POST {api}/client/v4/zones/{zone}/purge_cache` with `{"tags": [...]}`.

Which tags to purge is the published world's business (`articles.published.cache`); this
module knows no app.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable

from django.conf import settings

# Most tags per request: Fastly takes 256 surrogate keys per batch purge, Cloudflare 30 tags
# per purge_cache call on every plan.
FASTLY_BATCH = 256
CLOUDFLARE_BATCH = 30
VARNISH_BATCH = 100


class PurgeError(Exception):
    """The cache refused the purge for good (a 4xx other than 429): retrying will not help."""


class PurgeUnavailable(Exception):
    """The cache did not answer, or answered 429 or 5xx: retry later."""


def cache_tags_set(response, tags: Iterable[str]) -> None:
    """Name `tags` in the headers of `HTTP_CACHE_TAG_HEADERS` (none when it is empty)."""
    tags = sorted(set(tags))
    if not tags:
        return
    for header in settings.HTTP_CACHE_TAG_HEADERS:
        separator = "," if header.lower() == "cache-tag" else " "
        response[header] = separator.join(tags)


def cache_tagged(*tags: str):
    """A view decorator: its 200 answers carry `tags`."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                cache_tags_set(response, tags)
            return response

        return wrapped

    return decorator


def cache_purge_send(tags: Iterable[str]) -> int:
    """Purge `tags` through the configured backend; returns the HTTP requests made.
    Raises `PurgeUnavailable` (retry) or `PurgeError` (give up)."""
    tags = sorted(set(tags))
    backend = settings.HTTP_CACHE_PURGE_BACKEND
    if not tags or backend == "none":
        return 0
    if backend == "varnish":
        return _varnish(tags)
    if backend == "fastly":
        return _fastly(tags)
    if backend == "cloudflare":
        return _cloudflare(tags)
    raise PurgeError(f"Unknown HTTP_CACHE_PURGE_BACKEND {backend!r}.")


def _batches(tags: list[str], size: int):
    for start in range(0, len(tags), size):
        yield tags[start : start + size]


def _varnish(tags: list[str]) -> int:
    sent = 0
    for url in settings.HTTP_CACHE_PURGE_VARNISH_URLS:
        for batch in _batches(tags, VARNISH_BATCH):
            _send(url, "PURGE", {"xkey-purge": " ".join(batch)})
            sent += 1
    return sent


def _fastly(tags: list[str]) -> int:
    base = settings.HTTP_CACHE_PURGE_FASTLY_API_URL.rstrip("/")
    url = f"{base}/service/{settings.HTTP_CACHE_PURGE_FASTLY_SERVICE_ID}/purge"
    headers = {"Fastly-Key": settings.HTTP_CACHE_PURGE_FASTLY_API_TOKEN or ""}
    if settings.HTTP_CACHE_PURGE_FASTLY_SOFT:
        headers["Fastly-Soft-Purge"] = "1"
    sent = 0
    for batch in _batches(tags, FASTLY_BATCH):
        _send(url, "POST", {**headers, "Surrogate-Key": " ".join(batch)}, b"")
        sent += 1
    return sent


def _cloudflare(tags: list[str]) -> int:
    base = settings.HTTP_CACHE_PURGE_CLOUDFLARE_API_URL.rstrip("/")
    url = f"{base}/client/v4/zones/{settings.HTTP_CACHE_PURGE_CLOUDFLARE_ZONE_ID}/purge_cache"
    headers = {
        "Authorization": f"Bearer {settings.HTTP_CACHE_PURGE_CLOUDFLARE_API_TOKEN or ''}",
        "Content-Type": "application/json",
    }
    sent = 0
    for batch in _batches(tags, CLOUDFLARE_BATCH):
        _send(url, "POST", headers, json.dumps({"tags": batch}).encode())
        sent += 1
    return sent


def _send(url: str, method: str, headers: dict[str, str], data: bytes | None = None) -> None:
    if not url.startswith(("http://", "https://")):
        raise PurgeError(f"Not an http(s) URL: {url!r}")
    # The HTTP client, imported by the first purge (a job), not by a web worker serving the
    # cache-tag headers that this module also sets (docs/performance.md, "Worker memory").
    import urllib.error
    import urllib.request

    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        url, method=method, headers={"Accept": "application/json", **headers}, data=data
    )
    timeout = settings.HTTP_CACHE_PURGE_TIMEOUT_SECONDS
    try:
        with urllib.request.urlopen(request, timeout=timeout):  # noqa: S310 - as above
            return
    except urllib.error.HTTPError as exc:
        message = f"{method} {url}: {exc.code} {exc.read(500)!r}"
        if exc.code == 429 or exc.code >= 500:
            raise PurgeUnavailable(message) from exc
        raise PurgeError(message) from exc
    except OSError as exc:
        raise PurgeUnavailable(f"{method} {url}: {exc}") from exc
