"""Renames patched into the stored documents, for the background fan-out
(`articles.published.fanout`).

A tag, author or section renamed changes a few values of each document showing it: the
tag's entries (and the order of the tag list, sorted by name), the bylines, the section and
the URLs built from its slug. A full build (`published_refresh`) serializes everything else
again as well, which made a fan-out run at ~240 documents/s. Here each document of the
batch is parsed, the parts showing the object are replaced with what a build gives for them
now (the same helpers the serializers use, from the editing tables, read under the
article's lock), and it is rendered again with `published_texts`: the bytes are those of a
full build (`tests/published/test_fanout_patch.py` compares them). Rows whose document did
not change are not written.

Queries per batch: the articles' lock, one or two reading what the documents show of the
object, the documents, and one UPDATE; for a section whose slug changed also the articles
linking to the batch (two), their lock and their documents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import orjson
from django.db import connections, transaction
from django.utils import timezone

from articles.models import Article, Byline, TaggedArticle
from articles.published.build import (
    published_dependents,
    published_etag,
    published_refresh,
    published_texts,
)
from articles.published.models import PublishedArticle
from articles.published.serializers import (
    BylineSerializer,
    SectionRefSerializer,
    json_ld_person,
    tag_ref,
)

Detail = dict


@dataclass
class Patch:
    """What to change in the batch's documents: `edit(article_id, detail)` for each of them;
    `cards`, the URL of each article of the batch by slug, for the related-reading cards of
    every document showing one (the batch's own and the articles linking to them)."""

    edit: Callable[[int, Detail], None]
    cards: dict[str, str] = field(default_factory=dict)


def tag_patch(article_ids: list[int]) -> Patch:
    """The tag lists (ordered by name, as `articles_for_list` reads them) and keywords."""
    tags: dict[int, list[tuple[str, str]]] = {pk: [] for pk in article_ids}
    # Values rather than models: a batch reads thousands.
    items = (
        TaggedArticle.objects.filter(content_object_id__in=article_ids)
        .order_by("tag__name")
        .values_list("content_object_id", "tag__name", "tag__slug")
    )
    for article_id, name, slug in items:
        tags[article_id].append((name, slug))

    def edit(article_id: int, detail: Detail) -> None:
        shown = tags[article_id]
        detail["tags"] = [tag_ref(name, slug) for name, slug in shown]
        detail["json_ld"]["keywords"] = [name for name, _ in shown]

    return Patch(edit)


def author_patch(article_ids: list[int]) -> Patch:
    """The bylines (in their order) and the authors of the JSON-LD."""
    bylines: dict[int, list] = {pk: [] for pk in article_ids}
    shown: dict[int, tuple[dict, dict]] = {}
    rows = (
        Byline.objects.filter(article_id__in=article_ids)
        .select_related("author")
        .order_by("position")
    )
    for byline in rows:
        bylines[byline.article_id].append(byline.author_id)
        if byline.author_id not in shown:
            shown[byline.author_id] = (
                BylineSerializer(byline).data,
                json_ld_person(byline.author),
            )

    def edit(article_id: int, detail: Detail) -> None:
        authors = bylines[article_id]
        detail["bylines"] = [shown[pk][0] for pk in authors]
        detail["json_ld"]["author"] = [shown[pk][1] for pk in authors]

    return Patch(edit)


def section_patch(article_ids: list[int]) -> Patch:
    """The section, the URLs built from its slug, and the cards showing those URLs."""
    articles = {
        article.pk: article
        for article in Article.objects.filter(pk__in=article_ids)
        .select_related("section")
        .only("id", "slug", "canonical_url", "section__name", "section__slug")
    }
    # One serializer per section, not per article: a ModelSerializer builds its fields anew
    # each time (~0.8 ms).
    sections = {article.section_id: article.section for article in articles.values()}
    refs = {pk: SectionRefSerializer(section).data for pk, section in sections.items()}

    def edit(article_id: int, detail: Detail) -> None:
        article = articles[article_id]
        url = article.public_url
        detail["section"] = refs[article.section_id]
        detail["url"] = detail["canonical_url"] = url
        json_ld = detail["json_ld"]
        json_ld["mainEntityOfPage"] = json_ld["url"] = url
        json_ld["articleSection"] = article.section.name

    return Patch(edit, cards={a.slug: a.public_url for a in articles.values()})


def _patch_cards(detail: Detail, urls: dict[str, str]) -> None:
    related = [block for block in detail["blocks"] if block["type"] == "related"]
    for card in [*related, *detail["related"]]:
        if card["article"] and card["article"]["slug"] in urls:
            card["url"] = urls[card["article"]["slug"]]
    for card in detail["suggested_related"]:
        if card["slug"] in urls:
            card["url"] = urls[card["slug"]]


def published_patch(*, patch: Callable[[list[int]], Patch], article_ids: list[int]) -> int:
    """Patch the documents of `article_ids` (and, when their URLs moved, the cards of the
    articles linking to them) in one transaction; returns the documents that changed.

    The articles are locked in id order, as a build locks them, so an edit being saved is
    patched after it commits and an edit saved later builds with the new name. Articles
    linking to them are locked without waiting (`published_sync`); one another transaction
    holds is rebuilt after the commit. A section renamed without a new slug moves no URL, so
    it reads and locks none of the linking articles.
    """
    with transaction.atomic():
        locked = list(
            Article.objects.select_for_update()
            .filter(pk__in=article_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        changes = patch(locked)
        stored = dict(
            PublishedArticle.objects.filter(article_id__in=locked).values_list(
                "article_id", "document"
            )
        )
        details = {article_id: orjson.loads(document) for article_id, document in stored.items()}
        moved: dict[str, str] = {}
        for article_id, detail in details.items():
            url = detail["url"]
            changes.edit(article_id, detail)
            if changes.cards.get(detail["slug"], url) != url:
                moved[detail["slug"]] = detail["url"]
        if moved:
            moved_ids = [pk for pk, detail in details.items() if detail["slug"] in moved]
            for article_id, document in _linking_documents(moved_ids, own=set(locked)).items():
                stored[article_id] = document
                details[article_id] = orjson.loads(document)
            for detail in details.values():
                _patch_cards(detail, moved)
        patched = []
        for article_id, detail in details.items():
            document, teaser = published_texts(detail)
            if document != stored[article_id].encode():
                patched.append((article_id, document.decode(), teaser.decode(), document))
        if patched:
            _write(patched)
        return len(patched)


def _linking_documents(article_ids: list[int], *, own: set[int]) -> dict[int, str]:
    """The documents of the published articles linking to `article_ids`, outside the batch
    (`own`), each locked without waiting; one another transaction holds is rebuilt after
    the commit. Three queries."""
    dependents = sorted(published_dependents(article_ids=article_ids) - own)
    linking = list(
        Article.objects.select_for_update(skip_locked=True)
        .filter(pk__in=dependents)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    skipped = set(dependents) - set(linking)
    if skipped:
        transaction.on_commit(lambda: published_refresh(article_ids=skipped), robust=True)
    return dict(
        PublishedArticle.objects.filter(article_id__in=linking).values_list(
            "article_id", "document"
        )
    )


def _write(patched: list[tuple[int, str, str, bytes]]) -> None:
    """One UPDATE of the patched rows' document, teaser, ETag and build time, from a VALUES
    list (PostgreSQL and SQLite): a CASE per column made PostgreSQL compare every row with
    every id of the batch, ~2 s per 500 documents."""
    connection = connections[PublishedArticle.objects.db]
    quote = connection.ops.quote_name
    table = quote(PublishedArticle._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s)"] * len(patched))
    params: list = []
    for article_id, document, teaser, raw in patched:
        params += [article_id, document, teaser, published_etag(raw)]
    built_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH v (article_id, document, teaser, etag) AS (VALUES {values}) "  # noqa: S608 - no input in the SQL
            f"UPDATE {table} SET document = v.document, teaser = v.teaser, etag = v.etag, "
            f"built_at = %s FROM v WHERE {table}.article_id = v.article_id",
            [*params, built_at],
        )
