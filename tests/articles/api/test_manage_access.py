"""The write API for articles: who may call it. Token authentication, the role matrix of
every endpoint, and mass assignment of fields a role may not set.

Every refused request is wrapped in `assert_db_unchanged()`: a refusal changes nothing.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from articles.api.manage_serializers import EDITOR_ONLY_KEYS
from articles.models import Article
from tests.support.api import (
    ARTICLES_URL,
    PHOTOS_URL,
    article_payload,
    article_url,
    assert_db_unchanged,
    error_body,
    make_key,
    token_client,
)
from tests.support.factories import (
    ArticleFactory,
    AuthorFactory,
)

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "deactivated", "outsider", "writer", "other_writer", "editor")


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
    assert error_body(response)["code"] == "not_authenticated"


def test_a_deactivated_users_token_is_401(deactivated):
    response = token_client(deactivated).get(ARTICLES_URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert error_body(response) == {
        "code": "not_authenticated",
        "message": "User inactive or deleted.",
    }


@pytest.mark.parametrize("param", ["token", "access_token", "auth_token", "api_key", "key"])
def test_a_token_in_the_query_string_is_refused_even_with_a_good_header(writer, param):
    key = make_key(writer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.get(f"{ARTICLES_URL}?{param}={key}")
    anonymous = APIClient().get(f"{ARTICLES_URL}?{param}={key}")

    assert response.status_code == anonymous.status_code == 401
    assert error_body(response)["message"] == (
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
        return client.post(ARTICLES_URL, article_payload(), format="json")
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
        assert error_body(response) == {
            "code": "permission_denied",
            "message": "You do not have permission to perform this action.",
        }
    if expected == 404:
        assert error_body(response) == {"code": "not_found", "message": "Not found."}


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
    assert error_body(response)["code"] == "permission_denied"


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
    response = token_client(writer).post(
        ARTICLES_URL, article_payload(**{field: value}), format="json"
    )

    # Keys the editors' workflow actions set are a writer's 403; the rest nobody's 400.
    editor_only = field in EDITOR_ONLY_KEYS
    assert response.status_code == (403 if editor_only else 400)
    error = error_body(response)
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
    assert error_body(response) == {
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
    assert error_body(response) == {
        "code": "unknown_field",
        "message": "'status' cannot be set through this endpoint. "
        "Use the submit, schedule, publish and unpublish actions.",
        "field": "status",
    }


def test_an_unknown_key_in_a_related_link_is_refused(writer, section, author):
    response = token_client(writer).post(
        ARTICLES_URL,
        article_payload(
            related=[{"url": "https://example.org", "title": "T", "target_article": 1}]
        ),
        format="json",
    )

    assert response.status_code == 400
    assert error_body(response)["code"] == "unknown_field"
    assert error_body(response)["field"] == "related.0.target_article"
    assert not Article.objects.exists()
