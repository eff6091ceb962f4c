"""The editors' admin by role: writers cannot publish by any path, editors publish, schedule
and unpublish, one by one or in bulk."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.utils import timezone

from articles.models import Article
from tests.support.admin import (
    XSS,
    XSS_ESCAPED,
    action_choices,
    admin_url,
    article_form_data,
    error_messages,
    management,
    message_texts,
)
from tests.support.factories import (
    ArticleFactory,
    AuthorFactory,
    TopicTagFactory,
)

Status = Article.Status


# --- Writers cannot publish ---------------------------------------------------------------


def test_writer_is_offered_only_draft_and_review(writer_client, section):
    response = writer_client.get(admin_url(Article, "add"))
    form = response.context["adminform"].form
    assert [value for value, _label in form.fields["status"].choices] == [
        Status.DRAFT,
        Status.IN_REVIEW,
    ]
    assert "published_at" not in form.fields


def test_writer_cannot_publish_a_new_article_by_form(writer_client, section):
    author = AuthorFactory()
    data = article_form_data(section=section, new_authors=[author], status=Status.PUBLISHED)
    response = writer_client.post(admin_url(Article, "add"), data)
    assert "Select a valid choice. published is not one of the available choices." in (
        error_messages(response)
    )
    assert Article.objects.count() == 0


def test_writer_cannot_publish_an_existing_draft_by_form(writer, writer_client):
    article = ArticleFactory(headline="Draf awal", created_by=writer)
    data = article_form_data(
        article,
        headline="Changed",
        status=Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=1),
    )
    response = writer_client.post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["status"]
    article.refresh_from_db()
    assert (article.headline, article.status, article.published_at) == (
        "Draf awal",
        Status.DRAFT,
        None,
    )


@pytest.mark.parametrize("forged", [Status.SCHEDULED, Status.UNPUBLISHED])
def test_writer_cannot_schedule_or_unpublish_by_form(writer, writer_client, forged):
    article = ArticleFactory(created_by=writer)
    data = article_form_data(article, status=forged)
    response = writer_client.post(admin_url(Article, "change", article.pk), data)
    assert response.context["adminform"].form.errors["status"]
    article.refresh_from_db()
    assert article.status == Status.DRAFT


def test_writer_submits_for_review_by_form_and_cannot_set_publish_time(writer, writer_client):
    article = ArticleFactory(created_by=writer)
    data = article_form_data(
        article, status=Status.IN_REVIEW, published_at=timezone.now() + timedelta(days=1)
    )
    response = writer_client.post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.IN_REVIEW, None)


def test_writer_creates_a_draft_with_bylines_in_order(writer, writer_client, section):
    first, second = AuthorFactory(name="Siti"), AuthorFactory(name="Budi")
    response = writer_client.post(
        admin_url(Article, "add"), article_form_data(section=section, new_authors=[first, second])
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.status == Status.DRAFT
    assert article.created_by == writer
    assert [b.author for b in article.bylines.all()] == [first, second]


def test_writer_is_not_offered_the_publish_actions(writer_client):
    ArticleFactory()
    response = writer_client.get(admin_url(Article, "changelist"))
    assert action_choices(response) == {"", "submit_for_review_selected"}


@pytest.mark.parametrize("action", ["publish_selected", "unpublish_selected", "delete_selected"])
def test_writer_forged_action_post_is_not_applied(writer_client, action):
    draft = ArticleFactory()
    live = ArticleFactory(published=True)
    response = writer_client.post(
        admin_url(Article, "changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [draft.pk, live.pk], "index": "0"},
    )
    assert response.status_code == 302
    assert "No action selected." in message_texts(response)
    draft.refresh_from_db()
    live.refresh_from_db()
    assert (draft.status, live.status) == (Status.DRAFT, Status.PUBLISHED)


def test_writer_bulk_edit_cannot_change_status(writer_client):
    """The list has no editable columns; a forged bulk-edit POST changes nothing."""
    article = ArticleFactory()
    data = {
        **management("form", total=1, initial=1),
        "form-0-id": str(article.pk),
        "form-0-status": Status.PUBLISHED,
        "form-0-published_at": "2024-01-01 10:00:00",
        "_save": "Save",
    }
    response = writer_client.post(admin_url(Article, "changelist"), data)
    assert response.status_code in (200, 302)
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.DRAFT, None)
    assert admin.site._registry[Article].list_editable == ()


def test_writer_submit_for_review_action(writer, writer_client):
    draft = ArticleFactory(created_by=writer)
    live = ArticleFactory(published=True, created_by=writer)
    response = writer_client.post(
        admin_url(Article, "changelist"),
        {"action": "submit_for_review_selected", ACTION_CHECKBOX_NAME: [draft.pk, live.pk]},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    live.refresh_from_db()
    assert (draft.status, live.status) == (Status.IN_REVIEW, Status.PUBLISHED)
    texts = message_texts(response)
    assert "1 article submitted for review." in texts
    assert f"{live.headline}: An article cannot go from Published to In review." in texts


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.SCHEDULED])
def test_writer_cannot_change_a_public_article(writer_client, status):
    article = ArticleFactory(published=True, headline="Sudah terbit")
    if status == Status.SCHEDULED:
        Article.objects.filter(pk=article.pk).update(
            status=status, published_at=timezone.now() + timedelta(days=1)
        )
    article.refresh_from_db()
    url = admin_url(Article, "change", article.pk)

    response = writer_client.get(url)
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()

    data = article_form_data(article, headline="Diubah penulis", status=Status.DRAFT)
    assert writer_client.post(url, data).status_code == 403
    article.refresh_from_db()
    assert (article.headline, article.status) == ("Sudah terbit", status)


def test_cross_site_publish_post_without_csrf_token_is_refused(editor):
    article = ArticleFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(
        admin_url(Article, "changelist"),
        {"action": "publish_selected", ACTION_CHECKBOX_NAME: [article.pk]},
    )
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.status == Status.DRAFT


# --- Editors publish ----------------------------------------------------------------------


def test_editor_publishes_by_form_and_a_slug_is_generated(editor_client):
    article = ArticleFactory(headline="Gubernur resmikan jembatan baru", slug=None)
    before = timezone.now()
    data = article_form_data(article, status=Status.PUBLISHED)
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    assert article.slug == "gubernur-resmikan-jembatan-baru"
    assert before <= article.published_at <= timezone.now()
    assert article.first_published_at == article.published_at
    assert article.last_published_at >= before
    assert article.is_live


def test_editor_creates_and_publishes_in_one_form(editor, editor_client, section):
    author = AuthorFactory()
    tag = TopicTagFactory()
    target = ArticleFactory(published=True)
    data = article_form_data(
        section=section,
        new_authors=[author],
        tags=[tag],
        related_links=[
            {"target_article": str(target.pk), "after_paragraph": 2},
            {"url": "https://example.org/latar", "title": "Latar belakang", "label": "Lihat"},
        ],
        status=Status.PUBLISHED,
    )
    response = editor_client.post(admin_url(Article, "add"), data)
    assert response.status_code == 302
    article = Article.objects.exclude(pk=target.pk).get()
    assert article.status == Status.PUBLISHED
    assert article.slug == "gubernur-resmikan-jembatan-baru"
    assert article.created_by == editor
    assert list(article.tags.all()) == [tag]
    assert [link.display_title for link in article.related_links.all()] == [
        "Latar belakang",
        target.headline,
    ]


def test_editor_schedules_by_form_with_a_future_time(editor_client):
    article = ArticleFactory()
    due = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    data = article_form_data(article, status=Status.PUBLISHED, published_at=due)
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.status, article.published_at, article.first_published_at) == (
        Status.SCHEDULED,
        due,
        None,
    )


def test_editor_scheduling_in_the_past_is_a_form_error(editor_client):
    article = ArticleFactory()
    data = article_form_data(
        article, status=Status.SCHEDULED, published_at=timezone.now() - timedelta(hours=1)
    )
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    assert response.context["adminform"].form.errors["published_at"] == [
        "A scheduled article needs a publish time in the future."
    ]
    article.refresh_from_db()
    assert article.status == Status.DRAFT


def test_editor_unpublishes_by_form(editor_client):
    article = ArticleFactory(published=True)
    published_at = article.published_at
    data = article_form_data(article, status=Status.UNPUBLISHED)
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.UNPUBLISHED, published_at)


def test_editor_edit_of_a_live_article_keeps_it_live(editor_client):
    article = ArticleFactory(published=True)
    published_at = article.published_at
    data = article_form_data(article, headline="Koreksi judul")
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.headline, article.status, article.published_at) == (
        "Koreksi judul",
        Status.PUBLISHED,
        published_at,
    )


def test_editor_clearing_slug_or_time_of_a_live_article_is_a_form_error(editor_client):
    article = ArticleFactory(published=True)
    data = article_form_data(article, slug="", published_at=None)
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    errors = response.context["adminform"].form.errors
    assert errors["slug"] == ["A published article needs a slug."]
    assert errors["published_at"] == ["A published article needs a publish time."]


def test_invalid_transition_by_form_is_a_form_error(editor_client):
    article = ArticleFactory(published=True)
    data = article_form_data(article, status=Status.IN_REVIEW)
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    assert response.context["adminform"].form.errors["status"] == [
        "An article cannot go from Published to In review."
    ]


def test_editor_publishes_and_unpublishes_by_action(editor_client):
    with_slug = ArticleFactory()
    without_slug = ArticleFactory(headline="Harga beras naik lagi", slug=None)
    changelist = admin_url(Article, "changelist")
    assert {"publish_selected", "unpublish_selected"} <= action_choices(
        editor_client.get(changelist)
    )

    response = editor_client.post(
        changelist,
        {"action": "publish_selected", ACTION_CHECKBOX_NAME: [with_slug.pk, without_slug.pk]},
    )
    assert response.status_code == 302
    assert "2 articles published." in message_texts(response)
    for article in (with_slug, without_slug):
        article.refresh_from_db()
        assert article.status == Status.PUBLISHED
        assert article.published_at is not None
        assert article.first_published_at == article.published_at
    assert without_slug.slug == "harga-beras-naik-lagi"

    response = editor_client.post(
        changelist, {"action": "unpublish_selected", ACTION_CHECKBOX_NAME: [with_slug.pk]}
    )
    with_slug.refresh_from_db()
    assert with_slug.status == Status.UNPUBLISHED


def test_refused_action_becomes_a_message_not_an_error(editor_client):
    draft = ArticleFactory(headline=XSS)
    response = editor_client.post(
        admin_url(Article, "changelist"),
        {"action": "unpublish_selected", ACTION_CHECKBOX_NAME: [draft.pk]},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{XSS_ESCAPED}: An article cannot go from Draft to Unpublished." in html
    assert "<script>alert(1)</script>" not in html
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
