"""The write API for articles: create, read, update, If-Match, throttling, query counts, schema.

Every refused request is wrapped in `assert_db_unchanged()`: a refusal changes nothing.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from articles.models import Article, ArticlePhoto, Byline, RelatedLink
from tests.support.api import (
    ARTICLES_URL,
    article_payload,
    article_url,
    assert_db_unchanged,
    error_body,
    token_client,
)
from tests.support.factories import (
    ArticleFactory,
    AuthorFactory,
    PhotoFactory,
)

pytestmark = pytest.mark.django_db

# --- Create, read, update ------------------------------------------------------------------


def test_create_stores_a_draft_with_bylines_tags_related_and_photo(writer, section, author):
    second = AuthorFactory(name="Budi", slug="budi")
    target = ArticleFactory(published=True, section=section, slug="longsor-kemarin")
    photo = PhotoFactory()

    response = token_client(writer).post(
        ARTICLES_URL,
        article_payload(
            bylines=["budi", "siti-rahma"],
            lead_photo=photo.pk,
            related=[
                {"article": "longsor-kemarin", "after_paragraph": 1},
                {"url": "https://example.org/peta", "title": "Peta longsor", "label": "Lihat"},
            ],
            seo_title="Tol ditutup",
        ),
        format="json",
    )

    assert response.status_code == 201, response.json()
    article = Article.objects.get(headline="Jalan tol Cipularang ditutup")
    assert response["ETag"] == '"v1"'
    body = response.json()
    assert body == {
        "id": article.pk,
        "slug": None,
        "headline": "Jalan tol Cipularang ditutup",
        "dek": "Longsor di kilometer 118.",
        "body": "<p>Paragraf satu.</p><p>Paragraf dua.</p>",
        "dateline": "PURWAKARTA",
        "section": "daerah",
        "language": "id",
        "bylines": ["budi", "siti-rahma"],
        "tags": ["Jawa Barat", "Longsor"],
        "related": [
            {
                "article": "longsor-kemarin",
                "url": "",
                "title": "",
                "label": "",
                "after_paragraph": 1,
                "position": 0,
            },
            {
                "article": None,
                "url": "https://example.org/peta",
                "title": "Peta longsor",
                "label": "Lihat",
                "after_paragraph": 1,
                "position": 0,
            },
        ],
        "lead_photo": photo.pk,
        "photos": [],
        "embargo_until": None,
        "seo_title": "Tol ditutup",
        "seo_description": "",
        "canonical_url": "",
        "status": "draft",
        "published_at": None,
        "first_published_at": None,
        "created_by": writer.pk,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
        "version": 1,
        "etag": '"v1"',
    }
    assert article.status == Article.Status.DRAFT and article.created_by == writer
    assert [b.author for b in article.bylines.order_by("position")] == [second, author]
    assert article.revisions.count() == 1
    assert RelatedLink.objects.get(article=article, url="").target_article == target


def test_get_gives_the_article_with_its_etag(writer, draft):
    response = token_client(writer).get(article_url(draft))

    assert response.status_code == 200
    assert response["ETag"] == '"v1"'
    assert response.json()["headline"] == "Banjir rendam Bandung"
    assert response.json()["version"] == 1


def test_get_with_the_current_etag_is_304(writer, draft):
    response = token_client(writer).get(article_url(draft), HTTP_IF_NONE_MATCH='"v1"')

    assert response.status_code == 304


def test_patch_changes_only_the_fields_given_and_raises_the_version(writer, draft, author):
    response = token_client(writer).patch(
        article_url(draft),
        {"dek": "Ratusan rumah terendam.", "tags": ["Banjir"]},
        format="json",
        HTTP_IF_MATCH='"v1"',
    )

    assert response.status_code == 200, response.json()
    assert response["ETag"] == '"v2"'
    draft.refresh_from_db()
    assert draft.dek == "Ratusan rumah terendam."
    assert draft.headline == "Banjir rendam Bandung"
    assert draft.version == 2
    assert list(draft.tags.names()) == ["Banjir"]
    assert [b.author for b in draft.bylines.all()] == [author]
    assert response.json()["bylines"] == ["siti-rahma"]


def test_patch_replaces_bylines_in_the_order_given(editor, draft, author):
    other = AuthorFactory(slug="budi")

    response = token_client(editor).patch(
        article_url(draft), {"bylines": ["budi", "siti-rahma"]}, "json", HTTP_IF_MATCH='"v1"'
    )

    assert response.status_code == 200
    assert list(Byline.objects.filter(article=draft).values_list("author", flat=True)) == [
        other.pk,
        author.pk,
    ]


# --- No lost edits: If-Match ---------------------------------------------------------------


def test_two_editors_the_second_save_is_refused_and_the_first_is_intact(editor, writer, draft):
    first, second = token_client(editor), token_client(writer)
    etag_first = first.get(article_url(draft))["ETag"]
    etag_second = second.get(article_url(draft))["ETag"]
    assert etag_first == etag_second == '"v1"'

    saved = first.patch(
        article_url(draft), {"dek": "Versi editor."}, format="json", HTTP_IF_MATCH=etag_first
    )
    assert saved.status_code == 200

    with assert_db_unchanged():
        refused = second.patch(
            article_url(draft),
            {"dek": "Versi penulis.", "headline": "Judul penulis"},
            format="json",
            HTTP_IF_MATCH=etag_second,
        )

    assert refused.status_code == 412
    assert refused["ETag"] == '"v2"'
    error = error_body(refused)
    assert error["code"] == "precondition_failed"
    assert error["current_version"] == 2
    assert error["current_etag"] == '"v2"'
    assert error["changes"] == [
        {"field": "dek", "label": "dek", "old": draft.dek, "new": "Versi editor."}
    ]
    assert "edna.editor" in error["message"]
    draft.refresh_from_db()
    assert draft.dek == "Versi editor."
    assert draft.headline == "Banjir rendam Bandung"

    # The second editor re-applies on top of the current version.
    retried = second.patch(
        article_url(draft), {"headline": "Judul penulis"}, format="json", HTTP_IF_MATCH='"v2"'
    )
    assert retried.status_code == 200
    draft.refresh_from_db()
    assert (draft.headline, draft.dek, draft.version) == ("Judul penulis", "Versi editor.", 3)


def test_a_save_landing_between_the_check_and_the_write_is_still_refused(
    editor, writer, draft, monkeypatch
):
    """The view's early version check is only a shortcut: the service checks again under
    the row lock, so a colleague's save that lands in between is never overwritten."""
    from articles.api import article_views
    from articles.services import article_save

    def colleague_saves_first(**kwargs):
        article_save(article=draft, user=editor, expected_version=1, data={"dek": "Editor."})
        return article_save(**kwargs)

    monkeypatch.setattr(article_views, "article_save", colleague_saves_first)

    response = token_client(writer).patch(
        article_url(draft), {"dek": "Penulis."}, format="json", HTTP_IF_MATCH='"v1"'
    )

    assert response.status_code == 412
    assert error_body(response)["current_version"] == 2
    draft.refresh_from_db()
    assert (draft.dek, draft.version) == ("Editor.", 2)


def test_a_status_change_makes_an_older_etag_stale(
    editor,
    writer,
    draft,
):
    token_client(writer).post(article_url(draft, "submit"), {}, format="json")

    with assert_db_unchanged():
        response = token_client(editor).patch(
            article_url(draft), {"dek": "x"}, format="json", HTTP_IF_MATCH='"v1"'
        )

    assert response.status_code == 412
    assert error_body(response)["current_version"] == 2


@pytest.mark.parametrize("if_match", [None, "", "*"])
def test_patch_without_a_usable_if_match_is_428(
    writer,
    draft,
    if_match,
):
    headers = {} if if_match is None else {"HTTP_IF_MATCH": if_match}

    with assert_db_unchanged():
        response = token_client(writer).patch(article_url(draft), {"dek": "x"}, "json", **headers)

    assert response.status_code == 428
    error = error_body(response)
    assert error["code"] == "precondition_required"


@pytest.mark.parametrize("if_match", ['W/"v1"', "v1", '"1"', '"v1", "v2"', '"vx"', '"v99"'])
def test_patch_with_an_if_match_that_cannot_match_is_412(writer, draft, if_match):
    with assert_db_unchanged():
        response = token_client(writer).patch(
            article_url(draft), {"dek": "x"}, format="json", HTTP_IF_MATCH=if_match
        )

    assert response.status_code == 412
    assert error_body(response)["current_etag"] == '"v1"'


def test_an_action_with_a_stale_if_match_is_412(
    editor,
    draft,
):
    Article.objects.filter(pk=draft.pk).update(version=5)

    with assert_db_unchanged():
        response = token_client(editor).post(
            article_url(draft, "publish"), {}, format="json", HTTP_IF_MATCH='"v4"'
        )

    assert response.status_code == 412
    assert error_body(response)["current_version"] == 5


# --- Throttling and query counts -----------------------------------------------------------


def test_writes_are_throttled_per_user_and_reads_are_not(writer, section, author, settings):
    settings.API_WRITE_THROTTLE_RATE = "2/min"
    client = token_client(writer)

    statuses = [
        client.post(ARTICLES_URL, article_payload(), format="json").status_code for _ in range(3)
    ]
    reads = [client.get(ARTICLES_URL).status_code for _ in range(3)]

    assert statuses == [201, 201, 429]
    assert reads == [200, 200, 200]
    assert Article.objects.count() == 2


def test_list_query_count(editor, section, django_assert_num_queries):
    for _ in range(3):
        article = ArticleFactory(section=section, authors=[AuthorFactory(), AuthorFactory()])
        ArticlePhoto.objects.create(article=article, photo=PhotoFactory())
    client = token_client(editor)

    # token with user, its first use recorded, user permissions, group permissions (publish
    # check), articles with section, bylines with authors, tags, related links, inline photos
    with django_assert_num_queries(9):
        response = client.get(ARTICLES_URL)

    assert len(response.json()["results"]) == 3


def test_detail_query_count(editor, draft, django_assert_num_queries):
    client = token_client(editor)

    # token with user, its first use recorded, user permissions, group permissions, article
    # with section, bylines with authors, tags, related links, inline photos
    with django_assert_num_queries(9):
        response = client.get(article_url(draft))
    # The same again within a minute: its use is not written again.
    with django_assert_num_queries(8):
        again = client.get(article_url(draft))

    assert response.status_code == again.status_code == 200


# --- Schema --------------------------------------------------------------------------------


def test_the_schema_documents_the_write_api_with_token_auth():
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }
    patch = schema["paths"]["/api/v1/manage/articles/{id}/"]["patch"]
    assert patch["security"] == [{"tokenAuth": []}]
    assert {"412", "428", "400", "401", "403"} <= set(patch["responses"])
    assert any(p["name"] == "If-Match" and p["required"] for p in patch["parameters"])
    assert "/api/v1/manage/photos/" in schema["paths"]
    # The public API stays anonymous.
    assert schema["paths"]["/api/v1/articles/"]["get"].get("security") in (None, [{}])
