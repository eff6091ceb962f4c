"""The write API for articles: bad input is a 400 naming the field, never a 500, and
changes nothing."""

from __future__ import annotations

import json
from base64 import urlsafe_b64encode
from urllib.parse import urlencode

import pytest

from articles.models import Article
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
)

pytestmark = pytest.mark.django_db

# --- Bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"headline": ""}, "headline", "invalid"),
        ({"headline": None}, "headline", "invalid"),
        ({"headline": "x" * 256}, "headline", "max_length"),
        ({"section": "no-such-section"}, "section", "does_not_exist"),
        ({"section": ["daerah"]}, "section", "does_not_exist"),
        ({"language": "fr"}, "language", "invalid_choice"),
        ({"bylines": []}, "bylines", "min_length"),
        ({"bylines": "siti-rahma"}, "bylines", "not_a_list"),
        ({"bylines": ["nobody"]}, "bylines", "does_not_exist"),
        ({"bylines": ["siti-rahma", "siti-rahma"]}, "bylines", "duplicate"),
        ({"bylines": ["bad slug!"]}, "bylines.0", "invalid"),
        ({"tags": [""]}, "tags.0", "invalid"),
        ({"tags": ["x" * 101]}, "tags.0", "max_length"),
        ({"tags": [f"t{n}" for n in range(31)]}, "tags", "max_length"),
        ({"lead_photo": 987654}, "lead_photo", "does_not_exist"),
        ({"lead_photo": "abc"}, "lead_photo", "incorrect_type"),
        ({"canonical_url": "javascript:alert(1)"}, "canonical_url", "invalid"),
        ({"embargo_until": "tomorrow"}, "embargo_until", "invalid"),
        ({"body": "<p>" + "x" * (600 * 1024) + "</p>"}, "body", "body_too_large"),
        ({"related": [{"title": "No target"}]}, "related.0", "no_target"),
        ({"related": [{"url": "https://example.org/a"}]}, "related.0.title", "invalid"),
        ({"related": [{"url": "not a url", "title": "T"}]}, "related.0.url", "invalid"),
        (
            {"related": [{"url": "https://e.org", "title": "T", "article": "banjir"}]},
            "related.0",
            "both_targets",
        ),
        ({"related": [{"article": "no-such-article"}]}, "related", "does_not_exist"),
        (
            {"related": [{"article": "x", "after_paragraph": -1}]},
            "related.0.after_paragraph",
            "min_value",
        ),
        ({"related": {"url": "https://example.org"}}, "related", "not_a_list"),
    ],
)
def test_create_with_bad_input_is_400_naming_the_field(
    writer, section, author, overrides, field, code
):
    response = token_client(writer).post(ARTICLES_URL, article_payload(**overrides), format="json")

    assert response.status_code == 400, response.json()
    error = error_body(response)
    assert (error["field"], error["code"]) == (field, code)
    assert error["message"]
    assert not Article.objects.exists()


def test_create_without_required_fields_names_the_first_missing(writer, section):
    response = token_client(writer).post(ARTICLES_URL, {}, format="json")

    assert response.status_code == 400
    assert error_body(response) == {
        "code": "invalid",
        "message": "This field is required.",
        "field": "headline",
    }


def test_a_writer_cannot_link_to_another_writers_draft(writer, other_writer, section, author):
    ArticleFactory(section=section, slug="rahasia", created_by=other_writer)

    response = token_client(writer).post(
        ARTICLES_URL, article_payload(related=[{"article": "rahasia"}]), format="json"
    )

    assert response.status_code == 400
    assert error_body(response)["message"] == "No article with the slug 'rahasia' to link to."


def test_an_article_cannot_link_to_itself(
    editor,
    draft,
):
    with assert_db_unchanged():
        response = token_client(editor).patch(
            article_url(draft),
            {"related": [{"article": draft.slug}]},
            format="json",
            HTTP_IF_MATCH='"v1"',
        )

    assert response.status_code == 400
    assert error_body(response)["field"] == "related_links"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ("{not json", "application/json", 400, "parse_error"),
        ("[1, 2]", "application/json", 400, "invalid"),
        ('"text"', "application/json", 400, "invalid"),
        ("null", "application/json", 400, "invalid"),
        ('{"headline": NaN}', "application/json", 400, "parse_error"),
        ("headline=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ("<a/>", "application/xml", 415, "unsupported_media_type"),
    ],
)
def test_malformed_bodies_are_refused(writer, section, body, content_type, status, code):
    response = token_client(writer).generic("POST", ARTICLES_URL, body, content_type)

    assert response.status_code == status
    assert error_body(response)["code"] == code
    assert not Article.objects.exists()


def test_a_json_body_over_5_mb_is_413(
    writer,
    section,
    author,
):
    body = json.dumps(article_payload(body="x" * (5 * 1024 * 1024)))

    with assert_db_unchanged():
        response = token_client(writer).generic("POST", ARTICLES_URL, body, "application/json")

    assert response.status_code == 413
    assert error_body(response) == {
        "code": "request_too_large",
        "message": "The request body may be at most 5 MB.",
    }


def test_a_large_body_without_content_length_is_413_too(writer, section, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = json.dumps(article_payload(body="x" * (2 * 1024 * 1024))).encode()
    client = token_client(writer)

    response = client.generic("POST", ARTICLES_URL, body, "application/json", CONTENT_LENGTH="")

    # Without a length, DRF sees no body: nothing is read, nothing created.
    assert response.status_code in (400, 413)
    assert not Article.objects.exists()


def test_patch_with_bad_input_changes_nothing(
    writer,
    draft,
):
    with assert_db_unchanged():
        response = token_client(writer).patch(
            article_url(draft),
            {"dek": "Valid.", "bylines": ["nobody"]},
            format="json",
            HTTP_IF_MATCH='"v1"',
        )

    assert response.status_code == 400
    assert error_body(response)["field"] == "bylines"


@pytest.mark.parametrize("method", ["put", "delete"])
def test_methods_the_api_does_not_offer_are_405(editor, draft, method):
    response = getattr(token_client(editor), method)(article_url(draft), {}, format="json")

    assert response.status_code == 405
    assert error_body(response)["code"] == "method_not_allowed"
    assert Article.objects.filter(pk=draft.pk).exists()


@pytest.mark.parametrize(
    "query", ["?status=nonsense", "?status=", "?include_deleted=1", "?page_size=0", "?cursor=zz"]
)
def test_list_refuses_bad_parameters(writer, query):
    response = token_client(writer).get(ARTICLES_URL + query)

    assert response.status_code in (400, 404)
    assert error_body(response)["code"] in ("invalid_parameter", "invalid_page")


@pytest.mark.parametrize("position", ["abc", "2026-11-26 08:00:00+00:00", "1.5"])
def test_list_refuses_a_forged_cursor_position(writer, draft, position):
    cursor = urlsafe_b64encode(urlencode({"p": position}).encode()).decode()

    response = token_client(writer).get(f"{ARTICLES_URL}?cursor={cursor}")

    assert response.status_code == 404
    assert error_body(response)["code"] == "invalid_page"


def test_list_filters_by_status(editor, draft, section):
    live = ArticleFactory(published=True, section=section)

    response = token_client(editor).get(ARTICLES_URL + "?status=published")

    assert [a["id"] for a in response.json()["results"]] == [live.pk]
