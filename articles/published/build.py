"""The door to the published world (docs/architecture.md): the build.

What readers see of a live article (the detail document and the list teaser) is built here
once, when the article is published or anything they see of it changes, and stored as a
`PublishedArticle` row; the public article API serves those rows as they are. A row exists
only for an article that is published and not in the trash, so a draft cannot leak from it;
an embargo or a publish time still ahead hides a row until `visible_from`.

What starts a build is listed in `articles.published.receivers`: the editing world's
announcement of a change (`articles.signals.articles_changed`), and edits of things several
articles show (authors, sections, tags, photos). They run inside the change's transaction, so
the rows commit with it; an edit shown by many articles is rebuilt in the background, in
batches (`articles.published.fanout`). `published_rebuild` rebuilds everything, after a change
of settings that shape the JSON (SITE_URL, MEDIA_PUBLIC_URL, ARTICLE_URL_TEMPLATE). What
subscribers are told is `articles.published.notify`'s.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery, Value
from django.utils import timezone, translation

from articles.models import (
    Article,
    ArticlePhoto,
    ArticleQuerySet,
    Byline,
    RelatedLink,
    RelatedSuggestion,
    TaggedArticle,
)
from articles.published.cache import cache_tag
from articles.published.counts import (
    DayCounts,
    published_counts_apply,
    published_counts_built,
    published_counts_of,
    published_counts_rebuild,
)
from articles.published.models import PublishedArticle, PublishedArticleAuthor, PublishedArticleTag
from newsroom.api.renderers import render_json
from newsroom.postgresql.copy import bulk_insert

# Articles built per query batch: bounds memory on a rebuild of the whole archive.
BUILD_BATCH_SIZE = 200
# `reveal_pending` is not among them: a rebuild never clears it (see `_refresh_batch`).
STORED_FIELDS = [
    "slug", "section", "language", "published_at", "visible_from", "updated_at", "teaser",
    "document", "etag", "cache_tags", "built_at",
]  # fmt: skip


# --- What is built ------------------------------------------------------------------------


def articles_for_list(articles: ArticleQuerySet) -> ArticleQuerySet:
    """Everything a teaser shows, in a constant number of queries (4 with renditions):
    articles with section and lead photo; bylines with authors; tags; lead renditions.
    """
    return articles.select_related("section", "lead_photo").prefetch_related(
        Prefetch("bylines", queryset=Byline.objects.select_related("author").order_by("position")),
        Prefetch(
            "tagged_items",
            queryset=TaggedArticle.objects.select_related("tag").order_by("tag__name"),
        ),
        "lead_photo__renditions",
    )


def articles_for_documents(articles: ArticleQuerySet, *, now=None) -> ArticleQuerySet:
    """`articles_for_list` plus inline photos, corrections and the related links readers
    may see.

    Related links to an article that is not live are left out entirely, so neither its
    headline nor its URL can leak.
    """
    now = now or timezone.now()
    # "Is the target live?" as a correlated EXISTS: one index lookup per link, where
    # `target__in=live()` made PostgreSQL hash every live article of the archive for
    # each query. Targets are loaded without their body and search vector (unused here).
    live = Article.objects.live(now=now)
    visible_links = (
        RelatedLink.objects.filter(
            Q(target_article__isnull=True) | Exists(live.filter(pk=OuterRef("target_article")))
        )
        .select_related("target_article__section")
        .defer("target_article__body", "target_article__search_vector")
    )
    return articles_for_list(articles.defer("search_vector")).prefetch_related(
        Prefetch(
            "article_photos",
            queryset=ArticlePhoto.objects.select_related("photo").prefetch_related(
                "photo__renditions"
            ),
        ),
        Prefetch("related_links", queryset=visible_links, to_attr="visible_related_links"),
        # Stored suggestions whose article is still live (it may have been unpublished
        # since they were computed): one query.
        Prefetch(
            "related_suggestions",
            queryset=RelatedSuggestion.objects.filter(Exists(live.filter(pk=OuterRef("target"))))
            .select_related("target__section")
            .defer("target__body", "target__search_vector")
            .order_by("position"),
            to_attr="visible_suggestions",
        ),
        "corrections",
    )


def published_documents(articles: list[Article]) -> list[tuple[bytes, bytes]]:
    """The detail JSON and the teaser JSON of each article, as the public API answers them.

    `articles` must come from `articles_for_documents()`. One serializer for the whole list (its
    fields are built once). Built in the site's time zone and language whatever the current
    request's, so the stored JSON does not depend on who published.
    """
    from articles.published.serializers import ArticleDetailSerializer

    with timezone.override(settings.TIME_ZONE), translation.override(settings.LANGUAGE_CODE):
        details = ArticleDetailSerializer(articles, many=True).data
        return [published_texts(detail) for detail in details]


def published_texts(detail: dict) -> tuple[bytes, bytes]:
    """The stored detail JSON and teaser JSON of one article's detail data (the serializer's,
    or a stored document parsed and patched by `articles.published.patch`)."""
    from articles.published.serializers import ArticleTeaserSerializer

    teaser_fields = ArticleTeaserSerializer.Meta.fields
    return render_json(detail), render_json({name: detail[name] for name in teaser_fields})


def published_etag(document: bytes) -> str:
    return hashlib.blake2b(document, digest_size=16).hexdigest()


def article_cache_tags(article: Article) -> list[str]:
    """The cache tags of an article's detail: the article, its section, tags and authors, and
    the articles its related reading shows (their headline and URL). No query: `article`
    comes from `articles_for_documents()`."""
    tags = {cache_tag("article", article.pk), cache_tag("section", article.section_id)}
    tags.update(cache_tag("tag", item.tag_id) for item in article.tagged_items.all())
    tags.update(cache_tag("author", byline.author_id) for byline in article.bylines.all())
    tags.update(
        cache_tag("article", link.target_article_id)
        for link in article.visible_related_links
        if link.target_article_id
    )
    tags.update(cache_tag("article", s.target_id) for s in article.visible_suggestions)
    return sorted(tags)


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
        etag=published_etag(document),
        cache_tags=" ".join(article_cache_tags(article)),
        built_at=now,
        reveal_pending=visible_from > now,
    )


def published_refresh(*, article_ids: Iterable[int], now: datetime | None = None) -> int:
    """Build, rebuild or remove the published rows of `article_ids`; returns the rows built.

    Articles that are not published, or are in the trash, lose their row. Each article row is
    locked (in id order) while its document is built, so two transactions changing what one
    article shows (an edit and an author rename, say) build it one after the other and the
    later build sees both changes. Queries per batch of `BUILD_BATCH_SIZE`: the lock, those
    of `articles_for_documents()`, one delete and one upsert, four for the tag and author rows,
    one copying the search vectors, one reading what the replaced rows counted per day and up
    to two adding the difference to the counts (`articles.published.counts`).
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
        # What the rows this batch replaces count per day, before they are replaced.
        counted = published_counts_of(article_ids=sorted(set(batch) - skipped))
        articles = list(
            articles_for_documents(
                Article.objects.filter(
                    pk__in=locked, status=Article.Status.PUBLISHED, deleted_at__isnull=True
                ),
                now=now,
            )
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
        published_counts_apply(before=counted, after=published_counts_built(articles))
        # The article's search vector, kept current by a trigger (PostgreSQL; null on SQLite).
        PublishedArticle.objects.filter(article_id__in=[row.article_id for row in rows]).update(
            search_vector=Subquery(
                Article.objects.filter(pk=OuterRef("article_id")).values("search_vector")
            )
        )
    return len(rows), skipped


def published_forget(*, article_ids: Iterable[int]) -> None:
    """Take the published rows of `article_ids` out of the counts per day: the articles are
    about to be deleted for good, and their rows go with them (CASCADE). Two queries (the
    lock and the read), and those of the counts when there were rows."""
    ids = sorted(set(article_ids))
    list(Article.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    published_counts_apply(before=published_counts_of(article_ids=ids), after=DayCounts())


def _write_tags_and_authors(articles: list[Article], *, keep: set[int], batch: list[int]):
    """Replace the tag and author rows of the batch (but those of `keep`) with those of the
    built `articles`. Four queries."""
    replaced = sorted(set(batch) - keep)
    PublishedArticleTag.objects.filter(article_id__in=replaced).delete()
    PublishedArticleAuthor.objects.filter(article_id__in=replaced).delete()
    bulk_insert(
        [
            PublishedArticleTag(
                article_id=article.pk, tag_id=item.tag_id, published_at=article.published_at
            )
            for article in articles
            for item in article.tagged_items.all()
        ]
    )
    bulk_insert(
        [
            PublishedArticleAuthor(
                article_id=article.pk, author_id=byline.author_id, published_at=article.published_at
            )
            for article in articles
            for byline in article.bylines.all()
        ]
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
    published_refresh_linking(article_ids=published_dependents(article_ids=ids), now=now)


def published_refresh_linking(*, article_ids: Iterable[int], now: datetime | None = None):
    """Refresh `article_ids`, articles linking to ones this transaction changed, each locked
    without waiting; one another transaction holds is rebuilt after this commit
    (`published_sync`)."""
    skipped: set[int] = set()
    dependents = sorted(article_ids)
    for start in range(0, len(dependents), BUILD_BATCH_SIZE):
        batch = dependents[start : start + BUILD_BATCH_SIZE]
        skipped |= _refresh_batch(batch, now=now or timezone.now(), skip_locked=True)[1]
    if skipped:
        transaction.on_commit(lambda: published_refresh(article_ids=skipped), robust=True)


def published_rebuild(*, now: datetime | None = None, progress=None) -> int:
    """Rebuild the whole published world from the editing tables; returns the rows built.

    Removes rows of articles that are no longer public (through the door, so the counts per
    day follow), then counts the days again (`published_counts_rebuild`: a change of
    `TIME_ZONE` moves them). `progress(done, total)` is called after each batch.
    """
    now = now or timezone.now()
    stale = PublishedArticle.objects.exclude(
        article__status=Article.Status.PUBLISHED, article__deleted_at__isnull=True
    )
    published_refresh(article_ids=list(stale.values_list("article_id", flat=True)), now=now)
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
    published_counts_rebuild()
    return built
