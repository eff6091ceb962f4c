"""Every absolute URL newsroom builds comes from configuration, never from the request.

A hostile `Host` (or `X-Forwarded-Host`, where it is trusted) that ALLOWED_HOSTS lets through
must not end up in a link the API, the feeds, the sitemaps or the admin give out: caches and
front ends would pass it on to readers.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.services import article_revision_record
from tests.support.api import token_client
from tests.support.factories import ArticleFactory, SectionFactory, TopicTagFactory

pytestmark = pytest.mark.django_db

API = "https://api.news.example"
HOSTILE = {"HTTP_HOST": "evil.example", "HTTP_X_FORWARDED_HOST": "evil-forwarded.example"}


@pytest.fixture(autouse=True)
def _configured(settings):
    settings.SITE_URL = "https://news.example"
    settings.API_BASE_URL = API
    settings.ALLOWED_HOSTS = ["*"]
    settings.USE_X_FORWARDED_HOST = True


@pytest.fixture
def articles():
    section = SectionFactory(slug="daerah")
    tag = TopicTagFactory(name="Banjir", slug="banjir")
    now = timezone.now()
    return [
        ArticleFactory(
            published=True,
            headline=f"Banjir {n}",
            section=section,
            tags=[tag],
            published_at=now - timedelta(hours=n + 1),
        )
        for n in range(3)
    ]


def assert_no_hostile_host(content: bytes) -> None:
    assert b"evil" not in content


@pytest.mark.parametrize(
    "path", ["/api/v1/articles/?page_size=1", "/api/v1/tags/banjir/articles/?page_size=1"]
)
def test_list_pagination_links_come_from_the_api_base_url(articles, path):
    first = Client().get(path, **HOSTILE).json()
    assert first["next"].startswith(f"{API}/api/v1/")
    second = Client().get(first["next"].removeprefix(API), **HOSTILE).json()
    assert second["previous"].startswith(f"{API}/api/v1/")
    assert second["next"].startswith(f"{API}/api/v1/")


def test_search_pagination_links_come_from_the_api_base_url(articles):
    body = Client().get("/api/v1/search/?q=banjir&page_size=1&page=2", **HOSTILE).json()
    assert body["next"] == f"{API}/api/v1/search/?q=banjir&page_size=1&page=3"
    assert body["previous"] == f"{API}/api/v1/search/?q=banjir&page_size=1&page=1"


def test_write_api_list_pagination_links_come_from_the_api_base_url(editor, articles):
    response = token_client(editor).get("/api/v1/manage/articles/?page_size=1", **HOSTILE)
    assert response.status_code == 200
    assert response.json()["next"].startswith(f"{API}/api/v1/manage/articles/?")


def test_write_api_preview_link_comes_from_the_api_base_url(editor):
    article = ArticleFactory()
    article_revision_record(article=article, user=editor, bump=False)

    response = token_client(editor).post(
        f"/api/v1/manage/articles/{article.pk}/preview/", {}, format="json", **HOSTILE
    )

    assert response.status_code == 200
    assert response.json()["url"].startswith(f"{API}/api/v1/preview/")


def test_admin_preview_link_comes_from_the_api_base_url(editor):
    article = ArticleFactory()
    article_revision_record(article=article, user=editor, bump=False)
    client = Client()
    client.force_login(editor)

    response = client.get(reverse("admin:articles_article_change", args=[article.pk]), **HOSTILE)

    assert response.status_code == 200
    assert f'href="{API}/api/v1/preview/' in response.content.decode()
    assert_no_hostile_host(response.content)


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/latest/rss/",
        "/feeds/latest/atom/",
        "/feeds/sections/daerah/rss/",
        "/feeds/sections/daerah/atom/",
        "/feeds/tags/banjir/rss/",
        "/feeds/tags/banjir/atom/",
    ],
)
def test_feed_links_come_from_configuration(articles, path):
    response = Client().get(path, **HOSTILE)

    assert response.status_code == 200
    # RSS `atom:link`, Atom `link`: the feed's own address.
    assert f'href="{API}{path}" rel="self"' in response.content.decode()
    assert_no_hostile_host(response.content)


@pytest.mark.parametrize("path", ["/sitemap.xml", "/news-sitemap.xml"])
def test_sitemaps_carry_no_request_host(articles, path):
    response = Client().get(path, **HOSTILE)

    assert response.status_code == 200
    assert b"https://news.example/daerah/" in response.content
    assert_no_hostile_host(response.content)
