"""The tag admin: article counts without a query per row, filters, search and autocomplete."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tagging.models import TopicTag
from tests.factories import ArticleFactory, TopicTagFactory

CHANGELIST = reverse("admin:tagging_topictag_changelist")


@pytest.fixture(autouse=True)
def _plain_http(settings):
    """The test client speaks http; production settings would redirect it to https."""
    settings.SECURE_SSL_REDIRECT = False


def test_tag_list_counts_articles(editor_client):
    busy = TopicTagFactory(name="Banjir")
    quiet = TopicTagFactory(name="Pemilu")
    ArticleFactory(tags=[busy])
    ArticleFactory(tags=[busy, quiet])
    response = editor_client.get(CHANGELIST)
    assert response.status_code == 200
    counts = {tag.name: tag.article_count for tag in response.context["cl"].result_list}
    assert counts == {"Banjir": 2, "Pemilu": 1}


def test_tag_list_queries_do_not_grow_with_rows(editor_client):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = editor_client.get(CHANGELIST)
        assert response.status_code == 200
        return len(queries)

    ArticleFactory(tags=[TopicTagFactory()])
    editor_client.get(CHANGELIST)  # warm the session and permissions
    one_row = count_queries()
    for _ in range(4):
        ArticleFactory(tags=[TopicTagFactory(), TopicTagFactory()])
    assert count_queries() == one_row


def test_tag_list_filters_by_kind_and_searches(editor_client):
    person = TopicTagFactory(name="Ridwan Kamil", kind=TopicTag.Kind.PERSON)
    TopicTagFactory(name="Bandung", kind=TopicTag.Kind.PLACE)
    response = editor_client.get(f"{CHANGELIST}?kind__exact=person")
    assert list(response.context["cl"].result_list) == [person]
    response = editor_client.get(f"{CHANGELIST}?q=ridwan")
    assert list(response.context["cl"].result_list) == [person]


def test_editor_adds_a_tag_with_a_slug(editor_client):
    response = editor_client.post(
        reverse("admin:tagging_topictag_add"),
        {"name": "Piala Dunia", "slug": "piala-dunia", "kind": "event", "description": ""},
    )
    assert response.status_code == 302
    tag = TopicTag.objects.get()
    assert (tag.name, tag.slug, tag.kind) == ("Piala Dunia", "piala-dunia", "event")


def test_duplicate_tag_name_is_a_form_error(editor_client):
    TopicTagFactory(name="Banjir", slug="banjir")
    response = editor_client.post(
        reverse("admin:tagging_topictag_add"),
        {"name": "Banjir", "slug": "banjir-2", "kind": "topic", "description": ""},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"]
    assert TopicTag.objects.count() == 1


def test_writer_finds_tags_through_the_article_autocomplete(writer_client):
    TopicTagFactory(name="Banjir Bandang")
    TopicTagFactory(name="Pemilu")
    response = writer_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "articles",
            "model_name": "taggedarticle",
            "field_name": "tag",
            "term": "banjir",
        },
    )
    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["Banjir Bandang"]
