"""Who may use the write API (`/api/v1/manage/`): role checks and throttles. Tokens are
`newsroom.accounts.authentication`'s.

Roles are the admin's groups and permissions (migration 0002): a writer has
`articles.change_article` and `photos.add_photo`, an editor also `articles.publish_article`.
Role checks run before any object is looked up, so a refusal never depends on, or names,
the object asked for (docs/reliability.md B5).
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.throttling import UserRateThrottle

from articles.services import user_can_publish
from newsroom.api.throttles import throttle_cache_errors, throttle_cache_unavailable


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
        return _authenticated(request) and request.user.has_perm("photos.add_photo")


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
        except throttle_cache_errors() as exc:
            return throttle_cache_unavailable(exc)
