from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree as ET

import feedparser
import pytest
import yaml
from django.utils import timezone
from openapi_spec_validator import validate

from tagging.services import tag_merge
from tests.support.factories import ArticleFactory, AuthorFactory, SectionFactory, TopicTagFactory

pytestmark = pytest.mark.django_db

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


@pytest.fixture
def published():
    section = SectionFactory(name="Ekonomi", slug="ekonomi")
    tag = TopicTagFactory(slug="beras")
    author = AuthorFactory(name="Dewi Lestari")
    return [
        ArticleFactory(
            published=True,
            headline=f"Harga beras <naik> & turun {n}",
            section=section,
            tags=[tag],
            authors=[author],
            published_at=timezone.now() - timedelta(hours=n + 1),
        )
        for n in range(3)
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/latest/rss/",
        "/feeds/latest/atom/",
        "/feeds/sections/ekonomi/rss/",
        "/feeds/sections/ekonomi/atom/",
        "/feeds/tags/beras/rss/",
        "/feeds/tags/beras/atom/",
    ],
)
def test_feeds_parse_without_errors(client, published, url):
    response = client.get(url)

    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert [entry.title for entry in feed.entries] == [a.headline for a in published]
    assert feed.entries[0].link == published[0].public_url
    assert feed.entries[0].author == "Dewi Lestari"


def test_feed_of_unknown_section_is_404(client):
    assert client.get("/feeds/sections/tidak-ada/rss/").status_code == 404


def test_sitemap_is_valid_xml_with_the_sitemap_namespace(client, published):
    response = client.get("/sitemap.xml")

    root = ET.fromstring(response.content)
    assert root.tag == f"{{{SITEMAP_NS}}}urlset"
    locations = [loc.text for loc in root.iter(f"{{{SITEMAP_NS}}}loc")]
    assert locations == [a.public_url for a in published]


def test_news_sitemap_lists_the_last_48_hours(client, published):
    old = ArticleFactory(published=True, published_at=timezone.now() - timedelta(hours=49))

    response = client.get("/news-sitemap.xml")

    root = ET.fromstring(response.content)
    assert root.tag == f"{{{SITEMAP_NS}}}urlset"
    locations = [loc.text for loc in root.iter(f"{{{SITEMAP_NS}}}loc")]
    assert locations == [a.public_url for a in published]
    assert old.public_url not in locations
    titles = [t.text for t in root.iter(f"{{{NEWS_NS}}}title")]
    assert titles[0] == "Harga beras <naik> & turun 0"
    assert [lang.text for lang in root.iter(f"{{{NEWS_NS}}}language")] == ["id", "id", "id"]


def test_openapi_schema_is_valid_and_describes_every_endpoint(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate(schema)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in [
        "/api/v1/articles/",
        "/api/v1/articles/{slug}/",
        "/api/v1/search/",
        "/api/v1/sections/",
        "/api/v1/authors/{slug}/articles/",
        "/api/v1/tags/",
        "/api/v1/tags/{slug}/articles/",
    ]:
        assert path in paths, path
    list_params = {p["name"] for p in paths["/api/v1/articles/"]["get"]["parameters"]}
    assert {"cursor", "page_size", "section", "tag", "tag_match", "author", "language",
            "published_after", "published_before"} <= list_params  # fmt: skip


def test_api_docs_page_renders(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_schema_documents_the_error_envelope_on_every_operation(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)

    assert "Error" in schema["components"]["schemas"]
    for operations in schema["paths"].values():
        for operation in operations.values():
            assert {"400", "404", "429"} <= set(operation["responses"])


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_merged_tags_old_feed_redirects_to_the_feed_of_the_tag_it_became(client, kind):
    source = TopicTagFactory(name="Russia", slug="russia")
    target = TopicTagFactory(name="Rusia", slug="rusia")
    article = ArticleFactory(published=True, tags=[source])
    tag_merge(source=source, target=target)

    response = client.get(f"/feeds/tags/russia/{kind}/")

    assert response.status_code == 301
    assert response["Location"] == f"/feeds/tags/rusia/{kind}/"
    feed = feedparser.parse(client.get(response["Location"]).content)
    assert [entry.title for entry in feed.entries] == [article.headline]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feed_of_a_tag_without_visible_articles_is_404(client, kind):
    draft_only = TopicTagFactory(name="Rahasia", slug="rahasia")
    ArticleFactory(tags=[draft_only])
    merged = TopicTagFactory(name="Russia", slug="russia")
    ArticleFactory(tags=[merged])  # a draft only: the tag it became is not public
    tag_merge(source=merged, target=TopicTagFactory(name="Rusia", slug="rusia"))

    assert client.get(f"/feeds/tags/rahasia/{kind}/").status_code == 404
    assert client.get(f"/feeds/tags/russia/{kind}/").status_code == 404
    assert client.get(f"/feeds/tags/never-existed/{kind}/").status_code == 404


def test_the_views_schema_annotations_apply_once_whenever_the_schema_is_generated(client):
    # The annotations are applied when the schema is first generated (newsroom.api.schema):
    # a second generation in the same process must not apply them again (parameters twice).
    first = client.get("/api/schema/").content
    second = client.get("/api/schema/").content

    assert first == second
    tag_list = yaml.safe_load(second)["paths"]["/api/v1/tags/"]["get"]
    names = [parameter["name"] for parameter in tag_list["parameters"]]
    assert len(names) == len(set(names))
    assert "kind" in names
