"""sitemap.xml of published articles and a Google News sitemap of the last 48 hours."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from articles.models import Article

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
        return (
            Article.objects.live()
            .filter(canonical_url="")
            .select_related("section")
            .only("slug", "updated_at", "published_at", "section__slug")
            .order_by("-published_at", "-id")
        )

    def location(self, item: Article) -> str:
        url = urlsplit(item.public_url)
        return url.path

    def lastmod(self, item: Article):
        return item.updated_at


SITEMAPS = {"articles": ArticleSitemap}


@require_safe
def news_sitemap(request: HttpRequest) -> HttpResponse:
    """Google News sitemap: articles published in the last 48 hours (at most 1,000)."""
    ET.register_namespace("", SITEMAP_NS)
    ET.register_namespace("news", NEWS_NS)
    urlset = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    articles = (
        Article.objects.live()
        .filter(published_at__gte=timezone.now() - NEWS_WINDOW)
        .select_related("section")
        .order_by("-published_at", "-id")[:1000]
    )
    for article in articles:
        url = ET.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = article.public_url
        news = ET.SubElement(url, f"{{{NEWS_NS}}}news")
        publication = ET.SubElement(news, f"{{{NEWS_NS}}}publication")
        ET.SubElement(publication, f"{{{NEWS_NS}}}name").text = settings.SITE_NAME
        ET.SubElement(publication, f"{{{NEWS_NS}}}language").text = article.language
        ET.SubElement(
            news, f"{{{NEWS_NS}}}publication_date"
        ).text = article.published_at.isoformat()
        ET.SubElement(news, f"{{{NEWS_NS}}}title").text = article.headline
    body = ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
    return HttpResponse(body, content_type="application/xml; charset=utf-8")
