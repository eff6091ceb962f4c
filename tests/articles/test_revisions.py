"""Revisions: one per save, readable diffs, restore as a new revision, the live revision."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from articles.models import Article, ArticleRevision
from articles.services import (
    article_publish,
    article_revision_restore,
    article_revisions_diff,
    article_save,
    article_snapshot,
)
from tests.support.admin import admin_url, article_form_data
from tests.support.factories import (
    ArticleFactory,
    AuthorFactory,
    PhotoFactory,
    SectionFactory,
    TopicTagFactory,
)

pytestmark = pytest.mark.django_db

Status = Article.Status


def _edit(article: Article, user, **kwargs) -> Article:
    article.refresh_from_db()
    return article_save(article=article, user=user, expected_version=article.version, **kwargs)


def _comparable(article: Article) -> dict:
    """Everything a restore brings back, read fresh from the database."""
    article = Article.objects.get(pk=article.pk)
    snapshot = article_snapshot(article=article)
    fields = {k: v for k, v in snapshot["fields"].items() if k not in ("slug", "status")}
    return {**snapshot, "fields": fields, "labels": None}


def test_round_trip_edit_edit_restore_first_equals_first(editor):
    first_author, second_author = AuthorFactory(name="Siti"), AuthorFactory(name="Budi")
    photo, other_photo = PhotoFactory(), PhotoFactory()
    target = ArticleFactory(published=True)
    article = ArticleFactory(authors=[first_author])
    _edit(
        article,
        editor,
        data={"headline": "Versi satu", "body": "<p>Satu.</p>", "lead_photo": photo},
        tags=["banjir", "bandung"],
        related_links=[{"target_article": target, "after_paragraph": 1}],
        photos=[{"photo": photo, "after_paragraph": 1, "caption_override": "Foto satu"}],
    )
    first_state = _comparable(article)
    first = ArticleRevision.objects.get(article=article, number=2)

    _edit(
        article,
        editor,
        data={"headline": "Versi dua", "body": "<p>Dua.</p>", "section": SectionFactory()},
        bylines=[second_author],
        tags=["politik"],
        related_links=[{"url": "https://example.org/x", "title": "Luar"}],
        photos=[{"photo": other_photo, "after_paragraph": 3}],
    )
    _edit(article, editor, data={"dek": "Dek ketiga", "lead_photo": None})
    assert _comparable(article) != first_state

    new = article_revision_restore(article=article, revision=first, user=editor)

    assert _comparable(article) == first_state
    assert new.number == 5
    # 1 (the factory's state, kept before the first save), 2, 3, 4 and the restore, 5.
    assert ArticleRevision.objects.filter(article=article).count() == 5
    assert new.data["fields"]["headline"] == "Versi satu"


def test_restore_keeps_status_slug_and_corrections(editor):
    from articles.services import article_add_correction

    article = ArticleFactory(headline="Awal", slug="awal")
    _edit(article, editor, data={"headline": "Kedua"})
    first = article.revisions.get(number=2)
    _edit(article, editor, data={"headline": "Ketiga", "slug": "ketiga"})
    article.refresh_from_db()
    article_publish(article=article, user=editor)
    article_add_correction(article=article, text="Nama diperbaiki.", user=editor)
    article_revision_restore(article=article, revision=first, user=editor)
    article.refresh_from_db()
    assert (article.headline, article.slug, article.status) == ("Kedua", "ketiga", "published")
    assert list(article.corrections.values_list("text", flat=True)) == ["Nama diperbaiki."]


def test_restore_leaves_out_links_to_deleted_articles(editor):
    target = ArticleFactory(published=True)
    article = ArticleFactory()
    _edit(article, editor, related_links=[{"target_article": target}])
    first = article.revisions.get(number=2)
    _edit(article, editor, related_links=[])
    target.delete()
    article_revision_restore(article=article, revision=first, user=editor)
    assert not article.related_links.exists()


def test_restore_of_another_articles_revision_is_refused(editor):
    article, other = ArticleFactory(), ArticleFactory()
    _edit(other, editor, data={"dek": "x"})
    with pytest.raises(ValidationError):
        article_revision_restore(
            article=article, revision=other.revisions.get(number=2), user=editor
        )


def test_writer_cannot_restore_someone_elses_article(editor, writer):
    article = ArticleFactory()
    _edit(article, editor, data={"dek": "x"})
    with pytest.raises(PermissionDenied):
        article_revision_restore(
            article=article, revision=article.revisions.get(number=1), user=writer
        )


def test_an_article_from_before_revisions_gets_a_baseline_first(editor):
    article = ArticleFactory(headline="Dari impor")
    assert not article.revisions.exists()
    _edit(article, editor, data={"headline": "Disunting"})
    baseline, edit = article.revisions.order_by("number")
    assert (baseline.number, baseline.created_by, baseline.data["fields"]["headline"]) == (
        1,
        None,
        "Dari impor",
    )
    assert (edit.number, edit.created_by, edit.data["fields"]["headline"]) == (
        2,
        editor,
        "Disunting",
    )


def test_diff_is_field_by_field_and_word_level_for_text(editor):
    tag = TopicTagFactory(name="banjir")
    article = ArticleFactory(headline="Banjir melanda Bandung selatan", tags=[tag])
    _edit(article, editor, data={})
    _edit(
        article,
        editor,
        data={"headline": "Banjir besar melanda Bandung", "dateline": "GARUT"},
        tags=["banjir", "cuaca"],
    )
    old, new = article.revisions.get(number=2), article.revisions.get(number=3)
    diff = {change["field"]: change for change in article_revisions_diff(old=old, new=new)}
    assert set(diff) == {"headline", "dateline", "tags"}
    assert diff["headline"]["segments"] == [
        ("equal", "Banjir"),
        ("insert", "besar"),
        ("equal", "melanda Bandung"),
        ("delete", "selatan"),
    ]
    assert (diff["dateline"]["old"], diff["dateline"]["new"]) == ("BANDUNG", "GARUT")
    assert (diff["tags"]["old"], diff["tags"]["new"]) == ("banjir", "banjir, cuaca")
    assert article_revisions_diff(old=new, new=new) == []


def test_diff_of_revisions_of_two_articles_is_refused(editor):
    a, b = ArticleFactory(), ArticleFactory()
    _edit(a, editor, data={})
    _edit(b, editor, data={})
    with pytest.raises(ValidationError):
        article_revisions_diff(old=a.revisions.get(number=2), new=b.revisions.get(number=2))


def test_published_content_is_traced_to_the_live_revision(editor):
    article = ArticleFactory()
    _edit(article, editor, data={"headline": "Terbit"})
    article.refresh_from_db()
    article_publish(article=article, user=editor)
    article.refresh_from_db()
    live = article.live_revision
    assert live.data["fields"]["headline"] == "Terbit"
    assert live.data["fields"]["status"] == Status.PUBLISHED
    # An edit of the published article is live at once, so it becomes the live revision.
    _edit(article, editor, data={"headline": "Terbit, diperbarui"})
    article.refresh_from_db()
    assert article.live_revision.data["fields"]["headline"] == "Terbit, diperbarui"


# --- Admin: every save is a revision; history page; restore button ---------------------------


def test_every_admin_save_stores_a_revision(editor, editor_client):
    section = SectionFactory()
    author = AuthorFactory()
    editor_client.post(
        admin_url(Article, "add"), article_form_data(section=section, new_authors=[author])
    )
    article = Article.objects.get()
    assert (article.version, list(article.revisions.values_list("number", flat=True))) == (1, [1])
    editor_client.post(
        admin_url(Article, "change", article.pk), article_form_data(article, headline="Kedua")
    )
    article.refresh_from_db()
    assert article.version == 2
    assert article.revisions.get(number=2).data["fields"]["headline"] == "Kedua"
    assert article.revisions.get(number=2).created_by == editor


def test_history_page_lists_revisions_and_shows_a_diff(editor_client, editor):
    article = ArticleFactory(headline="Judul lama")
    _edit(article, editor, data={})
    _edit(article, editor, data={"headline": "Judul baru"})
    url = admin_url(Article, "history", article.pk)
    response = editor_client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert [r.number for r in response.context["revisions"]] == [3, 2, 1]
    assert "edna.editor" in page
    assert '<del style="background:#fbd3d3">lama</del>' in page
    assert '<ins style="background:#d4f7d4">baru</ins>' in page

    response = editor_client.get(url, {"a": 3, "b": 2})
    assert [c["field"] for c in response.context["diff"]] == ["headline"]


def _other_writer() -> User:
    user = User.objects.create_user(username="wulan.writer", is_staff=True)
    user.groups.add(Group.objects.get(name="Writer"))
    return user


@pytest.mark.parametrize("query", [{}, {"a": "2", "b": "1"}])
def test_a_writer_may_not_read_another_writers_revisions(writer_client, query):
    other = _other_writer()
    article = ArticleFactory(headline="Draf orang lain", body="<p>Rahasia zqxrev</p>",
                             created_by=other)  # fmt: skip
    _edit(article, other, data={"body": "<p>Rahasia zqxrev diperbarui</p>"})

    response = writer_client.get(admin_url(Article, "history", article.pk), query)

    assert response.status_code == 403
    assert b"zqxrev" not in response.content and b"Draf orang lain" not in response.content


def test_a_writer_reads_the_revisions_of_their_own_draft(writer, writer_client):
    article = ArticleFactory(headline="Draf sendiri", created_by=writer)
    _edit(article, writer, data={"headline": "Draf sendiri, diperbarui"})

    response = writer_client.get(admin_url(Article, "history", article.pk), {"a": 2, "b": 1})

    assert response.status_code == 200
    assert [c["field"] for c in response.context["diff"]] == ["headline"]


def test_an_editor_reads_any_writers_revisions(editor_client):
    other = _other_writer()
    article = ArticleFactory(created_by=other)
    _edit(article, other, data={"headline": "Diperbarui"})

    response = editor_client.get(admin_url(Article, "history", article.pk), {"a": 2, "b": 1})

    assert response.status_code == 200
    assert [c["field"] for c in response.context["diff"]] == ["headline"]


@pytest.mark.parametrize("query", [{"a": "1", "b": "x"}, {"a": "99", "b": "2"}, {"a": "2"}])
def test_history_page_with_bad_revision_numbers_is_a_400(editor_client, editor, query):
    article = ArticleFactory()
    _edit(article, editor, data={})
    response = editor_client.get(admin_url(Article, "history", article.pk), query)
    assert response.status_code == 400
    assert "Choose two revisions of this article to compare." in response.content.decode()


def test_restore_button_restores_as_a_new_revision(editor_client, editor):
    article = ArticleFactory(headline="Satu")
    _edit(article, editor, data={})
    _edit(article, editor, data={"headline": "Dua"})
    url = reverse_restore(article, 2)
    response = editor_client.post(url)
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.headline, article.version) == ("Satu", 4)


def test_restore_needs_post_and_change_permission(editor, writer, editor_client):
    article = ArticleFactory(headline="Satu")
    _edit(article, editor, data={})
    url = reverse_restore(article, 2)
    assert editor_client.get(url).status_code == 405
    writer_client = Client()
    writer_client.force_login(writer)
    assert writer_client.post(url).status_code == 403
    assert editor_client.post(reverse_restore(article, 77)).status_code == 404
    article.refresh_from_db()
    assert article.version == 2


def reverse_restore(article: Article, number: int) -> str:
    from django.urls import reverse

    return reverse("admin:articles_article_restore_revision", args=[article.pk, number])
