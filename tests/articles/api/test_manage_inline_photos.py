"""Inline photos through the write API: `photos` on create and PATCH, as the admin's rows."""

from __future__ import annotations

import pytest

from articles.models import Article, ArticlePhoto
from articles.services import article_publish, article_revision_record
from tests.support.api import (
    ARTICLES_URL,
    article_url,
    assert_db_unchanged,
    error_body,
    token_client,
)
from tests.support.factories import ArticleFactory, AuthorFactory, PhotoFactory, SectionFactory

pytestmark = pytest.mark.django_db

BODY = "<p>Satu.</p><p>Dua.</p><p>Tiga.</p>"


@pytest.fixture
def draft(writer) -> Article:
    article = ArticleFactory(
        body=BODY,
        section=SectionFactory(slug="daerah"),
        authors=[AuthorFactory(slug="siti-rahma")],
        created_by=writer,
    )
    article_revision_record(article=article, user=writer, bump=False)
    return article


def test_a_client_places_inline_photos_when_creating_a_draft(writer):
    SectionFactory(slug="daerah")
    AuthorFactory(slug="siti-rahma")
    first, second = PhotoFactory(), PhotoFactory()

    response = token_client(writer).post(
        ARTICLES_URL,
        {
            "headline": "Banjir", "body": BODY, "section": "daerah", "bylines": ["siti-rahma"],
            "photos": [
                {"photo": second.pk, "after_paragraph": 2, "caption_override": "Di Dayeuhkolot"},
                {"photo": first.pk},
            ],
        },
        format="json",
    )  # fmt: skip

    assert response.status_code == 201, response.json()
    assert response.json()["photos"] == [
        {"photo": first.pk, "after_paragraph": 1, "position": 0, "caption_override": ""},
        {"photo": second.pk, "after_paragraph": 2, "position": 0,
         "caption_override": "Di Dayeuhkolot"},
    ]  # fmt: skip
    article = Article.objects.get()
    assert [(p.photo, p.after_paragraph) for p in article.article_photos.all()] == [
        (first, 1),
        (second, 2),
    ]
    assert [row["photo"] for row in article.revisions.get().data["photos"]] == [
        first.pk,
        second.pk,
    ]


def test_patch_replaces_the_inline_photos_and_a_list_left_out_is_kept(writer, draft):
    old, new = PhotoFactory(), PhotoFactory()
    ArticlePhoto.objects.create(article=draft, photo=old, after_paragraph=1)
    client = token_client(writer)

    kept = client.patch(article_url(draft), {"dek": "Baru"}, "json", HTTP_IF_MATCH='"v1"')
    replaced = client.patch(
        article_url(draft),
        {"photos": [{"photo": new.pk, "after_paragraph": 3, "position": 2}]},
        "json",
        HTTP_IF_MATCH='"v2"',
    )

    assert kept.json()["photos"][0]["photo"] == old.pk
    assert replaced.status_code == 200, replaced.json()
    assert replaced.json()["photos"] == [
        {"photo": new.pk, "after_paragraph": 3, "position": 2, "caption_override": ""}
    ]
    assert list(draft.article_photos.values_list("photo", flat=True)) == [new.pk]
    emptied = client.patch(article_url(draft), {"photos": []}, "json", HTTP_IF_MATCH='"v3"')
    assert emptied.json()["photos"] == [] and not draft.article_photos.exists()


def test_a_placed_photo_stands_after_its_paragraph_once_published(writer, editor, draft, client):
    photo = PhotoFactory(caption="Warga mengungsi")
    token_client(writer).patch(
        article_url(draft),
        {"photos": [{"photo": photo.pk, "after_paragraph": 2, "caption_override": "Mengungsi"}]},
        "json",
        HTTP_IF_MATCH='"v1"',
    )
    draft.refresh_from_db()
    article_publish(article=draft, user=editor)

    blocks = client.get(f"/api/v1/articles/{draft.slug}/").json()["blocks"]

    assert [block["type"] for block in blocks] == ["paragraph", "paragraph", "photo", "paragraph"]
    assert (blocks[2]["photo"]["id"], blocks[2]["caption"]) == (photo.pk, "Mengungsi")


@pytest.mark.parametrize(
    ("photos", "field", "code"),
    [
        ([{"photo": 987654}], "photos.0.photo", "does_not_exist"),
        ([{"photo": "abc"}], "photos.0.photo", "invalid"),
        ([{"after_paragraph": 1}], "photos.0.photo", "invalid"),
        ([{"photo": "PHOTO", "after_paragraph": -1}], "photos.0.after_paragraph", "min_value"),
        ([{"photo": "PHOTO", "after_paragraph": 1001}], "photos.0.after_paragraph", "max_value"),
        ([{"photo": "PHOTO", "position": -1}], "photos.0.position", "min_value"),
        ([{"photo": "PHOTO", "caption_override": "x" * 5001}], "photos.0.caption_override",
         "max_length"),
        ([{"photo": "PHOTO"}, {"photo": "PHOTO", "url": "x"}], "photos.1.url", "unknown_field"),
        ({"photo": "PHOTO"}, "photos", "not_a_list"),
        ([{"photo": "PHOTO"}] * 31, "photos", "max_length"),
        (["PHOTO"], "photos.0", "invalid"),
    ],
)  # fmt: skip
def test_bad_inline_photos_are_400_naming_the_field_and_change_nothing(
    writer, draft, photos, field, code
):
    photo = PhotoFactory()
    ArticlePhoto.objects.create(article=draft, photo=photo, after_paragraph=1)

    def real(value):
        if value == "PHOTO":
            return photo.pk
        if isinstance(value, dict):
            return {key: real(item) for key, item in value.items()}
        if isinstance(value, list):
            return [real(item) for item in value]
        return value

    with assert_db_unchanged():
        response = token_client(writer).patch(
            article_url(draft), {"photos": real(photos)}, "json", HTTP_IF_MATCH='"v1"'
        )

    assert response.status_code == 400, response.json()
    error = error_body(response)
    assert (error["field"], error["code"]) == (field, code)
    assert error["message"]
