"""Tags in the public API: counts, popular tags, merged tags' old addresses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tagging.services import tag_merge
from tests.support.factories import ArticleFactory, TopicTagFactory

pytestmark = pytest.mark.django_db


def _published(days_ago: float, tags):
    when = timezone.now() - timedelta(days=days_ago)
    return ArticleFactory(
        published=True,
        published_at=when,
        first_published_at=when,
        last_published_at=when,
        tags=tags,
    )


def test_tag_list_answers_in_one_query_however_many_tags(api_client, django_assert_num_queries):
    for _ in range(3):
        _published(1, [TopicTagFactory(), TopicTagFactory()])
    ArticleFactory(tags=[TopicTagFactory()])  # a draft's tag is not listed

    # 1 tags with their published counts (one aggregate query).
    with django_assert_num_queries(1):
        few = api_client.get("/api/v1/tags/").json()
    for _ in range(10):
        _published(1, [TopicTagFactory(), TopicTagFactory()])
    with django_assert_num_queries(1):
        many = api_client.get("/api/v1/tags/").json()

    assert (len(few), len(many)) == (6, 26)


def test_popular_tags_count_only_the_last_days(api_client, django_assert_num_queries):
    banjir = TopicTagFactory(name="Banjir", slug="banjir")
    gempa = TopicTagFactory(name="Gempa", slug="gempa", kind="event")
    pemilu = TopicTagFactory(name="Pemilu", slug="pemilu")
    for _ in range(3):
        _published(30, [pemilu])  # popular last month, not this week
    _published(2, [banjir, gempa])
    _published(1, [gempa])
    ArticleFactory(tags=[banjir])  # a draft

    with django_assert_num_queries(1):
        body = api_client.get("/api/v1/tags/?popular_days=7").json()

    assert [(t["slug"], t["article_count"]) for t in body] == [("gempa", 2), ("banjir", 1)]
    overall = api_client.get("/api/v1/tags/").json()
    assert [(t["slug"], t["article_count"]) for t in overall] == [
        ("pemilu", 3),
        ("gempa", 2),
        ("banjir", 1),
    ]
    events = api_client.get("/api/v1/tags/?popular_days=7&kind=event").json()
    assert [t["slug"] for t in events] == ["gempa"]


@pytest.mark.parametrize("value", ["0", "-1", "abc", "367", "1.5", "٣"])
def test_popular_days_out_of_range_is_a_400(api_client, value):
    response = api_client.get("/api/v1/tags/", {"popular_days": value})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_parameter"
    assert response.json()["error"]["field"] == "popular_days"


def test_a_merged_tags_old_address_redirects_to_the_tag_it_became(api_client):
    source = TopicTagFactory(name="Russia", slug="russia")
    target = TopicTagFactory(name="Rusia", slug="rusia")
    article = _published(1, [source])
    tag_merge(source=source, target=target)

    detail = api_client.get("/api/v1/tags/russia/")
    articles = api_client.get("/api/v1/tags/russia/articles/?page_size=5")

    assert detail.status_code == 301
    assert detail["Location"] == "/api/v1/tags/rusia/"
    assert articles.status_code == 301
    assert articles["Location"] == "/api/v1/tags/rusia/articles/?page_size=5"
    followed = api_client.get(articles["Location"]).json()
    assert [item["slug"] for item in followed["results"]] == [article.slug]
    assert api_client.get("/api/v1/tags/rusia/").json()["article_count"] == 1


def test_unknown_and_unpublished_tags_stay_404(api_client):
    source = TopicTagFactory(name="Russia", slug="russia")
    target = TopicTagFactory(name="Rusia", slug="rusia")
    ArticleFactory(tags=[source])  # a draft only: the merged tag is not public
    tag_merge(source=source, target=target)

    assert api_client.get("/api/v1/tags/russia/").status_code == 404
    assert api_client.get("/api/v1/tags/never-existed/").status_code == 404
    assert api_client.get("/api/v1/tags/never-existed/articles/").status_code == 404
