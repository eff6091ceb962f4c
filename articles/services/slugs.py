"""Article addresses: slugs made from headlines and claimed race-free, typed slugs checked,
old slugs kept as redirects."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import (
    Article,
    ArticleSlugHistory,
)
from articles.services.permissions import user_can_publish
from articles.signals import article_changes, articles_changed_announce
from tagging.text import slugify_ascii

Status = Article.Status


SLUG_MAX_LENGTH = 80


# A sanity bound on the candidates one headline's slug may try ("x", "x-2", … "x-1000").
SLUG_CLAIM_LIMIT = 1000


def _article_slug_candidates(headline: str):
    """Slugs for `headline` in the order they are tried, each at most `SLUG_MAX_LENGTH`
    characters: "banjir-bandung", then "banjir-bandung-2", "-3", … ."""
    base = slugify_ascii(headline, max_length=SLUG_MAX_LENGTH) or "artikel"
    yield base
    number = 1
    while True:
        number += 1
        suffix = f"-{number}"
        # Shortened at a word boundary so the number fits: "...-kata-2", never "...-kat-2".
        shorter = slugify_ascii(headline, max_length=SLUG_MAX_LENGTH - len(suffix))
        yield (shorter or base) + suffix


def _article_slug_used(*, slug: str, exclude_pk: int | None) -> bool:
    """Whether another article has `slug`, now or as an old slug (its redirect). One query."""
    others = Article.objects.exclude(pk=exclude_pk) if exclude_pk else Article.objects.all()
    return others.filter(Q(slug=slug) | Q(old_slugs__slug=slug)).exists()


def article_slugs_taken(*, slugs: Iterable[str]) -> set[str]:
    """Of `slugs`, those an article uses, now or as an old slug (`_article_slug_used` for
    many new articles at once). Two queries."""
    slugs = set(slugs)
    if not slugs:
        return set()
    return set(Article.objects.filter(slug__in=slugs).values_list("slug", flat=True)) | set(
        ArticleSlugHistory.objects.filter(slug__in=slugs).values_list("slug", flat=True)
    )


def article_generate_slug(*, headline: str, exclude_pk: int | None = None) -> str:
    """The first slug for `headline` that no other article uses, now or before; nothing is
    written, so another transaction may take it meanwhile: to give an article a slug, use
    `article_claim_slug`.

    Costs one query per candidate; a clash adds "-2", "-3", … . A slug another article was
    once published under counts as taken, so its redirect keeps working.
    """
    for candidate in _article_slug_candidates(headline):
        if not _article_slug_used(slug=candidate, exclude_pk=exclude_pk):
            return candidate
    raise AssertionError("unreachable: the candidates never end")


class SlugExhaustedError(ValidationError):
    """No free slug among the first `SLUG_CLAIM_LIMIT` candidates of a headline."""

    def __init__(self):
        super().__init__(
            {
                "slug": ValidationError(
                    _("No free address was found for this headline after %(limit)d tries; "
                      "type a slug.") % {"limit": SLUG_CLAIM_LIMIT},
                    code="slug_exhausted",
                )
            }
        )  # fmt: skip


def article_claim_slug(*, article: Article) -> str:
    """Give the saved `article` a slug made from its headline, unless it has one; returns
    the slug it ends up with.

    The one way a generated slug is set (publish, schedule, the slug job). Each candidate
    that looks free ("x", "x-2", …) is written by a conditional UPDATE inside a savepoint.
    If another transaction wrote the same candidate first, PostgreSQL's unique index makes
    this UPDATE wait until that transaction ends and then refuses it (IntegrityError): the
    next candidate is tried. So articles sharing a headline published at once each get their
    own slug. A slug given to the article meanwhile (a publish beating the slug job) is kept.
    One query per candidate, three more (savepoint, UPDATE, release) for each one written;
    after `SLUG_CLAIM_LIMIT` candidates, `SlugExhaustedError`.
    """
    for tries, candidate in enumerate(_article_slug_candidates(article.headline), start=1):
        if tries > SLUG_CLAIM_LIMIT:
            raise SlugExhaustedError()
        if _article_slug_used(slug=candidate, exclude_pk=article.pk):
            continue
        try:
            with transaction.atomic():
                claimed = Article.objects.filter(pk=article.pk, slug__isnull=True).update(
                    slug=candidate
                )
        except IntegrityError:
            continue
        if not claimed:
            return Article.objects.only("slug").get(pk=article.pk).slug
        return candidate
    raise AssertionError("unreachable: the candidates never end")


def article_check_slug_available(*, slug: str, article: Article) -> None:
    """Raise `ValidationError` (`slug_taken`) if another article uses `slug`, now or as an
    old slug whose redirect must keep working. For slugs people type; one query."""
    if _article_slug_used(slug=slug, exclude_pk=article.pk):
        raise ValidationError(
            {
                "slug": ValidationError(
                    _("Another article uses this address, now or before."), code="slug_taken"
                )
            }
        )


def article_save_typed_slug(*, article: Article, **save_kwargs) -> None:
    """`article.save()` for a save that may carry a typed slug, inside a savepoint.

    A slug another transaction took between the caller's check and this write is refused
    like one taken before (`slug_taken`); any other IntegrityError is raised as it is.
    """
    try:
        with transaction.atomic():
            article.save(**save_kwargs)
    except IntegrityError:
        if article.slug:
            article_check_slug_available(slug=article.slug, article=article)
        raise


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
    `ValidationError` for a malformed slug or one used by another article, now or before
    (`slug_taken`, also when another transaction takes it at the same moment).
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
    with transaction.atomic(), article_changes():
        stored = Article.objects.select_for_update().only("slug").get(pk=article.pk)
        if stored.slug == slug:
            return article
        article_check_slug_available(slug=slug, article=article)
        article.slug = slug
        try:
            with transaction.atomic():
                Article.objects.filter(pk=article.pk).update(slug=slug, updated_at=timezone.now())
        except IntegrityError:
            # Another transaction wrote the same slug after the check (and has committed).
            article.slug = stored.slug
            article_check_slug_available(slug=slug, article=article)
            raise
        if stored.slug and article.first_published_at:
            article_record_old_slug(article=article, old_slug=stored.slug)
        articles_changed_announce(
            article_ids=[article.pk], links=True, told=article.status == Status.PUBLISHED
        )
    return article


def article_ensure_slug(*, article_id: int) -> str | None:
    """Give an article without a slug one from its headline; the slug job's domain function.

    Idempotent: an article that has a slug (or is gone) is left alone; a publish that
    claimed a slug meanwhile wins (`article_claim_slug`). Returns the slug.
    """
    article = Article.objects.filter(pk=article_id).only("headline", "slug").first()
    if article is None:
        return None
    if article.slug:
        return article.slug
    return article_claim_slug(article=article)
