"""Download an attachment from the old site (`import_wxr --fetch-media`) through the guard
the webhooks use (`articles.published.webhook_urls`, docs/reliability.md G3): a public
address only (checked, then connected to that very address, so DNS cannot re-point it),
https (http where `WEBHOOK_ALLOW_HTTP` is on), no redirects, a timeout, at most
`WORDPRESS_MEDIA_MAX_BYTES`, and an image content type. The photo upload checks
(`photo_create`) then judge the bytes as for any upload."""

from __future__ import annotations

import http.client

from django.conf import settings
from django.core.exceptions import ValidationError

from articles.published.webhook_urls import pinned_connection


class MediaFetchError(Exception):
    pass


def media_fetch(url: str) -> bytes:
    """The bytes at `url`, or `MediaFetchError` saying why not."""
    try:
        connection, path = pinned_connection(url, timeout=settings.WORDPRESS_MEDIA_TIMEOUT_SECONDS)
    except ValidationError as exc:
        raise MediaFetchError("; ".join(exc.messages)) from exc
    limit = settings.WORDPRESS_MEDIA_MAX_BYTES
    try:
        connection.request("GET", path, headers={"User-Agent": "newsroom-import"})
        response = connection.getresponse()
        if response.status != 200:
            raise MediaFetchError(f"{url} answered {response.status}")
        content_type = response.getheader("Content-Type", "")
        if not content_type.startswith("image/"):
            raise MediaFetchError(f"{url} is not an image ({content_type or 'no type'})")
        length = response.getheader("Content-Length")
        if length and length.isdigit() and int(length) > limit:
            raise MediaFetchError(f"{url} is larger than {limit // (1024 * 1024)} MB")
        data = response.read(limit + 1)
        if len(data) > limit:
            raise MediaFetchError(f"{url} is larger than {limit // (1024 * 1024)} MB")
        return data
    except (OSError, http.client.HTTPException) as exc:
        raise MediaFetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
    finally:
        connection.close()
