"""The trash: soft delete, restore, and the editors' purge for good."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import (
    Article,
)
from articles.services.locks import article_check_lock
from articles.services.permissions import article_check_edit, user_can_publish
from articles.signals import article_changes, articles_changed_announce

Status = Article.Status


def article_trash(*, article: Article, user) -> Article:
    """Move `article` to the trash; public and scheduled ones must be unpublished first."""
    with transaction.atomic(), article_changes():
        stored = Article.objects.select_for_update().get(pk=article.pk)
        article_check_edit(user=user, article=stored)
        article_check_lock(article=stored, user=user)
        if stored.deleted_at:
            return stored
        if stored.status in (Status.PUBLISHED, Status.SCHEDULED):
            raise ValidationError(
                _("Unpublish the article before moving it to the trash."), code="still_public"
            )
        stored.deleted_at = timezone.now()
        Article.objects.filter(pk=stored.pk).update(deleted_at=stored.deleted_at)
        articles_changed_announce(article_ids=[stored.pk])
    article.deleted_at = stored.deleted_at
    return stored


def article_restore_from_trash(*, article: Article, user) -> Article:
    """Take `article` out of the trash, with the status it had."""
    with transaction.atomic(), article_changes():
        stored = Article.objects.select_for_update().get(pk=article.pk)
        article_check_edit(user=user, article=stored)
        if not stored.deleted_at:
            raise ValidationError(_("This article is not in the trash."), code="not_in_trash")
        Article.objects.filter(pk=stored.pk).update(deleted_at=None)
        stored.deleted_at = None
        articles_changed_announce(article_ids=[stored.pk])
    article.deleted_at = None
    return stored


def article_purge(*, article: Article, user) -> None:
    """Delete a trashed article for good, with its revisions and log (editors only)."""
    if not user_can_publish(user):
        raise PermissionDenied(_("Only editors can purge articles."))
    with transaction.atomic():
        stored = Article.objects.select_for_update().get(pk=article.pk)
        if not stored.deleted_at:
            raise ValidationError(
                _("Only articles in the trash can be purged."), code="not_in_trash"
            )
        # live_revision points at a revision deleted in the same cascade.
        Article.objects.filter(pk=stored.pk).update(live_revision=None)
        stored.delete()
