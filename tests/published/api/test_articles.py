"""The public article detail: blocks with related reading in place, renditions, JSON-LD,
authors, conditional GETs and old slugs."""

from __future__ import annotations

import pytest
from rest_framework.response import Response

from articles.models import ArticlePhoto, RelatedLink
from articles.photos.models import Photo, PhotoRendition
from articles.photos.renditions import photo_generate_renditions
from articles.photos.signals import photo_changed
from articles.published.api.views import PublicAPIView
from articles.services import article_change_slug, article_unpublish
from tests.support.factories import (
    ArticleFactory,
    AuthorFactory,
    PhotoFactory,
    TopicTagFactory,
)

pytestmark = pytest.mark.django_db


def _paragraphs(count: int) -> str:
    return "".join(f"<p>Paragraf {n}.</p>" for n in range(1, count + 1))


def test_detail_query_count_is_constant(api_client, django_assert_num_queries):
    article = ArticleFactory(published=True, lead_photo=PhotoFactory(), tags=[TopicTagFactory()])
    for n in range(4):
        ArticlePhoto.objects.create(article=article, photo=PhotoFactory(), after_paragraph=n)
        RelatedLink.objects.create(
            article=article, target_article=ArticleFactory(published=True), after_paragraph=n
        )

    # One query: the stored document (built at publish time).
    with django_assert_num_queries(1):
        response = api_client.get(f"/api/v1/articles/{article.slug}/")
    assert response.status_code == 200
    assert len(response.json()["related"]) == 4


def test_blocks_put_related_links_after_their_paragraphs(api_client):
    article = ArticleFactory(published=True, body=_paragraphs(5), language="id")
    second = ArticleFactory(published=True, headline="Jalan tol dibuka", slug="jalan-tol")
    fourth_a = RelatedLink.objects.create(
        article=article, url="https://example.org/a", title="Latar A", after_paragraph=4, position=1
    )
    RelatedLink.objects.create(
        article=article,
        url="https://example.org/b",
        title="Latar B",
        label="Simak juga",
        after_paragraph=4,
        position=0,
    )
    RelatedLink.objects.create(article=article, target_article=second, after_paragraph=2)

    blocks = api_client.get(f"/api/v1/articles/{article.slug}/").json()["blocks"]

    summary = [(b["type"], b.get("html") or b.get("title")) for b in blocks]
    assert summary == [
        ("paragraph", "Paragraf 1."),
        ("paragraph", "Paragraf 2."),
        ("related", "Jalan tol dibuka"),
        ("paragraph", "Paragraf 3."),
        ("paragraph", "Paragraf 4."),
        ("related", "Latar B"),
        ("related", "Latar A"),
        ("paragraph", "Paragraf 5."),
    ]
    assert blocks[2] == {
        "type": "related",
        "label": "Baca juga",
        "title": "Jalan tol dibuka",
        "url": f"http://localhost:8000/{second.section.slug}/jalan-tol",
        "article": {"slug": "jalan-tol"},
    }
    assert blocks[5]["label"] == "Simak juga"
    assert fourth_a.display_label == "Baca juga"


def test_english_articles_label_related_links_read_also(api_client):
    article = ArticleFactory(published=True, language="en")
    RelatedLink.objects.create(article=article, url="https://example.org/a", title="A")

    related = api_client.get(f"/api/v1/articles/{article.slug}/").json()["related"]

    assert related[0]["label"] == "Read also"


def test_renditions_appear_once_present(api_client):
    photo = PhotoFactory()
    article = ArticleFactory(published=True, lead_photo=photo)
    url = f"/api/v1/articles/{article.slug}/"
    pending = api_client.get(url).json()["lead_photo"]
    assert (pending["url"], pending["renditions"]) == (None, [])

    for spec, width, fmt in [
        ("w640.webp", 640, "webp"), ("w320.jpeg", 320, "jpeg"), ("16x9.jpeg", 1200, "jpeg"),
    ]:  # fmt: skip
        PhotoRendition.objects.create(
            photo=photo,
            spec=spec,
            file=f"renditions/{spec}",
            width=width,
            height=width * 3 // 4,
            format=fmt,
            source_key="k",
        )
    # As the renditions job does once it has made them.
    photo_changed.send(sender=Photo, photo_id=photo.pk)

    lead = api_client.get(url).json()["lead_photo"]
    assert lead["renditions"] == [
        {"width": 320, "height": 240, "format": "jpeg",
         "url": "http://localhost:8000/media/renditions/w320.jpeg"},
        {"width": 640, "height": 480, "format": "webp",
         "url": "http://localhost:8000/media/renditions/w640.webp"},
        {"width": 1200, "height": 900, "format": "jpeg",
         "url": "http://localhost:8000/media/renditions/16x9.jpeg"},
    ]  # fmt: skip
    # Until the full-size one exists, the widest uncropped rendition (never a crop).
    assert (lead["url"], lead["width"], lead["height"]) == (
        "http://localhost:8000/media/renditions/w640.webp", 640, 480,
    )  # fmt: skip

    PhotoRendition.objects.create(
        photo=photo, spec="full.jpeg", file="renditions/full.jpeg", width=2000, height=1500,
        format="jpeg", source_key="k",
    )  # fmt: skip
    photo_changed.send(sender=Photo, photo_id=photo.pk)

    lead = api_client.get(url).json()["lead_photo"]
    assert (lead["url"], lead["width"], lead["height"]) == (
        "http://localhost:8000/media/renditions/full.jpeg", 2000, 1500,
    )  # fmt: skip


def test_no_public_answer_points_at_an_uploaded_original(api_client):
    lead, inline = PhotoFactory(copyright="Newsroom"), PhotoFactory()
    for photo in (lead, inline):
        photo_generate_renditions(photo=photo)
    article = ArticleFactory(published=True, lead_photo=lead, body=_paragraphs(2))
    ArticlePhoto.objects.create(article=article, photo=inline, after_paragraph=1)

    answers = [
        api_client.get("/api/v1/articles/").content,
        api_client.get(f"/api/v1/articles/{article.slug}/").content,
    ]

    for body in answers:
        for photo in (lead, inline):
            assert photo.image.name.encode() not in body
    detail = api_client.get(f"/api/v1/articles/{article.slug}/").json()
    full = PhotoRendition.objects.get(photo=lead, spec="full.jpeg")
    assert detail["lead_photo"]["url"] == f"http://localhost:8000/media/{full.file.name}"
    assert (full.width, full.height) == (lead.width, lead.height)
    assert detail["lead_photo"]["copyright"] == "Newsroom"
    assert detail["json_ld"]["image"] == [detail["lead_photo"]["url"]]
    [block] = [block for block in detail["blocks"] if block["type"] == "photo"]
    assert block["photo"]["url"].endswith(".jpg") and "/renditions/" in block["photo"]["url"]


def test_detail_carries_news_article_json_ld(api_client):
    author = AuthorFactory(name="Andi Wijaya", slug="andi")
    article = ArticleFactory(
        published=True, headline="Harga beras turun", authors=[author], lead_photo=PhotoFactory()
    )

    json_ld = api_client.get(f"/api/v1/articles/{article.slug}/").json()["json_ld"]

    assert json_ld["@type"] == "NewsArticle"
    assert json_ld["headline"] == "Harga beras turun"
    assert json_ld["author"] == [
        {"@type": "Person", "name": "Andi Wijaya", "url": "http://localhost:8000/authors/andi"}
    ]
    assert json_ld["datePublished"] == article.published_at.isoformat()
    # The lead photo's renditions are not made yet: no image rather than the original.
    assert "image" not in json_ld


def test_author_data_never_includes_private_fields(api_client):
    author = AuthorFactory(slug="siti", email="siti@example.org")
    ArticleFactory(published=True, authors=[author])

    for url in ("/api/v1/authors/", "/api/v1/authors/siti/", "/api/v1/articles/"):
        content = api_client.get(url).content.decode()
        assert "siti@example.org" not in content
        assert '"email"' not in content


def test_conditional_get_answers_304_until_the_article_changes(api_client, editor):
    article = ArticleFactory(published=True)
    url = f"/api/v1/articles/{article.slug}/"
    first = api_client.get(url)
    etag = first["ETag"]
    assert etag and first["Last-Modified"]
    assert first["Cache-Control"] == "public, max-age=60, stale-while-revalidate=300"

    not_modified = api_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified["ETag"] == etag
    list_etag = api_client.get("/api/v1/articles/")["ETag"]
    assert api_client.get("/api/v1/articles/", HTTP_IF_NONE_MATCH=list_etag).status_code == 304

    article.headline = "Koreksi: judul baru"
    article.save()

    changed = api_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert api_client.get("/api/v1/articles/", HTTP_IF_NONE_MATCH=list_etag).status_code == 200


def test_an_old_slug_redirects_to_the_current_one(api_client, editor):
    article = ArticleFactory(published=True, slug="banjir-bandung")
    article_change_slug(article=article, slug="banjir-bandung-surut", user=editor)

    response = api_client.get("/api/v1/articles/banjir-bandung/")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/articles/banjir-bandung-surut/"
    assert api_client.get(response["Location"]).json()["slug"] == "banjir-bandung-surut"


def test_an_old_slug_of_a_hidden_article_is_404(api_client, editor):
    article = ArticleFactory(published=True, slug="lama")
    article_change_slug(article=article, slug="baru", user=editor)
    article_unpublish(article=article, user=editor)

    assert api_client.get("/api/v1/articles/lama/").status_code == 404


@pytest.mark.parametrize(
    "accept", [None, "*/*", "application/json", "application/json; indent=4", "application/*"]
)
@pytest.mark.parametrize("method", ["get", "head"])
def test_a_detail_answers_as_drfs_response_would(api_client, monkeypatch, accept, method):
    article = ArticleFactory(published=True, headline="Banjir\u2028rob di pesisir")
    headers = {"HTTP_X_REQUEST_ID": "same-request"}
    if accept is not None:
        headers["HTTP_ACCEPT"] = accept

    def answer():
        response = getattr(api_client, method)(f"/api/v1/articles/{article.slug}/", **headers)
        return response.status_code, list(response.headers.items()), response.content

    served = answer()
    monkeypatch.setattr(PublicAPIView, "rendered", lambda view, data: Response(data))

    assert served == answer()
    assert served[0] == 200
    assert ("Content-Type", "application/json") in served[1]
    assert b"\\u2028" in served[2] or method == "head"
