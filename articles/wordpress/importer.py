"""Import WordPress exports (WXR) through the editing services.

`wordpress_import` reads every file to its end first (`wxr_read`): a file that cannot be
read writes nothing. Then it imports, file by file: authors, categories (sections) and tags
as the channel lists them, then each post in its own transaction, written with
`article_create` / `article_save` like an editor's save (revisions, the published world,
tags and search follow). Attachments become photos when a post needs them or when the
file lists them, if their file can be had (`--media-dir`, `--fetch-media`).

Each WordPress object remembers what it became (`WordPressObject`) with a hash of the
mapped content: a second run updates what changed in WordPress and leaves the rest alone,
and an interrupted run is finished by running it again. An article an editor changed here
since its import (its version moved on) is reported, not overwritten, unless
`overwrite_edited`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article, Author, Section
from articles.models.search import Language
from articles.photos.models import Photo
from articles.photos.services import photo_create
from articles.services import (
    article_create,
    article_save,
    article_set_status,
    article_trash,
    user_can_publish,
)
from articles.services.slugs import SLUG_MAX_LENGTH, article_check_slug_available
from articles.wordpress.body import LinkRef, PhotoRef, caption_credit, convert_body, plain_text
from articles.wordpress.media import MediaFetchError, media_fetch
from articles.wordpress.models import (
    WordPressObject,
    WordPressPermalink,
    WordPressSite,
    permalink_key,
)
from articles.wordpress.wxr import Channel, WxrAuthor, WxrItem, WxrTerm, wxr_read
from tagging.services import tags_resolve_or_create
from tagging.text import slugify_ascii

logger = logging.getLogger(__name__)

Kind = WordPressObject.Kind
Status = Article.Status

STATUS_MAP = {
    "publish": Status.PUBLISHED,
    "future": Status.SCHEDULED,
    "draft": Status.DRAFT,
    "pending": Status.IN_REVIEW,
    "private": Status.DRAFT,
    "trash": "trash",
}
SKIPPED_TYPES = {
    "page": "page",
    "nav_menu_item": "menu item",
    "revision": "revision",
    "wp_block": "reusable block",
    "custom_css": "custom CSS",
    "wp_navigation": "navigation menu",
    "wp_template": "template",
    "wp_template_part": "template part",
    "wp_global_styles": "global styles",
}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp"}
MAX_WARNINGS = 1000
_SIZE_SUFFIX = re.compile(r"-\d+x\d+(?=\.\w+$)")
_NOT_LOGIN = re.compile(r"[<>\s\"']")


class ImportOptionsError(ValueError):
    """A map file or option that cannot be used; nothing was imported."""


@dataclass
class ImportOptions:
    dry_run: bool = False
    overwrite_edited: bool = False
    media_dir: str = ""
    fetch_media: bool = False
    # WordPress category slug -> our section slug; WordPress login -> our author slug.
    section_map: dict[str, str] = field(default_factory=dict)
    author_map: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportSummary:
    """What an import did: outcomes per kind ("post", "created"), skips per kind and
    reason, and warnings ("post 123: …")."""

    outcomes: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0
    items: int = 0

    def count(self, kind: str, outcome: str) -> None:
        self.outcomes[(kind, outcome)] += 1

    def skip(self, kind: str, reason: str) -> None:
        self.outcomes[(kind, "skipped")] += 1
        self.skipped[(kind, reason)] += 1

    def warn(self, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)

    def as_dict(self) -> dict[str, Any]:
        kinds: dict[str, dict[str, int]] = {}
        for (kind, outcome), number in sorted(self.outcomes.items()):
            kinds.setdefault(kind, {})[outcome] = number
        return {
            "items": self.items,
            "kinds": kinds,
            "skipped": [
                {"kind": kind, "reason": reason, "count": number}
                for (kind, reason), number in sorted(self.skipped.items())
            ],
            "warning_count": self.warning_count,
            "warnings": self.warnings,
        }

    def lines(self) -> list[str]:
        out = []
        for kind, outcomes in self.as_dict()["kinds"].items():
            shown = ", ".join(f"{outcome} {number}" for outcome, number in outcomes.items())
            out.append(f"{kind}: {shown}")
        for (kind, reason), number in sorted(self.skipped.items()):
            out.append(f"  skipped {kind} ({reason}): {number}")
        out.append(f"warnings: {self.warning_count}")
        return out


@dataclass
class _Attachment:
    post_id: str
    url: str
    title: str
    caption: str
    alt: str
    attached_file: str


@dataclass
class _Index:
    """What the first reading learns: the channel, attachments, and how the file's own
    posts are addressed (for related reading)."""

    channel: Channel | None = None
    items: int = 0
    attachments: dict[str, _Attachment] = field(default_factory=dict)
    attachment_by_url: dict[str, str] = field(default_factory=dict)
    attachments_by_parent: dict[str, list[str]] = field(default_factory=dict)
    post_by_path: dict[str, str] = field(default_factory=dict)
    post_by_title: dict[str, str] = field(default_factory=dict)


class _Rollback(Exception):
    """Ends a dry run's transaction."""


def wordpress_validate(path: str) -> _Index:
    """Read the export at `path` to its end; raises `WxrError`. The index it returns holds
    only attachments and post addresses, never content."""
    index = _Index()
    for record in wxr_read(path):
        if isinstance(record, Channel):
            index.channel = record
        elif isinstance(record, WxrItem):
            index.items += 1
            if record.post_type == "attachment":
                url = record.attachment_url or record.guid
                index.attachments[record.post_id] = _Attachment(
                    post_id=record.post_id,
                    url=url,
                    title=record.title,
                    caption=record.excerpt,
                    alt=record.meta.get("_wp_attachment_image_alt", ""),
                    attached_file=record.meta.get("_wp_attached_file", ""),
                )
                index.attachment_by_url[_url_key(url)] = record.post_id
                index.attachments_by_parent.setdefault(record.post_parent, []).append(
                    record.post_id
                )
            elif record.post_type == "post":
                for address in (record.link, record.guid):
                    if address:
                        index.post_by_path[permalink_key(address)] = record.post_id
                index.post_by_path[f"/?p={record.post_id}"] = record.post_id
                title = _title_key(record.title)
                if title:
                    index.post_by_title.setdefault(title, record.post_id)
    return index


def wordpress_import(
    *,
    paths: list[str],
    user,
    options: ImportOptions,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Import the exports at `paths` as `user` (who needs the rights of an editor who
    publishes). Raises `WxrError` (nothing written) for a file that cannot be read and
    `ImportOptionsError` for a map naming what does not exist. `progress(done, total)` is
    called as items are imported."""
    if not (user and user.has_perm("articles.add_article") and user_can_publish(user)):
        raise PermissionDenied("You may not import articles: editors who publish may.")
    _check_maps(options)
    indexes = [wordpress_validate(path) for path in paths]
    summary = ImportSummary(items=sum(index.items for index in indexes))
    done = 0
    for path, index in zip(paths, indexes, strict=True):
        if options.dry_run:
            # Everything, the site's row too, in one transaction rolled back at the end.
            try:
                with transaction.atomic():
                    importer = _Importer(user=user, options=options, index=index, summary=summary)
                    done = importer.run(path, done=done, progress=progress)
                    raise _Rollback
            except _Rollback:
                pass
        else:
            importer = _Importer(user=user, options=options, index=index, summary=summary)
            done = importer.run(path, done=done, progress=progress)
    return summary


def _check_maps(options: ImportOptions) -> None:
    wanted = set(options.section_map.values())
    known = set(Section.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    if wanted - known:
        raise ImportOptionsError(f"Unknown sections in the section map: {sorted(wanted - known)}")
    wanted = set(options.author_map.values())
    known = set(Author.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    if wanted - known:
        raise ImportOptionsError(f"Unknown authors in the author map: {sorted(wanted - known)}")


def load_map(path: str) -> dict[str, str]:
    """A map file: JSON (an object of strings) or CSV (two columns, WordPress then ours; a
    header row `wordpress,newsroom` may come first)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportOptionsError(f"{path}: {exc}") from exc
    if path.lower().endswith(".json"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ImportOptionsError(f"{path}: not JSON ({exc})") from exc
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise ImportOptionsError(f"{path}: expected an object of strings")
        return {k.strip(): v.strip() for k, v in data.items()}
    import csv

    mapping = {}
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or not "".join(row).strip():
            continue
        if len(row) != 2:
            raise ImportOptionsError(f"{path}, line {number}: expected two columns")
        if number == 1 and row[0].strip().lower() == "wordpress":
            continue
        mapping[row[0].strip()] = row[1].strip()
    return mapping


def _url_key(url: str) -> str:
    parts = urlsplit(url.strip())
    return _SIZE_SUFFIX.sub("", unquote(parts.path)).lower()


def _title_key(title: str) -> str:
    return " ".join(plain_text(title).lower().split())


def _gmt(value: str, local: str) -> datetime | None:
    for text, zone in ((value, UTC), (local, timezone.get_default_timezone())):
        if text and not text.startswith("0000"):
            try:
                return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone)
            except ValueError:
                continue
    return None


def _hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


class _Importer:
    def __init__(self, *, user, options: ImportOptions, index: _Index, summary: ImportSummary):
        self.user = user
        self.options = options
        self.index = index
        self.summary = summary
        channel = index.channel
        base = (channel.base_blog_url or channel.link).rstrip("/")
        self.site_url = base
        self.site, _created = WordPressSite.objects.get_or_create(
            base_url=base, defaults={"title": channel.title[:255]}
        )
        self.language = (
            Language.INDONESIAN if channel.language.lower().startswith("id") else Language.ENGLISH
        )
        self.mapped: dict[tuple[str, str], WordPressObject] = {
            (row.kind, row.wp_id): row for row in WordPressObject.objects.filter(site=self.site)
        }
        self.authors: dict[str, Author] = {}
        self.sections: dict[str, Section] = {}
        self.tags: dict[str, Any] = {}
        self.photos: dict[str, Photo | None] = {}
        self.deferred: set[str] = set()
        self.category_ids: dict[str, str] = {}
        self.unlisted: set[str] = set()
        # The second look at posts with forward links: their warnings were given already.
        self.quiet = False
        self.media_dir = Path(options.media_dir).resolve() if options.media_dir else None

    # --- the run ---------------------------------------------------------------------------

    def run(self, path: str, *, done: int, progress) -> int:
        for record in wxr_read(path):
            if isinstance(record, WxrAuthor):
                self._atomic(self.author, record)
            elif isinstance(record, WxrTerm):
                self._atomic(self.term, record)
            elif isinstance(record, WxrItem):
                self._atomic(self.item, record)
                done += 1
                if progress:
                    progress(done, self.summary.items)
        if self.deferred:
            # Posts whose related reading pointed at posts further down the file.
            wanted, self.deferred = self.deferred, set()
            self.quiet = True
            for record in wxr_read(path):
                if isinstance(record, WxrItem) and record.post_id in wanted:
                    self._atomic(self.post, record, again=True)
            self.quiet = False
        return done

    def _atomic(self, handler, record, **kwargs) -> None:
        try:
            with transaction.atomic():
                handler(record, **kwargs)
        except IntegrityError:
            # Another import wrote the same object first (a unique row); this post is left
            # to it, whole, and a later run sees it as imported.
            kind = "post" if isinstance(record, WxrItem) else type(record).__name__.lower()
            self.summary.skip(kind, "written meanwhile by another import")
        except (ValidationError, PermissionDenied) as exc:
            kind = "post" if isinstance(record, WxrItem) else type(record).__name__.lower()
            label = getattr(record, "post_id", "") or getattr(record, "slug", "") or ""
            messages = "; ".join(getattr(exc, "messages", [str(exc)]))
            self.summary.skip(kind, "refused")
            self._warn(f"{kind} {label}: not imported: {messages}")

    def _warn(self, message: str) -> None:
        if not self.quiet:
            self.summary.warn(message)

    def _row(self, kind: str, wp_id: str) -> WordPressObject | None:
        """What `wp_id` became, read again from the database when this run has not seen it:
        another import running at once may have written it since this one started."""
        row = self.mapped.get((kind, wp_id))
        if row is None:
            row = WordPressObject.objects.filter(site=self.site, kind=kind, wp_id=wp_id).first()
            if row is not None:
                self.mapped[(kind, wp_id)] = row
        return row

    def _remember(self, kind: str, wp_id: str, obj_id: int, **fields) -> WordPressObject:
        row = self.mapped.get((kind, wp_id))
        if row is None:
            row = WordPressObject.objects.create(
                site=self.site, kind=kind, wp_id=wp_id, object_id=obj_id, **fields
            )
            self.mapped[(kind, wp_id)] = row
        else:
            row.object_id = obj_id
            for name, value in fields.items():
                setattr(row, name, value)
            row.save()
        return row

    # --- authors, sections, tags -------------------------------------------------------------

    def author(self, record: WxrAuthor) -> None:
        login = record.login
        if not login:
            self.summary.skip("author", "no login")
            return
        self.authors[login] = self._author_for(login, record)

    def _author_for(self, login: str, record: WxrAuthor | None) -> Author:
        if login in self.authors:
            return self.authors[login]
        mapped_slug = self.options.author_map.get(login)
        if mapped_slug:
            author = Author.objects.get(slug=mapped_slug)
            self.summary.count("author", "mapped")
            self.authors[login] = author
            return author
        name = (
            (record.display_name if record else "")
            or " ".join(filter(None, [record and record.first_name, record and record.last_name]))
            or login
        )[:150]
        email = record.email if record else ""
        row = self._row(Kind.AUTHOR, login)
        author = Author.objects.filter(pk=row.object_id).first() if row else None
        if author is None:
            author = Author(
                name=name, slug=self._free_slug(Author, slugify_ascii(login) or "author")
            )
            author.email = email
            try:
                author.full_clean()
            except ValidationError:
                author.email = ""
                self._warn(f"author {login}: e-mail {email!r} is not valid, left out")
            author.save()
            self._remember(Kind.AUTHOR, login, author.pk, content_hash=_hash([name, email]))
            self.summary.count("author", "created")
        elif row.content_hash != _hash([name, email]):
            author.name = name
            author.email = email
            author.save(update_fields=["name", "email"])
            self._remember(Kind.AUTHOR, login, author.pk, content_hash=_hash([name, email]))
            self.summary.count("author", "updated")
        else:
            self.summary.count("author", "unchanged")
        self.authors[login] = author
        return author

    def _free_slug(self, model, slug: str) -> str:
        candidate, number = slug[:140], 1
        while model.objects.filter(slug=candidate).exists():
            number += 1
            candidate = f"{slug[:140]}-{number}"
        return candidate

    def term(self, record: WxrTerm) -> None:
        if record.taxonomy == "category":
            self.category_ids[record.term_id] = record.slug
            self._section_for(record.slug, record.name, count=True)
        elif record.taxonomy == "post_tag":
            self._tag_for(record.slug, record.name, count=True)
        else:
            self.summary.skip("term", f"taxonomy {record.taxonomy or 'unknown'}")

    def _section_for(self, slug: str, name: str, *, count: bool = False) -> Section:
        slug = unquote(slug)
        if slug in self.sections:
            return self.sections[slug]
        mapped = self.options.section_map.get(slug)
        if mapped:
            section = Section.objects.get(slug=mapped)
            if count:
                self.summary.count("category", "mapped")
            self.sections[slug] = section
            return section
        row = self._row(Kind.CATEGORY, slug)
        section = Section.objects.filter(pk=row.object_id).first() if row else None
        outcome = "unchanged"
        if section is None:
            ours = slugify_ascii(slug, max_length=100) or slugify_ascii(name, max_length=100)
            name = (plain_text(name) or slug)[:100]
            section = Section.objects.filter(slug=ours).first()
            if section is None:
                if Section.objects.filter(name=name).exists():
                    name = f"{name[:90]} ({ours[:6]})"
                section = Section.objects.create(name=name, slug=ours or "section")
                outcome = "created"
            else:
                outcome = "matched"
            self._remember(Kind.CATEGORY, slug, section.pk)
        if count:
            self.summary.count("category", outcome)
        self.sections[slug] = section
        return section

    def _tag_for(self, slug: str, name: str, *, count: bool = False):
        slug = unquote(slug)
        if slug in self.tags:
            return self.tags[slug]
        try:
            tags = tags_resolve_or_create(names=[plain_text(name) or slug])
        except ValidationError as exc:
            self.summary.skip("tag", "name too long")
            self._warn(f"tag {slug}: {exc.messages[0]}")
            self.tags[slug] = None
            return None
        tag = next(iter(tags.values()), None)
        if tag is None:
            self.summary.skip("tag", "empty name")
            self.tags[slug] = None
            return None
        row = self._row(Kind.TAG, slug)
        if count:
            self.summary.count("tag", "unchanged" if row and row.object_id == tag.pk else "mapped")
        if not row or row.object_id != tag.pk:
            self._remember(Kind.TAG, slug, tag.pk)
        self.tags[slug] = tag
        return tag

    # --- items -------------------------------------------------------------------------------

    def item(self, record: WxrItem) -> None:
        if record.post_type == "post":
            self.post(record)
        elif record.post_type == "attachment":
            if record.post_id not in self.photos:
                self.photo(record.post_id, count=True)
        else:
            self.summary.skip(
                record.post_type or "item", SKIPPED_TYPES.get(record.post_type, "not a post")
            )
        if record.comments:
            self.summary.outcomes[("comment", "skipped")] += record.comments
            self.summary.skipped[("comment", "not imported")] += record.comments

    def photo(self, attachment_id: str, *, count: bool = False) -> Photo | None:
        if attachment_id in self.photos:
            return self.photos[attachment_id]
        info = self.index.attachments.get(attachment_id)
        self.photos[attachment_id] = None
        if info is None:
            if count:
                self.summary.skip("attachment", "not in the export")
            return None
        caption, credit = caption_credit(plain_text(info.caption))
        alt = plain_text(info.alt or info.title)[:300]
        wanted = _hash([caption, credit, alt])
        row = self._row(Kind.ATTACHMENT, attachment_id)
        photo = Photo.objects.filter(pk=row.object_id).first() if row else None
        if photo is not None:
            if row.content_hash != wanted:
                photo.caption, photo.credit, photo.alt_text = caption, credit[:255], alt
                photo.save(update_fields=["caption", "credit", "alt_text", "updated_at"])
                self._remember(Kind.ATTACHMENT, attachment_id, photo.pk, content_hash=wanted)
                self.summary.count("attachment", "updated")
            else:
                self.summary.count("attachment", "unchanged")
            self.photos[attachment_id] = photo
            return photo
        name = Path(urlsplit(info.url).path).name
        if Path(name).suffix.lower() not in IMAGE_SUFFIXES:
            self.summary.skip("attachment", "not an image")
            return None
        data, reason = self._media(info)
        if data is None:
            self.summary.skip("attachment", reason)
            return None
        if self.options.dry_run:
            self.summary.count("attachment", "created")
            return None
        try:
            with transaction.atomic():
                photo = photo_create(
                    user=self.user,
                    image=ContentFile(data, name=name),
                    caption=caption,
                    credit=credit[:255],
                    alt_text=alt,
                )
        except ValidationError as exc:
            self.summary.skip("attachment", "not a valid image")
            self._warn(f"attachment {attachment_id}: {'; '.join(exc.messages)}")
            return None
        self._remember(Kind.ATTACHMENT, attachment_id, photo.pk, content_hash=wanted)
        self.summary.count("attachment", "created")
        self.photos[attachment_id] = photo
        return photo

    def _media(self, info: _Attachment) -> tuple[bytes | None, str]:
        if self.media_dir is not None:
            relative = info.attached_file or ""
            if not relative:
                path = urlsplit(info.url).path
                for marker in ("/wp-content/uploads/", "/files/"):
                    if marker in path:
                        relative = path.split(marker, 1)[1]
                        break
                else:
                    relative = path.lstrip("/")
            candidate = (self.media_dir / unquote(relative).lstrip("/")).resolve()
            if not candidate.is_relative_to(self.media_dir):
                return None, "path outside the media directory"
            if not candidate.is_file():
                return None, "file missing from the media directory"
            if candidate.stat().st_size > settings.PHOTO_MAX_UPLOAD_BYTES:
                return None, "file too large"
            return candidate.read_bytes(), ""
        if self.options.fetch_media:
            try:
                return media_fetch(info.url), ""
            except MediaFetchError as exc:
                self._warn(f"attachment {info.post_id}: {exc}")
                return None, "download refused or failed"
        return None, "no media source (--media-dir or --fetch-media)"

    def _photo_by_ref(self, attachment_id: str, url: str) -> Photo | None:
        if not attachment_id and url:
            attachment_id = self.index.attachment_by_url.get(_url_key(url), "")
        return self.photo(attachment_id) if attachment_id else None

    # --- posts -------------------------------------------------------------------------------

    def post(self, record: WxrItem, *, again: bool = False) -> None:
        wp_id = record.post_id
        label = f"post {wp_id}"
        status = STATUS_MAP.get(record.status)
        if status is None:
            self.summary.skip("post", f"status {record.status or 'missing'}")
            return
        if record.repaired:
            self._warn(f"{label}: invalid UTF-8 or control characters were replaced")
        payload, relations = self._payload(record, label=label, status=status)
        if payload is None:
            return
        wanted = _hash(payload)
        row = self._row(Kind.POST, wp_id)
        article = Article.objects.filter(pk=row.object_id).first() if row else None
        if article is not None and row.content_hash == wanted:
            if not again:
                self.summary.count("post", "unchanged")
            return
        edited = article is not None and row.imported_version != article.version
        if edited and not self.options.overwrite_edited:
            self.summary.skip("post", "edited here since the import")
            self._warn(f"{label}: edited here since the import, not overwritten")
            return
        status = payload["status"]
        fields = relations["data"]
        publish_at = relations["publish_at"]
        target = Status.DRAFT if status == "trash" else status
        if article is None:
            article = article_create(
                user=self.user,
                data=fields,
                bylines=relations["bylines"],
                tags=relations["tags"],
                related_links=relations["related_links"],
                photos=relations["photos"],
                status=target,
                publish_at=publish_at,
            )
            outcome = "created"
        else:
            if article.deleted_at:
                self.summary.skip("post", "in the trash here")
                return
            current = article.status
            if current in (Status.PUBLISHED, Status.SCHEDULED) and target not in (
                Status.PUBLISHED,
                Status.SCHEDULED,
            ):
                article = article_set_status(
                    article=article, status=Status.UNPUBLISHED, user=self.user
                )
                current = article.status
            move = target if target != current else None
            if target == Status.DRAFT and current == Status.UNPUBLISHED:
                move = None
            article = article_save(
                article=article,
                user=self.user,
                expected_version=article.version,
                data=fields,
                bylines=relations["bylines"],
                tags=relations["tags"],
                related_links=relations["related_links"],
                photos=relations["photos"],
                status=move,
                publish_at=publish_at if move else None,
            )
            outcome = "updated"
        if status == "trash":
            article = article_trash(article=article, user=self.user)
        article.refresh_from_db(fields=["version"])
        self._remember(
            Kind.POST, wp_id, article.pk, content_hash=wanted, imported_version=article.version
        )
        self._permalinks(record, article, section_slug=relations["section_slug"])
        if not again or outcome == "created":
            self.summary.count("post", outcome)

    def _payload(self, record: WxrItem, *, label: str, status: str):
        warn = self._warn
        body = convert_body(record.content)
        for message in body.warnings:
            warn(f"{label}: {message}")
        headline = plain_text(record.title)[:255]
        if not headline:
            headline = (plain_text(body.html)[:80] or f"Untitled post {record.post_id}").strip()
            warn(f"{label}: no title; the headline is {headline!r}")
        published_at = _gmt(record.post_date_gmt, record.post_date)
        if record.password and status in (Status.PUBLISHED, Status.SCHEDULED):
            warn(f"{label}: protected by a password in WordPress; imported as a draft")
            status = Status.DRAFT
        if status in (Status.PUBLISHED, Status.SCHEDULED) and published_at is None:
            warn(f"{label}: no valid date; imported as a draft")
            status = Status.DRAFT
        if status == Status.SCHEDULED:
            horizon = timezone.now() + timezone.timedelta(days=settings.SCHEDULE_HORIZON_DAYS)
            if published_at <= timezone.now():
                status = Status.PUBLISHED
            elif published_at > horizon:
                warn(f"{label}: scheduled beyond the horizon ({published_at:%Y-%m-%d}); a draft")
                status = Status.DRAFT
        # Categories: the primary one (Yoast) or the first; the rest are reported.
        categories = [(slug, name) for domain, slug, name in record.terms if domain == "category"]
        primary = self.category_ids.get(record.meta.get("_yoast_wpseo_primary_category", ""))
        if categories:
            section_slug, section_name = categories[0]
            for slug, name in categories:
                if slug == primary:
                    section_slug, section_name = slug, name
        else:
            section_slug, section_name = "uncategorized", "Uncategorized"
        section = self._section_for(section_slug, section_name)
        tags = []
        for domain, slug, name in record.terms:
            if domain == "post_tag":
                tag = self._tag_for(slug, name)
                if tag is not None and tag not in tags:
                    tags.append(tag)
            elif domain != "category":
                self.summary.skip("post term", f"taxonomy {domain}")
        login = _NOT_LOGIN.sub("", record.creator)
        if login not in self.authors and login not in self.unlisted:
            self.unlisted.add(login)
            warn(f"{label}: author {record.creator!r} is not listed in the export")
        author = self._author_for(login or "unknown", None)
        lead = None
        thumbnail = record.meta.get("_thumbnail_id", "").strip()
        if thumbnail:
            lead = self.photo(thumbnail)
            if lead is None:
                warn(f"{label}: lead photo {thumbnail} not imported")
        photos = []
        refs = []
        for ref in body.photos:
            if ref.is_gallery:
                children = self.index.attachments_by_parent.get(record.post_id, [])
                refs.extend(
                    PhotoRef(child, "", "", "", after_paragraph=ref.after_paragraph)
                    for child in children
                )
            else:
                refs.append(ref)
        for ref in refs:
            photo = self._photo_by_ref(ref.attachment_id, ref.url)
            if photo is None:
                warn(f"{label}: inline photo {ref.attachment_id or ref.url} not imported")
                continue
            position = len(photos)
            override = ref.caption if ref.caption and ref.caption != photo.caption else ""
            photos.append(
                {
                    "photo_id": photo.pk,
                    "after_paragraph": ref.after_paragraph,
                    "position": position,
                    "caption_override": override,
                }
            )
        links = []
        for position, ref in enumerate(body.links):
            link = self._link(ref, record=record, label=label)
            if link is not None:
                links.append({**link, "after_paragraph": ref.after_paragraph, "position": position})
        slug = slugify_ascii(unquote(record.post_name), max_length=SLUG_MAX_LENGTH) or None
        row = self._row(Kind.POST, record.post_id)
        if slug:
            probe = Article(pk=row.object_id if row else None)
            try:
                article_check_slug_available(slug=slug, article=probe)
            except ValidationError:
                warn(f"{label}: the address {slug!r} is taken; another is made")
                slug = None
        data = {
            "headline": headline,
            "dek": plain_text(record.excerpt),
            "body": body.html,
            "dateline": body.dateline,
            "section": section.pk,
            "language": self.language,
            "lead_photo": lead.pk if lead else None,
        }
        if slug:
            # Else a new article gets one from its headline when published, and an
            # imported one keeps its own.
            data["slug"] = slug
        payload = {
            "data": data,
            "status": status,
            "published_at": published_at.isoformat() if published_at else None,
            "bylines": [author.pk],
            "tags": sorted(tag.pk for tag in tags),
            "links": links,
            "photos": photos,
        }
        relations = {
            "data": data,
            "publish_at": published_at if status in (Status.PUBLISHED, Status.SCHEDULED) else None,
            "bylines": [author],
            "tags": tags,
            "related_links": links,
            "photos": photos,
            "section_slug": section.slug,
        }
        return payload, relations

    def _link(self, ref: LinkRef, *, record: WxrItem, label: str) -> dict | None:
        target_wp = ""
        if ref.url:
            target_wp = self.index.post_by_path.get(permalink_key(ref.url), "")
            if target_wp and not self._is_ours(ref.url):
                target_wp = ""
        if not target_wp:
            target_wp = self.index.post_by_title.get(_title_key(ref.headline), "")
        if target_wp == record.post_id:
            return None
        if target_wp:
            row = self._row(Kind.POST, target_wp)
            if row is not None and Article.objects.filter(pk=row.object_id).exists():
                return {
                    "target_article_id": row.object_id,
                    "url": "",
                    "title": "",
                    "label": ref.label,
                }
            self.deferred.add(record.post_id)
        if ref.url:
            try:
                URLValidator(schemes=["http", "https"])(ref.url)
            except ValidationError:
                self._warn(f"{label}: related link {ref.url!r} is not a valid URL, left out")
                return None
            if len(ref.url) > 500:
                self._warn(f"{label}: related link URL too long, left out")
                return None
            return {
                "target_article_id": None,
                "url": ref.url,
                "title": ref.headline[:255],
                "label": ref.label,
            }
        if not target_wp:
            self._warn(f"{label}: related reading {ref.headline!r} not found, left out")
        return None

    def _is_ours(self, url: str) -> bool:
        host = urlsplit(url).hostname
        return host is None or host == urlsplit(self.site_url).hostname

    def _permalinks(self, record: WxrItem, article: Article, *, section_slug: str) -> None:
        paths = {permalink_key(record.link)} if record.link else set()
        paths.add(f"/?p={record.post_id}")
        if record.guid and self._is_ours(record.guid):
            paths.add(permalink_key(record.guid))
        name = unquote(record.post_name)
        if name:
            date = _gmt("", record.post_date)
            if date:
                paths.add(f"/{date:%Y/%m/%d}/{name}/".lower())
            paths.add(f"/{section_slug}/{name}/".lower())
        paths = {path[:500] for path in paths if path and path != "/"}
        existing = dict(
            WordPressPermalink.objects.filter(path__in=paths).values_list("path", "article_id")
        )
        new = []
        for path in sorted(paths):
            owner = existing.get(path)
            if owner is None:
                new.append(WordPressPermalink(path=path, article=article, site=self.site))
            elif owner != article.pk:
                self._warn(f"post {record.post_id}: old address {path} belongs to another")
        WordPressPermalink.objects.bulk_create(new)
