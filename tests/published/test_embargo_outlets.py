"""Nothing about an embargoed article leaves the building until the embargo ends.

One published article under embargo carries a marker (in its headline, slug, a tag of its own
and an author of its own). Every public outlet is read during the embargo (the marker must not
appear) and after it (the marker must appear, so the check can see it). Subscribers hear
nothing during the embargo and exactly one `article.published` when it ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from articles.models import Article, RelatedLink
from articles.published.build import published_refresh
from articles.published.models import PublishedArticle, WebhookDelivery, WebhookSubscription
from articles.published.notify import published_reveal_due
from articles.published.suggestions import related_suggestions_refresh, related_suggestions_run
from articles.services import (
    article_add_correction,
    article_change_slug,
    article_publish,
    article_save,
    article_set_status,
    article_unpublish,
    articles_publish_due,
)
from newsroom.jobs.models import BackgroundJob
from tagging.services import tag_merge
from tests.support.concurrency import postgresql_only, run_together
from tests.support.factories import (
    ArticleFactory,
    AuthorFactory,
    SectionFactory,
    TopicTagFactory,
)

pytestmark = pytest.mark.django_db

MARKER = "zqxembargo"


@dataclass
class World:
    embargoed: Article
    other: Article  # live, shares a tag and an author with the embargoed one
    linking: Article  # live, has a related-reading link to the embargoed one
    embargo_until: datetime


@pytest.fixture
def subscription(settings):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    return WebhookSubscription.objects.create(name="front", url="http://127.0.0.1:9/")


@pytest.fixture
def world(editor, subscription) -> World:
    section = SectionFactory(name="Ekonomi", slug="ekonomi")
    shared_tag = TopicTagFactory(name="Perbankan", slug="perbankan")
    secret_tag = TopicTagFactory(name=f"{MARKER} merger", slug=f"{MARKER}-merger")
    shared_author = AuthorFactory(name="Rani Wulandari", slug="rani-wulandari")
    secret_author = AuthorFactory(name=f"{MARKER} reporter", slug=f"{MARKER}-reporter")
    other = ArticleFactory(
        published=True, section=section, tags=[shared_tag], authors=[shared_author]
    )
    linking = ArticleFactory(published=True, section=section)
    embargo_until = timezone.now() + timedelta(hours=2)
    embargoed = ArticleFactory(
        headline=f"{MARKER} bank merger agreed",
        slug=f"{MARKER}-bank-merger",
        dek="Two banks merge.",
        section=section,
        tags=[shared_tag, secret_tag],
        authors=[secret_author, shared_author],
        embargo_until=embargo_until,
    )
    RelatedLink.objects.create(article=linking, target_article=embargoed, after_paragraph=1)
    article_publish(article=embargoed, user=editor)
    # Suggestions of another article computed while the embargo runs.
    related_suggestions_refresh(article_id=other.pk)
    return World(embargoed=embargoed, other=other, linking=linking, embargo_until=embargo_until)


def after_embargo(world: World):
    return time_machine.travel(world.embargo_until + timedelta(minutes=1), tick=False)


def run_suggestion_jobs() -> None:
    """What a worker does with the suggestion jobs the reveal asked for."""
    for job in BackgroundJob.objects.filter(
        kind="related_suggestions", status=BackgroundJob.Status.PENDING
    ):
        related_suggestions_run(article_id=job.object_id)


def events() -> list[str]:
    return list(WebhookDelivery.objects.order_by("id").values_list("event_type", flat=True))


OUTLETS = {
    "article list": "/api/v1/articles/",
    "article detail": "/api/v1/articles/{embargoed}/",
    "search": f"/api/v1/search/?q={MARKER}",
    "latest rss": "/feeds/latest/rss/",
    "latest atom": "/feeds/latest/atom/",
    "section rss": "/feeds/sections/ekonomi/rss/",
    "section atom": "/feeds/sections/ekonomi/atom/",
    "shared tag rss": "/feeds/tags/perbankan/rss/",
    "own tag rss": f"/feeds/tags/{MARKER}-merger/rss/",
    "own tag atom": f"/feeds/tags/{MARKER}-merger/atom/",
    "sitemap": "/sitemap.xml",
    "news sitemap": "/news-sitemap.xml",
    "tag list": "/api/v1/tags/",
    "popular tags": "/api/v1/tags/?popular_days=7",
    "own tag": f"/api/v1/tags/{MARKER}-merger/",
    "own tag articles": f"/api/v1/tags/{MARKER}-merger/articles/",
    "shared tag articles": "/api/v1/tags/perbankan/articles/",
    "articles with the tag": "/api/v1/articles/?tag=perbankan",
    "author list": "/api/v1/authors/",
    "own author": f"/api/v1/authors/{MARKER}-reporter/",
    "own author articles": f"/api/v1/authors/{MARKER}-reporter/articles/",
    "shared author articles": "/api/v1/authors/rani-wulandari/articles/",
    "related link of another article": "/api/v1/articles/{linking}/",
    "suggestions of another article": "/api/v1/articles/{other}/",
}


@pytest.mark.parametrize("url", OUTLETS.values(), ids=OUTLETS.keys())
def test_outlet_shows_nothing_of_the_embargoed_article_until_it_ends(world, url):
    url = url.format(
        embargoed=world.embargoed.slug, linking=world.linking.slug, other=world.other.slug
    )
    during = Client().get(url)
    assert during.status_code in (200, 404)
    assert MARKER not in during.content.decode().lower()

    with after_embargo(world):
        published_reveal_due()
        run_suggestion_jobs()
        after = Client().get(url)
    assert after.status_code == 200
    assert MARKER in after.content.decode().lower()


def test_tag_counts_leave_the_embargoed_article_out(world):
    def count() -> int:
        tags = {tag["slug"]: tag["article_count"] for tag in Client().get("/api/v1/tags/").json()}
        return tags["perbankan"]

    assert count() == 1
    with after_embargo(world):
        published_reveal_due()
        assert count() == 2


def test_revalidating_the_embargoed_article_is_a_404_not_a_304(world):
    etag = PublishedArticle.objects.get(article=world.embargoed).etag
    url = f"/api/v1/articles/{world.embargoed.slug}/"
    assert Client().get(url, headers={"if-none-match": f'"{etag}"'}).status_code == 404
    with after_embargo(world):
        published_reveal_due()
        assert Client().get(url, headers={"if-none-match": f'"{etag}"'}).status_code == 304


def test_suggestions_computed_during_the_embargo_do_not_store_it(world):
    assert not world.other.related_suggestions.filter(target=world.embargoed).exists()


# --- Webhooks --------------------------------------------------------------------------------


def test_publish_under_embargo_sends_nothing_until_it_ends_then_published_once(world):
    assert events() == []

    with after_embargo(world):
        assert published_reveal_due() == 1
        assert published_reveal_due() == 0

    delivery = WebhookDelivery.objects.get()
    assert delivery.event_type == "article.published"
    assert delivery.payload["data"]["slug"] == world.embargoed.slug


def test_edits_during_the_embargo_send_nothing(world, editor):
    article = Article.objects.get(pk=world.embargoed.pk)
    article_save(
        article=article, user=editor, expected_version=article.version, data={"dek": "New."}
    )
    article_add_correction(article=article, text="Angka diperbaiki.", user=editor)
    article_change_slug(article=article, slug=f"{MARKER}-merger-2", user=editor)
    article_set_status(article=article, status=Article.Status.PUBLISHED, user=editor)
    tag_merge(source=article.tags.get(slug=f"{MARKER}-merger"), target=TopicTagFactory())
    assert events() == []

    with after_embargo(world):
        published_reveal_due()
    assert events() == ["article.published"]


def test_unpublish_during_the_embargo_sends_nothing_ever(world, editor):
    article_unpublish(article=Article.objects.get(pk=world.embargoed.pk), user=editor)
    with after_embargo(world):
        published_reveal_due()
    assert events() == []


def test_after_the_embargo_edits_and_unpublish_are_events_again(world, editor):
    with after_embargo(world):
        published_reveal_due()
        article = Article.objects.get(pk=world.embargoed.pk)
        article_save(
            article=article, user=editor, expected_version=article.version, data={"dek": "New."}
        )
        article_unpublish(article=article, user=editor)
    assert events() == ["article.published", "article.updated", "article.unpublished"]


def test_an_edit_after_the_embargo_but_before_the_reveal_announces_once(world, editor):
    with after_embargo(world):
        article = Article.objects.get(pk=world.embargoed.pk)
        article_save(
            article=article, user=editor, expected_version=article.version, data={"dek": "New."}
        )
        published_reveal_due()
    assert events() == ["article.published"]


def test_a_tag_merge_after_the_embargo_but_before_the_reveal_reveals_it_whole(world):
    with after_embargo(world):
        tag_merge(
            source=world.embargoed.tags.get(slug=f"{MARKER}-merger"), target=TopicTagFactory()
        )
        assert published_reveal_due() == 0
        related = Client().get(f"/api/v1/articles/{world.linking.slug}/").json()["related"]
    assert [link["article"] for link in related] == [{"slug": world.embargoed.slug}]
    assert events() == ["article.published"]


def test_a_rebuild_after_the_embargo_but_before_the_reveal_does_not_skip_the_reveal(world):
    with after_embargo(world):
        # A finished rendition, say: the row alone is rebuilt, nothing is told.
        published_refresh(article_ids=[world.embargoed.pk])
        assert published_reveal_due() == 1
        related = Client().get(f"/api/v1/articles/{world.linking.slug}/").json()["related"]
    assert [link["article"] for link in related] == [{"slug": world.embargoed.slug}]
    assert events() == ["article.published"]


def test_a_scheduled_article_under_embargo_is_announced_when_the_embargo_ends(editor, subscription):
    now = timezone.now()
    article = ArticleFactory(embargo_until=now + timedelta(hours=3))
    article_publish(article=article, user=editor, publish_at=now + timedelta(hours=1))

    with time_machine.travel(now + timedelta(hours=2), tick=False):
        assert articles_publish_due() == [article.pk]
        published_reveal_due()
    assert events() == []

    with time_machine.travel(now + timedelta(hours=4), tick=False):
        published_reveal_due()
    assert events() == ["article.published"]


def test_an_embargo_put_on_a_live_article_takes_it_back_until_it_ends(editor, subscription):
    article = ArticleFactory()
    article_publish(article=article, user=editor)
    embargo = timezone.now() + timedelta(hours=1)
    article.refresh_from_db()
    article_save(
        article=article,
        user=editor,
        expected_version=article.version,
        data={"embargo_until": embargo},
    )
    assert events() == ["article.published", "article.unpublished"]

    with time_machine.travel(embargo + timedelta(seconds=1), tick=False):
        published_reveal_due()
    assert events() == ["article.published", "article.unpublished", "article.published"]


def test_a_visible_publish_is_announced_at_once(editor, subscription):
    article = ArticleFactory()
    article_publish(article=article, user=editor)
    assert events() == ["article.published"]
    assert published_reveal_due() == 0
    assert events() == ["article.published"]


def test_the_reveal_query_budget(editor, subscription, django_assert_num_queries):
    tag = TopicTagFactory()
    now = timezone.now()
    ArticleFactory(published=True, tags=[tag])  # a recent article the revealed ones suit
    hidden = [ArticleFactory(tags=[tag], embargo_until=now + timedelta(hours=1)) for _ in "ab"]
    for article in hidden:
        article_publish(article=article, user=editor)
    RelatedLink.objects.create(article=ArticleFactory(published=True), target_article=hidden[0])

    # Savepoint; the due rows, locked; the claim (UPDATE); the articles linking to them and
    # suggesting them (2); the rebuild of the one linking article (17, `published_refresh`,
    # with the read of what its row counted per day);
    # the revealed articles for the payloads; the subscriptions; one insert of the
    # deliveries; the recent articles sharing a tag, per revealed article (2); their jobs'
    # statuses; one insert of the new jobs; release.
    with django_assert_num_queries(30):
        assert published_reveal_due(now=now + timedelta(hours=2)) == 2

    assert events() == ["article.published", "article.published"]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_revealing_at_once_announce_once(django_user_model, subscription):
    # A superuser: the editors' group is migration data, which transactional tests flush.
    editor = django_user_model.objects.create_superuser("redaktur", password="x")
    now = timezone.now()
    embargoed = [ArticleFactory(embargo_until=now + timedelta(hours=1)) for _ in range(3)]
    for article in embargoed:
        article_publish(article=article, user=editor)
    later = now + timedelta(hours=2)

    outcomes = run_together(*[lambda: published_reveal_due(now=later) for _ in range(4)])

    assert [outcome.error for outcome in outcomes] == [None] * 4
    assert sum(outcome.result for outcome in outcomes) == 3
    assert sorted(WebhookDelivery.objects.values_list("payload__data__id", flat=True)) == sorted(
        article.pk for article in embargoed
    )
    assert set(events()) == {"article.published"}
