# ruff: noqa: S608 - SQL built from this module's constants and table names only
"""A large benchmark archive in minutes: `seed_bench --articles 1000000 --base 10000`.

`seed_bench` writes `--base` articles through the ORM (~500 articles/s here), then this module
makes the rest in PostgreSQL, copy by copy, with `INSERT ... SELECT`: every copy of an article
is a new article with its own id, slug, lead photo and renditions, bylines, tags and "Baca
juga" links (to the same copy of their targets), so every row is as valid as one the
generator wrote. What the planner sees varies as in a real archive:

- sections: each copy moves every article to the next section (a rotation);
- authors and tags: each copy swaps an author with a neighbour in popularity (ids XOR
  `copy % 8`; tags `copy % 16`), so the Zipf-like shape of `seed_bench` is kept while each
  copy names different people and topics;
- dates: the base articles are moved so that the newest was published an hour ago (also
  with no copies: `--base` equal to `--articles`); copy k of an article published at t is
  published k × (span / articles) earlier,
  so the copies fill the two years evenly; a scheduled article's copy is k minutes later;
  drafts stay unpublished. Creation and update times follow the publish time (drafts and
  scheduled articles: a day of the last two years), for the base articles too;
- text: a copy keeps its article's headline, dek and body, and so its search vector, which
  is copied instead of recomputed (the trigger of articles/migrations/0004_article_search_vector.py
  is disabled while copying; it would compute the same vector at ~2,000 articles/s).

The tables' secondary indexes are dropped before copying and rebuilt after (faster than
maintaining them row by row); constraints and their indexes stay. The published world is
then built by `seed_bench` as publishing builds it. PostgreSQL only.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction

from articles.models import Article, Author, Byline, RelatedLink, Section, TaggedArticle
from articles.models.article import ArticlePhoto
from articles.photos.models import Photo, PhotoRendition
from tagging.models import TopicTag

SPAN_DAYS = 730  # seed_bench publishes over two years
SEARCH_TRIGGER = "articles_article_search_vector_trigger"
# Tables whose rows are copied; their secondary indexes are rebuilt at the end.
COPIED = [Photo, PhotoRendition, Article, Byline, TaggedArticle, RelatedLink, ArticlePhoto]

# Times of an article from its publish time (drafts and scheduled ones: a day of the last two
# years, from its id): created up to two days before, updated up to 12 hours after.
_BASE_TIME = (
    f"CASE WHEN {{a}}.status = 'published' THEN {{a}}.published_at "
    f"ELSE now() - mod({{id}} * 7919, {SPAN_DAYS}) * interval '1 day' END"
)


def _created(alias: str, new_id: str) -> str:
    base = _BASE_TIME.format(a=alias, id=new_id)
    return f"({base}) - (mod({new_id}, 47) + 1) * interval '1 hour'"


def _updated(alias: str, new_id: str) -> str:
    return (
        f"least(({_BASE_TIME.format(a=alias, id=new_id)}) + mod({new_id}, 13) * interval '1 hour', "
        "now())"
    )


def copy_articles(*, copies: int, progress: Callable[[int], None] | None = None) -> None:
    """Add `copies` copies of every article (and its rows) already in the database."""
    if connection.vendor != "postgresql":
        raise RuntimeError("bench copies need PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        top = {}
        for model in COPIED:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {model._meta.db_table}")
            top[model] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM articles_article")
        articles = cursor.fetchone()[0]
        _maps(cursor, copies)
        with transaction.atomic():
            # The archive ends an hour ago: the dashboard's "published today", its 30-day
            # chart and the week's tags see the volumes of a live newsroom.
            cursor.execute(
                "UPDATE articles_article SET published_at = published_at + shift, "
                "first_published_at = first_published_at + shift, "
                "last_published_at = last_published_at + shift "
                "FROM (SELECT now() - interval '1 hour' - max(published_at) AS shift "
                "FROM articles_article WHERE status = 'published') s "
                "WHERE status = 'published'"
            )
            cursor.execute(
                f"UPDATE articles_article a SET created_at = {_created('a', 'a.id')}, "
                f"updated_at = {_updated('a', 'a.id')}"
            )
        if not copies:
            return
        if connection.in_atomic_block:
            # Inside an outer transaction (tests) pending foreign key checks would block the
            # ALTER TABLE below: run them now, and the copies' at each statement.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        indexes = _drop_secondary_indexes(cursor)
        cursor.execute(f"ALTER TABLE articles_article DISABLE TRIGGER {SEARCH_TRIGGER}")
        try:
            for k in range(1, copies + 1):
                with transaction.atomic():
                    _copy(
                        cursor,
                        k,
                        top=top,
                        shift_seconds=SPAN_DAYS * 86400 / articles / (copies + 1),
                    )
                if progress:
                    progress(articles)
        finally:
            cursor.execute(f"ALTER TABLE articles_article ENABLE TRIGGER {SEARCH_TRIGGER}")
            for sql in indexes:
                cursor.execute(sql)


def _maps(cursor, copies: int) -> None:
    """Temporary tables mapping (copy, old id) to the section, author and tag of the copy."""
    for name, model, how in (
        ("bench_section_map", Section, "mod(a.i + k, a.n)"),
        ("bench_author_map", Author, _swap(8)),
        ("bench_tag_map", TopicTag, _swap(16)),
    ):
        table = model._meta.db_table
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(
            f"CREATE TEMP TABLE {name} AS "
            f"WITH ranked AS (SELECT id, (row_number() OVER (ORDER BY id) - 1)::int AS i, "
            f"count(*) OVER ()::int AS n FROM {table}) "
            f"SELECT k, a.id AS old, b.id AS new FROM ranked a "
            f"CROSS JOIN generate_series(1, %s) AS k JOIN ranked b ON b.i = {how}",
            [copies],
        )
        cursor.execute(f"CREATE UNIQUE INDEX ON {name} (k, old)")
        cursor.execute(f"ANALYZE {name}")


def _swap(block: int) -> str:
    """The rank a copy gives rank `a.i`: its neighbour within blocks of `block` (a bijection)."""
    return f"CASE WHEN (a.i # mod(k, {block})) < a.n THEN a.i # mod(k, {block}) ELSE a.i END"


def _drop_secondary_indexes(cursor) -> list[str]:
    """Drop the copied tables' indexes that back no constraint; returns their definitions."""
    tables = [model._meta.db_table for model in COPIED]
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%s::regclass[]) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [tables],
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in found]


def _copy(cursor, k: int, *, top: dict, shift_seconds: float) -> None:
    photo, rendition, article = top[Photo], top[PhotoRendition], top[Article]
    params = {"k": k, "photo": k * photo, "article": k * article}
    cursor.execute(
        "INSERT INTO articles_photo (id, image, width, height, caption, credit, copyright, "
        "source_url, alt_text, focal_point_x, focal_point_y, created_at, updated_at, "
        "uploaded_by_id, source) "
        "SELECT id + %(photo)s, image, width, height, caption, credit, copyright, source_url, "
        "alt_text, focal_point_x, focal_point_y, created_at, updated_at, uploaded_by_id, source "
        "FROM articles_photo WHERE id <= %(top)s",
        {**params, "top": photo},
    )
    cursor.execute(
        "INSERT INTO articles_photorendition (id, spec, file, width, height, format, "
        "source_key, created_at, updated_at, photo_id) "
        "SELECT id + %(rendition)s, spec, file, width, height, format, source_key, created_at, "
        "updated_at, photo_id + %(photo)s FROM articles_photorendition WHERE id <= %(top)s",
        {**params, "rendition": k * rendition, "top": rendition},
    )
    new_id = "(a.id + %(article)s)"
    cursor.execute(
        "INSERT INTO articles_article (id, headline, slug, dek, body, dateline, language, status, "
        "published_at, first_published_at, last_published_at, created_at, updated_at, "
        "seo_title, seo_description, canonical_url, created_by_id, lead_photo_id, section_id, "
        "search_vector, deleted_at, embargo_until, version, live_revision_id, locked_at, "
        "locked_by_id) "
        f"SELECT {new_id}, a.headline, a.slug || '-c' || %(k)s, a.dek, a.body, a.dateline, "
        "a.language, a.status, "
        "CASE a.status WHEN 'published' THEN a.published_at - %(shift)s * interval '1 second' "
        "WHEN 'scheduled' THEN a.published_at + %(k)s * interval '1 minute' END, "
        "a.first_published_at - %(shift)s * interval '1 second', "
        "a.last_published_at - %(shift)s * interval '1 second', "
        f"{_created('a', new_id).replace('a.published_at', 'p.published_at')}, "
        f"{_updated('a', new_id).replace('a.published_at', 'p.published_at')}, "
        "a.seo_title, a.seo_description, a.canonical_url, a.created_by_id, "
        "a.lead_photo_id + %(photo)s, s.new, a.search_vector, a.deleted_at, a.embargo_until, "
        "a.version, NULL, NULL, NULL "
        "FROM articles_article a "
        "CROSS JOIN LATERAL (SELECT a.published_at - %(shift)s * interval '1 second' "
        "AS published_at) p "
        "JOIN bench_section_map s ON s.k = %(k)s AND s.old = a.section_id "
        "WHERE a.id <= %(top)s",
        {**params, "shift": k * shift_seconds, "top": article},
    )
    cursor.execute(
        "INSERT INTO articles_byline (id, position, article_id, author_id) "
        "SELECT b.id + %(byline)s, b.position, b.article_id + %(article)s, m.new "
        "FROM articles_byline b JOIN bench_author_map m ON m.k = %(k)s AND m.old = b.author_id "
        "WHERE b.article_id <= %(top)s",
        {**params, "byline": k * top[Byline], "top": article},
    )
    cursor.execute(
        "INSERT INTO articles_taggedarticle (id, content_object_id, tag_id) "
        "SELECT t.id + %(tagged)s, t.content_object_id + %(article)s, m.new "
        "FROM articles_taggedarticle t JOIN bench_tag_map m ON m.k = %(k)s AND m.old = t.tag_id "
        "WHERE t.content_object_id <= %(top)s",
        {**params, "tagged": k * top[TaggedArticle], "top": article},
    )
    cursor.execute(
        "INSERT INTO articles_relatedlink (id, url, title, label, after_paragraph, position, "
        "article_id, target_article_id) "
        "SELECT id + %(link)s, url, title, label, after_paragraph, position, "
        "article_id + %(article)s, target_article_id + %(article)s "
        "FROM articles_relatedlink WHERE article_id <= %(top)s",
        {**params, "link": k * top[RelatedLink], "top": article},
    )
    cursor.execute(
        "INSERT INTO articles_articlephoto (id, after_paragraph, position, caption_override, "
        "article_id, photo_id) "
        "SELECT id + %(placement)s, after_paragraph, position, caption_override, "
        "article_id + %(article)s, photo_id + %(photo)s "
        "FROM articles_articlephoto WHERE article_id <= %(top)s AND photo_id <= %(photos)s",
        {**params, "placement": k * top[ArticlePhoto], "top": article, "photos": photo},
    )
