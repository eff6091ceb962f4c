"""Query parameters: only those a view declares, and page sizes within bounds."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.pagination import _positive_int


class InvalidParameter(exceptions.ValidationError):
    """A query parameter the endpoint does not accept, or a value out of range."""

    default_code = "invalid_parameter"

    def __init__(self, field: str, message: str):
        super().__init__({field: [message]}, code="invalid_parameter")


class StrictQueryParamsMixin:
    """Refuse query parameters the view does not declare (docs/reliability.md A1).

    A public list has no `status`, `include_drafts` or other switch: anything unknown is a
    400 `invalid_parameter`, so a typo or a probe never silently widens the results.
    """

    allowed_query_params: frozenset[str] = frozenset()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not hasattr(self, request.method.lower()):
            return  # a method the view does not answer: its 405 comes first
        for name, value in request.query_params.items():
            if name not in self.allowed_query_params:
                raise InvalidParameter(name, f"Unknown query parameter '{name}'.")
            if value == "":
                raise InvalidParameter(name, f"The query parameter '{name}' is empty.")
            if "\x00" in value:
                raise InvalidParameter(name, f"The query parameter '{name}' contains a NUL byte.")


def page_size_param(request, default: int, maximum: int) -> int:
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
