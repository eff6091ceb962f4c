"""The door to the published world (DESIGN.md).

What readers see of a live article (the detail document and the list teaser) is built here
once, when the article is published or anything they see of it changes, and stored as a
`PublishedArticle` row; the public article API serves those rows as they are. A row exists
only for an article that is published and not in the trash, so a draft cannot leak from it;
an embargo or a publish time still ahead hides a row until `visible_from`.

Every change that alters what readers see asks for a rebuild (`published_changed`), inside the
transaction of the change: saves of articles and of their bylines, tags, photos, links and
corrections, tag merges and renames, author, section and photo edits (`articles.signals`),
finished renditions (`articles.photos.signals.photo_changed`) and suggestions
(`articles.suggestions`), slug changes and trash (`articles.services`). The workflow services
and the admin's save collect those requests and rebuild each article once at their end
(`published_batch`). `published_rebuild` rebuilds everything, after a change of settings that
shape the JSON (SITE_URL, MEDIA_PUBLIC_URL, ARTICLE_URL_TEMPLATE). Webhook subscribers are told
about an article here too, from what the rebuild left (see `published_notify`): nothing while
it is hidden, `article.published` once when it becomes visible, then `article.updated` and
`article.unpublished`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.utils import timezone, translation

from articles.models import (
    Article,
    ArticlePhoto,
    PublishedArticle,
    PublishedArticleAuthor,
    PublishedArticleTag,
    RelatedLink,
    RelatedSuggestion,
)
from articles.webhooks import webhook_events_emit
from newsroom.api.renderers import render_json
from tagging.models import TagAlias, TopicTag

# Articles built per query batch: bounds memory on a rebuild of the whole archive.
BUILD_BATCH_SIZE = 200
# `reveal_pending` is not among them: a rebuild never clears it (see `_refresh_batch`).
STORED_FIELDS = [
    "slug", "section", "language", "published_at", "visible_from", "updated_at", "teaser",
    "document", "etag", "built_at",
]  # fmt: skip


def published_documents(articles: list[Article]) -> list[tuple[bytes, bytes]]:
    """The detail JSON and the teaser JSON of each article, as the public API answers them.

    `articles` must come from `for_public_detail()`. One serializer for the whole list (its
    fields are built once). Built in the site's time zone and language whatever the current
    request's, so the stored JSON does not depend on who published.
    """
    from articles.api.serializers import ArticleDetailSerializer, ArticleTeaserSerializer

    teaser_fields = ArticleTeaserSerializer.Meta.fields
    with timezone.override(settings.TIME_ZONE), translation.override(settings.LANGUAGE_CODE):
        details = ArticleDetailSerializer(articles, many=True).data
        return [
            (
                render_json(detail),
                render_json({name: detail[name] for name in teaser_fields}),
            )
            for detail in details
        ]


def published_row(
    article: Article, document: bytes, teaser: bytes, *, now: datetime
) -> PublishedArticle:
    visible_from = max(article.published_at, article.embargo_until or article.published_at)
    return PublishedArticle(
        article_id=article.pk,
        slug=article.slug,
        section_id=article.section_id,
        language=article.language,
        published_at=article.published_at,
        visible_from=visible_from,
        updated_at=article.updated_at,
        teaser=teaser.decode(),
        document=document.decode(),
        etag=hashlib.blake2b(document, digest_size=16).hexdigest(),
        built_at=now,
        reveal_pending=visible_from > now,
    )


def published_refresh(*, article_ids: Iterable[int], now: datetime | None = None) -> int:
    """Build, rebuild or remove the published rows of `article_ids`; returns the rows built.

    Articles that are not published, or are in the trash, lose their row. Each article row is
    locked (in id order) while its document is built, so two transactions changing what one
    article shows (an edit and an author rename, say) build it one after the other and the
    later build sees both changes. Queries per batch of `BUILD_BATCH_SIZE`: the lock, those
    of `for_public_detail()`, one delete and one upsert, four for the tag and author rows and
    one copying the search vectors.
    """
    now = now or timezone.now()
    ids = sorted(set(article_ids))
    built = 0
    for start in range(0, len(ids), BUILD_BATCH_SIZE):
        built += _refresh_batch(ids[start : start + BUILD_BATCH_SIZE], now=now)[0]
    return built


def _refresh_batch(batch: list[int], *, now: datetime, skip_locked: bool = False):
    """Refresh one batch; with `skip_locked`, articles another transaction holds are left
    alone and returned (as `(built, skipped)`)."""
    with transaction.atomic():
        locked = list(
            Article.objects.select_for_update(skip_locked=skip_locked)
            .filter(pk__in=batch)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        skipped = set(batch) - set(locked) if skip_locked else set()
        articles = list(
            Article.objects.filter(
                pk__in=locked, status=Article.Status.PUBLISHED, deleted_at__isnull=True
            ).for_public_detail(now=now)
        )
        rows = [
            published_row(article, document, teaser, now=now)
            for article, (document, teaser) in zip(
                articles, published_documents(articles), strict=True
            )
        ]
        PublishedArticle.objects.filter(article_id__in=batch).exclude(
            article_id__in=[row.article_id for row in rows] + sorted(skipped)
        ).delete()
        for row in rows:
            # Any expression among the values makes Django insert with plain multi-row VALUES
            # instead of UNNEST(arrays) on PostgreSQL: psycopg builds those arrays in Python,
            # escaping every quote of the JSON, which made this upsert 3x as slow.
            row.document = Value(row.document)
        PublishedArticle.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["article"], update_fields=STORED_FIELDS
        )
        hidden = [row.article_id for row in rows if row.reveal_pending]
        if hidden:
            # A hidden row waits for `published_reveal_due`, even if it is rebuilt after its
            # time has come: only the reveal clears the flag, so it is never skipped.
            PublishedArticle.objects.filter(article_id__in=hidden, reveal_pending=False).update(
                reveal_pending=True
            )
        _write_tags_and_authors(articles, keep=skipped, batch=batch)
        # The article's search vector, kept current by a trigger (PostgreSQL; null on SQLite).
        PublishedArticle.objects.filter(article_id__in=[row.article_id for row in rows]).update(
            search_vector=Subquery(
                Article.objects.filter(pk=OuterRef("article_id")).values("search_vector")
            )
        )
    return len(rows), skipped


def _write_tags_and_authors(articles: list[Article], *, keep: set[int], batch: list[int]):
    """Replace the tag and author rows of the batch (but those of `keep`) with those of the
    built `articles`. Four queries."""
    replaced = sorted(set(batch) - keep)
    PublishedArticleTag.objects.filter(article_id__in=replaced).delete()
    PublishedArticleAuthor.objects.filter(article_id__in=replaced).delete()
    PublishedArticleTag.objects.bulk_create(
        PublishedArticleTag(
            article_id=article.pk, tag_id=item.tag_id, published_at=article.published_at
        )
        for article in articles
        for item in article.tagged_items.all()
    )
    PublishedArticleAuthor.objects.bulk_create(
        PublishedArticleAuthor(
            article_id=article.pk, author_id=byline.author_id, published_at=article.published_at
        )
        for article in articles
        for byline in article.bylines.all()
    )


def published_dependents(*, article_ids: Iterable[int]) -> set[int]:
    """Published articles whose related reading shows one of `article_ids` (its headline,
    URL and publish time are in their documents). Two queries."""
    ids = list(article_ids)
    linking = RelatedLink.objects.filter(
        target_article_id__in=ids, article__published__isnull=False
    ).values_list("article_id", flat=True)
    suggesting = RelatedSuggestion.objects.filter(
        target_id__in=ids, article__published__isnull=False
    ).values_list("article_id", flat=True)
    return (set(linking) | set(suggesting)) - set(ids)


def published_sync(*, article_ids: Iterable[int], now: datetime | None = None) -> None:
    """Refresh `article_ids` and the published articles that point to them: the call for a
    change of the articles themselves (publish, unpublish, edit, slug, section).

    The caller usually holds the lock of the articles it changed; the articles pointing to
    them are locked without waiting (two editors saving two articles that link to each other
    must not deadlock). One that another transaction holds is rebuilt after this commit,
    once that transaction is done, so it still sees this change.
    """
    ids = set(article_ids)
    published_refresh(article_ids=ids, now=now)
    skipped: set[int] = set()
    dependents = sorted(published_dependents(article_ids=ids))
    for start in range(0, len(dependents), BUILD_BATCH_SIZE):
        batch = dependents[start : start + BUILD_BATCH_SIZE]
        skipped |= _refresh_batch(batch, now=now or timezone.now(), skip_locked=True)[1]
    if skipped:
        transaction.on_commit(lambda: published_refresh(article_ids=skipped), robust=True)


# --- One rebuild per change -----------------------------------------------------------------


class _Batch:
    """The articles asked for inside one `published_batch()`: `refresh` (the article alone),
    `sync` (the article and those pointing to it) and `notify` (subscribers may need telling:
    what they had been told before the batch, see `published_told`)."""

    def __init__(self) -> None:
        self.refresh: set[int] = set()
        self.sync: set[int] = set()
        self.notify: dict[int, bool | None] = {}


_batch: ContextVar[_Batch | None] = ContextVar("published_batch", default=None)


def published_changed(
    *, article_ids: Iterable[int], dependents: bool = False, notify: bool = False
) -> None:
    """What readers see of `article_ids` changed (with `dependents`: also what articles
    pointing to them show). Rebuilt now, or once at the end of the enclosing
    `published_batch()`.

    With `notify`, webhook subscribers hear about the change once the rows are rebuilt
    (`published_notify`): the call for a publish, an unpublish and an edit of an article,
    not for things it merely shows (an author's bio, a rendition). One query to read what
    they were told before.
    """
    ids = set(article_ids)
    batch = _batch.get()
    if batch is not None:
        (batch.sync if dependents else batch.refresh).update(ids)
        if notify:
            # What they were told before the first change of the batch: read now, before
            # anything is rebuilt.
            batch.notify.update(published_told(article_ids=ids - batch.notify.keys()))
        return
    told = published_told(article_ids=ids) if notify else {}
    if dependents:
        published_sync(article_ids=ids)
    else:
        published_refresh(article_ids=ids)
    if notify:
        published_notify(told=told)


@contextmanager
def published_batch() -> Iterator[None]:
    """Collect the rebuilds asked for inside, and do each once when the block ends without
    an error: a save that writes an article, its bylines, tags and links rebuilds it once.
    Enter it inside the transaction (`with transaction.atomic(), published_batch():`), so the
    rebuild commits with the change. Nested blocks leave the work to the outermost."""
    if _batch.get() is not None:
        yield
        return
    batch = _Batch()
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
    if batch.sync:
        published_sync(article_ids=batch.sync)
    if batch.refresh - batch.sync:
        published_refresh(article_ids=batch.refresh - batch.sync)
    if batch.notify:
        published_notify(told=batch.notify)


# --- Shared things several articles show --------------------------------------------------


def published_ids_with_author(*, author_id: int) -> list[int]:
    return list(
        PublishedArticleAuthor.objects.filter(author_id=author_id).values_list(
            "article_id", flat=True
        )
    )


def published_ids_with_tag(*, tag_id: int) -> list[int]:
    return list(
        PublishedArticleTag.objects.filter(tag_id=tag_id).values_list("article_id", flat=True)
    )


def published_ids_with_photo(*, photo_id: int) -> list[int]:
    """Published articles showing the photo, as lead photo or inline."""
    inline = ArticlePhoto.objects.filter(photo_id=photo_id).values("article_id")
    return list(
        PublishedArticle.objects.filter(
            Q(article__lead_photo_id=photo_id) | Q(article_id__in=inline)
        ).values_list("article_id", flat=True)
    )


def published_ids_in_section(*, section_id: int) -> list[int]:
    return list(
        PublishedArticle.objects.filter(section_id=section_id).values_list("article_id", flat=True)
    )


# --- Reads shared by the public API and the feeds --------------------------------------------


def published_tags(*, now: datetime | None = None):
    """Tags on at least one article readers may see now (no query of its own)."""
    visible = PublishedArticle.objects.visible(now=now).values("article_id")
    return TopicTag.objects.filter(
        Exists(PublishedArticleTag.objects.filter(tag=OuterRef("pk"), article__in=visible))
    )


def published_tag_merged_slug(*, slug: str) -> str | None:
    """The slug of the tag that the tag once at `slug` was merged into (or renamed to), if
    readers may see that tag; None otherwise. One query."""
    return (
        TagAlias.objects.filter(slug=slug, tag__in=published_tags().values("pk"))
        .values_list("tag__slug", flat=True)
        .first()
    )


# --- Time ------------------------------------------------------------------------------------


def published_reveal_due(*, now: datetime | None = None) -> int:
    """Rows whose embargo or publish time has just passed: the articles linking to them get
    the link now (it was left out while the target was hidden), and subscribers hear
    `article.published`, the event held back while it was hidden. Run by the scheduler's
    periodic task; returns the rows revealed.

    Exactly once per row, however many schedulers run: rows are claimed under
    `select_for_update(skip_locked=True)` (another scheduler skips them) and only while
    `reveal_pending` is still set (`published_notify` may have claimed one first).
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            PublishedArticle.objects.select_for_update(skip_locked=True)
            .filter(reveal_pending=True, visible_from__lte=now)
            .values_list("article_id", flat=True)[:500]
        )
        if not due:
            return 0
        PublishedArticle.objects.filter(article_id__in=due, reveal_pending=True).update(
            reveal_pending=False
        )
        published_refresh(article_ids=published_dependents(article_ids=due), now=now)
        _announce({article_id: "article.published" for article_id in due})
    return len(due)


# --- What subscribers are told ---------------------------------------------------------------
# Subscribers are told what readers may see, and an embargo holds it back (RELIABILITY.md J3:
# one `article.published` per publish, however many schedulers run). An article is "told"
# while its row exists with `reveal_pending` clear. A row built hidden (an embargo, or a
# publish time ahead) keeps `reveal_pending` set; whoever clears it with a conditional UPDATE
# sends the one `article.published`: the reveal, or `published_notify` when an edit finds the
# row already visible.


def published_told(*, article_ids: Iterable[int]) -> dict[int, bool | None]:
    """Per article: True if subscribers were told it is published, False if its row waits to
    be revealed, None without a row. One query."""
    told: dict[int, bool | None] = dict.fromkeys(article_ids)
    rows = PublishedArticle.objects.filter(article_id__in=list(told)).values_list(
        "article_id", "reveal_pending"
    )
    told.update({article_id: not pending for article_id, pending in rows})
    return told


def published_notify(*, told: dict[int, bool | None], now: datetime | None = None) -> None:
    """Tell subscribers about articles whose rows were just rebuilt, given what they had been
    told before (`published_told`).

    Told before: `article.updated` if it is still visible, `article.unpublished` if it is not
    (unpublished, trashed, or taken back under an embargo). Not told: `article.published` if
    it is visible now, else nothing: events about a hidden article are held, and the reveal
    sends `article.published` when it becomes visible. One query (and one per row it claims
    from the reveal), and those of `webhook_events_emit` when there is something to tell.
    """
    now = now or timezone.now()
    rows = {
        article_id: (visible_from, pending)
        for article_id, visible_from, pending in PublishedArticle.objects.filter(
            article_id__in=list(told)
        ).values_list("article_id", "visible_from", "reveal_pending")
    }
    events: dict[int, str] = {}
    revealed: list[int] = []
    for article_id, was_told in told.items():
        visible_from, pending = rows.get(article_id, (None, False))
        if visible_from is None or visible_from > now:
            if was_told:
                events[article_id] = "article.unpublished"
            continue
        claimed = pending and bool(
            PublishedArticle.objects.filter(article_id=article_id, reveal_pending=True).update(
                reveal_pending=False
            )
        )
        if claimed:
            revealed.append(article_id)
        if was_told:
            events[article_id] = "article.updated"
        elif claimed or (was_told is None and not pending):
            events[article_id] = "article.published"
        else:
            # Waiting to be revealed, and the reveal got there first: it said "published".
            events[article_id] = "article.updated"
    if revealed:
        # The reveal's other half: articles linking to them show the link now.
        published_refresh(article_ids=published_dependents(article_ids=revealed), now=now)
    if events:
        _announce(events)


def _announce(events: dict[int, str]) -> None:
    """Send `events` (article id -> event type); an article that became visible also gets
    its related reading suggested, and refreshes that of recent articles it suits."""
    # articles.suggestions rebuilds rows through this module.
    from articles.suggestions import related_suggestions_on_publish

    # What `webhook_payload` reads: not the body, which may be large (a tag merge tells many).
    articles = (
        Article.objects.select_related("section")
        .only("headline", "slug", "status", "published_at", "canonical_url", "section__slug")
        .in_bulk(list(events))
    )
    webhook_events_emit(events=[(events[pk], article) for pk, article in sorted(articles.items())])
    published = [pk for pk, event in events.items() if event == "article.published"]
    if published:
        related_suggestions_on_publish(article_ids=published)


def published_rebuild(*, now: datetime | None = None, progress=None) -> int:
    """Rebuild the whole published world from the editing tables; returns the rows built.

    Removes rows of articles that are no longer public. `progress(done, total)` is called
    after each batch.
    """
    now = now or timezone.now()
    stale = PublishedArticle.objects.exclude(
        article__status=Article.Status.PUBLISHED, article__deleted_at__isnull=True
    )
    stale.delete()
    ids = list(
        Article.objects.filter(status=Article.Status.PUBLISHED, deleted_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    built = 0
    for start in range(0, len(ids), BUILD_BATCH_SIZE):
        built += published_refresh(article_ids=ids[start : start + BUILD_BATCH_SIZE], now=now)
        if progress:
            progress(min(start + BUILD_BATCH_SIZE, len(ids)), len(ids))
    return built
