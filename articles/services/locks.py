"""Locks: the row lock and version check of a save, soft locks (who has an article open) and
hard locks (only the holder may save)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import (
    Article,
    ArticleEditor,
    ArticleTransition,
)
from articles.services.permissions import UNLOCK_PERMISSION, article_check_edit, user_display_name
from articles.services.revisions import article_conflict, article_revision_baseline

SOFT_LOCK_SECONDS = 120


def article_lock(
    *, article: Article, expected_version: int | None, baseline: bool = True, user=None
) -> Article:
    """Lock the stored row for this transaction and check the caller's version.

    Raises `ConflictError` when `expected_version` is stale, `ValidationError` when it is
    missing or the article is in the trash, and, with `user`, `ArticleLockedError` when
    someone else holds the article's hard lock. Returns the locked row. With `baseline`, an
    article without a revision of its current version gets one first (see
    `article_revision_baseline`).
    """
    stored = Article.objects.select_for_update().get(pk=article.pk)
    if expected_version is None:
        raise ValidationError(
            {"version": _("The version you edited is missing; reload the article.")},
            code="version_missing",
        )
    if stored.deleted_at:
        raise ValidationError(_("This article is in the trash; restore it first."), code="in_trash")
    if user is not None:
        article_check_lock(article=stored, user=user)
    if stored.version != expected_version:
        raise article_conflict(article=article, expected_version=expected_version)
    if baseline:
        article_revision_baseline(article=stored)
    return stored


def article_editor_seen(*, article: Article, user) -> list:
    """Record that `user` has `article` open now; return the other users who have it open.

    A soft lock: rows older than `SOFT_LOCK_SECONDS` count as closed. Two queries (plus one
    for the users).
    """
    now = timezone.now()
    ArticleEditor.objects.update_or_create(article=article, user=user, defaults={"seen_at": now})
    since = now - timedelta(seconds=SOFT_LOCK_SECONDS)
    return [
        entry.user
        for entry in ArticleEditor.objects.filter(article=article, seen_at__gte=since)
        .exclude(user=user)
        .select_related("user")
        .order_by("seen_at")
    ]


# A lock not refreshed for this long has expired (WordPress: 150 s); the admin's change page
# refreshes its holder's lock every 15 s, an API client by locking again.
HARD_LOCK_SECONDS = 150


class ArticleLockedError(ValidationError):
    """Someone else holds a fresh hard lock on the article; nothing was changed.

    `locked_by` is the holder's display name (never an e-mail address), `locked_at` when
    the lock was taken or last refreshed.
    """

    def __init__(self, *, locked_by: str, locked_at: datetime):
        super().__init__(
            _("%(name)s has locked this article (since %(at)s); ask them, or an editor who may "
              "unlock it, to unlock it first.")
            % {"name": locked_by, "at": timezone.localtime(locked_at).strftime("%Y-%m-%d %H:%M")},
            code="locked",
        )  # fmt: skip
        self.locked_by = locked_by
        self.locked_at = locked_at


def article_lock_holder(*, article: Article):
    """The user holding a fresh hard lock on `article` (as loaded), or None."""
    if not article.locked_by_id or not article.locked_at:
        return None
    if article.locked_at < timezone.now() - timedelta(seconds=HARD_LOCK_SECONDS):
        return None
    return article.locked_by


def article_check_lock(*, article: Article, user) -> None:
    """Raise `ArticleLockedError` when someone other than `user` holds a fresh lock.

    Pass the row as stored (e.g. from `select_for_update`); no query unless it is locked.
    """
    if not article.locked_by_id or article.locked_by_id == getattr(user, "pk", None):
        return
    holder = article_lock_holder(article=article)
    if holder is not None:
        raise ArticleLockedError(locked_by=user_display_name(holder), locked_at=article.locked_at)


def article_lock_acquire(*, article: Article, user) -> Article:
    """Lock `article` for `user`, or refresh the lock they hold; an expired lock is taken over.

    Raises `PermissionDenied` for a user who may not edit the article, `ArticleLockedError`
    while someone else holds a fresh lock, `ValidationError` for an article in the trash.
    """
    with transaction.atomic():
        stored = Article.objects.select_for_update().get(pk=article.pk)
        article_check_edit(user=user, article=stored)
        if stored.deleted_at:
            raise ValidationError(
                _("This article is in the trash; restore it first."), code="in_trash"
            )
        article_check_lock(article=stored, user=user)
        now = timezone.now()
        Article.objects.filter(pk=stored.pk).update(locked_by=user, locked_at=now)
    article.locked_by, article.locked_at = user, now
    return article


def article_lock_refresh(*, article: Article, user) -> bool:
    """The holder's heartbeat: restart the lock's expiry. One UPDATE; False when `user`
    holds no lock on it (never locked, released, or taken over after expiring)."""
    return bool(
        Article.objects.filter(pk=article.pk, locked_by=user).update(locked_at=timezone.now())
    )


def article_lock_release(*, article: Article, user) -> Article:
    """Remove the hard lock. Its holder may; anyone else needs `unlock_article`, and such an
    unlock is written to the audit log (a status change to the same status, with a note)."""
    with transaction.atomic():
        stored = (
            Article.objects.select_for_update(of=("self",))
            .select_related("locked_by")
            .get(pk=article.pk)
        )
        if stored.locked_by_id is None:
            article.locked_by, article.locked_at = None, None
            return article
        if stored.locked_by_id != user.pk:
            if not user.has_perm(UNLOCK_PERMISSION):
                raise PermissionDenied(_("Only its holder or an editor may unlock this article."))
            ArticleTransition.objects.create(
                article=stored,
                user=user,
                from_status=stored.status,
                to_status=stored.status,
                note=_("Unlocked; it was locked by %(name)s since %(at)s.")
                % {
                    "name": user_display_name(stored.locked_by),
                    "at": timezone.localtime(stored.locked_at).strftime("%Y-%m-%d %H:%M"),
                },
            )
        Article.objects.filter(pk=stored.pk).update(locked_by=None, locked_at=None)
    article.locked_by, article.locked_at = None, None
    return article
