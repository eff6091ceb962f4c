"""The article admin's inline rows: a bad row is a clear form error and nothing is saved."""

from __future__ import annotations

import pytest

from articles.models import Article, Byline, RelatedLink, TaggedArticle
from tests.support.admin import (
    admin_url,
    article_form_data,
    error_messages,
)
from tests.support.factories import (
    ArticleFactory,
    TopicTagFactory,
)

Status = Article.Status


# --- Inline rows: clear errors, nothing saved ---------------------------------------------


@pytest.mark.parametrize(
    ("link", "message"),
    [
        (
            {"url": "https://example.org/x", "title": "X", "target": True},
            "Choose either a related article or an outside URL, not both.",
        ),
        ({"title": "Tanpa tujuan"}, "Choose a related article or enter an outside URL."),
        ({"url": "https://example.org/x"}, "An outside link needs a title."),
        ({"self": True}, "An article cannot link to itself."),
        ({"url": "javascript:alert(1)", "title": "X"}, "Enter a valid URL."),
    ],
)
def test_bad_related_link_is_a_form_error_and_nothing_is_saved(editor_client, link, message):
    article = ArticleFactory(headline="Asli")
    other = ArticleFactory(published=True)
    row = {key: value for key, value in link.items() if key not in ("target", "self")}
    if link.get("target"):
        row["target_article"] = str(other.pk)
    if link.get("self"):
        row["target_article"] = str(article.pk)
    data = article_form_data(article, headline="Diubah", related_links=[row])
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    assert message in error_messages(response)
    article.refresh_from_db()
    assert article.headline == "Asli"
    assert RelatedLink.objects.count() == 0


def test_article_without_bylines_is_a_form_error(editor_client, section):
    response = editor_client.post(admin_url(Article, "add"), article_form_data(section=section))
    assert "An article needs at least one byline: add an author." in error_messages(response)
    assert Article.objects.count() == 0


def test_removing_every_byline_is_a_form_error(editor_client):
    article = ArticleFactory(headline="Asli")
    data = article_form_data(article, headline="Diubah", keep_bylines=False)
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    assert "An article needs at least one byline: add an author." in error_messages(response)
    article.refresh_from_db()
    assert article.headline == "Asli"
    assert article.bylines.count() == 1


def test_duplicate_byline_or_tag_is_a_form_error(editor_client):
    article = ArticleFactory()
    author = article.bylines.get().author
    tag = TopicTagFactory()
    data = article_form_data(article, new_authors=[author], tags=[tag, tag])
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    errors = error_messages(response)
    assert any("duplicate" in error.lower() for error in errors), errors
    assert Byline.objects.count() == 1
    assert TaggedArticle.objects.count() == 0


def test_body_is_sanitised_when_saved_through_the_admin(editor_client):
    article = ArticleFactory()
    data = article_form_data(
        article, body='<p onclick="x()">Teks <a href="javascript:alert(1)">tautan</a></p><script>'
    )
    editor_client.post(admin_url(Article, "change", article.pk), data)
    article.refresh_from_db()
    assert "onclick" not in article.body
    assert "javascript:" not in article.body
    assert "<script" not in article.body
    assert "Teks" in article.body
