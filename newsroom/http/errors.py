"""The API's error envelope without DRF, and Django's error handlers.

Middleware that answers before any view (and may run before DRF is imported) and Django's
own 400/404/500 handlers build their answers here; `newsroom.api.errors` builds DRF's with
the same `with_request_id`::

    {"error": {"code": "…", "message": "…"}, "request_id": "…"}
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import JsonResponse
from django.views import defaults


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


def api_not_found(request, exception=None):
    """404 for URLs matching no route: JSON under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return api_error_response(request, 404, "not_found", "Not found.")
    return defaults.page_not_found(request, exception)


def api_server_error(request):
    """500: JSON under /api/, Django's page elsewhere. Always a defect (docs/reliability.md)."""
    if request.path.startswith("/api/"):
        return api_error_response(request, 500, "server_error", "Internal server error.")
    return defaults.server_error(request)


def django_refusal(exception) -> tuple[int, str, str]:
    """(status, code, message) of a request Django itself refused, by the exception's type;
    anything it refuses for another reason is a plain 400 `bad_request`."""
    if isinstance(exception, RequestDataTooBig):
        megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        return 413, "request_too_large", f"The request body is over {megabytes} MB."
    if isinstance(exception, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return 400, "too_many_fields", f"The request has more than {limit} fields."
    if isinstance(exception, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return 400, "too_many_files", f"The request has more than {limit} files."
    if isinstance(exception, DisallowedHost):
        return 400, "disallowed_host", "The Host header names no site served here."
    return 400, "bad_request", "The request is malformed."


def api_bad_request(request, exception=None):
    """400 raised by Django itself (bad Host, too many fields, oversize body): JSON under /api/.

    One error format for the whole API (docs/reliability.md D6, E2): the exception's type picks
    the code, so a client can tell "too many files" from a malformed request.
    """
    if request.path.startswith("/api/"):
        return api_error_response(request, *django_refusal(exception))
    return defaults.bad_request(request, exception)
