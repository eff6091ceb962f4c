"""The article admin at a million articles (articles/admin/changelist.py): queries per page,
no count of the whole table, search through the search vector, filters that do not list
every author and tag, and a related-article autocomplete that matches typed prefixes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.admin import changelist
from articles.models import Article, search
from tests.support.admin import admin_url
from tests.support.factories import (
    ArticleFactory,
    ArticlePhotoFactory,
    AuthorFactory,
    PhotoFactory,
    RelatedLinkFactory,
    SectionFactory,
    TopicTagFactory,
)

Status = Article.Status
CHANGELIST = admin_url(Article, "changelist")

# Queries per page, whatever the number of rows (see `test_pages_cost_the_same_with_more_rows`).
# The list: session, user, its permissions (2), sections for their filter, the capped count,
# the page, its bylines.
CHANGELIST_QUERIES = 8
# The change form: the same however many bylines, tags, photos and related links it has
# (`test_the_change_form_costs_the_same_with_many_rows`). The suggestions are read after the
# page has loaded (`articles.admin.suggestions`): 24 queries before.
CHANGE_FORM_QUERIES = 18
# Session, user, permissions (2), the page of headlines (and one more row: no count) among
# the newest articles; on PostgreSQL, when those do not fill the page, all the matches
# (`articles.models.search.headline_prefix_page`).
AUTOCOMPLETE_QUERIES = 6 if connection.vendor == "postgresql" else 5


@pytest.fixture
def archive(db):
    """Articles in two sections with bylines, tags and lead photos; one to search for."""
    sections = [SectionFactory(name="Nasional"), SectionFactory(name="Ekonomi")]
    for number in range(6):
        ArticleFactory(
            section=sections[number % 2],
            published=number % 3 == 0,
            lead_photo=PhotoFactory(),
            authors=[AuthorFactory(), AuthorFactory()],
            tags=[TopicTagFactory()],
        )
    wanted = ArticleFactory(
        headline="Jembatan Cisomang dibuka kembali",
        section=sections[0],
        published=True,
        tags=[TopicTagFactory()],
    )
    return {"sections": sections, "wanted": wanted}


def _pages(archive) -> dict[str, str]:
    wanted = archive["wanted"]
    section = archive["sections"][0]
    return {
        "unfiltered": CHANGELIST,
        "section and status": (
            f"{CHANGELIST}?section__id__exact={section.pk}&status__exact={Status.PUBLISHED}"
        ),
        "search": f"{CHANGELIST}?q=Cisomang",
        "change form": admin_url(Article, "change", wanted.pk),
        "autocomplete": reverse("admin:autocomplete")
        + "?app_label=articles&model_name=relatedlink&field_name=target_article&term=cisom",
    }


EXPECTED_QUERIES = {
    "unfiltered": CHANGELIST_QUERIES,
    "section and status": CHANGELIST_QUERIES,
    "search": CHANGELIST_QUERIES,
    "change form": CHANGE_FORM_QUERIES,
    "autocomplete": AUTOCOMPLETE_QUERIES,
}


@pytest.mark.parametrize("page", list(EXPECTED_QUERIES))
def test_queries_per_admin_page(page, archive, editor_client, django_assert_num_queries):
    url = _pages(archive)[page]
    editor_client.get(url)  # warm the session
    with django_assert_num_queries(EXPECTED_QUERIES[page]):
        response = editor_client.get(url)
    assert response.status_code == 200


def test_pages_cost_the_same_with_more_rows(archive, editor_client):
    def counts() -> dict[str, int]:
        found = {}
        for page, url in _pages(archive).items():
            with CaptureQueriesContext(connection) as queries:
                assert editor_client.get(url).status_code == 200
            found[page] = len(queries)
        return found

    counts()
    before = counts()
    for number in range(5):
        ArticleFactory(
            headline=f"Cisomang bagian {number}",
            section=archive["sections"][0],
            published=True,
            lead_photo=PhotoFactory(),
            authors=[AuthorFactory(), AuthorFactory()],
            tags=[TopicTagFactory()],
        )
    assert counts() == before


def _article_with_rows(rows: int) -> Article:
    """A published article with `rows` bylines, tags, inline photos, related articles and
    outside links."""
    article = ArticleFactory(
        published=True,
        lead_photo=PhotoFactory(),
        authors=[AuthorFactory() for _ in range(rows)],
        tags=[TopicTagFactory() for _ in range(rows)],
    )
    for number in range(rows):
        ArticlePhotoFactory(article=article, after_paragraph=number, position=number)
        RelatedLinkFactory(
            article=article,
            target_article=ArticleFactory(published=True),
            url="",
            title="",
            position=2 * number,
        )
        RelatedLinkFactory(article=article, position=2 * number + 1)
    return article


def test_the_change_form_costs_the_same_with_many_rows(editor_client):
    """No query per inline row: rows hold their article and their autocomplete choices."""
    counts = {}
    for rows in (1, 12):
        url = admin_url(Article, "change", _article_with_rows(rows).pk)
        editor_client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = editor_client.get(url)
        assert response.status_code == 200
        counts[rows] = len(queries)
        html = response.content.decode()
        article = response.context["original"]
        # Every chosen author, tag, photo and related article is still shown as chosen.
        for byline in article.bylines.select_related("author"):
            assert f'<option value="{byline.author_id}" selected>{byline.author.name}' in html
        for link in article.related_links.exclude(target_article=None):
            assert f'<option value="{link.target_article_id}" selected>' in html
        for placement in article.article_photos.all():
            assert f'<option value="{placement.photo_id}" selected>' in html
    # As many as the fixture's article: its lead photo, as its section, comes with it.
    assert counts == {1: CHANGE_FORM_QUERIES, 12: CHANGE_FORM_QUERIES}


@pytest.mark.parametrize("page", ["unfiltered", "section and status", "search"])
def test_the_change_list_never_counts_the_whole_table(page, archive, editor_client):
    """Every count of articles is over a subquery that stops at `COUNT_LIMIT` + 1 rows."""
    with CaptureQueriesContext(connection) as queries:
        response = editor_client.get(_pages(archive)[page])
    assert response.status_code == 200
    counts = [q["sql"] for q in queries if re.search(r"\bCOUNT\(", q["sql"], re.IGNORECASE)]
    assert counts, "the paginator counts, with a limit"
    for sql in counts:
        assert f"LIMIT {changelist.COUNT_LIMIT + 1}" in sql, sql


def test_a_long_list_says_more_than_the_limit(archive, editor_client, monkeypatch):
    monkeypatch.setattr(changelist, "COUNT_LIMIT", 3)
    # No planner estimate, as for a table not analyzed yet: on PostgreSQL an earlier test's
    # rows, once autovacuum has analyzed them, would leave one above this limit of 3.
    monkeypatch.setattr(changelist.CappedCountPaginator, "estimate", None)
    monkeypatch.setattr(admin.site._registry[Article], "list_per_page", 2)
    response = editor_client.get(CHANGELIST)
    cl = response.context["cl"]
    assert cl.result_count == 4  # the limit and one more
    assert cl.paginator.is_capped
    assert "more than 3 articles" in response.content.decode()
    assert len(cl.result_list) == 2
    assert editor_client.get(CHANGELIST, {"p": 2}).status_code == 200


def test_search_finds_headline_words(archive, editor_client):
    response = editor_client.get(f"{CHANGELIST}?q=cisomang")
    assert list(response.context["cl"].result_list) == [archive["wanted"]]
    # Operators and quotes are words to search for, never an error.
    for query in ('"cisomang', "cisomang & | !", "(", "   "):
        assert editor_client.get(CHANGELIST, {"q": query}).status_code == 200, query


def test_author_and_tag_filters_list_only_the_chosen_one(editor_client):
    chosen_author, other_author = AuthorFactory(name="Siti Rahma"), AuthorFactory(name="Budi")
    chosen_tag, other_tag = TopicTagFactory(name="Banjir"), TopicTagFactory(name="Gempa")
    wanted = ArticleFactory(authors=[chosen_author], tags=[chosen_tag])
    ArticleFactory(authors=[other_author], tags=[other_tag])

    html = editor_client.get(CHANGELIST).content.decode()
    sidebar = html[html.index('id="changelist-filter"') :]
    for name in ("Siti Rahma", "Budi", "Banjir", "Gempa"):
        assert name not in sidebar, name
    assert 'data-model-name="byline"' in sidebar
    assert 'data-model-name="taggedarticle"' in sidebar

    response = editor_client.get(
        CHANGELIST, {"authors__id__exact": chosen_author.pk, "tags__id__exact": chosen_tag.pk}
    )
    assert list(response.context["cl"].result_list) == [wanted]
    sidebar = response.content.decode()[response.content.decode().index('id="changelist-filter"') :]
    assert f'<option value="{chosen_author.pk}" selected>Siti Rahma</option>' in sidebar
    assert f'<option value="{chosen_tag.pk}" selected>Banjir</option>' in sidebar
    assert "Budi" not in sidebar
    assert "Gempa" not in sidebar
    # The other filter's choice is kept by each filter's form.
    assert f'type="hidden" name="tags__id__exact" value="{chosen_tag.pk}"' in sidebar


def test_filters_ignore_a_malformed_choice(editor_client):
    ArticleFactory()
    response = editor_client.get(CHANGELIST, {"authors__id__exact": "x"})
    assert response.status_code in (200, 302)


def _autocomplete(client, term: str, page: int = 1):
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "articles",
            "model_name": "relatedlink",
            "field_name": "target_article",
            "term": term,
            "page": page,
        },
    )
    assert response.status_code == 200, term
    return response.json()


def test_related_article_autocomplete_matches_typed_headline_prefixes(editor_client):
    wanted = ArticleFactory(headline="Banjir di Dayeuhkolot", published=True)
    ArticleFactory(headline="Gempa di Cianjur", dek="Banjir juga", published=True)
    for term in ("banj", "Banjir", "banjir di", "dayeuhk", "BANJIR DAYEUHKOLOT"):
        assert [row["id"] for row in _autocomplete(editor_client, term)["results"]] == [
            str(wanted.pk)
        ], term
    assert _autocomplete(editor_client, "cianjur banjir")["results"] == []
    for term in ("banjir & | !", "'", ":*", "(("):
        _autocomplete(editor_client, term)


def test_related_article_autocomplete_matches_words_as_written_not_their_stems(editor_client):
    """Indonesian stemming makes "Pemerintah" "perintah" and "Kebakaran" "bakar": an editor
    typing the start of the word as written still finds the headline."""
    wanted = ArticleFactory(headline="Pemerintah Kota Tangani Kebakaran Pasar", published=True)
    for term in ("peme", "Pemerintah", "pemerintah kota", "kebak", "pasar pemer"):
        assert [row["id"] for row in _autocomplete(editor_client, term)["results"]] == [
            str(wanted.pk)
        ], term
    assert _autocomplete(editor_client, "perintah")["results"] == []


def test_related_article_autocomplete_pages_are_the_newest_matches_whatever_the_prefix(
    editor_client, monkeypatch, django_assert_num_queries
):
    """A page a common prefix fills among the newest articles and one read from all matches
    (`search.headline_prefix_page`) are both the newest matches first, in order; articles
    in the trash are not offered."""
    monkeypatch.setattr(search, "PREFIX_WINDOW", 24)
    older = [ArticleFactory(headline=f"Jembatan lama {number}") for number in range(3)]
    Article.objects.filter(pk__in=[article.pk for article in older]).update(
        updated_at=timezone.now() - timedelta(days=30)
    )
    for number in range(25):
        ArticleFactory(headline=f"Pemilu daerah {number}")
    trashed = ArticleFactory(headline="Pemilu dibatalkan")
    Article.objects.filter(pk=trashed.pk).update(deleted_at=timezone.now())
    newest_first = Article.objects.filter(deleted_at__isnull=True).order_by("-updated_at", "-id")

    def expected(prefix: str) -> list[str]:
        return [
            str(pk)
            for pk in newest_first.filter(headline__startswith=prefix).values_list("pk", flat=True)
        ]

    _autocomplete(editor_client, "pemilu")  # warm the session
    with django_assert_num_queries(5):  # the window of the 24 newest holds the first page
        first = _autocomplete(editor_client, "pemilu")
    second = _autocomplete(editor_client, "pemilu", page=2)
    assert [row["id"] for row in first["results"] + second["results"]] == expected("Pemilu")
    assert first["pagination"]["more"] is True
    assert second["pagination"]["more"] is False
    assert [row["id"] for row in _autocomplete(editor_client, "jemb")["results"]] == expected(
        "Jembatan"
    )


def test_related_article_autocomplete_answers_a_page_at_a_time(editor_client):
    for number in range(22):
        ArticleFactory(headline=f"Pemilu daerah {number}", published=True)
    answer = _autocomplete(editor_client, "pemilu")
    assert len(answer["results"]) == 20
    assert answer["pagination"]["more"] is True
    second = _autocomplete(editor_client, "pemilu", page=2)
    assert len(second["results"]) == 2
    assert second["pagination"]["more"] is False
    seen = {row["id"] for row in answer["results"]} | {row["id"] for row in second["results"]}
    assert len(seen) == 22
    for page in ("0", "x", "-1"):
        response = editor_client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "articles",
                "model_name": "relatedlink",
                "field_name": "target_article",
                "term": "pemilu",
                "page": page,
            },
        )
        assert response.status_code in (200, 404), page


def test_the_change_form_offers_no_empty_row_where_the_article_has_rows(editor_client):
    """An empty byline and tag row only when the article has none; "Add another" remains."""
    with_rows = _article_with_rows(2)
    without_tags = ArticleFactory(authors=[AuthorFactory()])

    html = editor_client.get(admin_url(Article, "change", with_rows.pk)).content.decode()
    bare = editor_client.get(admin_url(Article, "change", without_tags.pk)).content.decode()
    new = editor_client.get(admin_url(Article, "add")).content.decode()

    def total(page: str, prefix: str) -> str:
        return re.search(rf'name="{prefix}-TOTAL_FORMS" value="(\d+)"', page).group(1)

    assert (total(html, "bylines"), total(html, "tagged_items")) == ("2", "2")
    assert (total(bare, "bylines"), total(bare, "tagged_items")) == ("1", "1")
    assert (total(new, "bylines"), total(new, "tagged_items")) == ("1", "1")
    assert 'id="tagged_items-empty"' in html  # the row "Add another tag" copies


def test_inline_rows_offer_no_change_or_delete_of_the_chosen_object(editor_client):
    """A byline row's "+" adds an author; no icon there edits or deletes the author."""
    article = _article_with_rows(1)

    html = editor_client.get(admin_url(Article, "change", article.pk)).content.decode()

    assert 'id="add_id_bylines-0-author"' in html
    assert 'id="change_id_bylines-0-author"' not in html
    assert 'id="delete_id_bylines-0-author"' not in html
    assert 'id="view_id_bylines-0-author"' not in html
