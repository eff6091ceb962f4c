"""Helpers for API tests: token clients, URLs of the write API, the JSON error envelope, and
a snapshot of every table a refused write must leave as it was."""

from __future__ import annotations

import json
import uuid
from contextlib import contextmanager

from django.contrib.auth.models import User
from rest_framework.test import APIClient

from articles.models import (
    Article,
    ArticlePhoto,
    ArticleRevision,
    ArticleTransition,
    Byline,
    RelatedLink,
    TaggedArticle,
)
from articles.photos.models import Photo
from articles.published.models import WebhookDelivery
from newsroom.accounts.services import api_token_create
from newsroom.jobs.models import BackgroundJob

ARTICLES_URL = "/api/v1/manage/articles/"
PHOTOS_URL = "/api/v1/manage/photos/"

# What a write may touch, with the outboxes (jobs, webhook deliveries): a refusal queues nothing.
SNAPSHOT_MODELS = (Article, Byline, TaggedArticle, RelatedLink, Photo, ArticlePhoto,
                   ArticleRevision, ArticleTransition, BackgroundJob, WebhookDelivery)  # fmt: skip


def article_url(article: Article, action: str = "") -> str:
    return f"{ARTICLES_URL}{article.pk}/" + (f"{action}/" if action else "")


def token_client(user: User | None) -> APIClient:
    """An API client sending a new token of `user`'s; anonymous for None."""
    client = APIClient()
    if user is not None:
        key = make_key(user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def make_key(user: User, name: str | None = None) -> str:
    """The key of a new token of `user`, under a fresh name (clients are made in threads too)."""
    name = name or f"test {uuid.uuid4().hex[:12]}"
    return api_token_create(user=user, name=name)[1]


def db_state() -> dict[str, list[tuple]]:
    """Every row of the tables a write may touch, for asserting a refusal changed nothing."""
    state = {}
    for model in SNAPSHOT_MODELS:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "search_vector"]
        state[model.__name__] = list(model.objects.order_by("pk").values_list(*fields))
    return state


@contextmanager
def assert_db_unchanged():
    """`with assert_db_unchanged():` around a request that must be refused without effect."""
    before = db_state()
    yield
    assert db_state() == before


def error_of(response, status: int) -> dict:
    """The JSON error envelope of `response`, after checking its status, its content type
    and that the body names the request's `X-Request-ID` (every API error carries it; a
    handler called directly, without the middleware, has neither)."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    if response.has_header("X-Request-ID"):
        assert body["request_id"] == response["X-Request-ID"]
    error = body["error"]
    assert error["code"] and error["message"]
    return error


def article_payload(**overrides) -> dict:
    """A valid create body of the write API (section `daerah`, byline `siti-rahma`)."""
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


def error_body(response) -> dict:
    """The `error` of a JSON error envelope."""
    assert response["Content-Type"] == "application/json"
    return response.json()["error"]
