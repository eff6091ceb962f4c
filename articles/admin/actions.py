"""The article list's bulk actions: submit, publish, unpublish, trash, restore, purge.

Each calls its workflow service for every selected article; refusals become messages.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.models import Article
from articles.services import (
    article_publish,
    article_purge,
    article_restore_from_trash,
    article_submit_for_review,
    article_trash,
    article_unpublish,
)


def refusal_reason(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


class ArticleActionsMixin:
    """The bulk actions of `ArticleAdmin` (listed in its `actions`)."""

    @admin.action(description=_("Submit selected articles for review"), permissions=["change"])
    def submit_for_review_selected(self, request, queryset):
        self._apply_service(
            request,
            queryset,
            article_submit_for_review,
            done=lambda n: ngettext(
                "%(count)d article submitted for review.",
                "%(count)d articles submitted for review.",
                n,
            ),
        )

    @admin.action(description=_("Publish selected articles"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._apply_service(
            request,
            queryset,
            article_publish,
            done=lambda n: ngettext(
                "%(count)d article published.", "%(count)d articles published.", n
            ),
        )

    @admin.action(description=_("Unpublish selected articles"), permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        self._apply_service(
            request,
            queryset,
            article_unpublish,
            done=lambda n: ngettext(
                "%(count)d article unpublished.", "%(count)d articles unpublished.", n
            ),
        )

    @admin.action(description=_("Move selected articles to the trash"), permissions=["delete"])
    def trash_selected(self, request, queryset):
        self._apply_service(
            request,
            queryset,
            article_trash,
            done=lambda n: ngettext(
                "%(count)d article moved to the trash.", "%(count)d articles moved to the trash.", n
            ),
        )

    @admin.action(description=_("Restore selected articles from the trash"), permissions=["delete"])
    def restore_selected(self, request, queryset):
        self._apply_service(
            request,
            queryset,
            article_restore_from_trash,
            done=lambda n: ngettext(
                "%(count)d article restored.", "%(count)d articles restored.", n
            ),
        )

    @admin.action(description=_("Purge selected articles for good"), permissions=["purge"])
    def purge_selected(self, request, queryset):
        self._apply_service(
            request,
            queryset,
            article_purge,
            done=lambda n: ngettext("%(count)d article purged.", "%(count)d articles purged.", n),
        )

    def _apply_service(
        self,
        request,
        queryset,
        service: Callable[..., Article],
        *,
        done: Callable[[int], str],
    ) -> None:
        """Call `service` for each selected article; refusals become messages, not errors.

        Each article is changed in its own transaction, so one refusal does not undo the
        others.
        """
        changed = 0
        for article in queryset.select_related(None).prefetch_related(None).order_by("pk"):
            try:
                with transaction.atomic():
                    service(article=article, user=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(
                    request, f"{article.headline}: {refusal_reason(exc)}", messages.ERROR
                )
            else:
                changed += 1
        if changed:
            self.message_user(request, done(changed) % {"count": changed}, messages.SUCCESS)
