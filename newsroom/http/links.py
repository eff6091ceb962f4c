"""Absolute URLs newsroom gives out: built from configuration, never from the request.

A request's Host (or X-Forwarded-Host) is the client's to choose; ALLOWED_HOSTS narrows it,
but a link built from it can still name a host the operator did not mean (a second name of
the server, a proxy's internal name), and caches pass such links on to every reader. So
reader-facing URLs start with `SITE_URL` (`Article.public_url`) and newsroom's own with
`API_BASE_URL`.
"""

from __future__ import annotations

from django.conf import settings


def api_absolute_url(path: str) -> str:
    """The absolute URL of newsroom's own `path` (with any query), on `API_BASE_URL`."""
    return settings.API_BASE_URL + path
