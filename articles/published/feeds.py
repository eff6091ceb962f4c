"""RSS 2.0 and Atom feeds of published articles: latest, per section, per tag.

Read from the published world like the API's lists: each item is an article's stored
teaser, with the row's publish and update times.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.views.decorators.http import require_safe

from articles.models import Section
from articles.published.api.views import redirect_merged_tag
from articles.published.cache import cache_tag
from articles.published.models import PublishedArticle, PublishedArticleTag
from articles.published.reads import published_tags
from newsroom.http.cache_purge import cache_tags_set
from newsroom.http.links import api_absolute_url
from tagging.models import TopicTag

FEED_ITEMS = 30


class LatestArticlesFeed(Feed):
    feed_type = Rss201rev2Feed
    # The feed's URL name: its own address (`feed_url`) and a merged tag's redirect.
    route = "feed-latest-rss"

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        if response.status_code == 200:
            tags = getattr(request, "newsroom_cache_tags", [cache_tag("articles")])
            cache_tags_set(response, tags)
        return response

    def feed_url(self, obj=None) -> str:
        """The feed's own address (RSS `atom:link`, Atom `rel="self"`), on API_BASE_URL:
        Django would take the request's Host."""
        kwargs = {"slug": obj.slug} if obj is not None else {}
        return api_absolute_url(reverse(self.route, kwargs=kwargs))

    def title(self, obj=None) -> str:
        return settings.SITE_NAME

    def link(self, obj=None) -> str:
        return settings.SITE_URL + "/"

    def description(self, obj=None) -> str:
        return f"Latest articles from {settings.SITE_NAME}"

    def rows(self, obj=None):
        """The list rows (`published_at`, `updated_at`, `teaser`) of the feed's articles."""
        return PublishedArticle.objects.visible().values("published_at", "updated_at", "teaser")

    def items(self, obj=None) -> list[dict[str, Any]]:
        rows = self.rows(obj).order_by("-published_at", "-article_id")[:FEED_ITEMS]
        return [
            {**orjson.loads(row["teaser"]), "published_at": row["published_at"],
             "updated_at": row["updated_at"]}
            for row in rows
        ]  # fmt: skip

    def item_title(self, item: dict[str, Any]) -> str:
        return item["headline"]

    def item_description(self, item: dict[str, Any]) -> str:
        return item["dek"]

    def item_link(self, item: dict[str, Any]) -> str:
        return item["url"]

    def item_guid(self, item: dict[str, Any]) -> str:
        return item["url"]

    def item_pubdate(self, item: dict[str, Any]):
        return item["published_at"]

    def item_updateddate(self, item: dict[str, Any]):
        return item["updated_at"]

    def item_author_name(self, item: dict[str, Any]) -> str:
        return ", ".join(byline["name"] for byline in item["bylines"])

    def item_categories(self, item: dict[str, Any]) -> list[str]:
        return [item["section"]["name"]]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    route = "feed-latest-atom"
    subtitle = LatestArticlesFeed.description


class SectionFeed(LatestArticlesFeed):
    route = "feed-section-rss"

    def get_object(self, request, slug: str) -> Section:
        section = get_object_or_404(Section, slug=slug)
        request.newsroom_cache_tags = [
            cache_tag("section", section.pk),
            cache_tag("section-articles", section.pk),
        ]
        return section

    def title(self, obj=None) -> str:
        return f"{settings.SITE_NAME}: {obj.name}"

    def rows(self, obj=None):
        return super().rows(obj).filter(section=obj)


class SectionAtomFeed(SectionFeed):
    feed_type = Atom1Feed
    route = "feed-section-atom"
    subtitle = LatestArticlesFeed.description


class TagFeed(LatestArticlesFeed):
    """A listed tag's feed (a tag readers may see; others are 404, as in the API). The old
    slug of a tag merged into another redirects (301) to that tag's feed."""

    route = "feed-tag-rss"

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except Http404:
            return redirect_merged_tag(kwargs["slug"], self.route)

    def get_object(self, request, slug: str) -> TopicTag:
        tag = get_object_or_404(published_tags(), slug=slug)
        request.newsroom_cache_tags = [cache_tag("tag", tag.pk), cache_tag("tag-articles", tag.pk)]
        return tag

    def title(self, obj=None) -> str:
        return f"{settings.SITE_NAME}: {obj.name}"

    def rows(self, obj=None):
        return PublishedArticleTag.objects.filter(tag=obj).listing(super().rows(obj))


class TagAtomFeed(TagFeed):
    feed_type = Atom1Feed
    route = "feed-tag-atom"
    subtitle = LatestArticlesFeed.description


# GET and HEAD only: any other method is a 405.
urlpatterns = [
    path("latest/rss/", require_safe(LatestArticlesFeed()), name="feed-latest-rss"),
    path("latest/atom/", require_safe(LatestArticlesAtomFeed()), name="feed-latest-atom"),
    path("sections/<slug:slug>/rss/", require_safe(SectionFeed()), name="feed-section-rss"),
    path("sections/<slug:slug>/atom/", require_safe(SectionAtomFeed()), name="feed-section-atom"),
    path("tags/<slug:slug>/rss/", require_safe(TagFeed()), name="feed-tag-rss"),
    path("tags/<slug:slug>/atom/", require_safe(TagAtomFeed()), name="feed-tag-atom"),
]
