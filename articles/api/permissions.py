"""Who may use the write API (`/api/v1/manage/`): token authentication, role checks, throttles.

Roles are the admin's groups and permissions (migration 0002): a writer has
`articles.change_article` and `articles.add_photo`, an editor also `articles.publish_article`.
Role checks run before any object is looked up, so a refusal never depends on, or names,
the object asked for (RELIABILITY.md B5).
"""

from __future__ import annotations

from django.conf import settings
from redis.exceptions import RedisError
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.throttling import UserRateThrottle

from articles.services import user_can_publish
from newsroom.api.throttles import throttle_cache_unavailable
from tokens.services import api_token_find, api_token_record_use

# Query parameters a client might put a token in; a token in a URL ends up in access logs,
# proxies and browser history, so such a request is refused even when the header is fine.
TOKEN_QUERY_PARAMS = frozenset({"token", "access_token", "auth_token", "api_key", "key"})


class ManageTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` only; a token in the query string is refused (401).

    A malformed header, an unknown key, an expired token and a deactivated user's token all
    answer 401 `not_authenticated` with `WWW-Authenticate: Token` (DRF's
    `authenticate_header`). Keys are stored as digests (`tokens.models.ApiToken`): a
    malformed key is refused without a query, a well-formed one costs one query and a
    constant-time comparison (RELIABILITY.md B6), and its use is recorded at most once a
    minute.
    """

    def authenticate(self, request):
        named = TOKEN_QUERY_PARAMS.intersection(request.query_params)
        if named:
            raise exceptions.AuthenticationFailed(
                "Send the token in the Authorization header, never in the URL.",
                code="not_authenticated",
            )
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        token = api_token_find(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        if token.is_expired():
            raise exceptions.AuthenticationFailed(
                "This token has expired; make a new one in the admin (API tokens)."
            )
        api_token_record_use(token=token)
        return token.user, token


def _authenticated(request) -> bool:
    return bool(request.user and request.user.is_authenticated and request.user.is_active)


class CanWriteArticles(BasePermission):
    """Writers and editors: read and edit articles in their scope; create drafts."""

    def has_permission(self, request, view) -> bool:
        if not _authenticated(request):
            return False
        needed = "articles.add_article" if request.method == "POST" else "articles.change_article"
        return request.user.has_perm(needed)


class CanPublishArticles(BasePermission):
    """Editors only: publish, schedule and unpublish."""

    def has_permission(self, request, view) -> bool:
        return _authenticated(request) and user_can_publish(request.user)


class CanSubmitArticles(BasePermission):
    def has_permission(self, request, view) -> bool:
        return _authenticated(request) and request.user.has_perm("articles.change_article")


class CanUploadPhotos(BasePermission):
    def has_permission(self, request, view) -> bool:
        return _authenticated(request) and request.user.has_perm("articles.add_photo")


class WriteThrottle(UserRateThrottle):
    """Per-user limit on writes (POST, PATCH); reads of the write API are not counted here.

    The rate is read from settings for each request (throttles are built per request).
    """

    scope = "manage_write"

    def get_rate(self) -> str | None:
        return settings.API_WRITE_THROTTLE_RATE

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        try:
            return super().allow_request(request, view)
        except RedisError as exc:
            return throttle_cache_unavailable(exc)
