"""The API's error envelope, without DRF: `newsroom.api` builds DRF's errors with it, and
middleware that answers before any view (which may run before DRF is imported) uses it too.

    {"error": {"code": "…", "message": "…"}, "request_id": "…"}
"""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse


def with_request_id(body: dict[str, Any], request) -> dict[str, Any]:
    """`body` with the request's id, for every error answer (an operator greps the logs for
    it). Without `RequestIdMiddleware` (a handler called directly) the body has none."""
    request_id = getattr(request, "request_id", None)
    return {**body, "request_id": request_id} if request_id else body


def api_error_response(request, status: int, code: str, message: str) -> JsonResponse:
    """An error in the API's envelope, for answers made outside DRF's views (Django's
    handlers, middleware)."""
    error = {"code": code, "message": message}
    return JsonResponse(with_request_id({"error": error}, request), status=status)
