"""Reads of the published world shared by the public API and the feeds.

Apart from `build` so that a web worker serving readers does not import the publish door
and the editing services it calls (docs/performance.md, "Worker memory").
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef

from articles.published.models import PublishedArticle, PublishedArticleTag
from tagging.models import TagAlias, TopicTag


def published_tags(*, now: datetime | None = None):
    """Tags on at least one article readers may see now (no query of its own)."""
    visible = PublishedArticle.objects.visible(now=now).values("article_id")
    return TopicTag.objects.filter(
        Exists(PublishedArticleTag.objects.filter(tag=OuterRef("pk"), article__in=visible))
    )


def published_tag_merged_slug(*, slug: str) -> str | None:
    """The slug of the tag that the tag once at `slug` was merged into (or renamed to), if
    readers may see that tag; None otherwise. One query."""
    return (
        TagAlias.objects.filter(slug=slug, tag__in=published_tags().values("pk"))
        .values_list("tag__slug", flat=True)
        .first()
    )
