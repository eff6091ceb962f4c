"""Corrections (kept through every edit, in the API and JSON-LD), embargo, and the trash."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from articles.models import Article, ArticleRevision, Correction
from articles.services import (
    CORRECTION_MAX_LENGTH,
    article_add_correction,
    article_purge,
    article_restore_from_trash,
    article_revision_restore,
    article_save,
    article_set_status,
    article_trash,
    article_unpublish,
)
from tests.support.admin import admin_url, article_form_data, message_texts
from tests.support.factories import ArticleFactory

pytestmark = pytest.mark.django_db

Status = Article.Status


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _edit(article: Article, user, **data) -> Article:
    article.refresh_from_db()
    return article_save(article=article, user=user, expected_version=article.version, data=data)


# --- Corrections ---------------------------------------------------------------------------


def test_corrections_survive_later_edits_and_restores(editor):
    article = ArticleFactory(published=True, headline="Wali kota Budi")
    _edit(article, editor, headline="Wali kota Budi Santoso")
    first = article.revisions.get(number=2)
    article_add_correction(article=article, text="Nama wali kota diperbaiki.", user=editor)
    _edit(article, editor, headline="Lagi", body="<p>Baru.</p>")
    article_revision_restore(article=article, revision=first, user=editor)
    article_unpublish(article=Article.objects.get(pk=article.pk), user=editor)
    assert list(article.corrections.values_list("text", "created_by")) == [
        ("Nama wali kota diperbaiki.", editor.pk)
    ]


def test_correction_touches_updated_at(editor):
    article = ArticleFactory(published=True)
    later = timezone.now() + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        correction = article_add_correction(article=article, text="Angka dikoreksi.", user=editor)
    article.refresh_from_db()
    assert correction.created_at == later
    assert article.updated_at == later


@pytest.mark.parametrize(
    "text", ["", "   ", "x" * (CORRECTION_MAX_LENGTH + 1)], ids=["empty", "blank", "long"]
)
def test_bad_correction_text_is_refused(editor, text):
    article = ArticleFactory(published=True)
    with pytest.raises(ValidationError) as excinfo:
        article_add_correction(article=article, text=text, user=editor)
    assert "text" in excinfo.value.message_dict
    assert not Correction.objects.exists()


@pytest.mark.parametrize("role", ["writer", "outsider"])
def test_only_editors_add_corrections(request, role):
    article = ArticleFactory(published=True, created_by=request.getfixturevalue("writer"))
    with pytest.raises(PermissionDenied):
        article_add_correction(article=article, text="x", user=request.getfixturevalue(role))


def test_api_shows_corrections_updated_and_json_ld(api_client, editor):
    article = ArticleFactory(published=True)
    first_at = timezone.now() + timedelta(hours=1)
    second_at = first_at + timedelta(hours=1)
    with time_machine.travel(first_at, tick=False):
        article_add_correction(article=article, text="Usia korban 34, bukan 43.", user=editor)
    with time_machine.travel(second_at, tick=False):
        article_add_correction(article=article, text="Lokasi: Garut.", user=editor)
        body = api_client.get(f"/api/v1/articles/{article.slug}/").json()
    assert body["corrections"] == [
        {"text": "Usia korban 34, bukan 43.", "date": timezone.localtime(first_at).isoformat()},
        {"text": "Lokasi: Garut.", "date": timezone.localtime(second_at).isoformat()},
    ]
    assert body["updated"] == timezone.localtime(second_at).isoformat()
    assert body["json_ld"]["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "Usia korban 34, bukan 43.",
            "datePublished": first_at.isoformat(),
        },
        {
            "@type": "CorrectionComment",
            "text": "Lokasi: Garut.",
            "datePublished": second_at.isoformat(),
        },
    ]


def test_api_without_corrections_has_an_empty_list_and_no_update(api_client):
    article = ArticleFactory(published=True)
    body = api_client.get(f"/api/v1/articles/{article.slug}/").json()
    assert (body["corrections"], body["updated"]) == ([], None)
    assert "correction" not in body["json_ld"]


def test_editor_adds_a_correction_in_the_admin(editor):
    article = ArticleFactory(published=True)
    data = article_form_data(article, new_correction="Foto salah diganti.")
    response = _client(editor).post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 302
    assert list(article.corrections.values_list("text", flat=True)) == ["Foto salah diganti."]
    page = _client(editor).get(admin_url(Article, "change", article.pk)).content.decode()
    assert "Foto salah diganti." in page


def test_too_long_correction_in_the_admin_is_a_form_error(editor):
    article = ArticleFactory(published=True, headline="Asli")
    data = article_form_data(
        article, headline="Diubah", new_correction="x" * (CORRECTION_MAX_LENGTH + 1)
    )
    response = _client(editor).post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["new_correction"]
    article.refresh_from_db()
    assert article.headline == "Asli"
    assert not article.corrections.exists()


def test_writer_is_not_offered_corrections_and_a_forged_one_is_ignored(writer):
    article = ArticleFactory(created_by=writer)
    client = _client(writer)
    response = client.get(admin_url(Article, "change", article.pk))
    assert "new_correction" not in response.context["adminform"].form.fields
    data = article_form_data(article, new_correction="Palsu")
    assert client.post(admin_url(Article, "change", article.pk), data).status_code == 302
    assert not Correction.objects.exists()


# --- Embargo ---------------------------------------------------------------------------------


def test_embargo_hides_until_its_time_whatever_the_status(api_client, editor):
    embargo = timezone.now() + timedelta(hours=3)
    article = ArticleFactory(published=True, embargo_until=embargo)
    url = f"/api/v1/articles/{article.slug}/"
    assert api_client.get(url).status_code == 404
    assert not article.is_live
    assert article.slug not in api_client.get("/api/v1/articles/").content.decode()
    with time_machine.travel(embargo + timedelta(seconds=1), tick=False):
        assert api_client.get(url).status_code == 200
        assert Article.objects.get(pk=article.pk).is_live


def test_editor_sets_an_embargo_in_the_admin(editor, api_client):
    article = ArticleFactory(published=True)
    embargo = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    local = timezone.localtime(embargo)
    data = article_form_data(
        article,
        embargo_until_0=local.strftime("%Y-%m-%d"),
        embargo_until_1=local.strftime("%H:%M:%S"),
    )
    assert _client(editor).post(admin_url(Article, "change", article.pk), data).status_code == 302
    article.refresh_from_db()
    assert article.embargo_until == embargo
    assert api_client.get(f"/api/v1/articles/{article.slug}/").status_code == 404


def test_malformed_embargo_is_a_form_error(editor):
    article = ArticleFactory()
    data = article_form_data(article, embargo_until_0="kemarin", embargo_until_1="pagi")
    response = _client(editor).post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["embargo_until"]


# --- Trash -----------------------------------------------------------------------------------


def test_trash_and_restore_a_draft(writer):
    article = ArticleFactory(created_by=writer)
    article_trash(article=article, user=writer)
    article.refresh_from_db()
    assert article.deleted_at is not None
    with pytest.raises(ValidationError):
        article_set_status(article=article, status=Status.IN_REVIEW, user=writer)
    with pytest.raises(ValidationError):
        _edit(article, writer, headline="x")
    article_restore_from_trash(article=article, user=writer)
    article.refresh_from_db()
    assert (article.deleted_at, article.status) == (None, Status.DRAFT)


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.SCHEDULED])
def test_a_public_article_must_be_unpublished_first(editor, status):
    article = ArticleFactory(published=True)
    if status == Status.SCHEDULED:
        Article.objects.filter(pk=article.pk).update(
            status=status, published_at=timezone.now() + timedelta(days=1)
        )
        article.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        article_trash(article=article, user=editor)
    assert excinfo.value.messages == ["Unpublish the article before moving it to the trash."]
    article_unpublish(article=article, user=editor)
    article_trash(article=article, user=editor)
    assert Article.objects.get(pk=article.pk).deleted_at is not None


def test_writer_cannot_trash_someone_elses_article(writer):
    article = ArticleFactory()
    with pytest.raises(PermissionDenied):
        article_trash(article=article, user=writer)
    assert Article.objects.get(pk=article.pk).deleted_at is None


def test_restore_of_an_article_not_in_the_trash_is_refused(editor):
    with pytest.raises(ValidationError):
        article_restore_from_trash(article=ArticleFactory(), user=editor)


def test_purge_is_explicit_and_for_editors_only(editor, writer):
    article = ArticleFactory(published=True, created_by=writer)
    _edit(article, editor, headline="Direvisi")
    with pytest.raises(ValidationError):
        article_purge(article=article, user=editor)  # not in the trash
    article_unpublish(article=Article.objects.get(pk=article.pk), user=editor)
    article_trash(article=article, user=editor)
    with pytest.raises(PermissionDenied):
        article_purge(article=article, user=writer)
    article_purge(article=article, user=editor)
    assert not Article.objects.filter(pk=article.pk).exists()
    assert not ArticleRevision.objects.exists()


def test_admin_delete_moves_to_the_trash(editor):
    article = ArticleFactory(headline="Salah unggah")
    client = _client(editor)
    confirm = client.get(admin_url(Article, "delete", article.pk)).content.decode()
    assert "Move “Salah unggah” to the trash?" in confirm
    assert Article.objects.get(pk=article.pk).deleted_at is None
    response = client.post(admin_url(Article, "delete", article.pk), {"post": "yes"})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.deleted_at is not None
    listed = client.get(admin_url(Article, "changelist")).context["cl"].result_list
    assert article not in listed
    trash = client.get(admin_url(Article, "changelist"), {"trash": "yes"})
    assert list(trash.context["cl"].result_list) == [article]
    # Read-only while in the trash.
    assert (
        client.get(admin_url(Article, "change", article.pk)).context["has_change_permission"]
        is False
    )


def test_admin_delete_of_a_published_article_is_refused_with_a_message(editor):
    article = ArticleFactory(published=True)
    client = _client(editor)
    response = client.post(admin_url(Article, "delete", article.pk), {"post": "yes"}, follow=True)
    assert "Unpublish the article before moving it to the trash." in message_texts(response)
    article.refresh_from_db()
    assert (article.deleted_at, article.status) == (None, Status.PUBLISHED)


def test_admin_trash_restore_and_purge_actions(editor):
    draft, live = ArticleFactory(), ArticleFactory(published=True)
    client = _client(editor)
    url = admin_url(Article, "changelist")
    response = client.post(
        url, {"action": "trash_selected", ACTION_CHECKBOX_NAME: [draft.pk, live.pk]}, follow=True
    )
    texts = message_texts(response)
    assert "1 article moved to the trash." in texts
    assert f"{live.headline}: Unpublish the article before moving it to the trash." in texts

    response = client.post(
        f"{url}?trash=yes", {"action": "restore_selected", ACTION_CHECKBOX_NAME: [draft.pk]}
    )
    assert Article.objects.get(pk=draft.pk).deleted_at is None
    article_trash(article=draft, user=editor)
    response = client.post(
        f"{url}?trash=yes",
        {"action": "purge_selected", ACTION_CHECKBOX_NAME: [draft.pk]},
        follow=True,
    )
    assert "1 article purged." in message_texts(response)
    assert not Article.objects.filter(pk=draft.pk).exists()


def test_writer_is_not_offered_trash_or_purge_and_forged_posts_do_nothing(writer):
    article = ArticleFactory(created_by=writer)
    client = _client(writer)
    url = admin_url(Article, "changelist")
    actions = {
        value for value, _ in client.get(url).context["action_form"].fields["action"].choices
    }
    assert actions == {"", "submit_for_review_selected"}
    for action in ("trash_selected", "purge_selected", "restore_selected"):
        response = client.post(url, {"action": action, ACTION_CHECKBOX_NAME: [article.pk]})
        assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).deleted_at is None
