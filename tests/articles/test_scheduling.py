"""Scheduled publishing, the scheduler's permission path, and slugs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from articles.models import Article, ArticleSlugHistory
from articles.published.models import WebhookDelivery, WebhookSubscription
from articles.services import (
    article_change_slug,
    article_ensure_slug,
    article_publish,
    article_set_status,
    articles_publish_due,
)
from articles.tasks import article_ensure_slug_task, articles_publish_due_task
from tests.support.factories import ArticleFactory

pytestmark = pytest.mark.django_db
Status = Article.Status


def scheduled(minutes: float, **kwargs) -> Article:
    return ArticleFactory(
        status=Status.SCHEDULED,
        published_at=timezone.now() + timedelta(minutes=minutes),
        **kwargs,
    )


def test_due_articles_are_published_in_publish_time_order():
    later, first, future, second = scheduled(-1), scheduled(-30), scheduled(10), scheduled(-5)
    draft = ArticleFactory(published_at=timezone.now() - timedelta(hours=1))

    published = articles_publish_due()

    assert published == [first.pk, second.pk, later.pk]
    for article in (first, second, later):
        due_at = article.published_at
        article.refresh_from_db()
        assert article.status == Status.PUBLISHED
        # Readers see the scheduled time, not the moment the sweep ran.
        assert article.published_at == article.first_published_at == due_at
    future.refresh_from_db()
    draft.refresh_from_db()
    assert (future.status, draft.status) == (Status.SCHEDULED, Status.DRAFT)
    assert set(Article.objects.live().values_list("pk", flat=True)) == set(published)


def test_running_again_publishes_nothing_more():
    article = scheduled(-1)
    assert articles_publish_due() == [article.pk]
    last = Article.objects.get(pk=article.pk).last_published_at

    assert articles_publish_due() == []
    assert Article.objects.get(pk=article.pk).last_published_at == last


def test_publishing_due_articles_emits_one_event_each(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_ALLOW_HTTP = True
    WebhookSubscription.objects.create(name="front", url="http://127.0.0.1:9/")
    articles = [scheduled(-m) for m in (1, 2)]

    articles_publish_due()
    articles_publish_due()

    assert sorted(WebhookDelivery.objects.values_list("payload__data__id", "event_type")) == sorted(
        (a.pk, "article.published") for a in articles
    )


def test_an_invalid_article_stays_scheduled_and_does_not_block_the_rest():
    broken = scheduled(-10)
    Article.objects.filter(pk=broken.pk).update(headline="")  # fails full_clean
    fine = scheduled(-5)

    assert articles_publish_due() == [fine.pk]
    broken.refresh_from_db()
    assert broken.status == Status.SCHEDULED


def test_catch_up_publishes_a_batch_bounded_by_limit():
    articles = [scheduled(-m) for m in range(1, 6)]
    assert articles_publish_due(limit=3) == [a.pk for a in reversed(articles)][:3]
    assert len(articles_publish_due()) == 2


def test_task_runs_the_sweep_synchronously():
    article = scheduled(-1)
    assert articles_publish_due_task() == [article.pk]


def test_the_scheduler_path_does_not_open_publishing_to_users(writer):
    article = ArticleFactory()
    with pytest.raises(PermissionDenied):
        article_set_status(article=article, status=Status.PUBLISHED, user=writer)
    with pytest.raises(PermissionDenied):
        article_set_status(article=article, status=Status.PUBLISHED, user=None)
    article.refresh_from_db()
    assert article.status == Status.DRAFT


def test_the_scheduler_path_still_refuses_moves_that_do_not_exist():
    article = ArticleFactory(published=True)
    with pytest.raises(ValidationError):
        article_set_status(article=article, status=Status.IN_REVIEW, user=None, system=True)


# --- Slugs ----------------------------------------------------------------------------------


def test_slug_job_generates_a_clean_unique_slug():
    ArticleFactory(slug="banjir-di-bandung")
    article = ArticleFactory(headline="Banjir di Bandung!", slug=None)

    assert article_ensure_slug_task(article.pk) == "banjir-di-bandung-2"
    article.refresh_from_db()
    assert article.slug == "banjir-di-bandung-2"


def test_slug_job_transliterates_and_is_idempotent():
    article = ArticleFactory(headline="Café Überfüllt in Jakarta", slug=None)

    assert article_ensure_slug(article_id=article.pk) == "cafe-uberfullt-in-jakarta"
    article.refresh_from_db()
    article.headline = "Something else"
    article.save()
    assert article_ensure_slug(article_id=article.pk) == "cafe-uberfullt-in-jakarta"
    assert article_ensure_slug(article_id=999999) is None


def test_new_article_without_slug_asks_for_the_slug_job(
    sent_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory(slug=None)
        ArticleFactory(slug="has-one")
    assert sent_tasks == [("article_ensure_slug_task", (article.pk,))]


def test_changing_a_published_slug_keeps_the_old_one(editor):
    article = ArticleFactory(published=True, slug="old-address")

    article_change_slug(article=article, slug="new-address", user=editor)

    article.refresh_from_db()
    assert article.slug == "new-address"
    assert list(ArticleSlugHistory.objects.values_list("slug", "article")) == [
        ("old-address", article.pk)
    ]


def test_changing_back_to_an_old_slug_removes_its_redirect(editor):
    article = ArticleFactory(published=True, slug="first")
    article_change_slug(article=article, slug="second", user=editor)
    article_change_slug(article=article, slug="first", user=editor)

    assert list(ArticleSlugHistory.objects.values_list("slug", flat=True)) == ["second"]


def test_draft_slug_change_keeps_no_history(editor):
    article = ArticleFactory(slug="draft-address")
    article_change_slug(article=article, slug="better-address", user=editor)
    assert not ArticleSlugHistory.objects.exists()


@pytest.mark.parametrize("bad", ["", "Spaces are bad", "garis/miring", "x" * 200])
def test_bad_slugs_are_refused(editor, bad):
    article = ArticleFactory(published=True, slug="kept")
    with pytest.raises(ValidationError):
        article_change_slug(article=article, slug=bad, user=editor)
    article.refresh_from_db()
    assert article.slug == "kept"


def test_slug_used_by_another_article_now_or_before_is_refused(editor):
    other = ArticleFactory(published=True, slug="taken-now")
    article_change_slug(article=other, slug="other-new", user=editor)
    article = ArticleFactory(published=True, slug="mine")

    for slug in ("other-new", "taken-now"):
        with pytest.raises(ValidationError) as caught:
            article_change_slug(article=article, slug=slug, user=editor)
        assert caught.value.message_dict == {
            "slug": ["Another article uses this address, now or before."]
        }
        assert caught.value.error_dict["slug"][0].code == "slug_taken"


def test_writer_cannot_change_a_published_slug(writer):
    article = ArticleFactory(published=True, slug="live")
    with pytest.raises(PermissionDenied):
        article_change_slug(article=article, slug="elsewhere", user=writer)


def test_slug_changed_in_a_republish_is_recorded(editor):
    article = ArticleFactory()
    article_publish(article=article, user=editor)
    old = article.slug
    article.slug = "corrected-address"
    article_publish(article=article, user=editor)

    assert list(ArticleSlugHistory.objects.values_list("slug", flat=True)) == [old]
