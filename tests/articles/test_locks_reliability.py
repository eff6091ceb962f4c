"""docs/reliability.md H3: hard locks on articles (tier U).

A lock held by someone else refuses saves and status changes everywhere: the write API
answers 409 `locked` naming the holder (never their e-mail), the admin a form error. It
expires without the holder's pings; removing someone else's lock needs `unlock_article` and
is written to the audit log; the scheduler still publishes a locked scheduled article.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleTransition
from articles.services import (
    HARD_LOCK_SECONDS,
    article_lock_acquire,
    article_revision_record,
    articles_publish_due,
)
from tests.support.admin import admin_url, article_form_data
from tests.support.api import article_url, assert_db_unchanged, error_of, token_client
from tests.support.factories import ArticleFactory

pytestmark = pytest.mark.django_db

Status = Article.Status


@pytest.fixture
def holder(editor) -> User:
    """The editor who locks; a full name and an e-mail address that must never leak."""
    editor.first_name, editor.last_name, editor.email = "Edna", "Saragih", "edna@example.org"
    editor.save()
    return editor


@pytest.fixture
def other_editor(db) -> User:
    user = User.objects.create_user(username="eko.editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


@pytest.fixture
def draft(writer) -> Article:
    article = ArticleFactory(headline="Banjir di Bandung", created_by=writer)
    article_revision_record(article=article, user=writer, bump=False)
    return article


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _assert_locked_error(response) -> dict:
    error = error_of(response, 409)
    assert error["code"] == "locked"
    assert "field" not in error
    assert error["locked_by"] == "Edna Saragih"
    assert "edna@example.org" not in response.content.decode()
    return error


def test_h3_api_lock_answers_who_and_until_when(holder, draft):
    response = token_client(holder).post(article_url(draft, "lock"), {}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["locked"], body["locked_by"]) == (True, "Edna Saragih")
    draft.refresh_from_db()
    assert (draft.locked_by, draft.locked_at) == (holder, parse(body["locked_at"]))
    assert parse(body["expires_at"]) == draft.locked_at + timedelta(seconds=HARD_LOCK_SECONDS)


def test_h3_api_patch_by_someone_else_is_409_locked_and_changes_nothing(holder, writer, draft):
    article_lock_acquire(article=draft, user=holder)
    draft.refresh_from_db()
    with assert_db_unchanged():
        response = token_client(writer).patch(
            article_url(draft), {"headline": "Diubah penulis"}, format="json",
            HTTP_IF_MATCH=f'"v{draft.version}"',
        )  # fmt: skip
    error = _assert_locked_error(response)
    assert parse(error["locked_at"]) == draft.locked_at
    assert Article.objects.get(pk=draft.pk).headline == "Banjir di Bandung"


@pytest.mark.parametrize(
    ("who", "action"),
    [("writer", "submit"), ("other_editor", "publish"), ("other_editor", "unpublish")],
)
def test_h3_api_status_changes_by_someone_else_are_409_locked(request, holder, draft, who, action):
    if action == "unpublish":
        Article.objects.filter(pk=draft.pk).update(
            status=Status.PUBLISHED, slug="banjir", published_at=timezone.now()
        )
    article_lock_acquire(article=draft, user=holder)
    with assert_db_unchanged():
        response = token_client(request.getfixturevalue(who)).post(
            article_url(draft, action), {}, format="json"
        )
    _assert_locked_error(response)


def test_h3_api_the_holder_saves_and_others_may_not_take_the_lock(holder, other_editor, draft):
    article_lock_acquire(article=draft, user=holder)
    response = token_client(holder).patch(
        article_url(draft), {"headline": "Banjir surut"}, format="json",
        HTTP_IF_MATCH=f'"v{draft.version}"',
    )  # fmt: skip
    assert response.status_code == 200
    with assert_db_unchanged():
        response = token_client(other_editor).post(article_url(draft, "lock"), {}, format="json")
    _assert_locked_error(response)


def test_h3_admin_save_by_someone_else_is_a_form_error_and_saves_nothing(
    holder, other_editor, draft
):
    assert _browser(holder).post(admin_url(Article, "lock", draft.pk)).status_code == 302
    data = article_form_data(draft) | {"headline": "Diubah editor lain"}
    with assert_db_unchanged():
        response = _browser(other_editor).post(admin_url(Article, "change", draft.pk), data)
    assert response.status_code == 200
    [message] = response.context["adminform"].form.non_field_errors()
    assert message.startswith("Edna Saragih has locked this article")
    page = _browser(other_editor).get(admin_url(Article, "change", draft.pk)).content.decode()
    assert "Locked by Edna Saragih" in page
    assert "edna@example.org" not in page


def test_h3_admin_list_actions_by_someone_else_are_refused(holder, other_editor, draft):
    article_lock_acquire(article=draft, user=holder)
    with assert_db_unchanged():
        response = _browser(other_editor).post(
            reverse("admin:articles_article_changelist"),
            {"action": "publish_selected", "_selected_action": [draft.pk]},
            follow=True,
        )
    assert "has locked this article" in response.content.decode()


def test_h3_the_lock_expires_without_pings_and_a_ping_keeps_it(holder, other_editor, draft):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        article_lock_acquire(article=draft, user=holder)
    ping = admin_url(Article, "ping", draft.pk)
    with time_machine.travel(start + timedelta(seconds=HARD_LOCK_SECONDS - 10), tick=False):
        assert _browser(holder).post(ping).status_code == 200
    with time_machine.travel(start + timedelta(seconds=HARD_LOCK_SECONDS + 60), tick=False):
        # Kept alive by the ping: still refused.
        response = token_client(other_editor).post(article_url(draft, "lock"), {}, format="json")
        _assert_locked_error(response)
    with time_machine.travel(start + timedelta(seconds=2 * HARD_LOCK_SECONDS), tick=False):
        # The holder left: the lock expired, another editor takes it over.
        response = token_client(other_editor).post(article_url(draft, "lock"), {}, format="json")
    assert response.status_code == 200
    assert response.json()["locked_by"] == "eko.editor"


def test_h3_unlocking_someone_elses_lock_needs_the_permission(holder, writer, draft):
    article_lock_acquire(article=draft, user=holder)
    assert not writer.has_perm("articles.unlock_article")
    with assert_db_unchanged():
        response = token_client(writer).delete(article_url(draft, "lock"))
    assert error_of(response, 403)["code"] == "permission_denied"
    with assert_db_unchanged():
        response = _browser(writer).post(admin_url(Article, "unlock", draft.pk))
    assert response.status_code == 403


def test_h3_an_editors_unlock_is_audited(holder, other_editor, draft):
    assert other_editor.has_perm("articles.unlock_article")
    assert Permission.objects.get(codename="unlock_article") in (
        Group.objects.get(name="Editor").permissions.all()
    )
    article_lock_acquire(article=draft, user=holder)
    response = token_client(other_editor).delete(article_url(draft, "lock"))
    assert response.status_code == 200
    assert response.json() == {
        "locked": False, "locked_by": None, "locked_at": None, "expires_at": None
    }  # fmt: skip
    [entry] = ArticleTransition.objects.filter(article=draft)
    assert (entry.user, entry.from_status, entry.to_status) == (other_editor, "draft", "draft")
    assert entry.note.startswith("Unlocked; it was locked by Edna Saragih since ")
    draft.refresh_from_db()
    assert (draft.locked_by, draft.locked_at) == (None, None)


def test_h3_the_holder_unlocks_without_an_audit_entry(holder, draft):
    article_lock_acquire(article=draft, user=holder)
    response = _browser(holder).post(admin_url(Article, "unlock", draft.pk))
    assert response.status_code == 302
    assert not ArticleTransition.objects.filter(article=draft).exists()
    assert Article.objects.get(pk=draft.pk).locked_by is None


def test_h3_admin_lock_urls_are_post_only(holder, draft):
    for action in ("lock", "unlock"):
        with assert_db_unchanged():
            assert _browser(holder).get(admin_url(Article, action, draft.pk)).status_code == 405


def test_h3_locking_needs_the_right_to_edit(writer, holder):
    # A writer cannot lock an editor's article: not in their scope (404), nothing locked.
    article = ArticleFactory(created_by=holder)
    with assert_db_unchanged():
        response = token_client(writer).post(article_url(article, "lock"), {}, format="json")
    assert error_of(response, 404)["code"] == "not_found"
    with assert_db_unchanged():
        response = token_client(writer).post(
            article_url(article, "lock"), {"force": True}, format="json"
        )
    assert error_of(response, 404)["code"] == "not_found"


def test_h3_lock_body_must_be_empty(holder, draft):
    with assert_db_unchanged():
        response = token_client(holder).post(
            article_url(draft, "lock"), {"force": True}, format="json"
        )
    error = error_of(response, 400)
    assert (error["code"], error["field"]) == ("unknown_field", "force")


def test_h3_a_locked_scheduled_article_is_still_published_by_the_scheduler(holder):
    now = timezone.now()
    article = ArticleFactory(
        status=Status.SCHEDULED, slug="terjadwal", published_at=now + timedelta(minutes=5)
    )
    article_lock_acquire(article=article, user=holder)
    with time_machine.travel(now + timedelta(minutes=6)):
        assert articles_publish_due() == [article.pk]
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    # The lock stays (it guards the content); the scheduler's move is in the audit log.
    assert article.locked_by == holder
    assert ArticleTransition.objects.get(article=article).user is None
