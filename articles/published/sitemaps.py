"""sitemap.xml of published articles and a Google News sitemap of the last 48 hours, read
from the published world (`PublishedArticle`). `newsroom/urls.py` imports this module when
a sitemap is first asked for."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import orjson
from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from articles.published.cache import cache_tag
from articles.published.models import PublishedArticle
from newsroom.http.cache_purge import cache_tagged

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
NEWS_WINDOW = timedelta(hours=48)


class ArticleSitemap(Sitemap):
    """Published articles on the front end's domain (SITE_URL), newest first."""

    changefreq = "daily"
    limit = 10_000

    @property
    def protocol(self) -> str:
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc

    def items(self):
        # An article whose canonical URL is elsewhere is left to the site that has it.
        return (
            PublishedArticle.objects.visible()
            .filter(article__canonical_url="")
            .values("slug", "updated_at", "section__slug")
            .order_by("-published_at", "-article_id")
        )

    def location(self, item: dict) -> str:
        url = settings.ARTICLE_URL_TEMPLATE.format(
            site_url=settings.SITE_URL, section=item["section__slug"], slug=item["slug"]
        )
        return urlsplit(url).path

    def lastmod(self, item: dict):
        return item["updated_at"]


SITEMAPS = {"articles": ArticleSitemap}


@require_safe
@cache_tagged(cache_tag("articles"))
def sitemap(request: HttpRequest) -> HttpResponse:
    """sitemap.xml: Django's sitemap of `SITEMAPS`."""
    return sitemap_views.sitemap(request, sitemaps=SITEMAPS)


@require_safe
@cache_tagged(cache_tag("articles"))
def news_sitemap(request: HttpRequest) -> HttpResponse:
    """Google News sitemap: articles published in the last 48 hours (at most 1,000)."""
    ET.register_namespace("", SITEMAP_NS)
    ET.register_namespace("news", NEWS_NS)
    urlset = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    rows = (
        PublishedArticle.objects.visible()
        .filter(published_at__gte=timezone.now() - NEWS_WINDOW)
        .values("published_at", "teaser")
        .order_by("-published_at", "-article_id")[:1000]
    )
    for row in rows:
        teaser = orjson.loads(row["teaser"])
        url = ET.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = teaser["url"]
        news = ET.SubElement(url, f"{{{NEWS_NS}}}news")
        publication = ET.SubElement(news, f"{{{NEWS_NS}}}publication")
        ET.SubElement(publication, f"{{{NEWS_NS}}}name").text = settings.SITE_NAME
        ET.SubElement(publication, f"{{{NEWS_NS}}}language").text = teaser["language"]
        ET.SubElement(news, f"{{{NEWS_NS}}}publication_date").text = row["published_at"].isoformat()
        ET.SubElement(news, f"{{{NEWS_NS}}}title").text = teaser["headline"]
    body = ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
    return HttpResponse(body, content_type="application/xml; charset=utf-8")
