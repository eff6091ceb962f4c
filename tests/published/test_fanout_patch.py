"""A rename fanned out in the background patches the stored documents
(articles/published/patch.py): the bytes, ETags and cache tags equal a full rebuild's, in a
constant number of queries per batch."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, RelatedSuggestion
from articles.published.build import published_rebuild, published_refresh
from articles.published.fanout import (
    FANOUT_AUTHOR,
    FANOUT_SECTION,
    FANOUT_TAG,
    published_fanout_run,
)
from articles.published.models import PublishedArticle
from articles.published.patch import author_patch, published_patch, section_patch, tag_patch
from tests.support.factories import (
    ArticleFactory,
    AuthorFactory,
    RelatedLinkFactory,
    SectionFactory,
    TopicTagFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_batches(settings):
    settings.PUBLISHED_FANOUT_INLINE_LIMIT = 2
    settings.PUBLISHED_FANOUT_BATCH = 3


def _rows() -> dict[int, tuple]:
    return {
        row[0]: row[1:]
        for row in PublishedArticle.objects.values_list(
            "article_id", "document", "teaser", "etag", "cache_tags", "updated_at"
        )
    }


def _assert_as_rebuilt() -> None:
    patched = _rows()
    published_rebuild()
    assert _rows() == patched


@pytest.fixture
def world(settings):
    """Articles in one section, by two authors, with two tags, linking to and suggesting
    each other and linked to from another section; one with a canonical URL, one under
    embargo."""
    settings.RELATED_SUGGESTIONS_MIN_LINKS = 3
    section = SectionFactory(name="Daerah", slug="daerah")
    other = SectionFactory(name="Nasional", slug="nasional")
    author, coauthor = AuthorFactory(name="Dewi"), AuthorFactory(name="Budi")
    tag, second = TopicTagFactory(name="Banjir"), TopicTagFactory(name="Cuaca")
    articles = [
        ArticleFactory(published=True, section=section, authors=[coauthor, author], tags=[tag])
        for _ in range(4)
    ]
    articles += [
        ArticleFactory(published=True, section=section, authors=[author], tags=[tag, second]),
        ArticleFactory(
            published=True,
            section=section,
            authors=[author],
            tags=[second, tag],
            canonical_url="https://partner.example.org/story",
        ),
    ]
    hidden = articles[3]
    Article.objects.filter(pk=hidden.pk).update(
        embargo_until=hidden.published_at.replace(year=hidden.published_at.year + 1)
    )
    linking = ArticleFactory(published=True, section=other, tags=[second])
    for target in (articles[0], articles[5]):
        RelatedLinkFactory(article=linking, target_article=target, url="", title="")
    RelatedLinkFactory(article=articles[4], target_article=articles[1], url="", title="")
    RelatedSuggestion.objects.bulk_create(
        RelatedSuggestion(article=articles[0], target=target, score=1.0, position=n)
        for n, target in enumerate(articles[1:3], start=1)
    )
    published_refresh(article_ids=[a.pk for a in [*articles, linking]])
    return {
        "section": section,
        "author": author,
        "tag": tag,
        "articles": articles,
        "linking": linking,
    }


def _run(kind: str, object_id: int) -> None:
    while published_fanout_run(kind=kind, object_id=object_id, max_batches=1) is not None:
        pass


def test_a_tag_rename_patches_documents_as_a_full_build_would(
    world, django_capture_on_commit_callbacks, sent_tasks
):
    tag = world["tag"]
    with django_capture_on_commit_callbacks(execute=True):
        tag.name, tag.slug = "Zona Banjir", "zona-banjir"  # now sorted after "Cuaca"
        tag.save()
    _run(FANOUT_TAG, tag.pk)

    document = json.loads(PublishedArticle.objects.get(article=world["articles"][4]).document)
    assert [t["name"] for t in document["tags"]] == ["Cuaca", "Zona Banjir"]
    assert document["json_ld"]["keywords"] == ["Cuaca", "Zona Banjir"]
    _assert_as_rebuilt()


def test_an_author_rename_patches_documents_as_a_full_build_would(
    world, django_capture_on_commit_callbacks, sent_tasks
):
    author = world["author"]
    with django_capture_on_commit_callbacks(execute=True):
        author.name, author.slug, author.bio = "Dewi Lestari", "dewi-lestari", "Reporter."
        author.save()
    _run(FANOUT_AUTHOR, author.pk)

    document = json.loads(PublishedArticle.objects.get(article=world["articles"][0]).document)
    assert document["bylines"][1]["name"] == "Dewi Lestari"
    _assert_as_rebuilt()


def test_a_section_rename_patches_documents_and_cards_as_a_full_build_would(
    world, django_capture_on_commit_callbacks, sent_tasks
):
    section = world["section"]
    with django_capture_on_commit_callbacks(execute=True):
        section.name, section.slug = "Jawa Barat", "jabar"
        section.save()
    _run(FANOUT_SECTION, section.pk)

    document = json.loads(PublishedArticle.objects.get(article=world["linking"]).document)
    assert "/jabar/" in document["related"][0]["url"]
    _assert_as_rebuilt()


def test_a_section_renamed_without_a_new_slug_leaves_the_linking_articles_alone(
    world, django_capture_on_commit_callbacks, django_assert_num_queries, sent_tasks
):
    section = world["section"]
    linking = PublishedArticle.objects.get(article=world["linking"])
    with django_capture_on_commit_callbacks(execute=True):
        section.name = "Jawa Barat"
        section.save()
    ids = [a.pk for a in world["articles"]]

    # As a tag's: no query for the articles linking to the batch, no lock on them.
    with django_assert_num_queries(6):
        assert published_patch(patch=section_patch, article_ids=ids) == len(ids)

    document = json.loads(PublishedArticle.objects.get(article=ids[0]).document)
    assert document["section"]["name"] == "Jawa Barat"
    assert PublishedArticle.objects.get(article=world["linking"]).etag == linking.etag
    _assert_as_rebuilt()


@pytest.mark.parametrize("count", [2, 6])
@pytest.mark.parametrize(
    ("patch", "queries"),
    # The savepoint and its release, the lock, what the documents show of the object, the
    # documents, the UPDATE; a section with a new slug: also the articles linking to the
    # batch (two), their lock and their documents.
    [(tag_patch, 6), (author_patch, 6), (section_patch, 10)],
)
def test_a_batch_is_patched_in_a_constant_number_of_queries(
    world, patch, queries, count, django_assert_num_queries
):
    world["tag"].name = "Zona Banjir"
    world["tag"].save()
    world["section"].slug = "jabar"
    world["section"].save()
    world["author"].name = "Dewi Lestari"
    world["author"].save()
    ids = [a.pk for a in world["articles"][:count]]

    with django_assert_num_queries(queries):
        published_patch(patch=patch, article_ids=ids)


def test_documents_that_do_not_change_are_not_written(world):
    ids = [a.pk for a in world["articles"]]
    with CaptureQueriesContext(connection) as queries:
        assert published_patch(patch=tag_patch, article_ids=ids) == 0
    assert not any(q["sql"].startswith("UPDATE") for q in queries.captured_queries)


def test_a_worker_dying_inside_a_batch_leaves_it_whole_for_the_next(
    world, monkeypatch, django_capture_on_commit_callbacks, sent_tasks
):
    from articles.published import patch as patch_module
    from newsroom.jobs.models import BackgroundJob

    tag = world["tag"]
    with django_capture_on_commit_callbacks(execute=True):
        tag.name = "Zona Banjir"
        tag.save()
    published_fanout_run(kind=FANOUT_TAG, object_id=tag.pk, max_batches=1)
    write = patch_module._write

    def write_then_die(patched):
        write(patched)
        raise SystemExit("worker killed")

    monkeypatch.setattr(patch_module, "_write", write_then_die)
    with pytest.raises(SystemExit):
        published_fanout_run(kind=FANOUT_TAG, object_id=tag.pk)

    # The second batch's UPDATE was rolled back with it: its documents, and the cursor, are
    # as the first batch left them.
    job = BackgroundJob.objects.get(kind=FANOUT_TAG, object_id=tag.pk)
    assert (job.status, job.done) == ("running", 3)
    names = [
        [t["name"] for t in json.loads(PublishedArticle.objects.get(article=a).document)["tags"]]
        for a in world["articles"]
    ]
    assert [("Zona Banjir" in shown) for shown in names] == [True] * 3 + [False] * 3

    monkeypatch.setattr(patch_module, "_write", write)
    _run(FANOUT_TAG, tag.pk)
    job.refresh_from_db()
    assert (job.status, job.done) == ("done", 6)
    _assert_as_rebuilt()
