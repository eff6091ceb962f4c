"""Tag services: typed names and aliases resolve to one tag; merge; suggestions from text."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from articles.models import TaggedArticle
from tagging.models import TagAlias, TopicTag
from tagging.services import (
    tag_alias_add,
    tag_merge,
    tag_merge_preview,
    tag_resolve,
    tags_resolve_or_create,
    tags_suggest_for_text,
)
from tagging.text import tag_name_key, text_stems
from tests.support.factories import ArticleFactory, TopicTagFactory

pytestmark = pytest.mark.django_db

FIVE_SPELLINGS = ["Rusia", "rusia", " Rusia ", "RUSIA", "Rúsia"]


@pytest.mark.parametrize("spelling", FIVE_SPELLINGS)
def test_tag_name_key_ignores_case_spaces_and_accents(spelling):
    assert tag_name_key(spelling) == "rusia"


SEPARATOR_SPELLINGS = ["Elections-2027", "elections 2027", "ELECTIONS_2027", "Elections – 2027",
                       "elections/2027", "Elections: 2027", "“Elections 2027”"]  # fmt: skip


@pytest.mark.parametrize("spelling", SEPARATOR_SPELLINGS)
def test_tag_name_key_ignores_separators(spelling):
    assert tag_name_key(spelling) == "elections 2027"


@pytest.mark.parametrize(
    ("first", "second"),
    [("Pilkada-2026", "pilkada 2026"), ("Jum'at Agung", "Jumat Agung"), ("Ma’ruf", "maruf")],
)
def test_tag_name_key_makes_these_one_name(first, second):
    assert tag_name_key(first) == tag_name_key(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Rp1,5 triliun", "Rp15 triliun"),  # a decimal comma is not a separator
        ("Rp1,5 triliun", "Rp1.5 triliun"),  # 1,5 and 1.5 differ between languages
        ("C++", "C"),
        ("C#", "C"),
        ("AT&T", "AT T"),
        ("5%", "5"),
        ("Москва", "Moskva"),
    ],
)
def test_tag_name_key_keeps_these_apart(first, second):
    assert tag_name_key(first) != tag_name_key(second)


def test_separator_spellings_of_a_tag_give_one_tag_one_after_the_other():
    articles = [ArticleFactory() for _ in SEPARATOR_SPELLINGS]

    for article, spelling in zip(articles, SEPARATOR_SPELLINGS, strict=True):
        article.tags.add(spelling)

    tag = TopicTag.objects.get()
    assert (tag.name, tag.slug, tag.name_key) == ("Elections-2027", "elections-2027",
                                                  "elections 2027")  # fmt: skip
    assert TaggedArticle.objects.filter(tag=tag).count() == len(SEPARATOR_SPELLINGS)


@pytest.mark.parametrize("spelling", ["ELECTIONS_2027", "elections/2027", "Elections – 2027"])
def test_every_separator_spelling_of_a_new_tag_gets_the_hyphenated_slug(spelling):
    [tag] = tags_resolve_or_create(names=[spelling]).values()

    assert tag.slug == "elections-2027"


def test_a_separator_spelling_of_an_alias_resolves_to_its_tag():
    tag = TopicTagFactory(name="Pemilihan Kepala Daerah", slug="pemilihan-kepala-daerah")
    tag_alias_add(tag=tag, name="Pilkada 2026")

    assert tag_resolve(name="pilkada-2026") == tag
    with pytest.raises(ValidationError) as refused:
        tag_alias_add(tag=tag, name="PILKADA_2026")
    assert refused.value.error_dict["name"][0].code == "duplicate_alias"


def test_resolving_names_costs_two_queries_and_five_per_new_tag(django_assert_num_queries):
    TopicTagFactory(name="Rusia", slug="rusia")

    # 1. Tags by key. 2. Aliases of the keys not found. 3-7 and 8-12, for "Banjir" and
    # "Gempa" in key order: SAVEPOINT, SAVEPOINT (taggit's), INSERT, RELEASE, RELEASE.
    with django_assert_num_queries(12):
        by_key = tags_resolve_or_create(names=["Rusia", "Gempa", "Banjir"])

    assert [by_key[key].name for key in ("rusia", "gempa", "banjir")] == [
        "Rusia",
        "Gempa",
        "Banjir",
    ]


def test_five_spellings_of_a_tag_give_one_tag():
    articles = [ArticleFactory() for _ in FIVE_SPELLINGS]

    for article, spelling in zip(articles, FIVE_SPELLINGS, strict=True):
        article.tags.add(spelling)

    tag = TopicTag.objects.get()
    assert (tag.name, tag.slug, tag.name_key) == ("Rusia", "rusia", "rusia")
    assert TaggedArticle.objects.filter(tag=tag).count() == 5


def test_five_spellings_in_one_call_give_one_tag_once():
    article = ArticleFactory()

    article.tags.set(FIVE_SPELLINGS)

    assert list(article.tags.values_list("name", flat=True)) == ["Rusia"]
    assert TopicTag.objects.count() == 1


def test_inner_spaces_are_one_space():
    article = ArticleFactory()

    article.tags.add("Joko   Widodo", "joko widodo ")

    assert list(TopicTag.objects.values_list("name", flat=True)) == ["Joko Widodo"]


def test_an_alias_resolves_to_its_tag():
    rusia = TopicTagFactory(name="Rusia", slug="rusia")
    tag_alias_add(tag=rusia, name="Russia")
    article = ArticleFactory()

    article.tags.add("RUSSIA")

    assert list(article.tags.all()) == [rusia]
    assert TopicTag.objects.count() == 1
    assert tag_resolve(name=" russia") == rusia
    assert tags_resolve_or_create(names=["Russia", "Rusia"]) == {"russia": rusia, "rusia": rusia}


def test_removing_by_another_spelling_removes_the_tag():
    article = ArticleFactory()
    article.tags.add("Rusia", "Banjir")

    article.tags.remove("RÚSIA")

    assert list(article.tags.names()) == ["Banjir"]


def test_blank_names_are_skipped_and_long_ones_refused():
    article = ArticleFactory()
    article.tags.add("  ", "")
    assert TopicTag.objects.count() == 0

    with pytest.raises(ValidationError):
        article.tags.add("x" * 101)
    assert TopicTag.objects.count() == 0


def test_an_alias_may_not_name_a_tag_or_repeat_an_alias():
    rusia = TopicTagFactory(name="Rusia", slug="rusia")
    TopicTagFactory(name="Ukraina", slug="ukraina")
    tag_alias_add(tag=rusia, name="Russia")

    with pytest.raises(ValidationError) as tag_name:
        tag_alias_add(tag=rusia, name="ukraina")
    with pytest.raises(ValidationError) as alias_again:
        tag_alias_add(tag=rusia, name="RUSSIA ")
    with pytest.raises(ValidationError):
        tag_alias_add(tag=rusia, name="   ")

    assert "name" in tag_name.value.message_dict
    assert "name" in alias_again.value.message_dict
    assert TagAlias.objects.count() == 1


def test_an_alias_gets_its_slug_only_when_free():
    rusia = TopicTagFactory(name="Rusia", slug="rusia")
    TopicTagFactory(name="Russia Today", slug="russia")

    alias = tag_alias_add(tag=rusia, name="Russia")

    assert alias.slug is None


# --- Merge ---------------------------------------------------------------------------------


@pytest.fixture
def two_tags():
    """Russia (3 articles, one also tagged Rusia, one alias) is merged into Rusia."""
    source = TopicTagFactory(name="Russia", slug="russia")
    target = TopicTagFactory(name="Rusia", slug="rusia")
    tag_alias_add(tag=source, name="Rossiya")
    only_source = [ArticleFactory(tags=[source]), ArticleFactory(tags=[source])]
    both = ArticleFactory(tags=[source, target])
    only_target = ArticleFactory(tags=[target])
    return source, target, only_source, both, only_target


def test_merge_preview_tells_what_will_move(two_tags):
    source, target, *_ = two_tags

    preview = tag_merge_preview(source=source, target=target)

    assert preview == {"items_moved": 2, "items_dropped": 1, "aliases": ["Russia", "Rossiya"]}


def test_merge_moves_everything_without_duplicates(two_tags):
    source, target, only_source, both, only_target = two_tags

    result = tag_merge(source=source, target=target)

    assert result["items_moved"] == 2 and result["items_dropped"] == 1
    assert not TopicTag.objects.filter(pk=source.pk).exists()
    for article in [*only_source, both, only_target]:
        assert list(article.tags.all()) == [target]
    assert TaggedArticle.objects.filter(tag=target).count() == 4
    aliases = {a.name: a.slug for a in target.aliases.all()}
    assert aliases == {"Russia": "russia", "Rossiya": "rossiya"}


def test_after_merge_the_old_name_resolves_to_the_target(two_tags):
    source, target, *_ = two_tags
    tag_merge(source=source, target=target)
    article = ArticleFactory()

    article.tags.add("russia", "ROSSIYA")

    assert list(article.tags.all()) == [target]
    assert TopicTag.objects.count() == 1


def test_merge_rolls_back_when_it_fails_midway(two_tags):
    source, target, only_source, both, only_target = two_tags
    before = sorted(TaggedArticle.objects.values_list("content_object", "tag"))

    with (
        mock.patch(
            "tagging.services._alias_from_merged_tag", side_effect=RuntimeError("disk full")
        ),
        pytest.raises(RuntimeError),
    ):
        tag_merge(source=source, target=target)

    assert TopicTag.objects.filter(pk=source.pk).exists()
    assert sorted(TaggedArticle.objects.values_list("content_object", "tag")) == before
    assert list(TagAlias.objects.values_list("name", "tag")) == [("Rossiya", source.pk)]


def test_a_tag_cannot_be_merged_into_itself():
    tag = TopicTagFactory()

    with pytest.raises(ValidationError):
        tag_merge(source=tag, target=tag)
    assert TopicTag.objects.filter(pk=tag.pk).exists()


# --- Suggestions from text -----------------------------------------------------------------


def test_text_stems_handle_indonesian_and_english_affixes():
    assert text_stems("Korupsinya dibongkar", language="id") == ["korupsi", "bongkar"]
    assert text_stems("Elections", language="en") == ["elect"]


def test_suggestions_find_names_and_aliases_in_indonesian_text():
    korupsi = TopicTagFactory(name="Korupsi")
    jabar = TopicTagFactory(name="Jawa Barat", kind=TopicTag.Kind.PLACE)
    kpk = TopicTagFactory(name="Komisi Pemberantasan Korupsi")
    tag_alias_add(tag=kpk, name="KPK")
    TopicTagFactory(name="Gempa")  # not in the text
    TopicTagFactory(name="Jawa Timur")  # shares one word only
    text = (
        "BANDUNG - KPK membongkar korupsinya di Jawa Barat. Kasus korupsi itu melibatkan "
        "pejabat Jawa tengah."
    )

    suggested = tags_suggest_for_text(text=text, language="id")

    assert suggested == [korupsi, jabar, kpk]


def test_suggestions_use_english_stems_and_skip_tags_already_chosen():
    election = TopicTagFactory(name="Election")
    market = TopicTagFactory(name="Markets")

    suggested = tags_suggest_for_text(
        text="Two elections and a market rally.", language="en", exclude_ids={market.pk}
    )

    assert suggested == [election]


def test_suggestions_count_an_alias_of_the_tags_own_name_once():
    pilkada = TopicTagFactory(name="Pilkada 2026", slug="pilkada-2026-1")
    TagAlias.objects.create(tag=pilkada, name="Pilkada-2026", slug="pilkada-2026")
    gempa = TopicTagFactory(name="Gempa", slug="gempa")
    TagAlias.objects.create(tag=gempa, name="Lindu")

    found = tags_suggest_for_text(text="Pilkada 2026: gempa, lindu.", language="id")

    assert found == [gempa, pilkada]


def test_suggestions_of_empty_text_are_empty():
    TopicTagFactory(name="Korupsi")

    assert tags_suggest_for_text(text="  ", language="id") == []


def test_merge_tells_subscribers_about_the_live_articles_it_changed():
    from articles.published.models import WebhookDelivery, WebhookSubscription

    WebhookSubscription.objects.create(name="front", url="https://front.example.org/hook")
    source = TopicTagFactory(name="Russia", slug="russia")
    target = TopicTagFactory(name="Rusia", slug="rusia")
    live = ArticleFactory(published=True, tags=[source])
    ArticleFactory(tags=[source])  # a draft: readers never saw it
    ArticleFactory(published=True, tags=[target])  # untouched by the merge

    tag_merge(source=source, target=target)

    deliveries = WebhookDelivery.objects.all()
    assert [(d.event_type, d.payload["data"]["slug"]) for d in deliveries] == [
        ("article.updated", live.slug)
    ]
