"""API plumbing shared by every app: the error format, pagination, throttling, strict params.

Every error the API gives has one shape (RELIABILITY.md, "Rules for every case")::

    {"error": {"code": "invalid_parameter", "message": "…", "field": "page_size"},
     "request_id": "…"}

Clients branch on `code`; `message` is for people; `field` names the input at fault.
`request_id` is the `X-Request-ID` header every response has (see
`newsroom.middleware.RequestIdMiddleware`): quoted in a report, it finds the request's log lines.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import (
    DisallowedHost,
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, connection
from django.http import Http404
from django.views import defaults
from redis.exceptions import RedisError
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import BasePagination, CursorPagination, _positive_int
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import exception_handler

from newsroom.conflicts import WRITE_ATTEMPTS, is_transient_conflict
from newsroom.errors import api_error_response, with_request_id
from newsroom.links import api_absolute_url

logger = logging.getLogger(__name__)

# DRF's own codes are kept, except where one name serves clients better.
RENAMED_ERROR_CODES = {"authentication_failed": "not_authenticated"}


class InvalidParameter(exceptions.ValidationError):
    """A query parameter the endpoint does not accept, or a value out of range."""

    default_code = "invalid_parameter"

    def __init__(self, field: str, message: str):
        super().__init__({field: [message]}, code="invalid_parameter")


def first_error(detail: Any, field: str | None = None) -> tuple[str | None, str, str]:
    """Return (field, message, code) of the first error in a DRF error detail."""
    if isinstance(detail, dict):
        key, value = next(iter(detail.items()))
        # str(): list items are keyed by index, and index 0 must not vanish from the path.
        nested = None if key in ("non_field_errors", "__all__") else str(key)
        return first_error(value, f"{field}.{nested}" if field and nested else nested or field)
    if isinstance(detail, list):
        return first_error(detail[0], field) if detail else (field, "Invalid input.", "invalid")
    return field, str(detail), getattr(detail, "code", None) or "invalid"


class FieldPermissionDenied(exceptions.PermissionDenied):
    """403 `permission_denied` that names the input the user's role may not set."""

    def __init__(self, field: str, message: str):
        super().__init__(message, code="permission_denied")
        self.field = field


class ServiceUnavailable(exceptions.APIException):
    """The database went away mid-request (RELIABILITY.md H4, I4): nothing was written."""

    status_code = 503
    default_code = "database_unavailable"
    default_detail = "The database is unavailable; nothing was changed. Try again shortly."
    retry_after_seconds = 5


class WriteConflict(exceptions.APIException):
    """409: PostgreSQL rolled the request's transaction back to break a deadlock or a
    serialization conflict with a concurrent one, on every attempt: nothing was written."""

    status_code = 409
    default_code = "write_conflict"
    default_detail = (
        "Another request was changing the same data at the same moment; nothing was changed. "
        "Send the request again."
    )


class ConstraintConflict(exceptions.APIException):
    """409: the database refused a write that passed validation (a unique or other
    constraint), because a concurrent request saved a clashing row in between.

    The known races are settled where they happen (slugs, tags, aliases); this is the safety
    net, and every use is logged as an error.
    """

    status_code = 409
    default_code = "constraint_conflict"
    default_detail = (
        "The change clashes with data saved at the same moment; nothing was changed. "
        "Reload and try again."
    )


def database_exception(
    exc: Exception, request=None, *, unavailable_code: str = "database_unavailable"
) -> exceptions.APIException | None:
    """The API answer for a database error, or None if `exc` is none.

    A deadlock or serialization failure is a 409 `write_conflict`; an IntegrityError a 409
    `constraint_conflict` (logged as an error: a race not settled at its source); only a
    lost connection or an unreachable server is a 503 (`unavailable_code`).
    """
    where = f"{request.method} {request.path}" if request is not None else "?"
    if is_transient_conflict(exc):
        logger.warning("Write conflict during %s: %s", where, exc)
        return WriteConflict()
    if isinstance(exc, IntegrityError):
        logger.error("Constraint conflict during %s", where, exc_info=exc)
        return ConstraintConflict()
    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.error("Database unavailable during %s", where, exc_info=exc)
        return ServiceUnavailable(code=unavailable_code)
    return None


def retry_transient_conflicts(handler):
    """Decorate a write view's handler: run it again, up to `WRITE_ATTEMPTS` times in all,
    when PostgreSQL rolls its transaction back to break a deadlock or serialization conflict.

    The handler must own its transactions (the services' atomic blocks; no
    ATOMIC_REQUESTS), so each attempt starts from what is committed; inside an outer
    transaction nothing is retried. The last failure goes on to `database_exception`.
    """

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                return handler(view, request, *args, **kwargs)
            except OperationalError as exc:
                if (
                    attempt == WRITE_ATTEMPTS
                    or not is_transient_conflict(exc)
                    or connection.in_atomic_block
                ):
                    raise
                logger.warning(
                    "Write conflict during %s %s (attempt %d), retrying: %s",
                    request.method, request.path, attempt, exc,
                )  # fmt: skip
        raise AssertionError("unreachable")

    return wrapper


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    exc = database_exception(exc, context.get("request")) or exc
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = exception_handler(exc, context)
    if response is None:
        return None

    error: dict[str, Any]
    if isinstance(exc, exceptions.ValidationError):
        field, message, code = first_error(exc.detail)
        if code in ("invalid", "required", "null", "blank"):
            code = "invalid_parameter" if isinstance(exc, InvalidParameter) else "invalid"
        error = {"code": code, "message": message}
        if field:
            error["field"] = field
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        code = codes if isinstance(codes, str) else "error"
        error = {"code": RENAMED_ERROR_CODES.get(code, code), "message": str(exc.detail)}
        if getattr(exc, "field", None):
            error["field"] = exc.field
    response.data = with_request_id({"error": error}, context.get("request"))
    if isinstance(exc, ServiceUnavailable):
        response["Retry-After"] = str(exc.retry_after_seconds)
    return response


class StrictQueryParamsMixin:
    """Refuse query parameters the view does not declare (RELIABILITY.md A1).

    A public list has no `status`, `include_drafts` or other switch: anything unknown is a
    400 `invalid_parameter`, so a typo or a probe never silently widens the results.
    """

    allowed_query_params: frozenset[str] = frozenset()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        for name, value in request.query_params.items():
            if name not in self.allowed_query_params:
                raise InvalidParameter(name, f"Unknown query parameter '{name}'.")
            if value == "":
                raise InvalidParameter(name, f"The query parameter '{name}' is empty.")
            if "\x00" in value:
                raise InvalidParameter(name, f"The query parameter '{name}' contains a NUL byte.")


def _page_size_param(request, default: int, maximum: int) -> int:
    raw = request.query_params.get("page_size")
    if raw is None:
        return default
    try:
        size = _positive_int(raw, strict=True)
    except ValueError:
        size = 0
    if not 1 <= size <= maximum:
        raise InvalidParameter("page_size", f"page_size must be between 1 and {maximum}.")
    return size


class ArticleCursorPagination(CursorPagination):
    """Keyset pagination over publish time, newest first; never counts the table.

    The cursor holds the last publish time seen; ties on that time are broken with an
    offset, so a page is one indexed range scan.
    """

    ordering = ("-published_at", "-id")
    page_size_query_param = "page_size"
    invalid_cursor_message = "The cursor is not valid; start again from the first page."

    def get_page_size(self, request) -> int:
        return _page_size_param(request, settings.API_PAGE_SIZE_DEFAULT, settings.API_PAGE_SIZE_MAX)

    def paginate_queryset(self, queryset, request, view=None):
        page = super().paginate_queryset(queryset, request, view)
        # DRF's links start from `request.build_absolute_uri()`, the request's Host.
        self.base_url = api_absolute_url(request.get_full_path())
        return page

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
            if cursor is not None and cursor.position is not None:
                self.parse_position(cursor.position)
        except (exceptions.NotFound, ValueError) as exc:
            raise exceptions.NotFound(self.invalid_cursor_message, code="invalid_page") from exc
        return cursor

    def parse_position(self, position: str):
        """The value a cursor holds (of the first ordering field): here a publish time, as
        the page wrote it (with its offset). ValueError if the cursor was not ours."""
        value = datetime.fromisoformat(position)
        if value.tzinfo is None:
            raise ValueError("A cursor's publish time must have an offset.")
        return value

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(),
                         "results": data})  # fmt: skip

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "in": "query",
                "required": False,
                "description": "Opaque cursor from a `next` or `previous` link.",
                # URL-safe base64, as DRF writes cursors.
                "schema": {"type": "string", "minLength": 1, "pattern": r"^[A-Za-z0-9_=-]+$"},
            },
            _page_size_schema_parameter(),
        ]


def _page_size_schema_parameter() -> dict[str, Any]:
    return {
        "name": "page_size",
        "in": "query",
        "required": False,
        "description": f"Items per page, 1 to {settings.API_PAGE_SIZE_MAX}.",
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": settings.API_PAGE_SIZE_MAX,
            "default": settings.API_PAGE_SIZE_DEFAULT,
        },
    }


class SearchPagination(BasePagination):
    """Numbered pages for relevance-ranked search: fetches one row more instead of a COUNT.

    Pages stop at `API_SEARCH_MAX_PAGES`; deep relevance pages are of no use to readers.
    """

    def paginate_queryset(self, queryset, request, view=None) -> list:
        size = _page_size_param(request, settings.API_PAGE_SIZE_DEFAULT, settings.API_PAGE_SIZE_MAX)
        raw = request.query_params.get("page", "1")
        try:
            page = _positive_int(raw, strict=True)
        except ValueError:
            page = 0
        if not 1 <= page <= settings.API_SEARCH_MAX_PAGES:
            raise InvalidParameter(
                "page", f"page must be between 1 and {settings.API_SEARCH_MAX_PAGES}."
            )
        start = (page - 1) * size
        rows = list(queryset[start : start + size + 1])
        if page > 1 and not rows:
            raise exceptions.NotFound("That page is past the last result.", code="invalid_page")
        self.next = _with_page(request, page + 1) if len(rows) > size else None
        self.previous = _with_page(request, page - 1) if page > 1 else None
        self.page = rows[:size]
        return self.page

    def get_paginated_response(self, data):
        return Response({"next": self.next, "previous": self.previous, "results": data})

    def get_paginated_response_schema(self, schema):
        return ArticleCursorPagination.get_paginated_response_schema(None, schema)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": f"Page number, 1 to {settings.API_SEARCH_MAX_PAGES}.",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": settings.API_SEARCH_MAX_PAGES,
                    "default": 1,
                },
            },
            _page_size_schema_parameter(),
        ]


def _with_page(request, page: int) -> str:
    url = urlsplit(api_absolute_url(request.get_full_path()))
    query = [(k, v) for k, v in parse_qsl(url.query, keep_blank_values=True) if k != "page"]
    return urlunsplit(url._replace(query=urlencode([*query, ("page", str(page))])))


class APIContentNegotiation(DefaultContentNegotiation):
    """DRF's content negotiation, settled at once for what nearly every client sends.

    With one renderer (the API has only JSON) and no `format`, an absent `Accept`, `*/*` or
    exactly the renderer's media type gets what DRF would give, the renderer and its media
    type, without parsing the header. Anything else goes through DRF's negotiation.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        if len(renderers) == 1 and not format_suffix:
            renderer = renderers[0]
            accept = request.META.get("HTTP_ACCEPT")
            if (
                accept in (None, "*/*", renderer.media_type)
                and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
            ):
                return renderer, renderer.media_type
        return super().select_renderer(request, renderers, format_suffix)


def throttle_cache_unavailable(exc: Exception) -> bool:
    """A throttle whose cache (Redis, `CACHE_URL`) does not answer lets the request through:
    the API stays up unthrottled, and says so in the log, rather than answering 500."""
    logger.warning("Throttle cache unavailable, request not throttled: %s", exc)
    return True


class AnonymousThrottle(AnonRateThrottle):
    """Per-IP throttle whose rate is read from settings at request time (tests change it).

    A fixed window: one cache counter per client and window, one increment per request.
    (DRF's default keeps every request's time in one cache entry and rewrites it on each
    request, a cost that grows with the allowed rate.)
    """

    def get_rate(self) -> str | None:
        return settings.API_ANON_THROTTLE_RATE

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends_at = (window + 1) * self.duration
        counter = f"{key}:{window}"
        try:
            self.cache.add(counter, 0, self.duration + 1)
            try:
                count = self.cache.incr(counter)
            except ValueError:  # expired between add and incr
                self.cache.set(counter, 1, self.duration + 1)
                count = 1
        except RedisError as exc:
            return throttle_cache_unavailable(exc)
        return count <= self.num_requests

    def wait(self) -> float:
        return max(self.window_ends_at - self.now, 0.0)


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "request_id"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Stable, for clients to branch on."},
                "message": {"type": "string", "description": "For people."},
                "field": {"type": "string", "description": "The input at fault, if any."},
            },
        },
        "request_id": {
            "type": "string",
            "description": "The X-Request-ID of the request, as logged; quote it in reports.",
        },
    },
}
ERROR_RESPONSES = {
    "400": "A parameter is unknown, empty or out of range (`invalid_parameter`).",
    "404": "Not found (`not_found`, `invalid_page`). Unpublished content answers exactly so.",
    "406": "The Accept header asks for something other than JSON (`not_acceptable`).",
    "414": "The URL is longer than `REQUEST_URI_MAX_LENGTH` characters (`uri_too_long`).",
    "429": "Too many requests (`throttled`); see the Retry-After header.",
}
WRITE_ERROR_RESPONSES = {
    "409": "A concurrent request clashed with this one (`write_conflict`, "
    "`constraint_conflict`); nothing was changed: send it again.",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: document the error envelope on every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            errors = dict(ERROR_RESPONSES)
            if method != "get":
                errors.update(WRITE_ERROR_RESPONSES)
            for code, description in errors.items():
                responses.setdefault(code, {"description": description, "content": reference})
            if method == "get":
                responses.setdefault(
                    "304", {"description": "Not modified: the If-None-Match ETag still holds."}
                )
    return result


def api_not_found(request, exception=None):
    """404 for URLs matching no route: JSON under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return api_error_response(request, 404, "not_found", "Not found.")
    return defaults.page_not_found(request, exception)


def api_server_error(request):
    """500: JSON under /api/, Django's page elsewhere. Always a defect (RELIABILITY.md)."""
    if request.path.startswith("/api/"):
        return api_error_response(request, 500, "server_error", "Internal server error.")
    return defaults.server_error(request)


# Django's own refusals (raised before or while the body is read), by exception type:
# (status, code, message). Anything else it refuses is a plain 400 `bad_request`.
DJANGO_REFUSALS: tuple[tuple[type[Exception], int, str, str], ...] = (
    (RequestDataTooBig, 413, "request_too_large",
     f"The request body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)} MB."),
    (TooManyFieldsSent, 400, "too_many_fields",
     f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields."),
    (TooManyFilesSent, 400, "too_many_files",
     f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files."),
    (DisallowedHost, 400, "disallowed_host", "The Host header names no site served here."),
)  # fmt: skip


def api_bad_request(request, exception=None):
    """400 raised by Django itself (bad Host, too many fields, oversize body): JSON under /api/.

    One error format for the whole API (RELIABILITY.md D6, E2): the exception's type picks
    the code, so a client can tell "too many files" from a malformed request.
    """
    if request.path.startswith("/api/"):
        for exc_type, status_code, code, message in DJANGO_REFUSALS:
            if isinstance(exception, exc_type):
                return api_error_response(request, status_code, code, message)
        return api_error_response(request, 400, "bad_request", "The request is malformed.")
    return defaults.bad_request(request, exception)
