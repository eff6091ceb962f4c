"""Content writes: create a draft, save an edit (fields, bylines, tags, related reading,
inline photos), restore a revision, add a correction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import (
    Article,
    ArticlePhoto,
    ArticleRevision,
    Author,
    Byline,
    Correction,
    RelatedLink,
    article_times_check,
)
from articles.photos.models import Photo
from articles.services.locks import article_lock
from articles.services.permissions import article_check_edit, user_can_publish
from articles.services.revisions import (
    CONTENT_FIELDS,
    FOREIGN_KEY_FIELDS,
    RESTORE_FIELDS,
    article_revision_record,
)
from articles.services.slugs import (
    article_check_slug_available,
    article_record_old_slug,
    article_save_typed_slug,
)
from articles.signals import article_changes, articles_changed_announce

Status = Article.Status


def article_notify_updated(*, article: Article) -> None:
    """The content of `article` changed (e.g. an admin content save): announced, with what
    points at it; subscribers hear of it if it is published (and readers can see it)."""
    articles_changed_announce(
        article_ids=[article.pk], links=True, told=article.status == Status.PUBLISHED
    )


CORRECTION_MAX_LENGTH = 2000


def _apply_fields(*, article: Article, data: dict[str, Any]) -> None:
    unknown = sorted(set(data) - set(CONTENT_FIELDS))
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be set here.") for name in unknown}, code="unknown_field"
        )
    for name, value in data.items():
        if name in FOREIGN_KEY_FIELDS and not isinstance(value, models.Model | None):
            setattr(article, Article._meta.get_field(name).attname, value)
        else:
            setattr(article, name, value)


def _set_related(
    *,
    article: Article,
    bylines: list[Author] | None,
    tags: list[str] | None,
    related_links: list[dict[str, Any]] | None,
    photos: list[dict[str, Any]] | None,
) -> None:
    """Replace the given relations (None leaves one alone), validating each row."""
    if bylines is not None:
        if not bylines:
            raise ValidationError({"bylines": _("An article needs at least one byline.")})
        if len({author.pk for author in bylines}) != len(bylines):
            raise ValidationError({"bylines": _("Each author may appear only once.")})
        article.bylines.all().delete()
        Byline.objects.bulk_create(
            Byline(article=article, author=author, position=position)
            for position, author in enumerate(bylines)
        )
    if tags is not None:
        names = [name.strip() for name in tags if name and name.strip()]
        article.tags.set(names, clear=True)
    if related_links is not None:
        article.related_links.all().delete()
        for row in related_links:
            link = RelatedLink(article=article, **row)
            try:
                link.full_clean()
            except ValidationError as exc:
                raise ValidationError({"related_links": exc.messages}) from exc
            link.save()
    if photos is not None:
        article.article_photos.all().delete()
        for row in photos:
            placement = ArticlePhoto(article=article, **row)
            try:
                placement.full_clean()
            except ValidationError as exc:
                raise ValidationError({"photos": exc.messages}) from exc
            placement.save()


def article_create(
    *,
    user,
    data: dict[str, Any],
    bylines: list[Author],
    tags: list[str] | None = None,
    related_links: list[dict[str, Any]] | None = None,
    photos: list[dict[str, Any]] | None = None,
) -> Article:
    """Create a draft as `user` (its author of record), with revision 1."""
    if not (user and user.has_perm("articles.add_article")):
        raise PermissionDenied(_("You may not create articles."))
    with transaction.atomic():
        article = Article(created_by=user, status=Status.DRAFT, version=1)
        _apply_fields(article=article, data=data)
        if article.slug:
            article_check_slug_available(slug=article.slug, article=article)
        article.full_clean()
        article_times_check(published_at=article.published_at, embargo_until=article.embargo_until)
        article_save_typed_slug(article=article)
        _set_related(
            article=article, bylines=bylines, tags=tags, related_links=related_links, photos=photos
        )
        article_revision_record(article=article, user=user, bump=False)
    return article


def article_save(
    *,
    article: Article,
    user,
    expected_version: int | None,
    data: dict[str, Any] | None = None,
    bylines: list[Author] | None = None,
    tags: list[str] | None = None,
    related_links: list[dict[str, Any]] | None = None,
    photos: list[dict[str, Any]] | None = None,
) -> Article:
    """Save content changes made on top of `expected_version`; stores a revision.

    `data` holds `CONTENT_FIELDS` only (a foreign key as instance or pk); status and publish
    times go through `article_set_status`. A stale `expected_version` raises `ConflictError`
    listing what changed meanwhile; nothing is saved then. A published article stays
    published and subscribers hear about the edit.
    """
    with transaction.atomic(), article_changes():
        stored = article_lock(article=article, expected_version=expected_version, user=user)
        article_check_edit(user=user, article=stored)
        stored_slug, stored_embargo_until = stored.slug, stored.embargo_until
        _apply_fields(article=stored, data=data or {})
        if stored.slug and stored.slug != stored_slug:
            article_check_slug_available(slug=stored.slug, article=stored)
        stored.full_clean()
        article_times_check(
            published_at=stored.published_at,
            embargo_until=stored.embargo_until,
            stored_published_at=stored.published_at,
            stored_embargo_until=stored_embargo_until,
        )
        if stored.status in (Status.PUBLISHED, Status.SCHEDULED) and not stored.slug:
            raise ValidationError({"slug": _("A published article needs a slug.")})
        article_save_typed_slug(article=stored)
        _set_related(
            article=stored, bylines=bylines, tags=tags, related_links=related_links, photos=photos
        )
        if stored_slug and stored.first_published_at and stored_slug != stored.slug:
            article_record_old_slug(article=stored, old_slug=stored_slug)
        article_revision_record(article=stored, user=user)
        article_notify_updated(article=stored)
    return stored


def article_revision_restore(
    *, article: Article, revision: ArticleRevision, user, expected_version: int | None = None
) -> ArticleRevision:
    """Make `revision`'s content current again; the restore is itself a new revision.

    Restores `RESTORE_FIELDS`, bylines, tags, related reading and inline photos; status,
    publish times, slug and corrections stay as they are. Rows that no longer exist (a
    deleted linked article) are left out. Returns the new revision.
    """
    if revision.article_id != article.pk:
        raise ValidationError(_("That revision belongs to another article."), code="mixed")
    data = revision.data
    fields = {name: data["fields"].get(name) for name in RESTORE_FIELDS}
    if fields["embargo_until"]:
        embargo_until = datetime.fromisoformat(fields["embargo_until"])
        # An embargo that has ended since holds nothing back: the current one stays.
        if embargo_until <= timezone.now():
            embargo_until = Article.objects.values_list("embargo_until", flat=True).get(
                pk=article.pk
            )
        fields["embargo_until"] = embargo_until
    if fields["lead_photo"] and not Photo.objects.filter(pk=fields["lead_photo"]).exists():
        fields["lead_photo"] = None
    authors = Author.objects.in_bulk([row["author"] for row in data.get("bylines", [])])
    bylines = [
        authors[row["author"]] for row in data.get("bylines", []) if row["author"] in authors
    ]
    live_targets = set(
        Article.objects.filter(
            pk__in=[r["target_article"] for r in data.get("related_links", [])]
        ).values_list("pk", flat=True)
    )
    links = [
        {
            "target_article_id": row["target_article"],
            "url": row["url"],
            "title": row["title"],
            "label": row["label"],
            "after_paragraph": row["after_paragraph"],
            "position": row["position"],
        }
        for row in data.get("related_links", [])
        if row["target_article"] is None or row["target_article"] in live_targets
    ]
    photo_ids = set(
        Photo.objects.filter(pk__in=[r["photo"] for r in data.get("photos", [])]).values_list(
            "pk", flat=True
        )
    )
    photos = [
        {
            "photo_id": row["photo"],
            "after_paragraph": row["after_paragraph"],
            "position": row["position"],
            "caption_override": row["caption_override"],
        }
        for row in data.get("photos", [])
        if row["photo"] in photo_ids
    ]
    with transaction.atomic(), article_changes():
        current = Article.objects.only("version").get(pk=article.pk).version
        saved = article_save(
            article=article,
            user=user,
            expected_version=current if expected_version is None else expected_version,
            data=fields,
            bylines=bylines,
            tags=data.get("tags", []),
            related_links=links,
            photos=photos,
        )
        return saved.revisions.order_by("-number").first()


def article_add_correction(*, article: Article, text: str, user) -> Correction:
    """Append a dated correction note (editors only); it never changes with later edits.

    Touches `updated_at` and tells subscribers about a published article.
    """
    if not user_can_publish(user):
        raise PermissionDenied(_("Only editors can add corrections."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what was corrected.")}, code="required")
    if len(text) > CORRECTION_MAX_LENGTH:
        raise ValidationError(
            {"text": _("At most %(limit)d characters.") % {"limit": CORRECTION_MAX_LENGTH}},
            code="max_length",
        )
    with transaction.atomic(), article_changes():
        correction = Correction.objects.create(article=article, text=text, created_by=user)
        Article.objects.filter(pk=article.pk).update(updated_at=correction.created_at)
        article.updated_at = correction.created_at
        article_notify_updated(article=article)
    return correction
