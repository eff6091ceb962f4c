"""Writes that matter: every status change of an article goes through here.

The admin (form save and list actions) and, later, the write API and Celery tasks call these
functions, so the rules about who may publish live in one place.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import Article, ArticleSlugHistory
from articles.suggestions import related_suggestions_request
from articles.webhooks import webhook_event_emit
from tagging.text import slugify_ascii

logger = logging.getLogger(__name__)

Status = Article.Status

PUBLISH_PERMISSION = "articles.publish_article"
SLUG_MAX_LENGTH = 80

# (from, to) -> whether the move needs the publish permission. Moves not listed are refused.
TRANSITIONS: dict[tuple[str, str], bool] = {
    (Status.DRAFT, Status.IN_REVIEW): False,
    (Status.UNPUBLISHED, Status.IN_REVIEW): False,
    (Status.IN_REVIEW, Status.DRAFT): False,
    (Status.UNPUBLISHED, Status.DRAFT): False,
    (Status.DRAFT, Status.PUBLISHED): True,
    (Status.IN_REVIEW, Status.PUBLISHED): True,
    (Status.SCHEDULED, Status.PUBLISHED): True,
    (Status.UNPUBLISHED, Status.PUBLISHED): True,
    (Status.DRAFT, Status.SCHEDULED): True,
    (Status.IN_REVIEW, Status.SCHEDULED): True,
    (Status.UNPUBLISHED, Status.SCHEDULED): True,
    (Status.SCHEDULED, Status.SCHEDULED): True,
    # Saving a live article re-publishes it (last_published_at, subscribers notified).
    (Status.PUBLISHED, Status.PUBLISHED): True,
    (Status.SCHEDULED, Status.DRAFT): True,
    (Status.PUBLISHED, Status.UNPUBLISHED): True,
    (Status.SCHEDULED, Status.UNPUBLISHED): True,
}


def user_can_publish(user) -> bool:
    return bool(user and user.has_perm(PUBLISH_PERMISSION))


def article_check_transition(
    *, user, from_status: str, to_status: str, system: bool = False
) -> None:
    """Raise if `user` may not move an article from `from_status` to `to_status`.

    `ValidationError` for a move that does not exist, `PermissionDenied` for one the user's
    role does not allow. Staying in the same status is an ordinary edit, open to anyone,
    except for a scheduled or published article: that is a reschedule or a republish.
    `system=True` is the scheduler acting on an editor's earlier decision: the move must
    still exist, but no user's permission is checked.
    """
    if from_status == to_status and (from_status, to_status) not in TRANSITIONS:
        return
    needs_publish = TRANSITIONS.get((from_status, to_status))
    if needs_publish is None:
        raise ValidationError(
            _("An article cannot go from %(from)s to %(to)s.")
            % {"from": Status(from_status).label, "to": Status(to_status).label},
            code="invalid_transition",
        )
    if needs_publish and not system and not user_can_publish(user):
        raise PermissionDenied(_("Only editors can publish, schedule or unpublish articles."))


def article_generate_slug(*, headline: str, exclude_pk: int | None = None) -> str:
    """A unique ASCII slug for `headline`, at most `SLUG_MAX_LENGTH` characters.

    Costs one query per candidate; a clash adds "-2", "-3", … .
    """
    base = slugify_ascii(headline, max_length=SLUG_MAX_LENGTH) or "artikel"
    others = Article.objects.exclude(pk=exclude_pk) if exclude_pk else Article.objects.all()
    candidate, number = base, 1
    while others.filter(slug=candidate).exists():
        number += 1
        suffix = f"-{number}"
        # Shortened at a word boundary so the number fits: "...-kata-2", never "...-kat-2".
        shorter = slugify_ascii(headline, max_length=SLUG_MAX_LENGTH - len(suffix))
        candidate = (shorter or base) + suffix
    return candidate


def article_set_status(
    *,
    article: Article,
    status: str,
    user,
    publish_at: datetime | None = None,
    system: bool = False,
) -> Article:
    """Move `article` to `status` on behalf of `user`, saving it.

    Publishing with a `publish_at` in the future schedules instead. A publish or schedule
    without a slug generates one from the headline. Raises `PermissionDenied` or
    `ValidationError` (see `article_check_transition`); nothing is saved then.
    `system=True` is only for the scheduler (`articles_publish_due`), with `user=None`.

    After the commit, subscribers hear about it: publish, an edit of a published article and
    unpublish create webhook deliveries in the same transaction (an outbox). A slug changed
    after the first publish is kept as an old slug, so its links still work.
    """
    if status == Status.PUBLISHED and publish_at and publish_at > timezone.now():
        status = Status.SCHEDULED
    with transaction.atomic():
        stored = (
            Article.objects.select_for_update().only("status", "slug").get(pk=article.pk)
            if article.pk
            else None
        )
        current = stored.status if stored else Status.DRAFT
        article_check_transition(user=user, from_status=current, to_status=status, system=system)
        now = timezone.now()
        if status in (Status.PUBLISHED, Status.SCHEDULED) and not article.slug:
            article.slug = article_generate_slug(headline=article.headline, exclude_pk=article.pk)
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
        article.full_clean()
        article.save()
        if stored and stored.slug and article.first_published_at and stored.slug != article.slug:
            article_record_old_slug(article=article, old_slug=stored.slug)
        event = _webhook_event_for(from_status=current, to_status=status)
        if event:
            webhook_event_emit(event_type=event, article=article)
        if status == Status.PUBLISHED:
            # Related reading for this article, ranked by a worker after the commit.
            related_suggestions_request(article=article)
    return article


def _webhook_event_for(*, from_status: str, to_status: str) -> str | None:
    if to_status == Status.PUBLISHED:
        return "article.updated" if from_status == Status.PUBLISHED else "article.published"
    if from_status == Status.PUBLISHED:
        return "article.unpublished"
    return None


def article_record_old_slug(*, article: Article, old_slug: str) -> None:
    """Keep `old_slug` as a redirect to `article`; a slug coming back is no longer "old".

    For callers that change a published article's slug outside `article_set_status`
    (e.g. the admin's plain content save). Two queries.
    """
    ArticleSlugHistory.objects.filter(article=article, slug=article.slug).delete()
    ArticleSlugHistory.objects.get_or_create(slug=old_slug, defaults={"article": article})


def article_change_slug(*, article: Article, slug: str, user) -> Article:
    """Give `article` a new slug; after the first publish the old one keeps working.

    Raises `PermissionDenied` for a user who may not publish (a live URL changes) and
    `ValidationError` for a malformed slug or one used by another article, now or before.
    """
    if article.first_published_at and not user_can_publish(user):
        raise PermissionDenied(_("Only editors can change the address of a published article."))
    slug = (slug or "").strip()
    validate_slug(slug)
    max_length = Article._meta.get_field("slug").max_length
    if len(slug) > max_length:
        raise ValidationError(
            {"slug": _("At most %(limit)d characters.") % {"limit": max_length}},
            code="slug_too_long",
        )
    with transaction.atomic():
        stored = Article.objects.select_for_update().only("slug").get(pk=article.pk)
        if stored.slug == slug:
            return article
        in_use = Article.objects.filter(slug=slug).exclude(pk=article.pk).exists()
        redirected = ArticleSlugHistory.objects.filter(slug=slug).exclude(article=article)
        if in_use or redirected.exists():
            raise ValidationError(
                {"slug": _("Another article uses this address, now or before.")},
                code="slug_taken",
            )
        article.slug = slug
        Article.objects.filter(pk=article.pk).update(slug=slug, updated_at=timezone.now())
        if stored.slug and article.first_published_at:
            article_record_old_slug(article=article, old_slug=stored.slug)
            if article.status == Status.PUBLISHED:
                webhook_event_emit(event_type="article.updated", article=article)
    return article


def article_notify_updated(*, article: Article) -> None:
    """Tell subscribers a published article changed (e.g. after an admin content save)."""
    if article.status == Status.PUBLISHED:
        webhook_event_emit(event_type="article.updated", article=article)


def article_ensure_slug(*, article_id: int) -> str | None:
    """Give an article without a slug one from its headline; the slug job's domain function.

    Idempotent: an article that has a slug (or is gone) is left alone. The conditional
    UPDATE means a publish that generated a slug meanwhile wins. Returns the slug.
    """
    article = Article.objects.filter(pk=article_id).only("headline", "slug").first()
    if article is None:
        return None
    if article.slug:
        return article.slug
    for _attempt in range(3):
        slug = article_generate_slug(headline=article.headline, exclude_pk=article.pk)
        try:
            with transaction.atomic():
                Article.objects.filter(pk=article.pk, slug__isnull=True).update(slug=slug)
        except IntegrityError:
            # Another article took the same slug between the check and the update.
            continue
        return Article.objects.only("slug").get(pk=article.pk).slug
    return None


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
