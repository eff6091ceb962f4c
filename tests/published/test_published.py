"""The published world: built at publish time, exact after every change readers can see."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from articles.models import Article, Byline, RelatedLink, TaggedArticle
from articles.published.build import articles_for_documents, published_documents
from articles.published.models import PublishedArticle, PublishedArticleAuthor, PublishedArticleTag
from articles.published.notify import published_reveal_due
from articles.published.serializers import ArticleDetailSerializer, ArticleTeaserSerializer
from articles.services import (
    article_add_correction,
    article_publish,
    article_save,
    article_trash,
    article_unpublish,
)
from newsroom.api.renderers import render_json
from tagging.services import tag_merge
from tests.support.factories import (
    ArticleFactory,
    ArticlePhotoFactory,
    AuthorFactory,
    PhotoFactory,
    SectionFactory,
    TopicTagFactory,
    article_in_status,
)

pytestmark = pytest.mark.django_db


def _detail(client, article: Article):
    return client.get(f"/api/v1/articles/{article.slug}/")


def _stored(article: Article) -> dict:
    return json.loads(PublishedArticle.objects.get(article=article).document)


def _fresh(article: Article) -> dict:
    """What a build from the editing tables gives now."""
    ((document, _teaser),) = published_documents(
        [articles_for_documents(Article.objects.all()).get(pk=article.pk)]
    )
    return json.loads(document)


@pytest.mark.parametrize("status", Article.Status.values)
def test_only_published_articles_have_a_row(status):
    article = article_in_status(status, now=timezone.now())
    assert PublishedArticle.objects.filter(article=article).exists() == (
        status == Article.Status.PUBLISHED
    )


def test_publish_builds_the_row_and_unpublish_removes_it(client, editor):
    article = ArticleFactory(status=Article.Status.IN_REVIEW)
    assert _detail(client, article).status_code == 404

    article_publish(article=article, user=editor)
    assert _detail(client, article).json()["headline"] == article.headline
    assert _stored(article) == _fresh(article)

    article_unpublish(article=article, user=editor)
    assert not PublishedArticle.objects.filter(article=article).exists()
    assert _detail(client, article).status_code == 404
    assert client.get("/api/v1/articles/").json()["results"] == []


def test_an_edit_of_a_live_article_shows_at_once(client, editor):
    article = ArticleFactory(published=True)
    etag = _detail(client, article).headers["ETag"]

    article_save(
        article=article,
        user=editor,
        expected_version=article.version,
        data={"headline": "Jembatan Cikapundung dibuka lagi"},
        bylines=[AuthorFactory(name="Rina Wulandari")],
        tags=["Jembatan"],
    )

    response = _detail(client, article)
    body = response.json()
    assert body["headline"] == "Jembatan Cikapundung dibuka lagi"
    assert [b["name"] for b in body["bylines"]] == ["Rina Wulandari"]
    assert [t["name"] for t in body["tags"]] == ["Jembatan"]
    assert response.headers["ETag"] != etag
    teaser = client.get("/api/v1/articles/").json()["results"][0]
    assert teaser["headline"] == "Jembatan Cikapundung dibuka lagi"


def test_a_raw_orm_save_goes_through_the_door_too(client):
    article = ArticleFactory(published=True)
    article.dek = "Ringkasan baru."
    article.save()
    assert _detail(client, article).json()["dek"] == "Ringkasan baru."

    article.status = Article.Status.UNPUBLISHED
    article.save()
    assert _detail(client, article).status_code == 404


def test_a_correction_shows_at_once(client, editor):
    article = ArticleFactory(published=True)
    article_add_correction(article=article, text="Nama kepala dinas diperbaiki.", user=editor)
    assert [c["text"] for c in _detail(client, article).json()["corrections"]] == [
        "Nama kepala dinas diperbaiki."
    ]


def _listing_rows() -> set[tuple]:
    """The tag and author rows of the published world."""
    return {
        ("tag", row.article_id, row.tag_id, row.published_at)
        for row in PublishedArticleTag.objects.all()
    } | {
        ("author", row.article_id, row.author_id, row.published_at)
        for row in PublishedArticleAuthor.objects.all()
    }


def _expected_listing_rows() -> set[tuple]:
    """The same, as the editing tables say they should be."""
    published = dict(PublishedArticle.objects.values_list("article_id", "published_at"))
    return {
        ("tag", item.content_object_id, item.tag_id, published[item.content_object_id])
        for item in TaggedArticle.objects.filter(content_object_id__in=published)
    } | {
        ("author", byline.article_id, byline.author_id, published[byline.article_id])
        for byline in Byline.objects.filter(article_id__in=published)
    }


@pytest.mark.parametrize("model", [PublishedArticleTag, PublishedArticleAuthor])
def test_the_sql_listing_gives_the_rows_of_the_orm_listing(model, django_assert_num_queries):
    tag, author = TopicTagFactory(slug="banjir"), AuthorFactory(slug="siti")
    now = timezone.now().replace(microsecond=0)
    for hours in (1, 2, 2, 3, -1):  # the last one is scheduled
        ArticleFactory(published=True, published_at=now - timedelta(hours=hours), tags=[tag],
                       authors=[author])  # fmt: skip
    ArticleFactory(published=True, embargo_until=now + timedelta(hours=1), tags=[tag],
                   authors=[author])  # fmt: skip
    ArticleFactory(published=True)
    key = {"tag": tag, "author": author}[model.listing_key]
    orm = model.objects.filter(**{model.listing_key: key}).listing(
        PublishedArticle.objects.visible()
    )
    bound = str(now - timedelta(hours=2))

    for sql in (model.objects.visible_listing(slug=key.slug),
                model.objects.visible_listing(pk=key.pk)):  # fmt: skip
        for ordering in (("-published_at", "-article_id"), ("published_at", "article_id")):
            for lookup in ({}, {"published_at__lt": bound}, {"published_at__gt": bound}):
                expected = list(orm.order_by(*ordering).filter(**lookup)[1:3])
                page = sql.order_by(*ordering)
                if lookup:
                    page = page.filter(**lookup)
                with django_assert_num_queries(1):
                    assert page[1:3] == expected, (ordering, lookup)
    newest_first = model.objects.visible_listing(slug=key.slug).order_by(
        "-published_at", "-article_id"
    )
    assert len(newest_first[0:10]) == 4
    unknown = model.objects.visible_listing(slug="tidak-ada").order_by(
        "-published_at", "-article_id"
    )
    assert unknown[0:10] == []


def test_tag_and_author_rows_follow_every_change(editor):
    banjir, bandung, jembatan = (TopicTagFactory(name=n) for n in ("Banjir", "Bandung", "Jembatan"))
    siti, rina = AuthorFactory(name="Siti"), AuthorFactory(name="Rina")
    article = ArticleFactory(status=Article.Status.IN_REVIEW, tags=[banjir], authors=[siti])
    other = ArticleFactory(published=True, tags=[banjir, bandung], authors=[siti, rina])
    ArticleFactory(status=Article.Status.DRAFT, tags=[banjir], authors=[siti])
    assert _listing_rows() == _expected_listing_rows()
    assert {row[1] for row in _listing_rows()} == {other.pk}

    article_publish(article=article, user=editor)
    assert _listing_rows() == _expected_listing_rows()
    assert ("tag", article.pk, banjir.pk, article.published_at) in _listing_rows()

    article.refresh_from_db()
    article_save(
        article=article,
        user=editor,
        expected_version=article.version,
        data={"headline": "Jembatan Cikapundung ditutup"},
        bylines=[rina],
        tags=["Jembatan", "Bandung"],
    )
    assert _listing_rows() == _expected_listing_rows()
    assert {row[2] for row in _listing_rows() if row[1] == article.pk} == {
        jembatan.pk, bandung.pk, rina.pk
    }  # fmt: skip

    article.refresh_from_db()
    article.published_at -= timedelta(days=1)
    article.save()
    assert _listing_rows() == _expected_listing_rows()
    assert ("author", article.pk, rina.pk, article.published_at) in _listing_rows()

    tag_merge(source=bandung, target=banjir)
    assert _listing_rows() == _expected_listing_rows()
    jembatan.delete()
    assert _listing_rows() == _expected_listing_rows()

    article_unpublish(article=article, user=editor)
    assert _listing_rows() == _expected_listing_rows()
    assert {row[1] for row in _listing_rows()} == {other.pk}


def test_tag_merge_and_rename_show_at_once(client):
    source = TopicTagFactory(name="Banjir Bandung")
    target = TopicTagFactory(name="Banjir")
    article = ArticleFactory(published=True, tags=[source])

    tag_merge(source=source, target=target)
    assert [t["slug"] for t in _detail(client, article).json()["tags"]] == [target.slug]

    target.name = "Banjir Bandang"
    target.save()
    assert [t["name"] for t in _detail(client, article).json()["tags"]] == ["Banjir Bandang"]
    assert _stored(article) == _fresh(article)


def test_author_section_and_photo_edits_show_at_once(client):
    author = AuthorFactory(name="Dewi Lestari")
    section = SectionFactory(name="Daerah", slug="daerah")
    photo = PhotoFactory(caption="Warga mengungsi")
    article = ArticleFactory(published=True, authors=[author], section=section, lead_photo=photo)

    author.name = "Dewi Lestari Putri"
    author.save()
    section.slug = "jabar"
    section.save()
    photo.caption = "Warga mengungsi ke masjid"
    photo.save()

    body = _detail(client, article).json()
    assert body["bylines"][0]["name"] == "Dewi Lestari Putri"
    assert "/jabar/" in body["url"]
    assert body["lead_photo"]["caption"] == "Warga mengungsi ke masjid"
    assert _stored(article) == _fresh(article)


def test_a_related_target_going_away_leaves_the_linking_article(client, editor):
    target = ArticleFactory(published=True, headline="Harga beras naik")
    article = ArticleFactory(published=True)
    RelatedLink.objects.create(article=article, target_article=target, after_paragraph=1)
    assert [r["title"] for r in _detail(client, article).json()["related"]] == ["Harga beras naik"]

    article_save(
        article=target,
        user=editor,
        expected_version=target.version,
        data={"headline": "Harga beras turun"},
    )
    assert [r["title"] for r in _detail(client, article).json()["related"]] == ["Harga beras turun"]

    article_unpublish(article=target, user=editor)
    assert _detail(client, article).json()["related"] == []


def test_deleting_a_live_target_rebuilds_the_articles_linking_to_it(client):
    target = ArticleFactory(published=True)
    article = ArticleFactory(published=True)
    RelatedLink.objects.create(article=article, target_article=target, after_paragraph=1)

    target.delete()

    assert _detail(client, article).json()["related"] == []
    assert not PublishedArticle.objects.filter(article_id=target.pk).exists()


def test_trash_removes_the_row(editor):
    article = article_in_status(Article.Status.UNPUBLISHED, now=timezone.now())
    article_trash(article=article, user=editor)
    assert not PublishedArticle.objects.filter(article=article).exists()


def test_an_embargo_hides_the_row_until_it_ends_then_reveals_links_to_it(client, editor):
    now = timezone.now()
    target = ArticleFactory(published=True, embargo_until=now + timedelta(hours=2))
    article = ArticleFactory(published=True)
    RelatedLink.objects.create(article=article, target_article=target, after_paragraph=1)

    assert _detail(client, target).status_code == 404
    assert _detail(client, article).json()["related"] == []
    assert published_reveal_due(now=now) == 0

    assert published_reveal_due(now=now + timedelta(hours=3)) == 1
    assert [r["article"] for r in _stored(article)["related"]] == [{"slug": target.slug}]
    assert published_reveal_due(now=now + timedelta(hours=3)) == 0


def test_conditional_get_is_one_query_without_the_document(client, django_assert_num_queries):
    article = ArticleFactory(published=True)
    etag = _detail(client, article).headers["ETag"]

    with django_assert_num_queries(1) as captured:
        response = client.get(f"/api/v1/articles/{article.slug}/", headers={"if-none-match": etag})

    assert response.status_code == 304
    assert response.headers["ETag"] == etag
    assert "document" not in captured.captured_queries[0]["sql"]


def test_rebuild_command_restores_a_damaged_world(client):
    live = ArticleFactory(published=True)
    draft = ArticleFactory()
    PublishedArticle.objects.filter(article=live).update(document="{}", teaser="{}")
    stale = PublishedArticle.objects.get(article=live)
    stale.article_id = draft.pk
    stale.slug = "stale"
    stale.save(force_insert=True)

    call_command("published_rebuild", verbosity=0)

    assert list(PublishedArticle.objects.values_list("article_id", flat=True)) == [live.pk]
    assert _stored(live) == _fresh(live)
    assert _detail(client, live).json()["slug"] == live.slug


@pytest.mark.django_db(transaction=True)
def test_a_linking_article_another_transaction_holds_is_rebuilt_after_it_is_done(
    django_user_model,
):
    """Two editors at once: one renames an article while the other holds an article that
    links to it. The rename does not wait (no deadlock between linked articles); the linking
    article is rebuilt after the other transaction ends, with the new headline."""
    # A superuser: an earlier transactional test may have flushed the roles migrations made.
    editor = django_user_model.objects.create_superuser("redaktur.pelaksana", password="x")
    target = ArticleFactory(published=True, headline="Harga beras naik")
    linking = ArticleFactory(published=True)
    RelatedLink.objects.create(article=linking, target_article=target, after_paragraph=1)
    holder = connections.create_connection(DEFAULT_DB_ALIAS)
    holder.set_autocommit(False)
    row_locks = connection.vendor == "postgresql"
    if row_locks:  # SQLite has no row locks: there the rebuild simply happens at once
        with holder.cursor() as cursor:
            cursor.execute("SELECT id FROM articles_article WHERE id = %s FOR UPDATE", [linking.pk])

    def rename() -> None:
        try:
            article_save(
                article=Article.objects.get(pk=target.pk),
                user=editor,
                expected_version=target.version,
                data={"headline": "Harga beras turun"},
            )
        finally:
            connection.close()

    saving = threading.Thread(target=rename)
    saving.start()
    try:
        if row_locks:
            # The rename committed; the linking article waits for the holder to finish.
            deadline = time.monotonic() + 10
            while _stored(target)["headline"] != "Harga beras turun":
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert [r["title"] for r in _stored(linking)["related"]] == ["Harga beras naik"]
    finally:
        holder.rollback()
        holder.close()
        saving.join(timeout=20)
    assert not saving.is_alive()
    assert [r["title"] for r in _stored(linking)["related"]] == ["Harga beras turun"]


def test_the_stored_json_is_byte_for_byte_what_drf_renders(editor):
    """`render_json` (orjson; also the API's renderer) stands in for DRF's JSONRenderer: the
    same bytes, with the same escapes of quotes, backslashes, control characters, U+2028 and
    U+2029."""
    tricky = 'Banjir "besar" di Bandung\\ \u2028baris\u2029 \x01\x1f\x7f é 😀 </script>'
    target = ArticleFactory(published=True, headline="Baca \u2028 ini")
    article = ArticleFactory(
        published=True,
        headline=tricky,
        dek=tricky,
        lead_photo=PhotoFactory(caption=tricky, credit="Antara/Ñoño"),
        tags=[TopicTagFactory(name="Pemilu 2029")],
    )
    ArticlePhotoFactory(article=article, photo=PhotoFactory(caption=tricky), after_paragraph=1)
    RelatedLink.objects.create(article=article, target_article=target, after_paragraph=2)
    article_add_correction(article=article, text=tricky, user=editor)

    articles = list(articles_for_documents(Article.objects.filter(pk__in=[article.pk, target.pk])))
    details = ArticleDetailSerializer(articles, many=True).data
    built = published_documents(articles)
    for one, detail, (document, teaser) in zip(articles, details, built, strict=True):
        assert document == JSONRenderer().render(detail)
        teaser_data = {name: detail[name] for name in ArticleTeaserSerializer.Meta.fields}
        assert teaser == JSONRenderer().render(teaser_data)
        assert b"\\u2028" in document and "\u2028".encode() not in document
        assert PublishedArticle.objects.get(article=one).document.encode() == document
    assert render_json([tricky, 1, -2, None, True, {"x": []}]) == JSONRenderer().render(
        [tricky, 1, -2, None, True, {"x": []}]
    )
