"""The API's errors: DRF and Django exceptions, and database failures, in one envelope."""

from __future__ import annotations

import functools
import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, connection
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from newsroom.api.params import InvalidParameter
from newsroom.conflicts import WRITE_ATTEMPTS, is_transient_conflict
from newsroom.http.errors import with_request_id

logger = logging.getLogger(__name__)

# DRF's own codes are kept, except where one name serves clients better.
RENAMED_ERROR_CODES = {"authentication_failed": "not_authenticated"}


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
    """The database went away mid-request (docs/reliability.md H4, I4): nothing was written."""

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
