"""Data migrations of the races fixes, run for real: back to the state before them, rows made
with the historical models, then forward.

- `articles.0014`: a URL keeps one active webhook subscription (the constraint of 0015).
- `articles.0016`: tags that differ only in separators (and the "#<id>" keys `tagging.0003`
  parked) are merged the way `tag_merge` merges, and every key is rewritten.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from articles.models import TaggedArticle
from articles.published.models import PublishedArticleTag, WebhookSubscription
from newsroom.jobs.models import BackgroundJob
from tagging.models import TagAlias, TopicTag
from tagging.services import tag_resolve

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_TAG_MERGE = [
    ("articles", "0015_webhooksubscription_active_url_once"),
    ("tagging", "0005_tagalias_name_key_null"),
]
TAG_MERGE = [("articles", "0016_merge_tags_differing_in_separators")]
BEFORE_WEBHOOK_DEDUPE = [("articles", "0013_published_article_changed_notify")]
WEBHOOK_DEDUPE = [("articles", "0015_webhooksubscription_active_url_once")]


@pytest.fixture
def migrate():
    """`migrate(targets)` returns the historical apps at `targets`; the test ends migrated
    to the latest state again."""

    def run(targets):
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    yield run
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_0014_keeps_one_active_subscription_per_url(migrate):
    apps = migrate(BEFORE_WEBHOOK_DEDUPE)
    Subscription = apps.get_model("articles", "WebhookSubscription")
    first, second, other, off = (
        Subscription.objects.create(name=name, url=url, secret="s", is_active=active)
        for name, url, active in [
            ("first", "https://1.1.1.1/hook", True),
            ("second", "https://1.1.1.1/hook", True),
            ("other", "https://8.8.8.8/hook", True),
            ("off", "https://1.1.1.1/hook", False),
        ]
    )

    migrate(WEBHOOK_DEDUPE)

    assert sorted(
        WebhookSubscription.objects.values_list("name", "is_active", "disabled_reason")
    ) == [
        ("first", True, ""),
        ("off", False, ""),
        ("other", True, ""),
        ("second", False, f"Duplicate of subscription #{first.pk} (same URL)."),
    ]


def _historical_world(apps):
    """Tags as they could stand under the old key, with articles and published rows."""
    Section = apps.get_model("articles", "Section")
    Article = apps.get_model("articles", "Article")
    PublishedArticle = apps.get_model("articles", "PublishedArticle")
    HistoricalPublishedTag = apps.get_model("articles", "PublishedArticleTag")
    Tagged = apps.get_model("articles", "TaggedArticle")
    Tag = apps.get_model("tagging", "TopicTag")
    Alias = apps.get_model("tagging", "TagAlias")

    section = Section.objects.create(name="Nasional", slug="nasional")
    past = timezone.now() - timedelta(days=1)

    def article(slug, *, published=False):
        row = Article.objects.create(
            headline=slug, slug=slug, section=section, status="published" if published else "draft",
            published_at=past if published else None,
            first_published_at=past if published else None,
        )  # fmt: skip
        if published:
            PublishedArticle.objects.create(
                article=row, slug=slug, section=section, language="id", published_at=past,
                visible_from=past, updated_at=past, teaser="{}", document="{}", etag="e",
            )  # fmt: skip
        return row

    def tag(name, slug, key):
        return Tag.objects.create(name=name, slug=slug, name_key=key)

    a1, a2 = article("a1", published=True), article("a2", published=True)
    a3, a4 = article("a3"), article("a4")
    hyphen = tag("Pilkada-2026", "pilkada-2026", "pilkada-2026")
    spaced = tag("pilkada 2026", "pilkada-2026-1", "pilkada 2026")
    underscored = tag("PILKADA_2026", "pilkada_2026", "pilkada_2026")
    upper = tag("ELECTIONS 2027", "elections-2027", "elections 2027")
    lower = tag("elections 2027", "elections-2027-1", "elections 2027#99")  # tagging.0003
    for name, slug in [("Rp1,5 triliun", "rp1-5-triliun"), ("Rp15 triliun", "rp15-triliun")]:
        tag(name, slug, name.lower())
    jokowi = tag("Joko Widodo", "joko-widodo", "joko widodo")
    Alias.objects.create(tag=underscored, name="Pilkada Serentak", name_key="pilkada serentak",
                         slug="pilkada-serentak")  # fmt: skip
    Alias.objects.create(tag=jokowi, name="Jokowi", name_key="jokowi", slug="jokowi")
    for item, tags in [(a1, [hyphen]), (a2, [hyphen, spaced]), (a3, [spaced]), (a4, [spaced])]:
        for each in tags:
            Tagged.objects.create(content_object=item, tag=each)
    for item, tags in [(a1, [hyphen]), (a2, [hyphen, spaced])]:
        for each in tags:
            HistoricalPublishedTag.objects.create(article_id=item.pk, tag=each, published_at=past)
    return {"a1": a1.pk, "a2": a2.pk, "spaced": spaced.pk, "upper": upper.pk, "lower": lower}


def test_0016_merges_tags_that_differ_only_in_separators_into_the_most_used(migrate):
    world = _historical_world(migrate(BEFORE_TAG_MERGE))

    migrate(TAG_MERGE)

    assert sorted(TopicTag.objects.values_list("name", "slug", "name_key")) == [
        ("ELECTIONS 2027", "elections-2027", "elections 2027"),
        ("Joko Widodo", "joko-widodo", "joko widodo"),
        ("Rp1,5 triliun", "rp1-5-triliun", "rp1,5 triliun"),
        ("Rp15 triliun", "rp15-triliun", "rp15 triliun"),
        ("pilkada 2026", "pilkada-2026-1", "pilkada 2026"),
    ]
    target = TopicTag.objects.get(pk=world["spaced"])
    assert sorted(TaggedArticle.objects.filter(tag=target).values_list(
        "content_object__slug", flat=True)) == ["a1", "a2", "a3", "a4"]  # fmt: skip
    assert TaggedArticle.objects.count() == 4
    assert sorted(TagAlias.objects.values_list("name", "slug", "name_key", "tag__name")) == [
        ("Jokowi", "jokowi", "jokowi", "Joko Widodo"),
        ("PILKADA_2026", "pilkada_2026", None, "pilkada 2026"),
        ("Pilkada Serentak", "pilkada-serentak", "pilkada serentak", "pilkada 2026"),
        ("Pilkada-2026", "pilkada-2026", None, "pilkada 2026"),
        ("elections 2027", "elections-2027-1", None, "ELECTIONS 2027"),
    ]
    # Tag pages list the published articles under the tag that stayed at once ...
    assert sorted(PublishedArticleTag.objects.values_list("article", "tag")) == [
        (world["a1"], target.pk),
        (world["a2"], target.pk),
    ]
    # ... and their stored documents are rebuilt by their related-reading job.
    assert sorted(
        BackgroundJob.objects.filter(kind="related_suggestions", status="pending").values_list(
            "object_id", flat=True
        )
    ) == sorted([world["a1"], world["a2"]])
    for spelling in ("PILKADA_2026", "Pilkada-2026", "pilkada/2026", "Pilkada Serentak"):
        assert tag_resolve(name=spelling) == target
    assert tag_resolve(name="elections-2027").pk == world["upper"]
    assert Client().get("/api/v1/tags/pilkada-2026/")["Location"] == "/api/v1/tags/pilkada-2026-1/"
