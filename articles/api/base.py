"""The write API's base view and what every view of it shares: token authentication, role
permissions, the stricter throttle, no caching, and one translation of refusals (a stale
version, a lock, a database outage, a body too large) into the JSON error envelope."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.cache import patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import JSONParser

from articles.api.permissions import (
    CanWriteArticles,
    WriteThrottle,
)
from articles.services import (
    ArticleLockedError,
    ConflictError,
)
from newsroom.accounts.authentication import ManageTokenAuthentication
from newsroom.api.errors import (
    ServiceUnavailable,
    database_exception,
    first_error,
)
from newsroom.api.params import StrictQueryParamsMixin
from newsroom.api.throttles import AnonymousThrottle

# HTTP status of other validation refusals that are not 400, by the first error's code.
VALIDATION_ERROR_STATUS = {"unsupported_embed_url": status.HTTP_422_UNPROCESSABLE_ENTITY}


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"
    default_detail = "The request body is too large."


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_code = "precondition_required"
    default_detail = "Send If-Match with the article's ETag, from its last GET or update."


class PreconditionFailed(exceptions.APIException):
    """412 with the article's current version, so the client can fetch it and re-apply."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"

    def __init__(self, conflict: ConflictError):
        self.version = conflict.current_version
        # What other saves changed since the client's version (`services.article_conflict`).
        self.changes = [
            {key: change[key] for key in ("field", "label", "old", "new")}
            for change in conflict.changes
        ]
        super().__init__(conflict.messages[0])


class ArticleLocked(exceptions.APIException):
    """409: someone else holds the article's hard lock; the error names them and since when."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "locked"

    def __init__(self, locked: ArticleLockedError):
        self.locked_by = locked.locked_by
        self.locked_at = locked.locked_at
        super().__init__(locked.messages[0])


def _too_large() -> RequestTooLarge:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return RequestTooLarge(f"The request body may be at most {limit // (1024 * 1024)} MB.")


def request_content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _drf_validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A service's `ValidationError` as a DRF one, keeping each message's code."""

    def details(errors) -> list[exceptions.ErrorDetail]:
        return [
            exceptions.ErrorDetail(message, code=error.code or "invalid")
            for error in errors
            for message in error
        ]

    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(
            {
                "non_field_errors" if field == "__all__" else field: details(errors)
                for field, errors in exc.error_dict.items()
            }
        )
    return exceptions.ValidationError({"non_field_errors": details(exc.error_list)})


ERROR_401 = OpenApiResponse(
    description="No token, an unknown or deactivated user's token, or a token in the URL "
    "(`not_authenticated`); see the WWW-Authenticate header."
)
ERROR_403 = OpenApiResponse(description="The role does not allow this (`permission_denied`).")
WRITE_403 = OpenApiResponse(
    description="The role does not allow this (`permission_denied`); for a writer who sends "
    "a key only editors' workflow actions set (`status`, `published_at`, "
    "`first_published_at`, `visibility`), `field` names it and nothing is applied."
)
VALIDATION_400 = OpenApiResponse(
    description="Invalid input (`invalid`, `unknown_field` for a key that cannot be set, …); "
    "`field` names the input at fault."
)
EMBED_422 = OpenApiResponse(
    description="A body paragraph holding only a URL that is not an allowlisted embed "
    "(`unsupported_embed_url`, field `body`)."
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='The article\'s ETag from its last GET or update, e.g. `"v3"`.',
)
IF_MATCH_OPTIONAL = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Optional: refuse the action (412) if the article changed since this ETag.",
)
LOCKED_409 = OpenApiResponse(
    description="Someone else holds the article's hard lock (`locked`); the error carries "
    "`locked_by` (their name) and `locked_at`. Or a concurrent request clashed with this one "
    "(`write_conflict`, `constraint_conflict`): send it again. Nothing was applied."
)
CONDITIONAL_RESPONSES = {
    409: LOCKED_409,
    412: OpenApiResponse(
        description="If-Match does not match the article's current ETag "
        "(`precondition_failed`); the error carries `current_version` and `current_etag`."
    ),
}


class ManageAPIView(StrictQueryParamsMixin, generics.GenericAPIView):
    """Base of the write API: token only, role permissions, stricter throttle, no caching."""

    authentication_classes = [ManageTokenAuthentication]
    permission_classes = [CanWriteArticles]
    throttle_classes = [AnonymousThrottle, WriteThrottle]
    parser_classes = [JSONParser]
    # The error code of a JSON 503 when the database fails mid-request.
    unavailable_code = "database_unavailable"

    def handle_exception(self, exc):
        database_error = database_exception(
            exc, self.request, unavailable_code=self.unavailable_code
        )
        if database_error is not None:
            # The transaction was rolled back, so sending the request again is safe.
            exc = database_error
        elif isinstance(exc, RequestDataTooBig):
            # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE when it is read.
            exc = _too_large()
        elif isinstance(exc, ConflictError):
            exc = PreconditionFailed(exc)
        elif isinstance(exc, ArticleLockedError):
            exc = ArticleLocked(exc)
        elif isinstance(exc, DjangoValidationError):
            exc = _drf_validation_error(exc)
        if isinstance(exc, exceptions.ValidationError):
            # The envelope reports the first error; the status follows its code.
            code = first_error(exc.detail)[2]
            exc.status_code = VALIDATION_ERROR_STATUS.get(code, exc.status_code)
        response = super().handle_exception(exc)
        if isinstance(exc, ServiceUnavailable):
            response["Retry-After"] = str(exc.retry_after_seconds)
        if isinstance(exc, PreconditionFailed):
            response.data["error"]["current_version"] = exc.version
            response.data["error"]["current_etag"] = f'"v{exc.version}"'
            response.data["error"]["changes"] = exc.changes
            response["ETag"] = f'"v{exc.version}"'
        if isinstance(exc, ArticleLocked):
            response.data["error"]["locked_by"] = exc.locked_by
            # As the API writes every datetime (the site's time zone).
            response.data["error"]["locked_at"] = serializers.DateTimeField().to_representation(
                exc.locked_at
            )
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Drafts and account-specific answers: never stored by a shared cache.
        response["Cache-Control"] = "private, no-store"
        patch_vary_headers(response, ["Authorization"])
        return response
