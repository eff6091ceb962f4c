"""Publish times and embargo ends: an explicit UTC offset in the API, a bounded horizon and no
embargo that has already ended, for every write path (write API, admin, services)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from articles.models import Article
from articles.services import (
    article_publish,
    article_revision_restore,
    article_save,
    article_set_status,
)
from tests.support.admin import admin_url, article_form_data
from tests.support.api import article_url, assert_db_unchanged, token_client
from tests.support.factories import ArticleFactory

pytestmark = pytest.mark.django_db

Status = Article.Status


def error_of(response, field: str) -> dict:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["field"] == field
    return error


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def local_fields(name: str, value) -> dict[str, str]:
    local = timezone.localtime(value)
    return {f"{name}_0": local.strftime("%Y-%m-%d"), f"{name}_1": local.strftime("%H:%M:%S")}


# --- Write API: explicit offsets ---------------------------------------------------------------


@pytest.mark.parametrize("value", ["2027-05-01T09:00", "2027-05-01T09:00:00", "2027-05-01"])
def test_schedule_needs_an_explicit_offset(editor, value):
    article = ArticleFactory()
    with assert_db_unchanged():
        response = token_client(editor).post(
            article_url(article, "schedule"), {"publish_at": value}, format="json"
        )
    error = error_of(response, "publish_at")
    assert error["code"] == "offset_required"
    assert "offset" in error["message"]


@pytest.mark.parametrize("value", ["2027-05-01T09:00", "2027-05-01"])
def test_embargo_needs_an_explicit_offset(editor, value):
    article = ArticleFactory()
    with assert_db_unchanged():
        response = token_client(editor).patch(
            article_url(article),
            {"embargo_until": value},
            format="json",
            HTTP_IF_MATCH=f'"v{article.version}"',
        )
    assert error_of(response, "embargo_until")["code"] == "offset_required"


@pytest.mark.parametrize("suffix", ["Z", "+07:00", "-03:30"])
def test_times_with_an_offset_are_accepted(editor, suffix):
    article = ArticleFactory()
    when = (timezone.now() + timedelta(days=7)).replace(microsecond=0, tzinfo=None)
    response = token_client(editor).post(
        article_url(article, "schedule"),
        {"publish_at": when.isoformat() + suffix},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "scheduled"


# --- The horizon -----------------------------------------------------------------------------


def test_schedule_beyond_the_horizon_is_refused(editor):
    article = ArticleFactory()
    with assert_db_unchanged():
        response = token_client(editor).post(
            article_url(article, "schedule"), {"publish_at": "2076-05-01T09:00:00+07:00"}, "json"
        )
    error = error_of(response, "publish_at")
    assert error["code"] == "beyond_horizon"
    assert "730 days" in error["message"]


def test_embargo_beyond_the_horizon_is_refused(editor):
    article = ArticleFactory()
    with assert_db_unchanged():
        response = token_client(editor).patch(
            article_url(article),
            {"embargo_until": "2076-05-01T09:00:00Z"},
            format="json",
            HTTP_IF_MATCH=f'"v{article.version}"',
        )
    assert error_of(response, "embargo_until")["code"] == "beyond_horizon"


def test_the_horizon_is_a_setting(editor, settings):
    settings.SCHEDULE_HORIZON_DAYS = 10
    article = ArticleFactory()
    far = (timezone.now() + timedelta(days=11)).isoformat()
    near = (timezone.now() + timedelta(days=9)).isoformat()
    client = token_client(editor)

    refused = client.post(article_url(article, "schedule"), {"publish_at": far}, "json")
    accepted = client.post(article_url(article, "schedule"), {"publish_at": near}, "json")

    assert error_of(refused, "publish_at")["code"] == "beyond_horizon"
    assert accepted.status_code == 200


def test_services_refuse_a_go_live_beyond_the_horizon(editor):
    article = ArticleFactory()
    with pytest.raises(ValidationError) as caught:
        article_publish(
            article=article, user=editor, publish_at=timezone.now() + timedelta(days=800)
        )
    assert caught.value.error_dict["published_at"][0].code == "beyond_horizon"
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


# --- An embargo that has already ended -------------------------------------------------------


def test_embargo_in_the_past_is_refused_by_the_api(editor):
    article = ArticleFactory()
    past = (timezone.now() - timedelta(minutes=5)).isoformat()
    with assert_db_unchanged():
        response = token_client(editor).patch(
            article_url(article),
            {"embargo_until": past},
            format="json",
            HTTP_IF_MATCH=f'"v{article.version}"',
        )
    assert error_of(response, "embargo_until")["code"] == "embargo_in_past"


def test_embargo_in_the_past_is_refused_on_create(editor):
    body = {
        "headline": "Banjir",
        "section": ArticleFactory().section.slug,
        "bylines": [ArticleFactory().bylines.get().author.slug],
        "embargo_until": "2020-01-01T00:00:00Z",
    }
    with assert_db_unchanged():
        response = token_client(editor).post("/api/v1/manage/articles/", body, format="json")
    assert error_of(response, "embargo_until")["code"] == "embargo_in_past"


def test_resaving_an_article_whose_embargo_has_passed_works(editor):
    embargo = timezone.now() + timedelta(hours=1)
    article = ArticleFactory(published=True, embargo_until=embargo)
    client = token_client(editor)
    with time_machine.travel(embargo + timedelta(days=1), tick=False):
        stored = client.get(article_url(article)).json()
        # The stored value sent back, as a client does after a GET; and another field alone.
        again = client.patch(
            article_url(article),
            {"embargo_until": stored["embargo_until"], "dek": "Baru."},
            format="json",
            HTTP_IF_MATCH=stored["etag"],
        )
        assert again.status_code == 200, again.json()
        other = client.patch(
            article_url(article), {"dek": "Lagi."}, format="json", HTTP_IF_MATCH=again["ETag"]
        )
        assert other.status_code == 200, other.json()
        republished = article_set_status(
            article=Article.objects.get(pk=article.pk), status=Status.PUBLISHED, user=editor
        )
    assert republished.embargo_until == embargo


def test_services_refuse_a_new_embargo_in_the_past(editor):
    article = ArticleFactory()
    with pytest.raises(ValidationError) as caught:
        article_save(
            article=article,
            user=editor,
            expected_version=article.version,
            data={"embargo_until": timezone.now() - timedelta(seconds=1)},
        )
    assert caught.value.error_dict["embargo_until"][0].code == "embargo_in_past"


def test_restoring_a_revision_whose_embargo_has_passed_keeps_the_current_one(editor):
    embargo = timezone.now() + timedelta(hours=1)
    article = ArticleFactory()
    article_save(
        article=article, user=editor, expected_version=article.version,
        data={"embargo_until": embargo, "headline": "Lama"},
    )  # fmt: skip
    article.refresh_from_db()
    article_save(
        article=article, user=editor, expected_version=article.version,
        data={"embargo_until": None, "headline": "Baru"},
    )  # fmt: skip
    old = article.revisions.get(data__fields__headline="Lama")
    with time_machine.travel(embargo + timedelta(days=1), tick=False):
        article_revision_restore(article=article, revision=old, user=editor)
    article.refresh_from_db()
    assert (article.headline, article.embargo_until) == ("Lama", None)


# --- Admin -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (timedelta(minutes=-5), "The embargo must end in the future."),
        (timedelta(days=800), "At most 730 days ahead"),
    ],
)
def test_admin_refuses_a_past_or_far_embargo(editor, when, message):
    article = ArticleFactory()
    data = article_form_data(article, **local_fields("embargo_until", timezone.now() + when))
    response = admin_client(editor).post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors["embargo_until"])
    assert Article.objects.get(pk=article.pk).embargo_until is None


def test_admin_refuses_a_go_live_beyond_the_horizon(editor):
    article = ArticleFactory()
    data = article_form_data(
        article,
        status=Status.PUBLISHED,
        **local_fields("published_at", timezone.now().replace(year=2076)),
    )
    response = admin_client(editor).post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 200
    assert "At most 730 days ahead" in str(
        response.context["adminform"].form.errors["published_at"]
    )
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


def test_admin_resaves_an_article_whose_embargo_has_passed(editor):
    embargo = timezone.now() + timedelta(hours=1, microseconds=123)
    article = ArticleFactory(published=True, embargo_until=embargo)
    with time_machine.travel(embargo + timedelta(days=1)):
        data = article_form_data(article, dek="Baru.", **local_fields("embargo_until", embargo))
        response = admin_client(editor).post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert (article.dek, article.embargo_until) == ("Baru.", embargo)
