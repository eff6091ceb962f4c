"""Revisions: the snapshot each save stores, readable diffs, version conflicts, and the
audit of what a form ignored."""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils.translation import gettext as _

from articles.models import (
    Article,
    ArticleRevision,
    ArticleTransition,
    Section,
)
from articles.photos.models import Photo

Status = Article.Status


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
    stays readable after those rows change. Costs five queries (the rows, read here; see
    `article_snapshot_of` for rows held in memory).
    """
    return article_snapshot_of(
        fields=article_snapshot_fields(article=article),
        bylines=list(article.bylines.select_related("author").order_by("position", "id")),
        tags=list(article.tags.values_list("name", flat=True)),
        related_links=list(
            article.related_links.select_related("target_article").order_by(
                "after_paragraph", "position", "id"
            )
        ),
        photos=list(
            article.article_photos.select_related("photo").order_by(
                "after_paragraph", "position", "id"
            )
        ),
    )


def article_snapshot_fields(*, article: Article) -> dict[str, Any]:
    """The `fields` and `labels` part of a snapshot of `article` as it is in memory (no
    query when its section and lead photo are loaded)."""
    return {
        "fields": {
            name: _plain(getattr(article, Article._meta.get_field(name).attname))
            for name in (*CONTENT_FIELDS, *RECORD_ONLY_FIELDS)
        },
        "labels": {
            "section": str(article.section) if article.section_id else "",
            "lead_photo": str(article.lead_photo) if article.lead_photo_id else "",
        },
    }


def article_snapshot_of(
    *,
    fields: dict[str, Any],
    bylines: list,
    tags: list[str],
    related_links: list,
    photos: list,
) -> dict[str, Any]:
    """A snapshot (`article_snapshot`) from `fields` (`article_snapshot_fields`) and the
    article's rows, given in their order (bylines by position; related links and photos by
    paragraph and position) with their authors, targets and photos loaded: no query. The
    one place a snapshot's shape is made, for a save (rows read back) and a bulk import
    (rows in memory, `articles_create_bulk`)."""
    return {
        **fields,
        "bylines": [{"author": b.author_id, "name": b.author.name} for b in bylines],
        "tags": sorted(tags),
        "related_links": [
            {
                "target_article": link.target_article_id,
                "target_headline": link.target_article.headline if link.target_article_id else "",
                "url": link.url,
                "title": link.title,
                "label": link.label,
                "after_paragraph": link.after_paragraph,
                "position": link.position,
            }
            for link in related_links
        ],
        "photos": [
            {
                "photo": placement.photo_id,
                "label": str(placement.photo),
                "after_paragraph": placement.after_paragraph,
                "position": placement.position,
                "caption_override": placement.caption_override,
            }
            for placement in photos
        ],
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
