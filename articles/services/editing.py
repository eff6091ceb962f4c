"""Content writes: create a draft, save an edit (fields, bylines, tags, related reading,
inline photos), restore a revision, add a correction."""

from __future__ import annotations

from collections.abc import Sequence
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
    article_record_ignored_fields,
    article_revision_record,
)
from articles.services.slugs import (
    article_check_slug_available,
    article_record_old_slug,
    article_save_typed_slug,
)
from articles.services.workflow import (
    article_status_apply,
    article_status_recorded,
    article_status_target,
)
from articles.signals import article_changes, articles_changed_announce
from tagging.models import TopicTag

Status = Article.Status


def article_notify_updated(*, article: Article) -> None:
    """The content of `article` changed (e.g. an admin content save): announced, with what
    points at it; subscribers hear of it if it is published (and readers can see it)."""
    articles_changed_announce(
        article_ids=[article.pk], links=True, told=article.status == Status.PUBLISHED
    )


CORRECTION_MAX_LENGTH = 2000


def article_fields_apply(*, article: Article, data: dict[str, Any]) -> None:
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


def _replace_rows(
    *,
    stored,
    wanted: list[models.Model],
    fields: tuple[str, ...],
    field_name: str,
    bulk: bool = False,
) -> None:
    """Make the rows of `stored` (a queryset, None for a new article) the `wanted` ones
    (unsaved). A stored row equal in `fields` to a wanted one is kept as it is, with its id,
    so the rows of a form opened before stay valid; the others are deleted and the new ones
    saved. Each wanted row is validated first (errors under `field_name`), except with
    `bulk` (rows the caller checked, saved in one INSERT)."""
    for row in wanted if not bulk else ():
        try:
            row.full_clean()
        except ValidationError as exc:
            raise ValidationError({field_name: exc.messages}) from exc
    unmatched: dict[tuple, list[models.Model]] = {}
    for row in stored if stored is not None else ():
        unmatched.setdefault(tuple(getattr(row, name) for name in fields), []).append(row)
    new = []
    for row in wanted:
        same = unmatched.get(tuple(getattr(row, name) for name in fields))
        if same:
            same.pop()
        else:
            new.append(row)
    gone = [row.pk for rows in unmatched.values() for row in rows]
    if gone:
        stored.filter(pk__in=gone).delete()
    if bulk and new:
        type(new[0]).objects.bulk_create(new)
    elif not bulk:
        for row in new:
            row.save()


def _set_related(
    *,
    article: Article,
    bylines: list[Author] | None,
    tags: list[str | TopicTag] | None,
    related_links: list[dict[str, Any]] | None,
    photos: list[dict[str, Any]] | None,
    created: bool = False,
) -> None:
    """Replace the given relations (None leaves one alone), validating each row; rows that
    stay the same are kept (`_replace_rows`). `created`: the article has none yet."""
    if bylines is not None:
        bylines_check(bylines)
        _replace_rows(
            stored=None if created else article.bylines.all(),
            wanted=[
                Byline(article=article, author=author, position=position)
                for position, author in enumerate(bylines)
            ],
            fields=("author_id", "position"),
            field_name="bylines",
            bulk=True,
        )
    if tags is not None:
        # Names (typed or from the API) or tags (the admin's autocomplete).
        names = [tag.strip() if isinstance(tag, str) else tag for tag in tags]
        article.tags.set([tag for tag in names if tag], clear=created)
    if related_links is not None:
        _replace_rows(
            stored=None if created else article.related_links.all(),
            wanted=[RelatedLink(article=article, **row) for row in related_links],
            fields=RELATED_LINK_FIELDS,
            field_name="related_links",
        )
    if photos is not None:
        _replace_rows(
            stored=None if created else article.article_photos.all(),
            wanted=[ArticlePhoto(article=article, **row) for row in photos],
            fields=("photo_id", "after_paragraph", "position", "caption_override"),
            field_name="photos",
        )


def bylines_check(bylines: list[Author]) -> None:
    if not bylines:
        raise ValidationError({"bylines": _("An article needs at least one byline.")})
    if len({author.pk for author in bylines}) != len(bylines):
        raise ValidationError({"bylines": _("Each author may appear only once.")})


# What makes two related-reading rows the same row.
RELATED_LINK_FIELDS = ("target_article_id", "url", "title", "label", "after_paragraph", "position")


def article_create(
    *,
    user,
    data: dict[str, Any],
    bylines: list[Author],
    tags: list[str | TopicTag] | None = None,
    related_links: list[dict[str, Any]] | None = None,
    photos: list[dict[str, Any]] | None = None,
    status: str | None = None,
    publish_at: datetime | None = None,
    correction: str = "",
    ignored_fields: Sequence[str] = (),
) -> Article:
    """Create a draft as `user` (its author of record), with revision 1.

    With `status` (and `publish_at`) other than draft, or a `correction`, the new draft is
    then saved once more by `article_save` in the same transaction: a move is a revision of
    its own, as for an existing article. `ignored_fields` as in `article_save`.
    """
    if not (user and user.has_perm("articles.add_article")):
        raise PermissionDenied(_("You may not create articles."))
    with transaction.atomic(), article_changes():
        article = Article(created_by=user, status=Status.DRAFT, version=1)
        article_fields_apply(article=article, data=data)
        if article.slug:
            article_check_slug_available(slug=article.slug, article=article)
        article.full_clean()
        article_times_check(published_at=article.published_at, embargo_until=article.embargo_until)
        article_save_typed_slug(article=article)
        _set_related(
            article=article,
            bylines=bylines,
            tags=tags,
            related_links=related_links,
            photos=photos,
            created=True,
        )
        if ignored_fields:
            article_record_ignored_fields(article=article, user=user, fields=list(ignored_fields))
        article_revision_record(article=article, user=user, bump=False)
        if (status and status != Status.DRAFT) or correction:
            article = article_save(
                article=article,
                user=user,
                expected_version=article.version,
                status=status,
                publish_at=publish_at,
                correction=correction,
            )
    return article


def article_save(
    *,
    article: Article,
    user,
    expected_version: int | None,
    data: dict[str, Any] | None = None,
    bylines: list[Author] | None = None,
    tags: list[str | TopicTag] | None = None,
    related_links: list[dict[str, Any]] | None = None,
    photos: list[dict[str, Any]] | None = None,
    status: str | None = None,
    publish_at: datetime | None = None,
    correction: str = "",
    ignored_fields: Sequence[str] = (),
) -> Article:
    """Save content changes made on top of `expected_version`; stores one revision and
    saves the article row once.

    `data` holds `CONTENT_FIELDS` only (a foreign key as instance or pk); the relations
    replace the stored ones (None leaves one alone). With `status`, the article also moves
    there (`article_status_apply`: a publish at a future `publish_at` schedules), or, when
    that is no move, takes `publish_at` as its publish time (an editor's correction of it).
    Without `status`, status and publish times stay as they are (`article_set_status`
    changes them alone). `correction` adds a correction note (`article_add_correction`'s
    rules); `ignored_fields` names fields the caller's form did not offer but were posted,
    written to the audit log (`article_record_ignored_fields`).

    A stale `expected_version` raises `ConflictError` listing what changed meanwhile; any
    refusal (`ValidationError`, `PermissionDenied`, `ArticleLockedError`) saves nothing. A
    published article stays published and subscribers hear about the edit.
    """
    with transaction.atomic(), article_changes():
        stored = article_lock(article=article, expected_version=expected_version, user=user)
        article_check_edit(user=user, article=stored)
        stored_slug, stored_status = stored.slug, stored.status
        stored_published_at, stored_embargo_until = stored.published_at, stored.embargo_until
        if ignored_fields:
            article_record_ignored_fields(article=stored, user=user, fields=list(ignored_fields))
        article_fields_apply(article=stored, data=data or {})
        if stored.slug and stored.slug != stored_slug:
            article_check_slug_available(slug=stored.slug, article=stored)
        moved = False
        if status is not None:
            status = article_status_target(status=status, publish_at=publish_at)
            moved = status != stored_status or (
                status == Status.SCHEDULED and publish_at != stored_published_at
            )
            if moved:
                article_status_apply(
                    article=stored,
                    current=stored_status,
                    status=status,
                    user=user,
                    publish_at=publish_at,
                )
            else:
                if (
                    stored.status == Status.PUBLISHED
                    and publish_at is not None
                    and stored.first_published_at == stored_published_at
                ):
                    # A correction of the time readers see as the first publish: a later
                    # republish keeps it (`article_status_apply`).
                    stored.first_published_at = publish_at
                stored.published_at = publish_at
        if correction:
            correction = _correction_checked(text=correction, user=user)
        stored.full_clean()
        article_times_check(
            published_at=stored.published_at,
            embargo_until=stored.embargo_until,
            stored_published_at=stored_published_at,
            stored_embargo_until=stored_embargo_until,
        )
        if stored.status in (Status.PUBLISHED, Status.SCHEDULED) and not stored.slug:
            raise ValidationError({"slug": _("A published article needs a slug.")})
        article_save_typed_slug(article=stored)
        _set_related(
            article=stored, bylines=bylines, tags=tags, related_links=related_links, photos=photos
        )
        if correction:
            Correction.objects.create(article=stored, text=correction, created_by=user)
        if moved:
            article_status_recorded(article=stored, current=stored_status, status=status, user=user)
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


def _correction_checked(*, text: str, user) -> str:
    """The correction note to store, or raise: editors only, not empty, not too long."""
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
    return text


def article_add_correction(*, article: Article, text: str, user) -> Correction:
    """Append a dated correction note (editors only); it never changes with later edits.

    Touches `updated_at` and tells subscribers about a published article. (A correction
    made with an edit is `article_save`'s `correction`.)
    """
    text = _correction_checked(text=text, user=user)
    with transaction.atomic(), article_changes():
        correction = Correction.objects.create(article=article, text=text, created_by=user)
        Article.objects.filter(pk=article.pk).update(updated_at=correction.created_at)
        article.updated_at = correction.created_at
        article_notify_updated(article=article)
    return correction
