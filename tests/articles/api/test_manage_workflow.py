"""The write API for articles: the workflow actions (submit, schedule, publish, unpublish)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from articles.models import Article, ArticleTransition
from tests.support.api import (
    article_url,
    assert_db_unchanged,
    error_body,
    token_client,
)
from tests.support.factories import (
    ArticleFactory,
)

pytestmark = pytest.mark.django_db

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
    assert (error_body(response)["field"], error_body(response)["code"]) == (field, code)


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
    assert (error_body(response)["field"], error_body(response)["code"]) == (
        "slug",
        "slug_exhausted",
    )


def test_an_action_refuses_a_body_with_fields(
    writer,
    draft,
):
    with assert_db_unchanged():
        response = token_client(writer).post(
            article_url(draft, "submit"), {"note": "x"}, format="json"
        )

    assert response.status_code == 400
    assert error_body(response)["code"] == "unknown_field"


def test_a_move_that_does_not_exist_is_400(
    editor,
    draft,
):
    with assert_db_unchanged():
        response = token_client(editor).post(article_url(draft, "unpublish"), {}, "json")

    assert response.status_code == 400
    assert error_body(response)["code"] == "invalid_transition"
