"""Cache tags on public answers, and the purges a change asks for through the job outbox
(articles/published/cache.py, newsroom/http/cache_purge.py)."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from articles.published.cache import (
    CACHE_PURGE,
    cache_purge_run,
    cache_tag,
    cache_tag_from_object_id,
    cache_tag_object_id,
)
from articles.services import article_publish, article_unpublish
from newsroom.jobs.models import BackgroundJob
from newsroom.jobs.services import TransientJobError
from tagging.services import tag_merge
from tests.support.concurrency import postgresql_only, run_together
from tests.support.factories import (
    ArticleFactory,
    AuthorFactory,
    PhotoFactory,
    SectionFactory,
    TopicTagFactory,
)
from tests.support.webhooks import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def fastly(settings):
    receiver = Receiver([])
    settings.HTTP_CACHE_PURGE_BACKEND = "fastly"
    settings.HTTP_CACHE_PURGE_FASTLY_API_URL = receiver.url.removesuffix("/hook")
    settings.HTTP_CACHE_PURGE_FASTLY_SERVICE_ID = "SVC1"
    settings.HTTP_CACHE_PURGE_FASTLY_API_TOKEN = "fastly-token"
    yield receiver
    receiver.close()


@pytest.fixture
def cloudflare(settings):
    receiver = Receiver([])
    settings.HTTP_CACHE_PURGE_BACKEND = "cloudflare"
    settings.HTTP_CACHE_PURGE_CLOUDFLARE_API_URL = receiver.url.removesuffix("/hook")
    settings.HTTP_CACHE_PURGE_CLOUDFLARE_ZONE_ID = "ZONE9"
    settings.HTTP_CACHE_PURGE_CLOUDFLARE_API_TOKEN = "cf-token"
    yield receiver
    receiver.close()


def purged() -> set[str]:
    """The tags whose purge is pending, then marks them done (as a worker would)."""
    jobs = BackgroundJob.objects.filter(kind=CACHE_PURGE, status="pending")
    tags = {cache_tag_from_object_id(pk) for pk in jobs.values_list("object_id", flat=True)}
    jobs.update(status="done")
    return tags


@pytest.fixture
def world():
    section = SectionFactory(slug="daerah")
    tag, other_tag = TopicTagFactory(), TopicTagFactory()
    author = AuthorFactory()
    article = ArticleFactory(section=section, authors=[author], tags=[tag])
    return section, tag, other_tag, author, article


@pytest.mark.parametrize(
    ("tag", "object_id"),
    [("articles", 0), ("article-7", 7 * 16 + 1), ("tag-3-articles", 3 * 16 + 6), ("authors", 10)],
)
def test_tags_round_trip_through_job_object_ids(tag, object_id):
    assert cache_tag_object_id(tag) == object_id
    assert cache_tag_from_object_id(object_id) == tag


def test_detail_names_article_section_tags_authors_and_links(client, editor, world):
    section, tag, _, author, article = world
    article_publish(article=article, user=editor)

    response = client.get(f"/api/v1/articles/{article.slug}/")

    expected = sorted(
        [f"article-{article.pk}", f"section-{section.pk}", f"tag-{tag.pk}", f"author-{author.pk}"]
    )
    assert response["Surrogate-Key"] == " ".join(expected)
    assert response["Cache-Tag"] == ",".join(expected)


def test_lists_feeds_and_sitemaps_name_their_lists(client, editor, world, settings):
    section, tag, _, author, article = world
    article_publish(article=article, user=editor)

    assert client.get("/api/v1/articles/")["Surrogate-Key"] == "articles"
    assert client.get("/api/v1/search/?q=story")["Surrogate-Key"] == "articles"
    assert client.get(f"/api/v1/tags/{tag.slug}/articles/")["Surrogate-Key"] == (
        f"tag-{tag.pk} tag-{tag.pk}-articles"
    )
    assert client.get(f"/api/v1/sections/{section.slug}/articles/")["Surrogate-Key"] == (
        f"section-{section.pk} section-{section.pk}-articles"
    )
    assert client.get(f"/api/v1/authors/{author.slug}/articles/")["Surrogate-Key"] == (
        f"author-{author.pk} author-{author.pk}-articles"
    )
    assert client.get("/feeds/latest/rss/")["Surrogate-Key"] == "articles"
    assert client.get(f"/feeds/tags/{tag.slug}/rss/")["Surrogate-Key"] == (
        f"tag-{tag.pk} tag-{tag.pk}-articles"
    )
    assert client.get("/sitemap.xml")["Surrogate-Key"] == "articles"
    assert client.get("/news-sitemap.xml")["Surrogate-Key"] == "articles"
    # Errors carry none: a cache keeps only what a purge can reach.
    assert "Surrogate-Key" not in client.get("/api/v1/articles/no-such-article/")

    settings.HTTP_CACHE_TAG_HEADERS = ["Cache-Tag"]
    response = client.get(f"/api/v1/tags/{tag.slug}/articles/")
    assert response["Cache-Tag"] == f"tag-{tag.pk},tag-{tag.pk}-articles"
    assert "Surrogate-Key" not in response


def test_nothing_is_recorded_while_purging_is_off(editor, world, sent_tasks):
    article = world[4]
    article_publish(article=article, user=editor)

    assert not BackgroundJob.objects.filter(kind=CACHE_PURGE).exists()


def test_publish_correction_and_unpublish_purge_exactly_what_changed(
    fastly, editor, world, sent_tasks, django_capture_on_commit_callbacks
):
    section, tag, other_tag, author, article = world
    lists = {
        "articles",
        f"article-{article.pk}",
        f"section-{section.pk}-articles",
        f"tag-{tag.pk}-articles",
        f"author-{author.pk}-articles",
    }

    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=article, user=editor)
    assert purged() == lists
    ((name, (ids,)),) = sent_tasks
    assert name == "cache_purge_task"
    assert {cache_tag_from_object_id(pk) for pk in ids} == lists

    # A correction: the article, and the lists it is in (they show its `updated_at`).
    article.body = "<p>Corrected.</p>"
    article_publish(article=article, user=editor)
    assert purged() == lists

    # A new headline shows in the lists; a tag moved: the one it left and the one it joined.
    article.headline = "A better headline"
    article.tags.set([other_tag])
    article_publish(article=article, user=editor)
    assert purged() == lists | {f"tag-{other_tag.pk}-articles"}

    article_unpublish(article=article, user=editor)
    assert purged() == (lists - {f"tag-{tag.pk}-articles"}) | {f"tag-{other_tag.pk}-articles"}


def test_a3_a_draft_or_an_embargoed_article_is_never_purged(fastly, editor, world):
    article = world[4]
    article.headline = "Still a draft"
    article.save()
    embargoed = ArticleFactory(embargo_until=timezone.now() + timedelta(hours=2))
    article_publish(article=embargoed, user=editor)
    embargoed.body = "<p>Edited under embargo.</p>"
    article_publish(article=embargoed, user=editor)
    article_unpublish(article=embargoed, user=editor)

    assert purged() == set()


def test_renames_and_a_tag_merge_purge_their_tags(fastly, editor, world):
    section, tag, other_tag, author, article = world
    article_publish(article=article, user=editor)
    purged()

    tag.name = "Renamed"
    tag.save()
    assert {f"tag-{tag.pk}", "tags"} <= purged()
    section.name = "Renamed"
    section.save()
    assert {f"section-{section.pk}", "sections"} <= purged()
    author.name = "Renamed"
    author.save()
    assert {f"author-{author.pk}", "authors"} <= purged()

    tag_merge(source=tag, target=other_tag)
    assert {
        f"article-{article.pk}",
        f"tag-{tag.pk}-articles",
        f"tag-{other_tag.pk}-articles",
    } <= purged()


def test_fastly_purge_by_surrogate_key(fastly, editor, world):
    article = world[4]
    article_publish(article=article, user=editor)
    ids = list(BackgroundJob.objects.filter(kind=CACHE_PURGE).values_list("object_id", flat=True))

    assert cache_purge_run(object_ids=ids) == 5

    (request,) = fastly.requests
    assert request["headers"]["Fastly-Key"] == "fastly-token"
    assert set(request["headers"]["Surrogate-Key"].split()) == {
        cache_tag_from_object_id(pk) for pk in ids
    }
    assert set(BackgroundJob.objects.filter(kind=CACHE_PURGE).values_list("status", flat=True)) == {
        "done"
    }


def test_cloudflare_purge_by_tags(cloudflare, editor, world):
    article = world[4]
    article_publish(article=article, user=editor)
    ids = list(BackgroundJob.objects.filter(kind=CACHE_PURGE).values_list("object_id", flat=True))

    cache_purge_run(object_ids=ids)

    (request,) = cloudflare.requests
    assert request["headers"]["Authorization"] == "Bearer cf-token"
    assert set(json.loads(request["body"])["tags"]) == {cache_tag_from_object_id(pk) for pk in ids}


def test_a_cache_down_is_retried_and_a_refusal_fails(fastly, editor, world):
    article_publish(article=world[4], user=editor)
    job = BackgroundJob.objects.filter(kind=CACHE_PURGE).first()
    fastly.answers = [(503, {}, b"busy"), (400, {}, b"bad key")]

    with pytest.raises(TransientJobError):
        cache_purge_run(object_ids=[job.object_id])
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 1)
    assert "503" in job.last_error

    # The task's retry claims it again; a 400 will not get better.
    assert cache_purge_run(object_ids=[job.object_id]) == 0
    job.refresh_from_db()
    assert job.status == "failed"
    assert "400" in job.last_error


def test_a_purge_is_made_again_for_a_change_after_it(fastly, editor, world):
    article = world[4]
    article_publish(article=article, user=editor)
    BackgroundJob.objects.filter(kind=CACHE_PURGE).update(status="running", key="old")

    article.body = "<p>Again.</p>"
    article_publish(article=article, user=editor)

    job = BackgroundJob.objects.get(
        kind=CACHE_PURGE, object_id=cache_tag_object_id(cache_tag("article", article.pk))
    )
    assert job.status == "pending"
    assert job.key != "old"


@pytest.mark.parametrize(
    ("backend", "missing"),
    [
        ("varnish", "HTTP_CACHE_PURGE_VARNISH_URLS"),
        ("fastly", "HTTP_CACHE_PURGE_FASTLY_SERVICE_ID"),
        ("cloudflare", "HTTP_CACHE_PURGE_CLOUDFLARE_ZONE_ID"),
        ("akamai", "must be one of"),
    ],
)
def test_a_backend_without_its_settings_stops_the_start(monkeypatch, backend, missing):
    import importlib

    import newsroom.settings.http_cache

    monkeypatch.setenv("HTTP_CACHE_PURGE_BACKEND", backend)
    with pytest.raises(ImproperlyConfigured, match=missing):
        importlib.reload(newsroom.settings.http_cache)
    monkeypatch.delenv("HTTP_CACHE_PURGE_BACKEND")
    importlib.reload(newsroom.settings.http_cache)


def test_recording_a_purge_costs_three_queries_and_a_snapshot_three(
    fastly, editor, world, django_assert_num_queries
):
    from articles.published.cache import cache_purge_request, published_cache_snapshot

    article = world[4]
    article_publish(article=article, user=editor)
    with django_assert_num_queries(3):
        published_cache_snapshot(article_ids=[article.pk])
    with django_assert_num_queries(3):
        cache_purge_request(tags=["articles", "article-1", "tag-9-articles"])


def test_purging_off_costs_no_query(world, django_assert_num_queries):
    from articles.published.cache import cache_purge_request, published_cache_snapshot

    with django_assert_num_queries(0):
        published_cache_snapshot(article_ids=[world[4].pk])
        cache_purge_request(tags=["articles"])


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_publishes_at_once_each_record_their_purges(fastly, editor):
    section = SectionFactory()
    first, second = ArticleFactory(section=section), ArticleFactory(section=section)

    outcomes = run_together(
        lambda: article_publish(article=first, user=editor),
        lambda: article_publish(article=second, user=editor),
    )

    assert [outcome.error for outcome in outcomes] == [None, None]
    tags = {
        cache_tag_from_object_id(pk)
        for pk in BackgroundJob.objects.filter(kind=CACHE_PURGE, status="pending").values_list(
            "object_id", flat=True
        )
    }
    assert {"articles", f"section-{section.pk}-articles", f"article-{first.pk}"} <= tags
    assert f"article-{second.pk}" in tags
    # One row per tag, however many changes asked for it.
    assert BackgroundJob.objects.filter(kind=CACHE_PURGE).count() == len(tags)


def test_a_photo_edit_purges_the_visible_articles_showing_it(fastly, editor):
    photo = PhotoFactory()
    live = ArticleFactory(lead_photo=photo)
    embargoed = ArticleFactory(lead_photo=photo, embargo_until=timezone.now() + timedelta(hours=2))
    article_publish(article=live, user=editor)
    article_publish(article=embargoed, user=editor)
    purged()

    photo.caption = "A new caption"
    photo.save()

    tags = purged()
    assert f"article-{live.pk}" in tags
    assert f"article-{embargoed.pk}" not in tags


def test_i3_a_purge_whose_worker_died_is_sent_again_by_the_sweeper(fastly, editor, sent_tasks):
    from newsroom.jobs.services import jobs_sweep

    article = ArticleFactory()
    article_publish(article=article, user=editor)
    # The worker claimed them, then died before purging: the rows stay "running".
    ids = list(BackgroundJob.objects.filter(kind=CACHE_PURGE).values_list("object_id", flat=True))
    later = timezone.now() + timedelta(hours=1)
    BackgroundJob.objects.filter(kind=CACHE_PURGE).update(
        status="running", started_at=timezone.now()
    )
    sent_tasks.clear()

    jobs_sweep(now=later)

    assert sorted(sent_tasks) == sorted(("cache_purge_task", (pk,)) for pk in ids)
    for _, (pk,) in sent_tasks:
        cache_purge_run(object_ids=[pk])
    assert {
        tag for request in fastly.requests for tag in request["headers"]["Surrogate-Key"].split()
    } == {cache_tag_from_object_id(pk) for pk in ids}
    assert set(BackgroundJob.objects.filter(kind=CACHE_PURGE).values_list("status", flat=True)) == {
        "done"
    }


def test_a3_a_preview_carries_no_cache_tags(client, editor, world):
    from articles.services import article_revision_record
    from tests.support.api import token_client

    article = world[4]
    article_revision_record(article=article, user=editor, bump=False)
    link = token_client(editor).post(
        f"/api/v1/manage/articles/{article.pk}/preview/", {}, format="json"
    )

    response = client.get(urlsplit(link.json()["url"]).path)

    assert response.status_code == 200
    assert "Surrogate-Key" not in response
    assert "Cache-Tag" not in response


def test_a_rename_rebuilt_in_the_background_purges_each_batch_after_it(fastly, editor, settings):
    from articles.published.fanout import FANOUT_TAG, published_fanout_run

    settings.PUBLISHED_FANOUT_INLINE_LIMIT = 1
    tag = TopicTagFactory()
    articles = [ArticleFactory(tags=[tag]) for _ in range(3)]
    for article in articles:
        article_publish(article=article, user=editor)
    purged()

    tag.name = "Renamed"
    tag.save()
    assert purged() == {f"tag-{tag.pk}", "tags"}

    published_fanout_run(kind=FANOUT_TAG, object_id=tag.pk)
    assert {f"article-{article.pk}" for article in articles} <= purged()
