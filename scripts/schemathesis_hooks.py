"""Checks of newsroom's own on top of schemathesis' standard ones (docs/reliability.md, tier F).

Loaded by `scripts/api_fuzz.sh` through SCHEMATHESIS_HOOKS.
"""

from __future__ import annotations

import json
import os

import schemathesis

# Written into a draft by api_fuzz.sh; it must never appear in an anonymous response.
DRAFT_MARKER = os.environ.get("FUZZ_DRAFT_MARKER", "fuzzdraftmarker")
PRIVATE_KEYS = {"email", "username", "password", "is_staff", "is_superuser", "last_login"}


def _json(response):
    try:
        return json.loads(response.content)
    except (ValueError, TypeError):
        return None


def _keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


@schemathesis.check
def no_unpublished_leak(ctx, response, case):
    """No draft, scheduled or unpublished content in any anonymous response."""
    if DRAFT_MARKER.encode() in response.content:
        raise AssertionError(f"The draft marker {DRAFT_MARKER!r} leaked into a public response")


@schemathesis.check
def no_private_fields(ctx, response, case):
    """No e-mail, username, password or staff flag anywhere public."""
    leaked = PRIVATE_KEYS & set(_keys(_json(response)))
    if leaked:
        raise AssertionError(f"Private fields in a public response: {sorted(leaked)}")


@schemathesis.check
def error_envelope(ctx, response, case):
    """Every 4xx is JSON shaped {"error": {"code", "message"}, "request_id"}, never HTML."""
    if not 400 <= response.status_code < 500:
        return
    body = _json(response)
    error = body.get("error") if isinstance(body, dict) else None
    if not (
        isinstance(error, dict)
        and error.get("code")
        and error.get("message")
        and isinstance(body.get("request_id"), str)
        and body["request_id"]
    ):
        raise AssertionError(
            f"{response.status_code} without the JSON error envelope: {response.content[:200]!r}"
        )
