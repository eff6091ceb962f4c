"""Writes that matter: every status change of an article goes through here.

The admin (form save and list actions) and, later, the write API and Celery tasks call these
functions, so the rules about who may publish live in one place.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import Article
from tagging.text import slugify_ascii

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
    (Status.SCHEDULED, Status.DRAFT): True,
    (Status.PUBLISHED, Status.UNPUBLISHED): True,
    (Status.SCHEDULED, Status.UNPUBLISHED): True,
}


def user_can_publish(user) -> bool:
    return bool(user and user.has_perm(PUBLISH_PERMISSION))


def article_check_transition(*, user, from_status: str, to_status: str) -> None:
    """Raise if `user` may not move an article from `from_status` to `to_status`.

    `ValidationError` for a move that does not exist, `PermissionDenied` for one the user's
    role does not allow. Staying in the same status is always allowed (an ordinary edit).
    """
    if from_status == to_status and to_status != Status.SCHEDULED:
        return
    needs_publish = TRANSITIONS.get((from_status, to_status))
    if needs_publish is None:
        raise ValidationError(
            _("An article cannot go from %(from)s to %(to)s.")
            % {"from": Status(from_status).label, "to": Status(to_status).label},
            code="invalid_transition",
        )
    if needs_publish and not user_can_publish(user):
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
        candidate = base[: SLUG_MAX_LENGTH - len(suffix)].rstrip("-") + suffix
    return candidate


def article_set_status(
    *,
    article: Article,
    status: str,
    user,
    publish_at: datetime | None = None,
) -> Article:
    """Move `article` to `status` on behalf of `user`, saving it.

    Publishing with a `publish_at` in the future schedules instead. A publish or schedule
    without a slug generates one from the headline. Raises `PermissionDenied` or
    `ValidationError` (see `article_check_transition`); nothing is saved then.
    """
    if status == Status.PUBLISHED and publish_at and publish_at > timezone.now():
        status = Status.SCHEDULED
    with transaction.atomic():
        current = (
            Article.objects.select_for_update().only("status").get(pk=article.pk).status
            if article.pk
            else Status.DRAFT
        )
        article_check_transition(user=user, from_status=current, to_status=status)
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
    return article


def article_submit_for_review(*, article: Article, user) -> Article:
    return article_set_status(article=article, status=Status.IN_REVIEW, user=user)


def article_publish(*, article: Article, user, publish_at: datetime | None = None) -> Article:
    """Publish now, or schedule when `publish_at` lies in the future."""
    return article_set_status(
        article=article, status=Status.PUBLISHED, user=user, publish_at=publish_at
    )


def article_unpublish(*, article: Article, user) -> Article:
    return article_set_status(article=article, status=Status.UNPUBLISHED, user=user)
