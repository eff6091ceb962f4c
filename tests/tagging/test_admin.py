"""The tag admin: article counts without a query per row, filters, search and autocomplete."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tagging.models import TagAlias, TopicTag
from tagging.services import tag_alias_add
from tests.support.factories import ArticleFactory, TopicTagFactory

CHANGELIST = reverse("admin:tagging_topictag_changelist")
# The empty alias inline of the tag form.
ALIAS_FORMSET = {
    "aliases-TOTAL_FORMS": "0",
    "aliases-INITIAL_FORMS": "0",
    "aliases-MIN_NUM_FORMS": "0",
    "aliases-MAX_NUM_FORMS": "1000",
    "description": "",
}


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
        {**ALIAS_FORMSET, "name": "Piala Dunia", "slug": "piala-dunia", "kind": "event"},
    )
    assert response.status_code == 302
    tag = TopicTag.objects.get()
    assert (tag.name, tag.slug, tag.kind) == ("Piala Dunia", "piala-dunia", "event")


def test_duplicate_tag_name_is_a_form_error(editor_client):
    TopicTagFactory(name="Banjir", slug="banjir")
    response = editor_client.post(
        reverse("admin:tagging_topictag_add"),
        {**ALIAS_FORMSET, "name": "Banjir", "slug": "banjir-2", "kind": "topic"},
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


# --- Issue 5: normalised names, published counts, aliases and merging ---------------------


def test_tag_list_counts_published_and_all_articles(editor_client):
    banjir = TopicTagFactory(name="Banjir")
    ArticleFactory(published=True, tags=[banjir])
    ArticleFactory(tags=[banjir])  # a draft: counted in the total only

    response = editor_client.get(CHANGELIST)

    [row] = response.context["cl"].result_list
    assert (row.published_count, row.article_count) == (1, 2)


def test_tag_list_searches_aliases(editor_client):
    rusia = TopicTagFactory(name="Rusia")
    tag_alias_add(tag=rusia, name="Russia")
    TopicTagFactory(name="Ukraina")

    response = editor_client.get(f"{CHANGELIST}?q=russia")

    assert list(response.context["cl"].result_list) == [rusia]


def test_another_spelling_of_a_tag_is_a_form_error(editor_client):
    TopicTagFactory(name="Rusia", slug="rusia")

    response = editor_client.post(
        reverse("admin:tagging_topictag_add"),
        {**ALIAS_FORMSET, "name": " RÚSIA ", "slug": "rusia-2", "kind": "place"},
    )

    assert response.status_code == 200
    assert "exists already" in str(response.context["adminform"].form.errors["name"])
    assert TopicTag.objects.count() == 1


def test_an_alias_name_is_a_form_error_for_a_new_tag(editor_client):
    tag_alias_add(tag=TopicTagFactory(name="Rusia"), name="Russia")

    response = editor_client.post(
        reverse("admin:tagging_topictag_add"),
        {**ALIAS_FORMSET, "name": "russia", "slug": "russia", "kind": "place"},
    )

    assert response.status_code == 200
    assert "alias" in str(response.context["adminform"].form.errors["name"])


def test_editor_adds_an_alias_inline(editor_client):
    rusia = TopicTagFactory(name="Rusia", slug="rusia")

    response = editor_client.post(
        reverse("admin:tagging_topictag_change", args=[rusia.pk]),
        {
            **ALIAS_FORMSET,
            "aliases-TOTAL_FORMS": "1",
            "aliases-0-name": "Russia",
            "name": "Rusia",
            "slug": "rusia",
            "kind": "place",
        },
    )

    assert response.status_code == 302
    assert list(rusia.aliases.values_list("name", "slug")) == [("Russia", "russia")]


def test_a_tag_with_an_alias_of_its_own_name_still_saves(editor_client):
    # Left by the separator merge (articles.0016): "Pilkada-2026" keeps only its old URL.
    tag = TopicTagFactory(name="Pilkada 2026", slug="pilkada-2026-1")
    alias = TagAlias.objects.create(tag=tag, name="Pilkada-2026", slug="pilkada-2026")
    assert alias.name_key is None

    response = editor_client.post(
        reverse("admin:tagging_topictag_change", args=[tag.pk]),
        {
            **ALIAS_FORMSET,
            "aliases-TOTAL_FORMS": "1",
            "aliases-INITIAL_FORMS": "1",
            "aliases-0-id": str(alias.pk),
            "aliases-0-tag": str(tag.pk),
            "aliases-0-name": "Pilkada-2026",
            "name": "Pilkada 2026",
            "slug": "pilkada-2026-1",
            "kind": "event",
            "description": "Serentak.",
        },
    )

    assert response.status_code == 302
    tag.refresh_from_db()
    assert tag.description == "Serentak."
    assert list(tag.aliases.values_list("name", "slug", "name_key")) == [
        ("Pilkada-2026", "pilkada-2026", None)
    ]


def test_a_new_alias_spelling_its_own_tag_is_a_form_error(editor_client):
    tag = TopicTagFactory(name="Pilkada 2026", slug="pilkada-2026")

    response = editor_client.post(
        reverse("admin:tagging_topictag_change", args=[tag.pk]),
        {**ALIAS_FORMSET, "aliases-TOTAL_FORMS": "1", "aliases-0-name": "PILKADA-2026",
         "name": "Pilkada 2026", "slug": "pilkada-2026", "kind": "event"},
    )  # fmt: skip

    assert response.status_code == 200
    assert not TagAlias.objects.exists()


def _merge_url(tag) -> str:
    return reverse("admin:tagging_topictag_merge", args=[tag.pk])


def test_merge_asks_for_confirmation_showing_what_moves(editor_client):
    source = TopicTagFactory(name="Russia", slug="russia")
    target = TopicTagFactory(name="Rusia", slug="rusia")
    ArticleFactory(tags=[source])
    ArticleFactory(tags=[source, target])

    assert editor_client.get(_merge_url(source)).status_code == 200
    response = editor_client.post(_merge_url(source), {"target_name": "rusia"})

    assert response.status_code == 200
    assert response.context["preview"] == {
        "target": target,
        "items_moved": 1,
        "items_dropped": 1,
        "aliases": ["Russia"],
    }
    assert b'name="confirm"' in response.content
    assert TopicTag.objects.filter(pk=source.pk).exists()  # nothing happened yet


def test_confirmed_merge_moves_the_articles(editor_client):
    source = TopicTagFactory(name="Russia", slug="russia")
    target = TopicTagFactory(name="Rusia", slug="rusia")
    article = ArticleFactory(tags=[source])

    response = editor_client.post(
        _merge_url(source), {"target_name": "Rusia", "confirm": "Yes, merge"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:tagging_topictag_change", args=[target.pk])
    assert list(article.tags.all()) == [target]
    assert not TopicTag.objects.filter(pk=source.pk).exists()


@pytest.mark.parametrize("target_name", ["Tidak ada", "russia", ""])
def test_merge_into_an_unknown_tag_or_itself_is_a_form_error(editor_client, target_name):
    source = TopicTagFactory(name="Russia", slug="russia")

    response = editor_client.post(
        _merge_url(source), {"target_name": target_name, "confirm": "Yes, merge"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["target_name"]
    assert TopicTag.objects.filter(pk=source.pk).exists()


def test_writer_may_not_merge_tags(writer_client):
    source = TopicTagFactory(name="Russia")
    TopicTagFactory(name="Rusia")

    response = writer_client.post(_merge_url(source), {"target_name": "Rusia", "confirm": "1"})

    assert response.status_code == 403
    assert TopicTag.objects.count() == 2


def test_merge_action_needs_exactly_one_tag(editor_client):
    first, second = TopicTagFactory(), TopicTagFactory()

    many = editor_client.post(
        CHANGELIST, {"action": "merge_selected", "_selected_action": [first.pk, second.pk]}
    )
    one = editor_client.post(
        CHANGELIST, {"action": "merge_selected", "_selected_action": [first.pk]}
    )

    assert many.status_code == 302 and many["Location"].endswith(CHANGELIST)
    assert one.status_code == 302 and one["Location"] == _merge_url(first)
