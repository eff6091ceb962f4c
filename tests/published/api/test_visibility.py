"""Nothing but live articles reaches a public surface (docs/reliability.md A2, A3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, RelatedLink
from tests.support.factories import ArticleFactory, AuthorFactory, SectionFactory, TopicTagFactory

pytestmark = pytest.mark.django_db

MARKER = "zqxjkrahasia"


@pytest.fixture
def world():
    """One live article plus hidden ones (draft, scheduled, unpublished, due later, under
    embargo, in the trash) sharing its tag, author and section, each carrying a unique
    marker; the live one links to all of them."""
    section = SectionFactory(slug="daerah")
    tag = TopicTagFactory(name="Banjir", slug="banjir")
    author = AuthorFactory(slug="siti")
    now = timezone.now()
    common = {"section": section, "tags": [tag], "authors": [author]}
    live = ArticleFactory(published=True, headline="Banjir surut", **common)
    hidden = {
        "draft": ArticleFactory(headline=f"Banjir {MARKER} draf", slug=f"{MARKER}-draft", **common),
        "scheduled": ArticleFactory(
            headline=f"Banjir {MARKER} jadwal",
            slug=f"{MARKER}-scheduled",
            status=Article.Status.SCHEDULED,
            published_at=now + timedelta(hours=2),
            **common,
        ),
        "unpublished": ArticleFactory(
            headline=f"Banjir {MARKER} tarik",
            slug=f"{MARKER}-unpublished",
            status=Article.Status.UNPUBLISHED,
            published_at=now - timedelta(days=1),
            **common,
        ),
        # Status says published but the publish time is still ahead: not live either.
        "future": ArticleFactory(
            headline=f"Banjir {MARKER} nanti",
            slug=f"{MARKER}-future",
            status=Article.Status.PUBLISHED,
            published_at=now + timedelta(hours=1),
            **common,
        ),
        # Published and due, but under an embargo that is still running.
        "embargoed": ArticleFactory(
            headline=f"Banjir {MARKER} embargo",
            slug=f"{MARKER}-embargoed",
            published=True,
            embargo_until=now + timedelta(hours=1),
            **common,
        ),
        # Published and due, but in the trash.
        "trashed": ArticleFactory(
            headline=f"Banjir {MARKER} sampah",
            slug=f"{MARKER}-trashed",
            published=True,
            deleted_at=now - timedelta(minutes=1),
            **common,
        ),
    }
    for position, article in enumerate(hidden.values()):
        RelatedLink.objects.create(
            article=live, target_article=article, after_paragraph=1, position=position
        )
    return live, hidden


PUBLIC_URLS = [
    "/api/v1/articles/",
    "/api/v1/articles/?tag=banjir",
    "/api/v1/articles/?author=siti",
    "/api/v1/articles/?section=daerah",
    "/api/v1/articles/?tag=banjir&tag_match=all",
    "/api/v1/articles/?tag=banjir&section=daerah",
    "/api/v1/articles/?tag=banjir,daerah",
    "/api/v1/articles/?author=siti&language=id",
    "/api/v1/tags/banjir/articles/?section=daerah",
    "/api/v1/authors/siti/articles/?section=daerah",
    "/api/v1/sections/daerah/articles/?tag=banjir",
    "/api/v1/search/?q=banjir",
    f"/api/v1/search/?q={MARKER}",
    "/api/v1/tags/",
    "/api/v1/tags/banjir/",
    "/api/v1/tags/banjir/articles/",
    "/api/v1/authors/",
    "/api/v1/authors/siti/",
    "/api/v1/authors/siti/articles/",
    "/api/v1/sections/daerah/articles/",
    "/feeds/latest/rss/",
    "/feeds/latest/atom/",
    "/feeds/sections/daerah/rss/",
    "/feeds/tags/banjir/atom/",
    "/sitemap.xml",
    "/news-sitemap.xml",
]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_hidden_articles_appear_on_no_public_surface(api_client, world, url):
    live, _ = world

    response = api_client.get(url)

    assert response.status_code == 200
    content = response.content.decode()
    assert MARKER not in content
    if "q=" + MARKER not in url:
        # The page does show live content: the live article, its tag or its author.
        assert any(expected in content for expected in (live.slug, "banjir", "siti"))


def test_a_live_article_linking_to_hidden_ones_shows_no_trace_of_them(api_client, world):
    live, hidden = world

    response = api_client.get(f"/api/v1/articles/{live.slug}/")

    assert response.status_code == 200
    body = response.json()
    assert body["related"] == []
    assert [block["type"] for block in body["blocks"]].count("related") == 0
    assert MARKER not in response.content.decode()


@pytest.mark.parametrize(
    "kind", ["draft", "scheduled", "unpublished", "future", "embargoed", "trashed"]
)
def test_hidden_article_slugs_answer_404_like_unknown_ones(api_client, world, kind):
    _, hidden = world

    # The same X-Request-ID both times: the bodies carry it.
    hidden_response = api_client.get(
        f"/api/v1/articles/{hidden[kind].slug}/", HTTP_X_REQUEST_ID="v"
    )
    unknown_response = api_client.get("/api/v1/articles/never-existed/", HTTP_X_REQUEST_ID="v")

    assert hidden_response.status_code == unknown_response.status_code == 404
    assert hidden_response.content == unknown_response.content
    assert "Last-Modified" not in hidden_response
    assert hidden_response.json() == {
        "error": {"code": "not_found", "message": "Not found."},
        "request_id": "v",
    }


def test_tag_count_ignores_hidden_articles(api_client, world):
    tags = api_client.get("/api/v1/tags/").json()

    assert tags == [
        {"name": "Banjir", "slug": "banjir", "kind": "topic", "description": "", "article_count": 1}
    ]


def test_author_and_tag_of_only_hidden_articles_are_404(api_client):
    author = AuthorFactory(slug="hanya-draf")
    tag = TopicTagFactory(slug="hanya-draf")
    ArticleFactory(authors=[author], tags=[tag])

    assert api_client.get("/api/v1/authors/hanya-draf/").status_code == 404
    assert api_client.get("/api/v1/authors/hanya-draf/articles/").status_code == 404
    assert api_client.get("/api/v1/tags/hanya-draf/").status_code == 404
    assert api_client.get("/api/v1/tags/hanya-draf/articles/").status_code == 404


def test_there_is_no_public_users_endpoint(api_client):
    assert api_client.get("/api/v1/users/").status_code == 404
