"""docs/reliability.md C1-C3, F2, F3, H2, H4-H6, I6 and J2: content, admin, workflow, jobs
(tier U)."""

from __future__ import annotations

import logging
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.models import User
from django.db import DatabaseError, OperationalError, transaction
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.html import sanitize_body_html
from articles.models import Article
from articles.photos.models import Photo
from articles.published.models import WebhookDelivery, WebhookSubscription
from articles.services import (
    article_publish,
    article_restore_from_trash,
    article_revision_restore,
    article_save,
    article_trash,
    articles_publish_due,
)
from tests.support.admin import admin_url, article_form_data
from tests.support.api import ARTICLES_URL, assert_db_unchanged, error_of, token_client
from tests.support.factories import (
    ArticleFactory,
    ArticlePhotoFactory,
    AuthorFactory,
    PhotoFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

Status = Article.Status


@pytest.fixture
def subscription(db) -> WebhookSubscription:
    # Saved without full_clean: the URL's DNS is irrelevant, no delivery is attempted here.
    return WebhookSubscription.objects.create(name="front", url="https://hooks.example.org/")


# --- C. Rich text, captions ----------------------------------------------------------------

BAD_LINKS = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "java&#09;script:alert(1)",
    "java\tscript:alert(1)",
    "&#106;avascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
]


@pytest.mark.parametrize("href", BAD_LINKS)
def test_c1_bad_link_schemes_lose_the_href_and_keep_the_text(writer, href):
    SectionFactory(slug="daerah")
    AuthorFactory(slug="siti")
    response = token_client(writer).post(
        ARTICLES_URL,
        {"headline": "Tautan", "section": "daerah", "bylines": ["siti"], "language": "id",
         "body": f'<p><a href="{href}">Baca juga</a></p>'},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = Article.objects.get().body
    assert "Baca juga" in body
    assert "href" not in body and "script" not in body.lower()


@pytest.mark.parametrize(
    "href", ["https://example.org/a", "http://example.org/b", "mailto:a@b.id", "/berita/x"]
)
def test_c1_allowed_schemes_keep_their_href(href):
    assert f'href="{href}"' in sanitize_body_html(f'<p><a href="{href}">x</a></p>')


@pytest.mark.parametrize(
    "dirty",
    [
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
        '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
        "<svg><animate onbegin=alert(1)></svg>",
        '<p style="background:url(javascript:alert(1))">x</p>',
        '<form action="https://evil.example/"><input name=a></form>',
    ],
)
def test_c2_stored_body_is_sanitised_and_idempotent(dirty):
    article = ArticleFactory(body=f"<p>Awal</p>{dirty}")
    stored = Article.objects.get(pk=article.pk).body
    for forbidden in ("onerror", "<script", "<iframe", "srcdoc", "onbegin", "style=", "<form"):
        assert forbidden not in stored
    assert "<p>Awal</p>" in stored
    assert sanitize_body_html(stored) == stored


XSS = '"><script>alert(1)</script>{{7*7}}'


def test_c3_plain_text_is_stored_verbatim_and_escaped_in_the_admin(editor_client, api_client):
    photo = PhotoFactory(caption=XSS, credit=XSS)
    article = ArticleFactory(published=True, headline=XSS, lead_photo=photo)
    ArticlePhotoFactory(article=article, photo=photo)

    assert Article.objects.get(pk=article.pk).headline == XSS
    detail = api_client.get(f"/api/v1/articles/{article.slug}/").json()
    assert detail["headline"] == XSS
    for url in (
        admin_url(Article, "changelist"),
        admin_url(Article, "change", article.pk),
        admin_url(Photo, "changelist"),
        admin_url(Photo, "change", photo.pk),
    ):
        page = editor_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url
        assert "{{7*7}}" in page, url  # no template evaluation of user text


# --- F. CSRF and enumeration --------------------------------------------------------------


def test_f2_admin_actions_without_a_csrf_token_are_403(editor):
    article = ArticleFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    with assert_db_unchanged():
        response = client.post(
            admin_url(Article, "changelist"),
            {"action": "publish_selected", ACTION_CHECKBOX_NAME: [article.pk]},
        )
    assert response.status_code == 403


def test_f2_a_get_link_publishes_nothing(editor_client):
    article = ArticleFactory()
    with assert_db_unchanged():
        response = editor_client.get(
            admin_url(Article, "changelist"),
            {"action": "publish_selected", ACTION_CHECKBOX_NAME: article.pk},
        )
    assert response.status_code in (200, 302)
    article.refresh_from_db()
    assert article.status == Status.DRAFT


@pytest.mark.parametrize("name", ["articles_article_restore_revision", "articles_article_ping"])
def test_f2_admin_workflow_urls_are_post_only(editor_client, name):
    article = ArticleFactory()
    args = (article.pk, 1) if "restore" in name else (article.pk,)
    with assert_db_unchanged():
        response = editor_client.get(reverse(f"admin:{name}", args=args))
    assert response.status_code == 405


def test_f2_cookies_are_lax_and_csrf_is_not_skipped_for_the_admin(settings):
    assert settings.SESSION_COOKIE_SAMESITE == settings.CSRF_COOKIE_SAMESITE == "Lax"
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


def test_f3_unknown_user_and_unusable_password_run_the_hasher_alike(db):
    ghost = User.objects.create_user(username="tanpa.sandi", is_staff=True)
    ghost.set_unusable_password()
    ghost.save()
    answers = {}
    for username in ("tanpa.sandi", "tidak.ada"):
        with mock.patch.object(
            MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode
        ) as encode:
            response = Client().post(
                reverse("admin:login"), {"username": username, "password": "tebakan"}
            )
        body = response.content.decode().replace(username, "USERNAME")
        answers[username] = (response.status_code, encode.call_count, sorted(response.headers))
        answers[username + ".error"] = "Please enter the correct username and password" in body
    assert answers["tanpa.sandi"] == answers["tidak.ada"]
    assert answers["tanpa.sandi"][1] == 1
    assert answers["tanpa.sandi.error"] and answers["tidak.ada.error"]


# --- H. Editing and data safety -------------------------------------------------------------


def test_h2_a_stale_admin_form_is_refused_keeping_both_texts(editor, editor_client):
    article = ArticleFactory(headline="Asli", body="<p>Awal.</p>")
    stale = article_form_data(article, headline="Versi B")
    stale["loaded_version"] = str(article.version)
    article_save(article=article, user=editor, data={"headline": "Versi A"},
                 expected_version=article.version)  # fmt: skip

    with assert_db_unchanged():
        response = editor_client.post(admin_url(Article, "change", article.pk), stale)

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert 'value="Versi B"' in response.content.decode()
    article.refresh_from_db()
    assert article.headline == "Versi A"


def test_h4_a_failure_midway_through_publish_changes_nothing(
    editor, subscription, django_capture_on_commit_callbacks
):
    article = ArticleFactory(headline="Gempa")
    with (
        assert_db_unchanged(),
        django_capture_on_commit_callbacks() as callbacks,
        mock.patch(
            "articles.published.notify.webhook_events_emit", side_effect=DatabaseError("boom")
        ),
        pytest.raises(DatabaseError),
    ):
        article_publish(article=Article.objects.get(pk=article.pk), user=editor)
    assert callbacks == []
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


def test_h4_database_down_during_publish_is_503_json(editor):
    article = ArticleFactory(headline="Gempa", created_by=editor)
    client = token_client(editor)
    with (
        assert_db_unchanged(),
        mock.patch(
            "articles.published.notify.webhook_events_emit",
            side_effect=OperationalError("server closed"),
        ),
    ):
        response = client.post(
            f"{ARTICLES_URL}{article.pk}/publish/", {}, format="json",
            HTTP_IF_MATCH=f'"v{article.version}"',
        )  # fmt: skip
    error = error_of(response, 503)
    assert error["code"] == "publish_failed"
    assert response["Retry-After"]
    # Retry is safe: the same request (same If-Match) now goes through.
    response = client.post(
        f"{ARTICLES_URL}{article.pk}/publish/", {}, format="json",
        HTTP_IF_MATCH=f'"v{article.version}"',
    )  # fmt: skip
    assert response.status_code == 200, response.json()


def test_h5_a_rolled_back_publish_enqueues_nothing(
    editor, subscription, sent_tasks, django_capture_on_commit_callbacks
):
    article = ArticleFactory(headline="Gempa")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        article_publish(article=article, user=editor)
        assert WebhookDelivery.objects.count() == 1
        raise RuntimeError("the view failed after the publish")
    assert callbacks == []
    assert sent_tasks == []
    assert not WebhookDelivery.objects.exists()
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


def test_h5_a_committed_publish_enqueues_after_commit(
    editor, subscription, sent_tasks, django_capture_on_commit_callbacks
):
    article = ArticleFactory(headline="Gempa")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article_publish(article=article, user=editor)
        assert sent_tasks == []
    assert callbacks


def test_h6_trash_hides_restore_brings_back_and_revisions_survive(editor, api_client):
    article = ArticleFactory(published=True, headline="Asli")
    url = f"/api/v1/articles/{article.slug}/"
    article_save(article=article, user=editor, data={"headline": "Diubah"},
                 expected_version=article.version)  # fmt: skip
    from articles.services import article_unpublish

    article_unpublish(article=Article.objects.get(pk=article.pk), user=editor)
    revisions = Article.objects.get(pk=article.pk).revisions.count()
    article_trash(article=Article.objects.get(pk=article.pk), user=editor)

    assert error_of(api_client.get(url), 404)["code"] == "not_found"
    stored = Article.objects.get(pk=article.pk)
    assert stored.deleted_at is not None and stored.revisions.count() == revisions

    article_restore_from_trash(article=stored, user=editor)
    stored = Article.objects.get(pk=article.pk)
    first = stored.revisions.order_by("number").first()
    article_revision_restore(
        article=stored, revision=first, user=editor, expected_version=stored.version
    )
    assert Article.objects.get(pk=article.pk).revisions.count() == revisions + 1


def test_h6_a_photo_in_use_cannot_be_deleted(editor_client):
    photo = PhotoFactory()
    for _ in range(3):
        ArticlePhotoFactory(photo=photo)
    with assert_db_unchanged(), pytest.raises(ProtectedError) as refused:
        photo.delete()
    assert len(refused.value.protected_objects) == 3

    response = editor_client.post(admin_url(Photo, "delete", photo.pk), {"post": "yes"})
    assert response.status_code == 200
    assert "would require deleting" in response.content.decode() or "protected" in (
        response.content.decode()
    )
    assert Photo.objects.filter(pk=photo.pk).exists()


# --- I6. Task policies ---------------------------------------------------------------------


def test_i6_renditions_retry_5_times_with_backoff_capped_at_10_minutes(monkeypatch):
    from articles.photos import tasks
    from newsroom.jobs.services import TransientJobError

    task = tasks.photo_renditions_generate_task
    assert task.max_retries == 5
    monkeypatch.setattr(
        tasks, "photo_renditions_run", mock.Mock(side_effect=TransientJobError("S3 500"))
    )
    countdowns = []

    def retry(*, exc, countdown):
        countdowns.append(countdown)
        return exc

    monkeypatch.setattr(task, "retry", retry)
    for retries in (0, 3, 9):
        result = task.apply(args=(1,), retries=retries)
        assert isinstance(result.result, TransientJobError)
    assert countdowns == [10, 80, 600]


def test_i6_every_task_and_request_has_a_time_limit(settings):
    assert 0 < settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
    assert 0 < settings.WEBHOOK_TIMEOUT_SECONDS <= 30
    assert settings.CELERY_TASK_ACKS_LATE is True


# --- J2. The scheduler re-checks -----------------------------------------------------------


def test_j2_scheduler_publishes_only_what_is_still_scheduled_and_due(editor, caplog):
    now = timezone.now()
    due = ArticleFactory(status=Status.SCHEDULED, published_at=now - timedelta(minutes=1))
    early = ArticleFactory(status=Status.SCHEDULED, published_at=now + timedelta(seconds=30))
    unscheduled = ArticleFactory(status=Status.DRAFT, published_at=now - timedelta(minutes=1))
    trashed = ArticleFactory(
        status=Status.SCHEDULED, published_at=now - timedelta(minutes=1), deleted_at=now
    )

    with caplog.at_level(logging.ERROR, logger="articles.services"):
        published = articles_publish_due(now=now)

    assert published == [due.pk]
    statuses = dict(Article.objects.values_list("pk", "status"))
    assert statuses[early.pk] == statuses[trashed.pk] == Status.SCHEDULED
    assert statuses[unscheduled.pk] == Status.DRAFT
    assert str(trashed.pk) in caplog.text
    assert Article.objects.get(pk=due.pk).published_at == due.published_at


def test_j2_rescheduled_later_is_not_published_by_the_old_fire(editor):
    now = timezone.now()
    article = ArticleFactory(status=Status.SCHEDULED, published_at=now - timedelta(seconds=5))
    Article.objects.filter(pk=article.pk).update(published_at=now + timedelta(hours=1))
    assert articles_publish_due(now=now) == []
    assert Article.objects.get(pk=article.pk).status == Status.SCHEDULED
