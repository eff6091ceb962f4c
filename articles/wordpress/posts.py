"""Posts: a WordPress post mapped to an article's fields and relations, then created or
saved through the editing services like an editor's save, with its old addresses
(`PostsMixin`, part of the importer in `importer.py`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article
from articles.services import (
    NewArticle,
    article_build,
    article_create,
    article_save,
    article_set_status,
    article_trash,
    articles_create_bulk,
)
from articles.services.slugs import SLUG_MAX_LENGTH, article_check_slug_available
from articles.wordpress.body import LinkRef, PhotoRef, convert_body, plain_text
from articles.wordpress.index import hash_of, title_key, wp_date
from articles.wordpress.models import WordPressObject, WordPressPermalink, permalink_key
from articles.wordpress.wxr import WxrItem
from newsroom.postgresql.copy import bulk_insert
from tagging.text import slugify_ascii

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
_NOT_LOGIN = re.compile(r"[<>\s\"']")


def post_slug(record: WxrItem) -> str | None:
    """The slug a post asks for: its WordPress name, if it makes one."""
    return slugify_ascii(unquote(record.post_name), max_length=SLUG_MAX_LENGTH) or None


@dataclass(eq=False)
class PendingPost:
    """A new post of the batch, mapped, its article written at the batch's end
    (`PostsMixin.posts_flush`): with others in bulk when `new` holds it built and checked
    (`article_build`), else alone through `article_create`."""

    record: WxrItem
    payload: dict
    relations: dict
    new: NewArticle | None


@dataclass(frozen=True)
class PendingTarget:
    """A related link's target that is a post pending in this batch: its id is known once
    it is written."""

    wp_id: str


class PostsMixin:
    def post(self, record: WxrItem, *, again: bool = False) -> None:
        wp_id = record.post_id
        label = f"post {wp_id}"
        status = STATUS_MAP.get(record.status)
        if status is None:
            self.summary.skip("post", f"status {record.status or 'missing'}")
            return
        if record.repaired:
            self._warn(f"{label}: invalid UTF-8 or control characters were replaced")
        row = self._row(Kind.POST, wp_id)
        # A post new here joins the batch's pending ones; its links may point at them.
        self.queueing = row is None and not again and self.options.bulk
        try:
            payload, relations = self._payload(record, label=label, status=status)
        finally:
            queueing, self.queueing = self.queueing, False
        if payload is None:
            return
        if queueing:
            self._queue(record, payload, relations)
            return
        article = self._article(row.object_id) if row else None
        if article is not None and row.content_hash == hash_of(payload):
            if not again:
                self.summary.count("post", "unchanged")
            return
        self._atomic(
            self._write,
            record,
            payload=payload,
            relations=relations,
            row=row,
            article=article,
            again=again,
        )

    def _write(self, record: WxrItem, *, payload, relations, row, article, again: bool) -> None:
        """Write one post's article through the editing services: `article_create`, or
        `article_save` for one imported before that changed there (unless edited here).
        Called in the post's savepoint (`_atomic`)."""
        wp_id = record.post_id
        label = f"post {wp_id}"
        edited = article is not None and row.imported_version != article.version
        if edited and not self.options.overwrite_edited:
            self.summary.skip("post", "edited here since the import")
            self._warn(f"{label}: edited here since the import, not overwritten")
            return
        status = payload["status"]
        publish_at = relations["publish_at"]
        target = Status.DRAFT if status == "trash" else status
        content = self._content(relations)
        if article is None:
            article = article_create(**content, status=target, publish_at=publish_at)
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
            if (
                move is None
                and target == current
                and publish_at not in (None, article.published_at)
            ):
                # The date changed in WordPress: an editor's correction of the publish time
                # (`article_save` with the same status and the new time), recorded as such.
                move = target
            article = article_save(
                **content,
                article=article,
                expected_version=article.version,
                status=move,
                publish_at=publish_at if move else None,
            )
            outcome = "updated"
        if status == "trash":
            article = article_trash(article=article, user=self.user)
        article.refresh_from_db(fields=["version"])
        self.existing.add(article.pk)
        if article.slug in self.slug_owners:
            self.slug_owners[article.slug].add(article.pk)
        self._remember(
            Kind.POST,
            wp_id,
            article.pk,
            content_hash=hash_of(payload),
            imported_version=article.version,
        )
        self._permalinks([record], [article], section_slugs=[relations["section_slug"]])
        if not again or outcome == "created":
            self.summary.count("post", outcome)

    def _content(self, relations: dict) -> dict:
        """The arguments a post's article is created, built or saved with, but its status."""
        return {
            "user": self.user,
            "data": relations["data"],
            "bylines": relations["bylines"],
            "tags": relations["tags"],
            "related_links": relations["related_links"],
            "photos": relations["photos"],
        }

    # --- new posts, written at the batch's end -----------------------------------------------

    def _queue(self, record: WxrItem, payload, relations) -> None:
        """Hold a new post until the batch's end, built and checked now (`article_build`:
        a refusal is reported for it alone) when it can be written in bulk: not to the
        trash, with its slug, not pointing at a pending post written alone."""
        targets = [
            self.pending[link["target_article_id"].wp_id]
            for link in relations["related_links"]
            if isinstance(link["target_article_id"], PendingTarget)
        ]
        new = None
        if (
            payload["status"] != "trash"
            and relations["data"].get("slug")
            and all(target.new for target in targets)
        ):
            links = []
            for link in relations["related_links"]:
                link = dict(link)
                target = link["target_article_id"]
                if isinstance(target, PendingTarget):
                    link["target_article_id"] = None
                    link["target_article"] = self.pending[target.wp_id].new.article
                links.append(link)
            new = article_build(
                **{**self._content(relations), "related_links": links},
                status=payload["status"],
                publish_at=relations["publish_at"],
            )
        self.pending[record.post_id] = PendingPost(record, payload, relations, new)
        slug = relations["data"].get("slug")
        if slug:
            self.slug_owners.setdefault(slug, set()).add(f"pending {record.post_id}")

    def posts_flush(self) -> None:
        """Write the batch's pending posts in their order: runs of those built for it in
        bulk (`articles_create_bulk`), the others one by one. Called in the batch's
        transaction, outside any post's savepoint."""
        run: list[PendingPost] = []
        for item in self.pending.values():
            if item.new is not None and not self.bulk_failed:
                run.append(item)
                continue
            self._write_bulk(run)
            run = []
            item.new = None
            self._atomic(self._write_pending, item.record, item=item)
        self._write_bulk(run)
        self.pending = {}
        self.bulk_failed = False

    def _write_bulk(self, run: list[PendingPost]) -> None:
        """Write `run` in one savepoint: the articles (`articles_create_bulk`), their
        `WordPressObject` rows and old addresses. If that fails (a slug or post another
        import wrote meanwhile, a row the database refuses), each post is written alone,
        so each refusal is reported for its post."""
        if not run:
            return
        try:
            with transaction.atomic():
                articles = articles_create_bulk(user=self.user, new=[item.new for item in run])
                rows = [
                    WordPressObject(
                        site=self.site,
                        kind=Kind.POST,
                        wp_id=item.record.post_id,
                        object_id=article.pk,
                        content_hash=hash_of(self._resolved(item.payload)),
                        imported_version=article.version,
                    )
                    for item, article in zip(run, articles, strict=True)
                ]
                bulk_insert(rows)
                self._permalinks(
                    [item.record for item in run],
                    articles,
                    section_slugs=[item.relations["section_slug"] for item in run],
                )
        except (IntegrityError, ValidationError):
            # The rest of the batch too: their links may point at this run's articles,
            # which were not written after all.
            self.bulk_failed = True
            for item in run:
                item.new = None
                self._atomic(self._write_pending, item.record, item=item)
            return
        for row, article in zip(rows, articles, strict=True):
            self.mapped[(Kind.POST, row.wp_id)] = row
            self.existing.add(article.pk)
            if article.slug in self.slug_owners:
                self.slug_owners[article.slug].add(article.pk)
            self.summary.count("post", "created")

    def _write_pending(self, record: WxrItem, *, item: PendingPost) -> None:
        """Write one pending post alone, its links to posts of the batch written before it
        resolved (left out if that post was refused)."""
        self._write(
            record,
            payload=self._resolved(item.payload),
            relations={**item.relations, "related_links": self._resolved_links(item.relations)},
            row=self._row(Kind.POST, record.post_id),
            article=None,
            again=False,
        )

    def _target_id(self, target: PendingTarget) -> int | None:
        pending = self.pending.get(target.wp_id)
        if pending is not None and pending.new is not None and pending.new.article.pk:
            return pending.new.article.pk
        row = self.mapped.get((Kind.POST, target.wp_id))
        return row.object_id if row is not None else None

    def _resolved_links(self, holder: dict) -> list[dict]:
        key = "links" if "links" in holder else "related_links"
        links = []
        for link in holder[key]:
            target = link["target_article_id"]
            if isinstance(target, PendingTarget):
                target_id = self._target_id(target)
                if target_id is None:
                    continue
                link = {**link, "target_article_id": target_id}
            links.append(link)
        return links

    def _resolved(self, payload: dict) -> dict:
        """`payload` with the ids of the pending posts its links point at."""
        return {**payload, "links": self._resolved_links(payload)}

    def _article(self, article_id: int) -> Article | None:
        """The article `article_id`, as the batch's prefetch read it or from the database."""
        if article_id in self.articles:
            return self.articles.pop(article_id)
        return Article.objects.filter(pk=article_id).first()

    def _article_exists(self, article_id: int) -> bool:
        if article_id not in self.existing and (
            article_id in self.articles or Article.objects.filter(pk=article_id).exists()
        ):
            self.existing.add(article_id)
        return article_id in self.existing

    def _payload(self, record: WxrItem, *, label: str, status: str):
        warn = self._warn
        body = convert_body(record.content)
        for message in body.warnings:
            warn(f"{label}: {message}")
        headline = plain_text(record.title)[:255]
        if not headline:
            headline = (plain_text(body.html)[:80] or f"Untitled post {record.post_id}").strip()
            warn(f"{label}: no title; the headline is {headline!r}")
        published_at = wp_date(record.post_date_gmt, record.post_date)
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
        slug = post_slug(record)
        row = self._row(Kind.POST, record.post_id)
        if slug and self._slug_taken(slug, by_others_than=row.object_id if row else None):
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
            # Instances, not ids: the revision's snapshot reads their labels without a query.
            "data": {**data, "section": section, "lead_photo": lead},
            "publish_at": published_at if status in (Status.PUBLISHED, Status.SCHEDULED) else None,
            "bylines": [author],
            "tags": tags,
            "related_links": links,
            "photos": photos,
            "section_slug": section.slug,
        }
        return payload, relations

    def _slug_taken(self, slug: str, *, by_others_than: int | None) -> bool:
        """`article_check_slug_available`'s answer, from what the batch's prefetch read of
        its slugs (`slug_owners`) when it did."""
        owners = self.slug_owners.get(slug)
        if owners is not None:
            return bool(owners - {by_others_than})
        try:
            article_check_slug_available(slug=slug, article=Article(pk=by_others_than))
        except ValidationError:
            return True
        return False

    def _link(self, ref: LinkRef, *, record: WxrItem, label: str) -> dict | None:
        target_wp = ""
        if ref.url:
            target_wp = self.index.post_by_path.get(permalink_key(ref.url), "")
            if target_wp and not self._is_ours(ref.url):
                target_wp = ""
        if not target_wp:
            target_wp = self.index.post_by_title.get(title_key(ref.headline), "")
        if target_wp == record.post_id:
            return None
        if target_wp:
            if self.queueing and target_wp in self.pending:
                return {
                    "target_article_id": PendingTarget(target_wp),
                    "url": "",
                    "title": "",
                    "label": ref.label,
                }
            row = self._row(Kind.POST, target_wp)
            if row is not None and self._article_exists(row.object_id):
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

    def _permalinks(
        self, records: list[WxrItem], articles: list[Article], *, section_slugs: list[str]
    ) -> None:
        """The old addresses of the posts `records` became `articles`: each path not yet
        known is kept for its article (one query, one INSERT), one known for another
        article is reported."""
        wanted = [
            self._post_paths(record, section_slug=section_slug)
            for record, section_slug in zip(records, section_slugs, strict=True)
        ]
        owners = dict(
            WordPressPermalink.objects.filter(
                path__in={path for paths in wanted for path in paths}
            ).values_list("path", "article_id")
        )
        new = []
        for record, article, paths in zip(records, articles, wanted, strict=True):
            for path in sorted(paths):
                owner = owners.get(path)
                if owner is None:
                    owners[path] = article.pk
                    new.append(WordPressPermalink(path=path, article=article, site=self.site))
                elif owner != article.pk:
                    self._warn(f"post {record.post_id}: old address {path} belongs to another")
        bulk_insert(new)

    def _post_paths(self, record: WxrItem, *, section_slug: str) -> set[str]:
        paths = {permalink_key(record.link)} if record.link else set()
        paths.add(f"/?p={record.post_id}")
        if record.guid and self._is_ours(record.guid):
            paths.add(permalink_key(record.guid))
        name = unquote(record.post_name)
        if name:
            date = wp_date("", record.post_date)
            if date:
                paths.add(f"/{date:%Y/%m/%d}/{name}/".lower())
            paths.add(f"/{section_slug}/{name}/".lower())
        return {path[:500] for path in paths if path and path != "/"}
