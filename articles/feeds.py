"""RSS 2.0 and Atom feeds of published articles: latest, per section, per tag."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from articles.models import Article, Section, TaggedArticle
from tagging.models import TopicTag

FEED_ITEMS = 30


class LatestArticlesFeed(Feed):
    feed_type = Rss201rev2Feed

    def title(self, obj=None) -> str:
        return settings.SITE_NAME

    def link(self, obj=None) -> str:
        return settings.SITE_URL + "/"

    def description(self, obj=None) -> str:
        return f"Latest articles from {settings.SITE_NAME}"

    def articles(self, obj=None):
        return Article.objects.live()

    def items(self, obj=None):
        return (
            self.articles(obj)
            .select_related("section")
            .prefetch_related("bylines__author")
            .order_by("-published_at", "-id")[:FEED_ITEMS]
        )

    def item_title(self, item: Article) -> str:
        return item.headline

    def item_description(self, item: Article) -> str:
        return item.dek

    def item_link(self, item: Article) -> str:
        return item.public_url

    def item_guid(self, item: Article) -> str:
        return item.public_url

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return item.updated_at

    def item_author_name(self, item: Article) -> str:
        return ", ".join(byline.author.name for byline in item.bylines.all())

    def item_categories(self, item: Article) -> list[str]:
        return [item.section.name]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description


class SectionFeed(LatestArticlesFeed):
    def get_object(self, request, slug: str) -> Section:
        return get_object_or_404(Section, slug=slug)

    def title(self, obj=None) -> str:
        return f"{settings.SITE_NAME}: {obj.name}"

    def articles(self, obj=None):
        return Article.objects.live().filter(section=obj)


class SectionAtomFeed(SectionFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description


class TagFeed(LatestArticlesFeed):
    def get_object(self, request, slug: str) -> TopicTag:
        return get_object_or_404(TopicTag, slug=slug)

    def title(self, obj=None) -> str:
        return f"{settings.SITE_NAME}: {obj.name}"

    def articles(self, obj=None):
        return Article.objects.live().filter(
            Exists(TaggedArticle.objects.filter(content_object=OuterRef("pk"), tag=obj))
        )


class TagAtomFeed(TagFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description


urlpatterns = [
    path("latest/rss/", LatestArticlesFeed(), name="feed-latest-rss"),
    path("latest/atom/", LatestArticlesAtomFeed(), name="feed-latest-atom"),
    path("sections/<slug:slug>/rss/", SectionFeed(), name="feed-section-rss"),
    path("sections/<slug:slug>/atom/", SectionAtomFeed(), name="feed-section-atom"),
    path("tags/<slug:slug>/rss/", TagFeed(), name="feed-tag-rss"),
    path("tags/<slug:slug>/atom/", TagAtomFeed(), name="feed-tag-atom"),
]
