"""No lost edits in the admin: the loaded version travels with the form; soft locks."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleEditor
from tests.support.admin import admin_url, article_form_data, error_messages
from tests.support.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_editor(db) -> User:
    user = User.objects.create_user(username="eko.editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _loaded_form(client: Client, article: Article) -> dict[str, str]:
    """The POST data of the change form as the page rendered it (with its version)."""
    response = client.get(admin_url(Article, "change", article.pk))
    form = response.context["adminform"].form
    assert form["loaded_version"].value() == article.version
    return article_form_data(article)


def test_second_save_of_two_editors_is_refused_and_keeps_both_texts(editor, second_editor):
    article = ArticleFactory(headline="Gempa di Cianjur", body="<p>Awal.</p>")
    first, second = _client(editor), _client(second_editor)
    first_data, second_data = _loaded_form(first, article), _loaded_form(second, article)

    first_data.update(headline="Gempa M5,6 di Cianjur", body="<p>Teks editor pertama.</p>")
    assert first.post(admin_url(Article, "change", article.pk), first_data).status_code == 302

    second_data.update(headline="Gempa guncang Cianjur", body="<p>Teks editor kedua.</p>")
    response = second.post(admin_url(Article, "change", article.pk), second_data)

    # Refused with a clear message and what changed meanwhile ...
    assert response.status_code == 200
    form = response.context["adminform"].form
    [message] = form.non_field_errors()
    assert message.startswith("Someone else saved this article meanwhile (version 2; yours")
    assert "by edna.editor" in message
    changes = {c["field"]: (c["old"], c["new"]) for c in form.conflict.changes}
    assert changes["headline"] == ("Gempa di Cianjur", "Gempa M5,6 di Cianjur")
    page = response.content.decode()
    assert 'id="conflict-changes"' in page
    # ... the second editor's unsaved text is still in the form ...
    assert "Teks editor kedua." in page
    assert 'value="Gempa guncang Cianjur"' in page
    # ... and nothing of the first editor's save is lost.
    article.refresh_from_db()
    assert (article.headline, article.body, article.version) == (
        "Gempa M5,6 di Cianjur",
        "<p>Teks editor pertama.</p>",
        2,
    )
    # The factory's state (kept before the first save) and the first editor's save.
    assert list(article.revisions.values_list("number", flat=True)) == [2, 1]

    # Re-applied on top of the current version, the second save goes through.
    second_data.update(loaded_version=str(article.version))
    assert second.post(admin_url(Article, "change", article.pk), second_data).status_code == 302
    article.refresh_from_db()
    assert (article.headline, article.version) == ("Gempa guncang Cianjur", 3)


@pytest.mark.parametrize("version", ["", "abc", "0", "-3"])
def test_missing_or_malformed_version_is_a_form_error(editor_client, version):
    article = ArticleFactory(headline="Asli")
    data = article_form_data(article, headline="Diubah", loaded_version=version)
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 200
    assert error_messages(response)
    article.refresh_from_db()
    assert (article.headline, article.version) == ("Asli", 1)


def test_status_change_by_someone_else_makes_the_form_stale(editor, writer):
    article = ArticleFactory(created_by=writer)
    stale = _loaded_form(_client(editor), article)
    from articles.services import article_submit_for_review

    article_submit_for_review(article=article, user=writer)
    response = _client(editor).post(admin_url(Article, "change", article.pk), stale)
    assert response.status_code == 200
    assert response.context["adminform"].form.conflict is not None
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW


# --- Soft lock ---------------------------------------------------------------------------


def test_change_page_warns_who_else_has_the_article_open(editor, second_editor):
    article = ArticleFactory()
    url = admin_url(Article, "change", article.pk)
    response = _client(editor).get(url)
    assert response.context["others_editing"] == []

    response = _client(second_editor).get(url)
    assert response.context["others_editing"] == [editor]
    page = response.content.decode()
    assert '<strong id="soft-lock-names">edna.editor</strong>' in page
    assert "setInterval" in page


def test_a_user_without_access_leaves_no_soft_lock(outsider):
    article = ArticleFactory()
    response = _client(outsider).get(admin_url(Article, "change", article.pk))
    assert response.status_code in (302, 403)
    assert not ArticleEditor.objects.exists()


def test_soft_lock_expires_after_two_minutes(editor, second_editor):
    article = ArticleFactory()
    url = admin_url(Article, "change", article.pk)
    _client(editor).get(url)
    with time_machine.travel(timezone.now() + timedelta(seconds=121)):
        response = _client(second_editor).get(url)
    assert response.context["others_editing"] == []


def test_ping_refreshes_the_lock_and_lists_the_others(editor, second_editor):
    article = ArticleFactory()
    ping = reverse("admin:articles_article_ping", args=[article.pk])
    first = _client(editor)
    assert first.post(ping).json() == {"others": []}
    with time_machine.travel(timezone.now() + timedelta(seconds=100)):
        assert _client(second_editor).post(ping).json() == {"others": ["edna.editor"]}
        assert first.post(ping).json() == {"others": ["eko.editor"]}
    assert ArticleEditor.objects.filter(article=article).count() == 2


def test_ping_refuses_get_strangers_and_unknown_articles(editor, outsider):
    article = ArticleFactory()
    ping = reverse("admin:articles_article_ping", args=[article.pk])
    assert _client(editor).get(ping).status_code == 405
    assert _client(outsider).post(ping).status_code == 404
    missing = reverse("admin:articles_article_ping", args=[987654])
    assert _client(editor).post(missing).status_code == 404
    assert not ArticleEditor.objects.exists()


# --- Preview link on the change page -----------------------------------------------------


def test_preview_link_is_shown_to_editors_only(editor, writer, settings):
    settings.API_BASE_URL = "https://cms.example.org"
    article = ArticleFactory(created_by=writer)
    from articles.services import article_save

    article_save(article=article, user=writer, expected_version=1, data={"dek": "Baru"})
    url = admin_url(Article, "change", article.pk)
    response = _client(editor).get(url)
    preview_url = response.context["preview_url"]
    assert preview_url.startswith("https://cms.example.org/api/v1/preview/")
    assert "Preview link" in response.content.decode()
    path = preview_url.removeprefix(settings.API_BASE_URL)
    assert Client().get(path).json()["dek"] == "Baru"

    response = _client(writer).get(url)
    assert "preview_url" not in response.context
    assert "Preview link" not in response.content.decode()
