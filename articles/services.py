"""Writes that matter: every status change of an article goes through here.

The admin (form save and list actions) and, later, the write API and Celery tasks call these
functions, so the rules about who may publish live in one place.
"""

from __future__ import annotations

import difflib
import logging
from datetime import datetime, timedelta
from typing import Any, TypedDict

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import (
    Article,
    ArticleEditor,
    ArticlePhoto,
    ArticleRevision,
    ArticleSlugHistory,
    ArticleTransition,
    Author,
    Byline,
    Correction,
    RelatedLink,
    Section,
    article_times_check,
)
from articles.photos.models import Photo
from articles.signals import article_changes, articles_changed_announce
from tagging.text import slugify_ascii

logger = logging.getLogger(__name__)

Status = Article.Status

PUBLISH_PERMISSION = "articles.publish_article"
CHANGE_PERMISSION = "articles.change_article"
UNLOCK_PERMISSION = "articles.unlock_article"
SLUG_MAX_LENGTH = 80
# A sanity bound on the candidates one headline's slug may try ("x", "x-2", … "x-1000").
SLUG_CLAIM_LIMIT = 1000

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


def user_owns_article(*, user, article: Article) -> bool:
    """Whether `user` created `article` or is credited on it. One query for the bylines."""
    if not user or not user.is_authenticated or not article.pk:
        return False
    if article.created_by_id == user.pk:
        return True
    return article.bylines.filter(author__user=user).exists()


def user_can_edit_article(*, user, article: Article) -> bool:
    """Editors may edit every article; writers their own ones that are not public.

    "Own" means created by them or bylined to their author profile. Published and
    scheduled articles are the editors' responsibility.
    """
    if not user or not user.has_perm(CHANGE_PERMISSION):
        return False
    if user_can_publish(user):
        return True
    if article.status in (Status.PUBLISHED, Status.SCHEDULED):
        return False
    return not article.pk or user_owns_article(user=user, article=article)


def user_can_see_revisions(*, user, article: Article) -> bool:
    """Whether `user` may read `article`'s revisions and their diffs: editors, and writers of
    their own articles (also once public), as the write API lets them read it. Desk scoping
    is the caller's queryset's (`ArticleQuerySet.visible_to`). One query for the bylines at
    most.
    """
    if not user or not user.has_perm(CHANGE_PERMISSION):
        return False
    return user_can_publish(user) or user_owns_article(user=user, article=article)


def article_check_edit(*, user, article: Article) -> None:
    """Raise `PermissionDenied` unless `user` may change `article`'s content."""
    if not user_can_edit_article(user=user, article=article):
        raise PermissionDenied(_("You may only edit your own articles that are not public."))


def article_check_transition(
    *,
    user,
    from_status: str,
    to_status: str,
    system: bool = False,
    article: Article | None = None,
) -> None:
    """Raise if `user` may not move an article from `from_status` to `to_status`.

    `ValidationError` for a move that does not exist, `PermissionDenied` for one the user's
    role does not allow. Staying in the same status is an ordinary edit, open to anyone,
    except for a scheduled or published article: that is a reschedule or a republish.
    `system=True` is the scheduler acting on an editor's earlier decision: the move must
    still exist, but no user's permission is checked. With `article`, a writer must also own
    it (see `user_can_edit_article`).
    """
    if not system and not (user and user.has_perm(CHANGE_PERMISSION)):
        raise PermissionDenied(_("You may not change articles."))
    if (
        article is not None
        and article.pk
        and not system
        and not user_can_publish(user)
        and not user_owns_article(user=user, article=article)
    ):
        raise PermissionDenied(_("You may only move your own articles."))
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
    `ConflictError`. An article in the trash is refused.

    A publish, republish or unpublish is announced (`articles_changed`, with `told`), so
    subscribers hear of what readers may see of it. A slug changed after the first publish
    is kept as an old slug, so its links still work.
    """
    if status == Status.PUBLISHED and publish_at and publish_at > timezone.now():
        status = Status.SCHEDULED
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
        moved = current != status or (current, status) in TRANSITIONS
        if stored and moved:
            ArticleTransition.objects.create(
                article=article, user=user, from_status=current, to_status=status, note=note
            )
            article_revision_record(article=article, user=user)
        if stored and stored.slug and article.first_published_at and stored.slug != article.slug:
            article_record_old_slug(article=article, old_slug=stored.slug)
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
    return article


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


def article_notify_updated(*, article: Article) -> None:
    """The content of `article` changed (e.g. an admin content save): announced, with what
    points at it; subscribers hear of it if it is published (and readers can see it)."""
    articles_changed_announce(
        article_ids=[article.pk], links=True, told=article.status == Status.PUBLISHED
    )


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


# --- Editorial workflow (issue 6): revisions, conflicts, corrections, trash, previews -------

# Content fields a save may change; status and publish times only change through
# `article_set_status`, the author of record and the timestamps never by a save.
CONTENT_FIELDS = (
    "headline",
    "slug",
    "dek",
    "dateline",
    "body",
    "section",
    "language",
    "lead_photo",
    "embargo_until",
    "seo_title",
    "seo_description",
    "canonical_url",
)
# Kept in a revision for the record, never written back by a restore.
RECORD_ONLY_FIELDS = ("status", "published_at")
# A restore keeps the current address: changing a live URL is `article_change_slug`'s job.
RESTORE_FIELDS = tuple(name for name in CONTENT_FIELDS if name != "slug")
FOREIGN_KEY_FIELDS = {"section": Section, "lead_photo": Photo}
TEXT_DIFF_FIELDS = frozenset({"headline", "dek", "body", "seo_title", "seo_description"})

PREVIEW_SALT = "articles.preview"
PREVIEW_MAX_AGE = timedelta(minutes=15)
SOFT_LOCK_SECONDS = 120
CORRECTION_MAX_LENGTH = 2000


class FieldChange(TypedDict):
    """One line of a readable diff. `segments` only for text: (op, text) with op one of
    "equal", "insert", "delete"."""

    field: str
    label: str
    old: str
    new: str
    segments: list[tuple[str, str]]


class ConflictError(ValidationError):
    """A save based on an older version of the article; nothing was saved.

    `current_version` is the stored version; `changes` what other saves changed since the
    version the caller loaded (empty when no revision of that version exists).
    """

    def __init__(self, message: str, *, current_version: int, changes: list[FieldChange]):
        super().__init__(message, code="conflict")
        self.current_version = current_version
        self.changes = changes


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def article_snapshot(*, article: Article) -> dict[str, Any]:
    """The JSON a revision stores: fields, bylines, tags, related reading, inline photos.

    Labels (section name, author names, headlines of linked articles) are copied so a diff
    stays readable after those rows change. Costs five queries.
    """
    fields = {
        name: _plain(getattr(article, Article._meta.get_field(name).attname))
        for name in (*CONTENT_FIELDS, *RECORD_ONLY_FIELDS)
    }
    labels = {
        "section": str(article.section) if article.section_id else "",
        "lead_photo": str(article.lead_photo) if article.lead_photo_id else "",
    }
    bylines = [
        {"author": b.author_id, "name": b.author.name}
        for b in article.bylines.select_related("author").order_by("position", "id")
    ]
    tags = sorted(article.tags.values_list("name", flat=True))
    links = [
        {
            "target_article": link.target_article_id,
            "target_headline": link.target_article.headline if link.target_article_id else "",
            "url": link.url,
            "title": link.title,
            "label": link.label,
            "after_paragraph": link.after_paragraph,
            "position": link.position,
        }
        for link in article.related_links.select_related("target_article").order_by(
            "after_paragraph", "position", "id"
        )
    ]
    photos = [
        {
            "photo": placement.photo_id,
            "label": str(placement.photo),
            "after_paragraph": placement.after_paragraph,
            "position": placement.position,
            "caption_override": placement.caption_override,
        }
        for placement in article.article_photos.select_related("photo").order_by(
            "after_paragraph", "position", "id"
        )
    ]
    return {
        "fields": fields,
        "labels": labels,
        "bylines": bylines,
        "tags": tags,
        "related_links": links,
        "photos": photos,
    }


def article_revision_record(*, article: Article, user, bump: bool = True) -> ArticleRevision:
    """Store the article's current state as a new revision, raising its version by one.

    The caller holds the row lock (`select_for_update`) and has saved everything. The
    revision's number is the new version, so "version N" and "revision N" are the same
    state. While the article is published, the new revision is the live one.
    `bump=False` is for a new article (version 1, revision 1).
    """
    if bump:
        Article.objects.filter(pk=article.pk).update(version=F("version") + 1)
        article.version = Article.objects.only("version").get(pk=article.pk).version
    revision = ArticleRevision.objects.create(
        article=article,
        number=article.version,
        data=article_snapshot(article=article),
        created_by=user if user and user.is_authenticated else None,
    )
    if article.status == Status.PUBLISHED:
        Article.objects.filter(pk=article.pk).update(live_revision=revision)
        article.live_revision = revision
    return revision


def _display(name: str, value: Any, labels: dict[str, str]) -> str:
    if value in (None, ""):
        return ""
    if name in labels and labels[name]:
        return labels[name]
    if name == "status":
        return str(Status(value).label)
    return str(value)


def _text_segments(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level diff of two texts with difflib: runs of equal, deleted and inserted words."""
    old_words, new_words = old.split(" "), new.split(" ")
    segments: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("equal", " ".join(old_words[a1:a2])))
            continue
        if a2 > a1:
            segments.append(("delete", " ".join(old_words[a1:a2])))
        if b2 > b1:
            segments.append(("insert", " ".join(new_words[b1:b2])))
    return segments


def _list_lines(name: str, items: list[dict[str, Any]]) -> str:
    if name == "bylines":
        return ", ".join(item["name"] for item in items)
    if name == "related_links":
        return "\n".join(
            f"{item['label'] or '-'}: {item['target_headline'] or item['title']} "
            f"({item['url'] or 'article ' + str(item['target_article'])}) "
            f"after paragraph {item['after_paragraph']}"
            for item in items
        )
    return "\n".join(
        f"{item['label']} after paragraph {item['after_paragraph']}"
        + (f" ({item['caption_override']})" if item["caption_override"] else "")
        for item in items
    )


def article_snapshots_diff(*, old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """Field-by-field differences between two snapshots, in form order."""
    changes: list[FieldChange] = []
    old_fields, new_fields = old.get("fields", {}), new.get("fields", {})
    for name in (*CONTENT_FIELDS, *RECORD_ONLY_FIELDS):
        before, after = old_fields.get(name), new_fields.get(name)
        if before == after:
            continue
        old_text = _display(name, before, old.get("labels", {}))
        new_text = _display(name, after, new.get("labels", {}))
        changes.append(
            FieldChange(
                field=name,
                label=str(Article._meta.get_field(name).verbose_name),
                old=old_text,
                new=new_text,
                segments=_text_segments(old_text, new_text) if name in TEXT_DIFF_FIELDS else [],
            )
        )
    for name, label in (
        ("bylines", _("bylines")),
        ("tags", _("tags")),
        ("related_links", _("related reading")),
        ("photos", _("inline photos")),
    ):
        before, after = old.get(name, []), new.get(name, [])
        if before == after:
            continue
        if name == "tags":
            old_text, new_text = ", ".join(before), ", ".join(after)
        else:
            old_text, new_text = _list_lines(name, before), _list_lines(name, after)
        changes.append(
            FieldChange(field=name, label=label, old=old_text, new=new_text, segments=[])
        )
    return changes


def article_revisions_diff(*, old: ArticleRevision, new: ArticleRevision) -> list[FieldChange]:
    """A readable diff between two revisions of one article (no query)."""
    if old.article_id != new.article_id:
        raise ValidationError(_("Both revisions must belong to the same article."), code="mixed")
    return article_snapshots_diff(old=old.data, new=new.data)


def article_conflict(*, article: Article, expected_version: int) -> ConflictError:
    """The `ConflictError` for a save based on `expected_version`: what changed since, who."""
    revisions = list(
        ArticleRevision.objects.filter(article_id=article.pk, number__gte=expected_version)
        .select_related("created_by")
        .order_by("number")
    )
    current = Article.objects.only("version").get(pk=article.pk).version
    changes: list[FieldChange] = []
    who = ""
    if len(revisions) >= 2 and revisions[0].number == expected_version:
        changes = article_snapshots_diff(old=revisions[0].data, new=revisions[-1].data)
        names = sorted({str(r.created_by) for r in revisions[1:] if r.created_by} or {"?"})
        who = ", ".join(names)
    message = _(
        "Someone else saved this article meanwhile (version %(current)s; yours was based on "
        "version %(expected)s%(who)s). Nothing of yours was saved: compare, then re-apply "
        "your changes."
    ) % {
        "current": current,
        "expected": expected_version,
        "who": _(", by %(names)s") % {"names": who} if who else "",
    }
    return ConflictError(message, current_version=current, changes=changes)


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


def article_revision_baseline(*, article: Article) -> None:
    """Give an article without a revision of its current version one, from the database.

    For articles from before revisions (or bulk imports): the state a save starts from is
    kept, so a later conflict or the history can show what changed. One query when the
    revision exists.
    """
    if ArticleRevision.objects.filter(article_id=article.pk, number=article.version).exists():
        return
    stored = Article.objects.get(pk=article.pk)
    article_revision_record(article=stored, user=None, bump=False)


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


# --- Corrections, embargo, trash ---


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


# --- Previews ---


def article_preview_token(*, article: Article, revision: ArticleRevision, user) -> str:
    """A signed link token for `revision` of `article`, valid for `PREVIEW_MAX_AGE`.

    Editors only. Bound to the article, the revision and the user: it stops working when
    the user loses the right to publish.
    """
    if not user_can_publish(user):
        raise PermissionDenied(_("Only editors can create preview links."))
    if revision.article_id != article.pk:
        raise ValidationError(_("That revision belongs to another article."), code="mixed")
    signer = signing.TimestampSigner(salt=PREVIEW_SALT)
    return signer.sign_object({"a": article.pk, "r": revision.pk, "u": user.pk})


def article_preview_resolve(*, token: str) -> ArticleRevision | None:
    """The revision a preview token grants, or None when expired, tampered or revoked."""
    from django.contrib.auth import get_user_model

    signer = signing.TimestampSigner(salt=PREVIEW_SALT)
    try:
        payload = signer.unsign_object(token, max_age=PREVIEW_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(payload, dict) or not all(
        isinstance(payload.get(key), int) for key in ("a", "r", "u")
    ):
        return None
    user = get_user_model().objects.filter(pk=payload["u"], is_active=True).first()
    if not user_can_publish(user):
        return None
    return (
        ArticleRevision.objects.select_related("article")
        .filter(pk=payload["r"], article_id=payload["a"], article__deleted_at__isnull=True)
        .first()
    )


# --- Soft locks ---


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


# --- Hard locks ---

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


def user_display_name(user) -> str:
    """A colleague's name for messages: full name, else username (never the e-mail)."""
    return user.get_full_name() or user.get_username()


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


def article_record_ignored_fields(*, article: Article, user, fields: list[str]) -> None:
    """Write to the audit log that `user` posted `fields` of `article` that their form does
    not offer (and so ignored): a forged request, or a stale or tampered page. A status
    "change" to the same status with a note, as an unlock by someone else is recorded."""
    ArticleTransition.objects.create(
        article=article,
        user=user,
        from_status=article.status,
        to_status=article.status,
        note=_("Ignored fields the form does not offer: %(fields)s.")
        % {"fields": ", ".join(fields)},
    )
