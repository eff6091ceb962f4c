"""`published.0004`, run for real: details stored before cache tags existed get them, a
superset of what the build names (the related article included), so the HTTP cache keeps
them and a change purges them without `published_rebuild`."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from articles.models import RelatedLink
from articles.published.models import PublishedArticle
from articles.services import article_publish
from tests.support.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("published", "0003_cache_tags")]


def test_0004_gives_untagged_details_the_tags_the_build_names(editor):
    target = ArticleFactory()
    article_publish(article=target, user=editor)
    article = ArticleFactory(tags=["Banjir", "Jawa Barat"])
    RelatedLink.objects.create(article=article, target_article=target, position=0)
    article_publish(article=article, user=editor)
    built = {
        pk: set(tags.split())
        for pk, tags in PublishedArticle.objects.values_list("article_id", "cache_tags")
    }
    assert f"article-{target.pk}" in built[article.pk]
    untagged = PublishedArticle.objects.filter(article_id=article.pk)
    untagged.update(cache_tags="")

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    backfilled = {
        pk: set(tags.split())
        for pk, tags in PublishedArticle.objects.values_list("article_id", "cache_tags")
    }
    assert backfilled[article.pk] == built[article.pk]
    assert backfilled[target.pk] == built[target.pk]  # a tagged row is left as it was
