"""Status changes: submit, publish, schedule, unpublish, and the scheduler's publish of due
articles. Every move is checked (`permissions`), logged and announced."""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import (
    Article,
    ArticleTransition,
    article_times_check,
)
from articles.services.locks import article_check_lock
from articles.services.permissions import TRANSITIONS, article_check_transition
from articles.services.revisions import article_conflict, article_revision_record
from articles.services.slugs import article_claim_slug, article_record_old_slug
from articles.signals import article_changes, articles_changed_announce

logger = logging.getLogger(__name__)

Status = Article.Status


def article_status_target(*, status: str, publish_at: datetime | None) -> str:
    """The status a move to `status` really makes: a publish at a future time schedules."""
    if status == Status.PUBLISHED and publish_at and publish_at > timezone.now():
        return Status.SCHEDULED
    return status


def article_status_apply(
    *,
    article: Article,
    current: str,
    status: str,
    user,
    publish_at: datetime | None,
    system: bool = False,
) -> None:
    """Check the move of the saved, row-locked `article` from `current` to `status` and set
    its status and publish times; the caller validates and saves it, then calls
    `article_status_recorded`. Raises like `article_set_status`.

    A publish or schedule without a slug claims one made from the headline
    (`article_claim_slug`).
    """
    article_check_transition(
        user=user, from_status=current, to_status=status, system=system, article=article
    )
    now = timezone.now()
    if status in (Status.PUBLISHED, Status.SCHEDULED) and not article.slug:
        if not article.pk:
            raise ValueError("Save the article before publishing it: its slug is claimed.")
        article.slug = article_claim_slug(article=article)
    if status == Status.SCHEDULED:
        if publish_at is None or publish_at <= now:
            raise ValidationError(
                {"published_at": _("A scheduled article needs a publish time in the future.")},
                code="schedule_in_past",
            )
        article.published_at = publish_at
    elif status == Status.PUBLISHED:
        # Readers see the first publish time; a republish after a correction keeps it.
        article.published_at = article.first_published_at or publish_at or now
        article.first_published_at = article.first_published_at or article.published_at
        article.last_published_at = now
    elif status in (Status.DRAFT, Status.IN_REVIEW) and current == Status.SCHEDULED:
        article.published_at = article.first_published_at
    article.status = status


def article_status_moves(*, current: str, status: str) -> bool:
    """Whether going from `current` to `status` is a move (logged), not a plain save."""
    return current != status or (current, status) in TRANSITIONS


def article_status_recorded(
    *, article: Article, current: str, status: str, user, note: str = ""
) -> None:
    """After the save of a move made by `article_status_apply`: the audit log entry, and
    the announcement of a publish, republish or unpublish. The caller records the revision.
    """
    ArticleTransition.objects.create(
        article=article, user=user, from_status=current, to_status=status, note=note
    )
    if Status.PUBLISHED in (current, status):
        # A publish, republish or unpublish: subscribers hear of it (what readers may see
        # of it: nothing during an embargo), and a republish's related reading is ranked
        # again (a first publish's when it becomes visible).
        articles_changed_announce(
            article_ids=[article.pk],
            links=True,
            told=True,
            republished=current == status == Status.PUBLISHED,
        )


def article_set_status(
    *,
    article: Article,
    status: str,
    user,
    publish_at: datetime | None = None,
    system: bool = False,
    note: str = "",
    expected_version: int | None = None,
) -> Article:
    """Move `article` to `status` on behalf of `user`, saving it.

    Publishing with a `publish_at` in the future schedules instead. A publish or schedule
    without a slug claims one made from the headline (`article_claim_slug`; the article must
    be saved). Raises `PermissionDenied` or `ValidationError` (see
    `article_check_transition`); nothing is saved then.
    `system=True` is only for the scheduler (`articles_publish_due`), with `user=None`.
    A real move is recorded in the audit log (`ArticleTransition`, with `note`) and stores a
    revision (the version goes up); with `expected_version` a stale version raises
    `ConflictError`. An article in the trash is refused. A move made with a content edit
    is `article_save`'s (`status=`).

    A publish, republish or unpublish is announced (`articles_changed`, with `told`), so
    subscribers hear of what readers may see of it. A slug changed after the first publish
    is kept as an old slug, so its links still work.
    """
    status = article_status_target(status=status, publish_at=publish_at)
    with transaction.atomic(), article_changes():
        stored = (
            Article.objects.select_for_update()
            .only(
                "status",
                "slug",
                "version",
                "deleted_at",
                "live_revision",
                "locked_by",
                "locked_at",
                "published_at",
                "embargo_until",
            )
            .get(pk=article.pk)
            if article.pk
            else None
        )
        current = stored.status if stored else Status.DRAFT
        if stored and stored.deleted_at:
            raise ValidationError(
                _("This article is in the trash; restore it first."), code="in_trash"
            )
        if stored and not system:
            # The scheduler publishes a locked article all the same: the lock guards content.
            article_check_lock(article=stored, user=user)
        if stored and expected_version is not None and stored.version != expected_version:
            raise article_conflict(article=article, expected_version=expected_version)
        article_status_apply(
            article=article,
            current=current,
            status=status,
            user=user,
            publish_at=publish_at,
            system=system,
        )
        if stored:
            # Only the workflow writes these; the caller's copy may be stale. (Its content is
            # saved as given: pass `expected_version` to refuse a stale copy.)
            article.version = stored.version
            article.deleted_at = stored.deleted_at
            article.live_revision_id = stored.live_revision_id
            article.locked_by_id, article.locked_at = stored.locked_by_id, stored.locked_at
        article.full_clean()
        article_times_check(
            published_at=article.published_at,
            embargo_until=article.embargo_until,
            stored_published_at=stored.published_at if stored else None,
            stored_embargo_until=stored.embargo_until if stored else None,
        )
        article.save()
        if stored and article_status_moves(current=current, status=status):
            article_status_recorded(
                article=article, current=current, status=status, user=user, note=note
            )
            article_revision_record(article=article, user=user)
        elif Status.PUBLISHED in (current, status):
            articles_changed_announce(article_ids=[article.pk], links=True, told=True)
        if stored and stored.slug and article.first_published_at and stored.slug != article.slug:
            article_record_old_slug(article=article, old_slug=stored.slug)
    return article


def articles_publish_due(*, now: datetime | None = None, limit: int = 100) -> list[int]:
    """Publish scheduled articles whose time has come, oldest publish time first.

    Safe with several schedulers at once: each article is locked with
    `select_for_update(skip_locked=True)` (PostgreSQL) and published only if it is still
    scheduled and due, so every due article is published exactly once; a concurrent
    scheduler skips rows another one holds. `published_at` stays the scheduled time. Runs at
    worker start too, so articles missed during downtime go live in order (catch-up).
    Returns the ids published; one transaction per article, so one failure stops nothing.
    """
    now = now or timezone.now()
    published: list[int] = []
    refused: list[int] = []
    while len(published) + len(refused) < limit:
        with transaction.atomic():
            article = (
                Article.objects.select_for_update(skip_locked=True)
                .filter(status=Status.SCHEDULED, published_at__lte=now)
                .exclude(pk__in=refused)
                .order_by("published_at", "id")
                .first()
            )
            if article is None:
                break
            try:
                with transaction.atomic():
                    article_set_status(
                        article=article,
                        status=Status.PUBLISHED,
                        user=None,
                        publish_at=article.published_at,
                        system=True,
                    )
            except ValidationError as exc:
                # An article that no longer validates stays scheduled, visible to editors;
                # it must not block the ones behind it.
                logger.error("Scheduled article %s cannot be published: %s", article.pk, exc)
                refused.append(article.pk)
                continue
        published.append(article.pk)
    return published


def article_submit_for_review(*, article: Article, user) -> Article:
    return article_set_status(article=article, status=Status.IN_REVIEW, user=user)


def article_publish(*, article: Article, user, publish_at: datetime | None = None) -> Article:
    """Publish now, or schedule when `publish_at` lies in the future."""
    return article_set_status(
        article=article, status=Status.PUBLISHED, user=user, publish_at=publish_at
    )


def article_unpublish(*, article: Article, user) -> Article:
    return article_set_status(article=article, status=Status.UNPUBLISHED, user=user)
