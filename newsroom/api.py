"""API plumbing shared by every app: the error format, pagination, throttling, strict params.

Every error the API gives has one shape (RELIABILITY.md, "Rules for every case")::

    {"error": {"code": "invalid_parameter", "message": "…", "field": "page_size"}}

Clients branch on `code`; `message` is for people; `field` names the input at fault.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination, _positive_int
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import exception_handler

# DRF's own codes are kept, except where one name serves clients better.
RENAMED_ERROR_CODES = {"authentication_failed": "not_authenticated"}


class InvalidParameter(exceptions.ValidationError):
    """A query parameter the endpoint does not accept, or a value out of range."""

    default_code = "invalid_parameter"

    def __init__(self, field: str, message: str):
        super().__init__({field: [message]}, code="invalid_parameter")


def _first_error(detail: Any, field: str | None = None) -> tuple[str | None, str, str]:
    """Return (field, message, code) of the first error in a DRF error detail."""
    if isinstance(detail, dict):
        key, value = next(iter(detail.items()))
        nested = None if key in ("non_field_errors", "__all__") else key
        return _first_error(value, f"{field}.{nested}" if field and nested else nested or field)
    if isinstance(detail, list):
        return _first_error(detail[0], field) if detail else (field, "Invalid input.", "invalid")
    return field, str(detail), getattr(detail, "code", None) or "invalid"


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
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
        field, message, code = _first_error(exc.detail)
        if code in ("invalid", "required", "null", "blank"):
            code = "invalid_parameter" if isinstance(exc, InvalidParameter) else "invalid"
        error = {"code": code, "message": message}
        if field:
            error["field"] = field
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        code = codes if isinstance(codes, str) else "error"
        error = {"code": RENAMED_ERROR_CODES.get(code, code), "message": str(exc.detail)}
    response.data = {"error": error}
    return response


class StrictQueryParamsMixin:
    """Refuse query parameters the view does not declare (RELIABILITY.md A1).

    A public list has no `status`, `include_drafts` or other switch: anything unknown is a
    400 `invalid_parameter`, so a typo or a probe never silently widens the results.
    """

    allowed_query_params: frozenset[str] = frozenset()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        for name in request.query_params:
            if name not in self.allowed_query_params:
                raise InvalidParameter(name, f"Unknown query parameter '{name}'.")


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

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as exc:
            raise exceptions.NotFound(self.invalid_cursor_message, code="invalid_page") from exc

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
                "schema": {"type": "string"},
            },
            {
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
            },
        ]


class PageNumberNoCountPagination:
    """Numbered pages for relevance-ranked search: fetches one row more instead of a COUNT.

    Pages stop at `API_SEARCH_MAX_PAGES`; deep relevance pages are of no use to readers.
    """

    def paginate(self, queryset, request) -> tuple[list, dict[str, Any]]:
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
        links = {
            "next": _with_page(request, page + 1) if len(rows) > size else None,
            "previous": _with_page(request, page - 1) if page > 1 else None,
        }
        return rows[:size], links


def _with_page(request, page: int) -> str:
    url = urlsplit(request.build_absolute_uri())
    query = [(k, v) for k, v in parse_qsl(url.query, keep_blank_values=True) if k != "page"]
    return urlunsplit(url._replace(query=urlencode([*query, ("page", str(page))])))


class AnonymousThrottle(AnonRateThrottle):
    """Per-IP throttle whose rate is read from settings at request time (tests change it)."""

    def get_rate(self) -> str | None:
        return settings.API_ANON_THROTTLE_RATE
