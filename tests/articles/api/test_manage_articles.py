"""The write API for articles: token auth, the role matrix, If-Match, mass assignment, inputs.

Every refused request is wrapped in `assert_db_unchanged()`: a refusal changes nothing.
"""

from __future__ import annotations

import io
import json
from base64 import urlsafe_b64encode
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from articles.api.manage_serializers import EDITOR_ONLY_KEYS
from articles.models import Article, ArticlePhoto, ArticleTransition, Byline, RelatedLink
from tests.support.api import (
    ARTICLES_URL,
    PHOTOS_URL,
    article_url,
    assert_db_unchanged,
    make_key,
    token_client,
)
from tests.support.factories import (
    ArticleFactory,
    AuthorFactory,
    PhotoFactory,
)

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "deactivated", "outsider", "writer", "other_writer", "editor")


def _payload(**overrides) -> dict:
    data = {
        "headline": "Jalan tol Cipularang ditutup",
        "dek": "Longsor di kilometer 118.",
        "body": "<p>Paragraf satu.</p><p>Paragraf dua.</p>",
        "dateline": "PURWAKARTA",
        "section": "daerah",
        "language": "id",
        "bylines": ["siti-rahma"],
        "tags": ["Longsor", "Jawa Barat"],
    }
    data.update(overrides)
    return data


def _error(response) -> dict:
    assert response["Content-Type"] == "application/json"
    return response.json()["error"]


# --- Authentication ------------------------------------------------------------------------

ENDPOINTS = [
    ("get", ARTICLES_URL),
    ("post", ARTICLES_URL),
    ("get", f"{ARTICLES_URL}1/"),
    ("patch", f"{ARTICLES_URL}1/"),
    ("post", f"{ARTICLES_URL}1/submit/"),
    ("post", f"{ARTICLES_URL}1/schedule/"),
    ("post", f"{ARTICLES_URL}1/publish/"),
    ("post", f"{ARTICLES_URL}1/unpublish/"),
    ("post", PHOTOS_URL),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
@pytest.mark.parametrize(
    "authorization",
    [None, "Token nosuchkey", "Token", "Token two words", "Bearer abc", "Basic Zm9vOmJhcg=="],
)
def test_requests_without_a_valid_token_are_401(
    method,
    url,
    authorization,
):
    client = APIClient()
    if authorization:
        client.credentials(HTTP_AUTHORIZATION=authorization)

    with assert_db_unchanged():
        response = getattr(client, method)(url, {}, format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert _error(response)["code"] == "not_authenticated"


def test_a_deactivated_users_token_is_401(deactivated):
    response = token_client(deactivated).get(ARTICLES_URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert _error(response) == {"code": "not_authenticated", "message": "User inactive or deleted."}


@pytest.mark.parametrize("param", ["token", "access_token", "auth_token", "api_key", "key"])
def test_a_token_in_the_query_string_is_refused_even_with_a_good_header(writer, param):
    key = make_key(writer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.get(f"{ARTICLES_URL}?{param}={key}")
    anonymous = APIClient().get(f"{ARTICLES_URL}?{param}={key}")

    assert response.status_code == anonymous.status_code == 401
    assert _error(response)["message"] == (
        "Send the token in the Authorization header, never in the URL."
    )


def test_a_token_made_with_the_management_command_works(writer, draft):
    out = io.StringIO()
    call_command(
        "api_token_create", "wira.writer", "--name", "curl", stdout=out, stderr=io.StringIO()
    )
    key = out.getvalue().strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.get(ARTICLES_URL)

    assert writer.api_tokens.get().name == "curl"
    assert response.status_code == 200
    assert [a["id"] for a in response.json()["results"]] == [draft.pk]


def test_the_public_api_ignores_tokens_and_stays_anonymous(writer, draft):
    client = token_client(writer)

    listing = client.get("/api/v1/articles/")
    detail = client.get(f"/api/v1/articles/{draft.slug}/")

    assert listing.status_code == 200 and listing.json()["results"] == []
    assert detail.status_code == 404


def test_the_write_api_is_never_cached(writer, draft):
    response = token_client(writer).get(article_url(draft))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "Authorization" in response["Vary"]


# --- The role matrix -----------------------------------------------------------------------
# Expected status per persona for each action on `writer`'s draft (or on a live article of
# `writer` for unpublish). 404 for the other writer: another's article does not exist for them.

MATRIX = {
    #            anonymous, deactivated, outsider, writer, other_writer, editor
    "list": (401, 401, 403, 200, 200, 200),
    "create": (401, 401, 403, 201, 201, 201),
    "detail": (401, 401, 403, 200, 404, 200),
    "update": (401, 401, 403, 200, 404, 200),
    "submit": (401, 401, 403, 200, 404, 200),
    "schedule": (401, 401, 403, 403, 403, 200),
    "publish": (401, 401, 403, 403, 403, 200),
    "unpublish": (401, 401, 403, 403, 403, 200),
}


def _request(client: APIClient, action: str, article: Article):
    if action == "list":
        return client.get(ARTICLES_URL)
    if action == "create":
        return client.post(ARTICLES_URL, _payload(), format="json")
    if action == "detail":
        return client.get(article_url(article))
    if action == "update":
        return client.patch(
            article_url(article), {"dek": "Diubah."}, format="json", HTTP_IF_MATCH='"v1"'
        )
    if action == "schedule":
        publish_at = (timezone.now() + timedelta(days=1)).isoformat()
        return client.post(article_url(article, "schedule"), {"publish_at": publish_at}, "json")
    return client.post(article_url(article, action), {}, format="json")


@pytest.mark.parametrize("action", MATRIX)
@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(
    manage_clients,
    persona,
    action,
    draft,
    writer,
):
    expected = MATRIX[action][PERSONAS.index(persona)]
    article = draft
    if action == "unpublish":
        article = ArticleFactory(published=True, section=draft.section, created_by=writer)

    if expected >= 400:
        with assert_db_unchanged():
            response = _request(manage_clients[persona], action, article)
    else:
        response = _request(manage_clients[persona], action, article)

    assert response.status_code == expected, response.content
    if expected == 403:
        # Generic: the message names neither the article nor anyone (docs/reliability.md B5).
        assert _error(response) == {
            "code": "permission_denied",
            "message": "You do not have permission to perform this action.",
        }
    if expected == 404:
        assert _error(response) == {"code": "not_found", "message": "Not found."}


def test_list_shows_writers_only_their_own_articles(
    manage_clients, draft, writer, other_writer, section
):
    theirs = ArticleFactory(section=section, created_by=other_writer)

    mine = manage_clients["writer"].get(ARTICLES_URL).json()["results"]
    others = manage_clients["other_writer"].get(ARTICLES_URL).json()["results"]
    everything = manage_clients["editor"].get(ARTICLES_URL).json()["results"]

    assert [a["id"] for a in mine] == [draft.pk]
    assert [a["id"] for a in others] == [theirs.pk]
    assert [a["id"] for a in everything] == [theirs.pk, draft.pk]


def test_a_writer_sees_articles_bylined_to_their_author_profile(writer, section):
    profile = AuthorFactory(user=writer)
    article = ArticleFactory(section=section, authors=[profile])

    response = token_client(writer).get(article_url(article))

    assert response.status_code == 200


def test_a_writer_may_not_edit_their_own_published_article(
    writer,
    section,
):
    article = ArticleFactory(published=True, section=section, created_by=writer)

    with assert_db_unchanged():
        response = token_client(writer).patch(
            article_url(article), {"dek": "x"}, format="json", HTTP_IF_MATCH='"v1"'
        )

    assert response.status_code == 403
    assert _error(response)["code"] == "permission_denied"


def test_articles_in_the_trash_are_404(
    editor,
    draft,
):
    Article.objects.filter(pk=draft.pk).update(deleted_at=timezone.now())

    with assert_db_unchanged():
        response = token_client(editor).patch(
            article_url(draft), {"dek": "x"}, format="json", HTTP_IF_MATCH='"v1"'
        )

    assert response.status_code == 404


# --- Create, read, update ------------------------------------------------------------------


def test_create_stores_a_draft_with_bylines_tags_related_and_photo(writer, section, author):
    second = AuthorFactory(name="Budi", slug="budi")
    target = ArticleFactory(published=True, section=section, slug="longsor-kemarin")
    photo = PhotoFactory()

    response = token_client(writer).post(
        ARTICLES_URL,
        _payload(
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
    error = _error(refused)
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
    assert _error(response)["current_version"] == 2
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
    assert _error(response)["current_version"] == 2


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
    error = _error(response)
    assert error["code"] == "precondition_required"


@pytest.mark.parametrize("if_match", ['W/"v1"', "v1", '"1"', '"v1", "v2"', '"vx"', '"v99"'])
def test_patch_with_an_if_match_that_cannot_match_is_412(writer, draft, if_match):
    with assert_db_unchanged():
        response = token_client(writer).patch(
            article_url(draft), {"dek": "x"}, format="json", HTTP_IF_MATCH=if_match
        )

    assert response.status_code == 412
    assert _error(response)["current_etag"] == '"v1"'


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
    assert _error(response)["current_version"] == 5


# --- Mass assignment -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", 999),
        ("status", "published"),
        ("published_at", "2020-01-01T00:00:00Z"),
        ("first_published_at", "2020-01-01T00:00:00Z"),
        ("created_by", 1),
        ("created_at", "2020-01-01T00:00:00Z"),
        ("version", 99),
        ("etag", '"v9"'),
        ("slug", "my-own-slug"),
        ("live_revision", 3),
        ("locked_by", 2),
        ("deleted_at", None),
        ("authors", [1]),
        ("visibility", "public"),
        ("photo", {"file": "../../app/settings.py"}),
    ],
)
def test_create_refuses_fields_that_cannot_be_set(writer, section, author, field, value):
    response = token_client(writer).post(ARTICLES_URL, _payload(**{field: value}), format="json")

    # Keys the editors' workflow actions set are a writer's 403; the rest nobody's 400.
    editor_only = field in EDITOR_ONLY_KEYS
    assert response.status_code == (403 if editor_only else 400)
    error = _error(response)
    assert error["code"] == ("permission_denied" if editor_only else "unknown_field")
    assert error["field"] == field
    assert not Article.objects.exists()


def test_writer_patching_status_published_at_and_authors_is_403_and_applies_nothing(writer, draft):
    with assert_db_unchanged():
        response = token_client(writer).patch(
            article_url(draft),
            {
                "dek": "Sah.",
                "status": "published",
                "authors": [1],
                "published_at": "2020-01-01T00:00:00Z",
            },
            format="json",
            HTTP_IF_MATCH='"v1"',
        )

    assert response.status_code == 403
    assert _error(response) == {
        "code": "permission_denied",
        "message": "Writers cannot set 'status'; editors publish, schedule and unpublish "
        "with the workflow actions.",
        "field": "status",
    }


def test_editor_patching_status_is_400_unknown_field(editor, draft):
    with assert_db_unchanged():
        response = token_client(editor).patch(
            article_url(draft), {"status": "published"}, format="json", HTTP_IF_MATCH='"v1"'
        )

    assert response.status_code == 400
    assert _error(response) == {
        "code": "unknown_field",
        "message": "'status' cannot be set through this endpoint. "
        "Use the submit, schedule, publish and unpublish actions.",
        "field": "status",
    }


def test_an_unknown_key_in_a_related_link_is_refused(writer, section, author):
    response = token_client(writer).post(
        ARTICLES_URL,
        _payload(related=[{"url": "https://example.org", "title": "T", "target_article": 1}]),
        format="json",
    )

    assert response.status_code == 400
    assert _error(response)["code"] == "unknown_field"
    assert _error(response)["field"] == "related.0.target_article"
    assert not Article.objects.exists()


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
    response = token_client(writer).post(ARTICLES_URL, _payload(**overrides), format="json")

    assert response.status_code == 400, response.json()
    error = _error(response)
    assert (error["field"], error["code"]) == (field, code)
    assert error["message"]
    assert not Article.objects.exists()


def test_create_without_required_fields_names_the_first_missing(writer, section):
    response = token_client(writer).post(ARTICLES_URL, {}, format="json")

    assert response.status_code == 400
    assert _error(response) == {
        "code": "invalid",
        "message": "This field is required.",
        "field": "headline",
    }


def test_a_writer_cannot_link_to_another_writers_draft(writer, other_writer, section, author):
    ArticleFactory(section=section, slug="rahasia", created_by=other_writer)

    response = token_client(writer).post(
        ARTICLES_URL, _payload(related=[{"article": "rahasia"}]), format="json"
    )

    assert response.status_code == 400
    assert _error(response)["message"] == "No article with the slug 'rahasia' to link to."


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
    assert _error(response)["field"] == "related_links"


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
    assert _error(response)["code"] == code
    assert not Article.objects.exists()


def test_a_json_body_over_5_mb_is_413(
    writer,
    section,
    author,
):
    body = json.dumps(_payload(body="x" * (5 * 1024 * 1024)))

    with assert_db_unchanged():
        response = token_client(writer).generic("POST", ARTICLES_URL, body, "application/json")

    assert response.status_code == 413
    assert _error(response) == {
        "code": "request_too_large",
        "message": "The request body may be at most 5 MB.",
    }


def test_a_large_body_without_content_length_is_413_too(writer, section, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = json.dumps(_payload(body="x" * (2 * 1024 * 1024))).encode()
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
    assert _error(response)["field"] == "bylines"


@pytest.mark.parametrize("method", ["put", "delete"])
def test_methods_the_api_does_not_offer_are_405(editor, draft, method):
    response = getattr(token_client(editor), method)(article_url(draft), {}, format="json")

    assert response.status_code == 405
    assert _error(response)["code"] == "method_not_allowed"
    assert Article.objects.filter(pk=draft.pk).exists()


@pytest.mark.parametrize(
    "query", ["?status=nonsense", "?status=", "?include_deleted=1", "?page_size=0", "?cursor=zz"]
)
def test_list_refuses_bad_parameters(writer, query):
    response = token_client(writer).get(ARTICLES_URL + query)

    assert response.status_code in (400, 404)
    assert _error(response)["code"] in ("invalid_parameter", "invalid_page")


@pytest.mark.parametrize("position", ["abc", "2026-11-26 08:00:00+00:00", "1.5"])
def test_list_refuses_a_forged_cursor_position(writer, draft, position):
    cursor = urlsafe_b64encode(urlencode({"p": position}).encode()).decode()

    response = token_client(writer).get(f"{ARTICLES_URL}?cursor={cursor}")

    assert response.status_code == 404
    assert _error(response)["code"] == "invalid_page"


def test_list_filters_by_status(editor, draft, section):
    live = ArticleFactory(published=True, section=section)

    response = token_client(editor).get(ARTICLES_URL + "?status=published")

    assert [a["id"] for a in response.json()["results"]] == [live.pk]


# --- Workflow actions ----------------------------------------------------------------------


def test_the_full_workflow_through_the_api(writer, editor, draft):
    writer_client, editor_client = token_client(writer), token_client(editor)

    submitted = writer_client.post(article_url(draft, "submit"), {}, format="json")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "in_review"

    publish_at = timezone.now() + timedelta(hours=2)
    scheduled = editor_client.post(
        article_url(draft, "schedule"), {"publish_at": publish_at.isoformat()}, format="json"
    )
    assert scheduled.status_code == 200, scheduled.json()
    assert scheduled.json()["status"] == "scheduled"
    assert api_public_status(draft) == 404

    published = editor_client.post(article_url(draft, "publish"), format="json")
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert api_public_status(draft) == 200

    unpublished = editor_client.post(article_url(draft, "unpublish"), {}, format="json")
    assert unpublished.status_code == 200
    assert unpublished.json()["status"] == "unpublished"
    assert api_public_status(draft) == 404

    log = ArticleTransition.objects.filter(article=draft).order_by("created_at", "id")
    assert [(t.user.username, t.from_status, t.to_status) for t in log] == [
        ("wira.writer", "draft", "in_review"),
        ("edna.editor", "in_review", "scheduled"),
        ("edna.editor", "scheduled", "published"),
        ("edna.editor", "published", "unpublished"),
    ]


def api_public_status(article: Article) -> int:
    article.refresh_from_db()
    return APIClient().get(f"/api/v1/articles/{article.slug}/").status_code


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({}, "publish_at", "invalid"),
        ({"publish_at": "soon"}, "publish_at", "invalid"),
        ({"publish_at": "2020-01-01T00:00:00Z"}, "publish_at", "schedule_in_past"),
        ({"publish_at": "2099-01-01T00:00:00Z", "status": "published"}, "status", "unknown_field"),
    ],
)
def test_schedule_with_bad_input_is_400(
    editor,
    draft,
    payload,
    field,
    code,
):
    with assert_db_unchanged():
        response = token_client(editor).post(article_url(draft, "schedule"), payload, "json")

    assert response.status_code == 400
    assert (_error(response)["field"], _error(response)["code"]) == (field, code)


def test_publishing_when_every_slug_of_the_headline_is_taken_is_400_slug_exhausted(
    editor, draft, monkeypatch
):
    monkeypatch.setattr("articles.services.slugs.SLUG_CLAIM_LIMIT", 2)
    Article.objects.filter(pk=draft.pk).update(slug=None)
    ArticleFactory(slug="banjir-rendam-bandung")
    ArticleFactory(slug="banjir-rendam-bandung-2")

    with assert_db_unchanged():
        response = token_client(editor).post(article_url(draft, "publish"), {}, "json")

    assert response.status_code == 400
    assert (_error(response)["field"], _error(response)["code"]) == ("slug", "slug_exhausted")


def test_an_action_refuses_a_body_with_fields(
    writer,
    draft,
):
    with assert_db_unchanged():
        response = token_client(writer).post(
            article_url(draft, "submit"), {"note": "x"}, format="json"
        )

    assert response.status_code == 400
    assert _error(response)["code"] == "unknown_field"


def test_a_move_that_does_not_exist_is_400(
    editor,
    draft,
):
    with assert_db_unchanged():
        response = token_client(editor).post(article_url(draft, "unpublish"), {}, "json")

    assert response.status_code == 400
    assert _error(response)["code"] == "invalid_transition"


# --- Throttling and query counts -----------------------------------------------------------


def test_writes_are_throttled_per_user_and_reads_are_not(writer, section, author, settings):
    settings.API_WRITE_THROTTLE_RATE = "2/min"
    client = token_client(writer)

    statuses = [client.post(ARTICLES_URL, _payload(), format="json").status_code for _ in range(3)]
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
