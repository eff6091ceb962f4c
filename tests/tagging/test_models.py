"""ASCII slugs (`tagging.text.slugify_ascii`) and the `TopicTag` model that uses them."""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError, transaction

from tagging.models import TopicTag
from tagging.text import slugify_ascii
from tests.support.factories import ArticleFactory

ASCII_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Gubernur Jawa Barat resmikan jembatan", "gubernur-jawa-barat-resmikan-jembatan"),
        ("BANDUNG - Hujan deras, warga mengungsi!", "bandung-hujan-deras-warga-mengungsi"),
        ("Why the rupiah fell: 5 questions", "why-the-rupiah-fell-5-questions"),
        ("Café Überfüllt", "cafe-uberfullt"),
        (
            "Pemkot resmikan Kafé di Jalan Braga: “Warga antusias”",
            "pemkot-resmikan-kafe-di-jalan-braga-warga-antusias",
        ),
        ("Straße in Köln", "strasse-in-koln"),
        ("Đà Nẵng, Łódź, İstanbul", "da-nang-lodz-istanbul"),
        ("北京奥运会", "beijingaoyunhui"),
        ("Москва готовит", "moskva-gotovit"),
        ("서울", "seoul"),
    ],
)
def test_slugify_ascii_transliterates_to_lowercase_ascii(text, slug):
    result = slugify_ascii(text)

    assert result == slug
    assert ASCII_SLUG.fullmatch(result)


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Rp1,5 triliun untuk MRT", "rp1-5-triliun-untuk-mrt"),
        ("Ekonomi tumbuh 5.2 persen", "ekonomi-tumbuh-5-2-persen"),
        ("Rp 1.500.000 per bulan", "rp-1-500-000-per-bulan"),
    ],
)
def test_slugify_ascii_keeps_numbers_apart(text, slug):
    # Dropping the separator would turn 1,5 trillion into "15" trillion.
    assert slugify_ascii(text) == slug


@pytest.mark.parametrize("text", ["", "  --  ", "!!!", None])
def test_slugify_ascii_of_nothing_sluggable_is_empty(text):
    assert slugify_ascii(text) == ""


def test_slugify_ascii_cuts_long_text_at_a_word_boundary():
    headline = (
        "Presiden meresmikan Bendungan Jatigede yang berlokasi di Kabupaten Sumedang, "
        "Jawa Barat, pada Senin pagi"
    )

    slug = slugify_ascii(headline, max_length=80)

    assert (
        slug == "presiden-meresmikan-bendungan-jatigede-yang-berlokasi-di-kabupaten-sumedang-jawa"
    )
    assert len(slug) <= 80
    assert slugify_ascii(headline, max_length=200).startswith(slug + "-")


def test_slugify_ascii_keeps_a_word_that_ends_exactly_at_the_limit():
    assert slugify_ascii("abcd efgh ijkl", max_length=9) == "abcd-efgh"
    assert slugify_ascii("abcd efgh ijkl", max_length=8) == "abcd"


def test_slugify_ascii_cuts_a_single_overlong_word():
    assert slugify_ascii("a" * 100, max_length=80) == "a" * 80


@pytest.mark.parametrize("max_length", [5, 17, 40, 80])
def test_slugify_ascii_never_exceeds_the_limit_nor_ends_with_a_hyphen(max_length):
    slug = slugify_ascii(
        "Kereta cepat Jakarta–Bandung mulai beroperasi 2 Oktober", max_length=max_length
    )

    assert 0 < len(slug) <= max_length
    assert ASCII_SLUG.fullmatch(slug)


# --- TopicTag -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Kota Bandung", "kota-bandung"),
        ("Café Braga", "cafe-braga"),
        ("北京", "beijing"),
        ("🔥", "fire"),
        ("???", "tag"),
    ],
)
def test_topic_tag_slug_is_ascii(name, slug):
    tag = TopicTag.objects.create(name=name)

    tag.refresh_from_db()
    assert tag.slug == slug


@pytest.mark.django_db
def test_topic_tags_with_the_same_slug_get_a_number():
    # Different names (punctuation counts in a name) that slugify alike.
    first = TopicTag.objects.create(name="C++")
    second = TopicTag.objects.create(name="C#")
    third = TopicTag.objects.create(name="C")

    assert [first.slug, second.slug, third.slug] == ["c", "c-1", "c-2"]


@pytest.mark.django_db
def test_the_database_refuses_a_second_spelling_of_a_tag():
    TopicTag.objects.create(name="Café")

    with pytest.raises(IntegrityError), transaction.atomic():
        TopicTag.objects.create(name=" CAFE ")


@pytest.mark.django_db
def test_a_long_topic_tag_name_gets_a_slug_within_the_column():
    name = "東京" * 50  # 100 characters, several hundred once transliterated

    tag = TopicTag.objects.create(name=name)

    assert 0 < len(tag.slug) <= 90
    assert ASCII_SLUG.fullmatch(tag.slug)


@pytest.mark.django_db
def test_topic_tag_names_are_unique():
    TopicTag.objects.create(name="Pemilu 2029")

    with pytest.raises(IntegrityError), transaction.atomic():
        TopicTag.objects.create(name="Pemilu 2029", slug="pemilu-2029-lagi")
    assert TopicTag.objects.count() == 1


@pytest.mark.django_db
def test_tags_added_to_an_article_by_name_get_ascii_slugs():
    article = ArticleFactory()

    article.tags.add("Kota Bandung", "Kafé Braga")

    assert sorted(article.tags.values_list("slug", flat=True)) == ["kafe-braga", "kota-bandung"]
    assert TopicTag.objects.get(slug="kafe-braga").kind == TopicTag.Kind.TOPIC
