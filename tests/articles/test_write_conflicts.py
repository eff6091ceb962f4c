"""What a request that meets a concurrent one is answered, when a race is not settled at its
source: never a 500, and never the 503 that means the database is down.

- A deadlock or serialization failure: the write API runs the handler again (each try is its
  own transaction); if every try meets one, 409 `write_conflict`.
- An IntegrityError reaching the API: 409 `constraint_conflict`, logged as an error.
- The admin: the add or change view runs again, so its validation sees the other row.
"""

from __future__ import annotations

import logging
from unittest import mock

import psycopg
import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, OperationalError
from rest_framework.test import APIClient

from articles.models import Article, Author
from articles.services import article_set_status
from tests.support.admin import admin_url
from tests.support.api import article_url, assert_db_unchanged, error_of, token_client
from tests.support.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _deadlock() -> OperationalError:
    """The error Django raises when PostgreSQL breaks a deadlock (psycopg's cause kept)."""
    try:
        raise psycopg.errors.DeadlockDetected("deadlock detected")
    except psycopg.errors.DeadlockDetected as cause:
        error = OperationalError("deadlock detected")
        error.__cause__ = cause
        return error


def _serialization_failure() -> OperationalError:
    error = OperationalError("could not serialize access due to concurrent update")
    error.__cause__ = psycopg.errors.SerializationFailure("could not serialize access")
    return error


def _publish(editor, article):
    return token_client(editor).post(article_url(article, "publish"), {}, format="json")


# Each try is its own transaction, as in production: no test transaction around it.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("conflict", [_deadlock, _serialization_failure])
def test_a_write_that_meets_a_deadlock_once_is_run_again_and_succeeds(editor, conflict):
    article = ArticleFactory(slug=None, headline="Gempa Cianjur")
    calls = []

    def once_in_conflict(**kwargs):
        calls.append(kwargs["article"].pk)
        if len(calls) == 1:
            raise conflict()
        return article_set_status(**kwargs)

    with mock.patch("articles.api.article_views.article_set_status", once_in_conflict):
        response = _publish(editor, article)

    assert response.status_code == 200, response.content
    assert calls == [article.pk, article.pk]
    article.refresh_from_db()
    assert (article.status, article.slug) == (Article.Status.PUBLISHED, "gempa-cianjur")


@pytest.mark.django_db(transaction=True)
def test_a_write_in_conflict_on_every_try_is_409_write_conflict_not_503(editor, caplog):
    article = ArticleFactory(headline="Gempa")
    always = mock.Mock(side_effect=lambda **kwargs: (_ for _ in ()).throw(_deadlock()))

    with (
        assert_db_unchanged(),
        mock.patch("articles.api.article_views.article_set_status", always),
        caplog.at_level(logging.WARNING),
    ):
        response = _publish(editor, article)

    error = error_of(response, 409)
    assert error["code"] == "write_conflict"
    assert "at the same moment" in error["message"]
    assert always.call_count == 3
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_an_integrity_error_reaching_the_api_is_409_constraint_conflict_logged(editor, caplog):
    article = ArticleFactory(headline="Gempa")
    clash = IntegrityError('duplicate key value violates unique constraint "x"')

    with (
        assert_db_unchanged(),
        mock.patch("articles.api.article_views.article_set_status", side_effect=clash),
        caplog.at_level(logging.WARNING),
    ):
        response = _publish(editor, article)

    error = error_of(response, 409)
    assert error["code"] == "constraint_conflict"
    logged = [r for r in caplog.records if "Constraint conflict" in r.getMessage()]
    assert [r.levelno for r in logged] == [logging.ERROR]


def test_an_integrity_error_in_a_public_read_is_409_not_500(monkeypatch):
    def clash(self):
        raise IntegrityError("duplicate key")

    monkeypatch.setattr("articles.published.api.views.ArticleListBase.get_queryset", clash)

    response = APIClient().get("/api/v1/articles/")

    assert error_of(response, 409)["code"] == "constraint_conflict"


def test_a_lost_connection_is_still_503_database_unavailable(editor):
    article = ArticleFactory(headline="Gempa")
    lost = OperationalError("server closed the connection unexpectedly")

    with mock.patch("articles.api.article_views.article_set_status", side_effect=lost):
        response = _publish(editor, article)

    assert error_of(response, 503)["code"] == "publish_failed"


def test_an_admin_save_that_always_clashes_ends_in_a_message_not_a_500(
    admin_client, monkeypatch, caplog
):
    def clash(self, request, obj, form, change):
        raise IntegrityError("duplicate key")

    monkeypatch.setattr("articles.admin.people.AuthorAdmin.save_model", clash)
    data = {"name": "Siti Rahma", "slug": "siti-rahma", "bio": "", "email": "", "website": "",
            "x_handle": "", "instagram_handle": "", "user": ""}  # fmt: skip

    with caplog.at_level(logging.WARNING):
        response = admin_client.post(admin_url(Author, "add"), data)

    assert response.status_code == 302
    assert response["Location"] == admin_url(Author, "add")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Nothing was saved: the change clashed with one saved at the same moment. "
        "Check the page and save again."
    ]
    assert not Author.objects.exists()
    assert [r.levelname for r in caplog.records if "Admin save" in r.getMessage()] == [
        "WARNING",
        "WARNING",
        "ERROR",
    ]


def test_an_admin_outage_is_not_retried(admin_client, monkeypatch):
    def lost(self, request, obj, form, change):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("articles.admin.people.AuthorAdmin.save_model", lost)
    data = {"name": "Siti Rahma", "slug": "siti-rahma", "bio": ""}

    with pytest.raises(OperationalError):
        admin_client.post(admin_url(Author, "add"), data)
