"""Pagination: keyset (cursor) pages for lists, numbered pages for ranked search. Neither
counts the table; links are absolute on `API_BASE_URL` (`newsroom.http.links`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from rest_framework import exceptions
from rest_framework.pagination import BasePagination, CursorPagination, _positive_int
from rest_framework.response import Response

from newsroom.api.params import InvalidParameter, page_size_param
from newsroom.http.links import api_absolute_url


class ArticleCursorPagination(CursorPagination):
    """Keyset pagination over publish time, newest first; never counts the table.

    The cursor holds the last publish time seen; ties on that time are broken with an
    offset, so a page is one indexed range scan.
    """

    ordering = ("-published_at", "-id")
    page_size_query_param = "page_size"
    invalid_cursor_message = "The cursor is not valid; start again from the first page."

    def get_page_size(self, request) -> int:
        return page_size_param(request, settings.API_PAGE_SIZE_DEFAULT, settings.API_PAGE_SIZE_MAX)

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
        size = page_size_param(request, settings.API_PAGE_SIZE_DEFAULT, settings.API_PAGE_SIZE_MAX)
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
