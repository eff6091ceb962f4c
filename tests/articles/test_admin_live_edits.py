"""Editing a live article in the admin: subscribers hear of it, and an old slug keeps working."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from articles.models import Article, ArticleSlugHistory
from articles.published.models import WebhookDelivery, WebhookSubscription
from articles.services import article_generate_slug
from tests.support.admin import admin_url, article_form_data
from tests.support.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscription(db) -> WebhookSubscription:
    return WebhookSubscription.objects.create(
        url="https://frontend.example.com/hooks", secret="s" * 32, events=[]
    )


def test_an_admin_edit_of_a_live_article_notifies_subscribers(editor_client, subscription):
    article = ArticleFactory(published=True, created_by=None)

    response = editor_client.post(
        admin_url(Article, "change", article.pk), article_form_data(article, headline="Judul baru")
    )

    assert response.status_code == 302
    delivery = WebhookDelivery.objects.get()
    assert delivery.event_type == "article.updated"
    assert delivery.payload["data"]["headline"] == "Judul baru"
    assert delivery.payload["data"]["url"] == article.public_url


def test_an_admin_edit_of_a_draft_notifies_nobody(editor_client, subscription):
    article = ArticleFactory()

    editor_client.post(
        admin_url(Article, "change", article.pk), article_form_data(article, headline="Draf")
    )

    assert not WebhookDelivery.objects.exists()


def test_an_admin_slug_change_after_publishing_keeps_the_old_slug(editor_client):
    article = ArticleFactory(published=True, slug="banjir-lama")

    response = editor_client.post(
        admin_url(Article, "change", article.pk), article_form_data(article, slug="banjir-baru")
    )

    assert response.status_code == 302
    assert list(ArticleSlugHistory.objects.values_list("slug", "article")) == [
        ("banjir-lama", article.pk)
    ]
    redirect = APIClient().get("/api/v1/articles/banjir-lama/")
    assert redirect.status_code == 301
    assert redirect["Location"] == "/api/v1/articles/banjir-baru/"


def test_a_generated_slug_never_takes_another_articles_old_slug(django_assert_num_queries):
    article = ArticleFactory(published=True, slug="banjir-baru")
    ArticleSlugHistory.objects.create(slug="banjir-bandung", article=article)

    # One query per candidate: the first is an old slug, the second is free.
    with django_assert_num_queries(2):
        assert article_generate_slug(headline="Banjir Bandung") == "banjir-bandung-2"
    assert article_generate_slug(headline="Banjir Bandung", exclude_pk=article.pk) == (
        "banjir-bandung"
    )


def test_an_admin_slug_that_is_another_articles_old_slug_is_refused(editor_client):
    # The hijack: rename a live article, give a draft its old slug, publish the draft.
    first = ArticleFactory(published=True, slug="banjir-lama")
    editor_client.post(
        admin_url(Article, "change", first.pk), article_form_data(first, slug="banjir-baru")
    )
    draft = ArticleFactory(slug="draf")

    response = editor_client.post(
        admin_url(Article, "change", draft.pk),
        article_form_data(draft, slug="banjir-lama", status=Article.Status.PUBLISHED),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "slug": ["Another article uses this address, now or before."]
    }
    draft.refresh_from_db()
    assert (draft.slug, draft.status) == ("draf", Article.Status.DRAFT)
    redirect = APIClient().get("/api/v1/articles/banjir-lama/")
    assert redirect.status_code == 301
    assert redirect["Location"] == "/api/v1/articles/banjir-baru/"


def test_a_new_article_in_the_admin_cannot_take_an_old_slug_either(editor_client):
    first = ArticleFactory(published=True, slug="banjir-baru")
    ArticleSlugHistory.objects.create(slug="banjir-lama", article=first)

    response = editor_client.post(
        admin_url(Article, "add"),
        article_form_data(section=first.section, new_authors=[AuthorFactory()], slug="banjir-lama"),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "slug": ["Another article uses this address, now or before."]
    }
    assert list(Article.objects.all()) == [first]


def test_an_admin_slug_of_another_live_article_gives_one_error(editor_client):
    ArticleFactory(published=True, slug="banjir-bandung")
    article = ArticleFactory(published=True, slug="banjir-cianjur")

    response = editor_client.post(
        admin_url(Article, "change", article.pk), article_form_data(article, slug="banjir-bandung")
    )

    assert response.context["adminform"].form.errors == {
        "slug": ["Another article uses this address, now or before."]
    }
