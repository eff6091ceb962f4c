"""The fuzz run's own checks (scripts/schemathesis_hooks.py) really catch what they name."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from scripts import schemathesis_hooks as hooks


def _response(status: int, payload) -> SimpleNamespace:
    content = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return SimpleNamespace(status_code=status, content=content)


def test_no_unpublished_leak_catches_the_draft_marker():
    hooks.no_unpublished_leak(None, _response(200, {"results": []}), None)
    with pytest.raises(AssertionError, match="leaked"):
        hooks.no_unpublished_leak(
            None, _response(200, {"headline": f"x {hooks.DRAFT_MARKER} y"}), None
        )


def test_no_private_fields_catches_nested_keys():
    hooks.no_private_fields(None, _response(200, [{"name": "Siti", "slug": "siti"}]), None)
    with pytest.raises(AssertionError, match="email"):
        hooks.no_private_fields(
            None, _response(200, {"results": [{"author": {"email": "a"}}]}), None
        )


def test_error_envelope_refuses_html_and_bare_errors():
    hooks.error_envelope(
        None,
        _response(404, {"error": {"code": "not_found", "message": "x"}, "request_id": "9f1c"}),
        None,
    )
    hooks.error_envelope(None, _response(200, b"<html></html>"), None)
    with pytest.raises(AssertionError):
        hooks.error_envelope(
            None, _response(404, {"error": {"code": "not_found", "message": "x"}}), None
        )
    with pytest.raises(AssertionError):
        hooks.error_envelope(None, _response(404, b"<!doctype html><h1>Not Found</h1>"), None)
    with pytest.raises(AssertionError):
        hooks.error_envelope(None, _response(400, {"detail": "bad"}), None)
