"""Import WordPress exports (WXR) through the editing services.

`wordpress_import` reads every file to its end first (`wxr_read`): a file that cannot be
read writes nothing. Then it imports, file by file: authors, categories (sections) and tags
as the channel lists them, then the posts in batches (`ImportOptions.batch_size`): one
transaction per batch. New posts are checked as they come and written together at the
batch's end (`articles_create_bulk`); a post that is not is written alone in its own
savepoint with `article_create` / `article_save` like an editor's save (revisions, tags and
search follow; a refused post is rolled back alone). An author, section, tag or photo a
post brings in is written in a savepoint of its own, and kept if the post is refused.
What the batch's posts announce is built into the published world once, set-based, before
the batch commits. Attachments become photos when a post needs them or when the file lists
them, if their file can be had (`--media-dir`, `--fetch-media`).

Each WordPress object remembers what it became (`WordPressObject`) with a hash of the
mapped content: a second run updates what changed in WordPress and leaves the rest alone,
and an interrupted run is finished by running it again. An article an editor changed here
since its import (its version moved on) is reported, not overwritten, unless
`overwrite_edited`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from functools import partial
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from articles.models import Article, ArticleSlugHistory, Author, Section
from articles.models.search import Language
from articles.photos.models import Photo
from articles.services import user_can_publish
from articles.signals import article_changes
from articles.wordpress.attachments import AttachmentsMixin
from articles.wordpress.index import ExportIndex, wordpress_validate
from articles.wordpress.models import WordPressObject, WordPressSite
from articles.wordpress.options import ImportOptions, ImportOptionsError, ImportSummary
from articles.wordpress.posts import PendingPost, PostsMixin, post_slug
from articles.wordpress.terms import TermsMixin
from articles.wordpress.wxr import WxrAuthor, WxrItem, WxrTerm, wxr_read

logger = logging.getLogger(__name__)

Kind = WordPressObject.Kind

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


class _Rollback(Exception):
    """Ends a dry run's transaction."""


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


class _Importer(TermsMixin, AttachmentsMixin, PostsMixin):
    def __init__(self, *, user, options: ImportOptions, index: ExportIndex, summary: ImportSummary):
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
        # The batch's tags resolved at once (`tags_prefetch`), by name key.
        self.tags_resolved: dict[str, Any] = {}
        self.photos: dict[str, Photo | None] = {}
        self.deferred: set[str] = set()
        self.category_ids: dict[str, str] = {}
        self.unlisted: set[str] = set()
        # The second look at posts with forward links: their warnings were given already.
        self.quiet = False
        # What `_prefetch` learnt for the batch being imported: WordPress objects not
        # imported yet, and the articles of those that were, by id.
        self.absent: set[tuple[str, str]] = set()
        self.articles: dict[int, Article] = {}
        self.slug_owners: dict[str, set[int]] = {}
        # Articles this run saved or found: related reading may point at them.
        self.existing: set[int] = set()
        # New posts of the batch, by WordPress id, written at its end (`posts_flush`), and
        # whether the post being mapped is one (its links may point at them).
        self.pending: dict[str, PendingPost] = {}
        self.queueing = False
        self.bulk_failed = False
        self.media_dir = Path(options.media_dir).resolve() if options.media_dir else None

    # --- the run ---------------------------------------------------------------------------

    def run(self, path: str, *, done: int, progress) -> int:
        batch: list[WxrItem] = []
        for record in wxr_read(path):
            if isinstance(record, WxrItem):
                batch.append(record)
                if len(batch) < self.options.batch_size:
                    continue
            done = self._batch(batch, self.item, done=done, progress=progress)
            batch = []
            if isinstance(record, WxrAuthor):
                self._atomic(self.author, record)
            elif isinstance(record, WxrTerm):
                self._atomic(self.term, record)
        done = self._batch(batch, self.item, done=done, progress=progress)
        if self.deferred:
            # Posts whose related reading pointed at posts further down the file.
            wanted, self.deferred = self.deferred, set()
            self.quiet = True
            batch = []
            for record in wxr_read(path):
                if isinstance(record, WxrItem) and record.post_id in wanted:
                    batch.append(record)
                    if len(batch) == self.options.batch_size:
                        self._batch(batch, partial(self.post, again=True))
                        batch = []
            self._batch(batch, partial(self.post, again=True))
            self.quiet = False
        return done

    def _batch(self, records: list[WxrItem], handler, *, done: int = 0, progress=None) -> int:
        """Import `records` in one transaction: what they announce (`article_changes`) is
        built into the published world once for all of them, set-based, before it commits
        (`articles.published.receivers`). A record's writes take savepoints of their own (an
        author, section, tag or photo it brings in, its article's write in `PostsMixin.post`),
        so a new post, held for the batch's end, takes none."""
        if not records:
            return done
        with transaction.atomic(), article_changes():
            self._prefetch(records)
            for record in records:
                self._atomic(handler, record, savepoint=False)
            self.posts_flush()
        for _record in records:
            done += 1
            if progress:
                progress(done, self.summary.items)
        return done

    def _prefetch(self, records: list[WxrItem]) -> None:
        """What the posts of a batch need to know of earlier imports, in four queries: their
        rows and those of the tags they name that this run has not met (`_row` reads a
        missing one again in the next batch, another import may write it meanwhile), their
        articles, and which articles have the slugs they ask for; then those tags
        (`tags_prefetch`)."""
        wanted = {
            (Kind.POST, record.post_id)
            for record in records
            if record.post_type == "post" and (Kind.POST, record.post_id) not in self.mapped
        }
        tag_names = self.tag_names(records)
        wanted |= {(Kind.TAG, slug) for slug in tag_names} - set(self.mapped)
        rows = WordPressObject.objects.filter(site=self.site).filter(
            Q(kind=Kind.POST, wp_id__in=[wp_id for kind, wp_id in wanted if kind == Kind.POST])
            | Q(kind=Kind.TAG, wp_id__in=[wp_id for kind, wp_id in wanted if kind == Kind.TAG])
        )
        for row in rows:
            self.mapped[(row.kind, row.wp_id)] = row
        self.absent = wanted - set(self.mapped)
        self.tags_prefetch(tag_names)
        ids = [
            row.object_id
            for record in records
            if (row := self.mapped.get((Kind.POST, record.post_id))) is not None
        ]
        self.articles = Article.objects.in_bulk(ids)
        slugs = {
            slug for record in records if record.post_type == "post" and (slug := post_slug(record))
        }
        self.slug_owners = {slug: set() for slug in slugs}
        for slug, article_id in [
            *Article.objects.filter(slug__in=slugs).values_list("slug", "pk"),
            *ArticleSlugHistory.objects.filter(slug__in=slugs).values_list("slug", "article_id"),
        ]:
            self.slug_owners[slug].add(article_id)

    def _atomic(self, handler, record, *, savepoint: bool = True, **kwargs) -> None:
        """Run `handler(record)` in its own savepoint: a refusal rolls back its writes alone
        and is reported. Without `savepoint` for a handler whose writes take their own."""
        try:
            with transaction.atomic() if savepoint else nullcontext():
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
        if row is None and (kind, wp_id) not in self.absent:
            row = WordPressObject.objects.filter(site=self.site, kind=kind, wp_id=wp_id).first()
            if row is None:
                self.absent.add((kind, wp_id))
            else:
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
