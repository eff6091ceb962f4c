"""`article_build` and `articles_create_bulk`: new articles checked in memory by the rules of
`article_create`, then written together with the rows `article_create` writes (revisions,
transitions, the published world), in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection
from django.utils import timezone

from articles.models import Article, ArticleTransition, RelatedLink
from articles.published.models import PublishedArticle
from articles.services import article_build, article_create, articles_create_bulk
from tests.support.concurrency import postgresql_only, run_together
from tests.support.factories import ArticleFactory, AuthorFactory, SectionFactory, TopicTagFactory

Status = Article.Status


def _arguments(n: int, *, section, author, tags, status=Status.PUBLISHED, **data) -> dict:
    return {
        "data": {
            "headline": f"Banjir rendam Bandung {n}",
            "slug": f"banjir-{n}",
            "body": "<p>Hujan deras.</p><script>alert(1)</script><p>Warga mengungsi.</p>",
            "section": section,
            **data,
        },
        "bylines": [author],
        "tags": tags,
        "related_links": [
            {"target_article_id": None, "url": "https://example.org/a", "title": "Luar"}
        ],
        "status": status,
        "publish_at": timezone.now() - timedelta(days=n),
    }


def _rows(article: Article) -> dict:
    """What `article_create` and the bulk write must agree on, ids left out."""
    return {
        "article": Article.objects.filter(pk=article.pk)
        .values("headline", "slug", "body", "status", "version", "published_at")
        .get(),
        "live": article.live_revision.number if article.live_revision else None,
        "revisions": [
            (r.number, {**r.data, "fields": {**r.data["fields"], "slug": None}})
            for r in article.revisions.order_by("number")
        ],
        "transitions": list(article.transitions.values_list("from_status", "to_status")),
        "tags": list(article.tagged_items.order_by("id").values_list("tag__name", flat=True)),
        "bylines": list(article.bylines.values_list("author_id", "position")),
        "published": PublishedArticle.objects.filter(article=article).exists(),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.SCHEDULED, Status.IN_REVIEW, "draft"])
def test_bulk_writes_what_article_create_writes(editor, sent_tasks, status):
    section, author = SectionFactory(), AuthorFactory()
    tags = [TopicTagFactory(name="Banjir"), TopicTagFactory(name="Bandung")]
    kwargs = {"section": section, "author": author, "tags": tags, "status": status}
    if status == Status.SCHEDULED:
        kwargs["status"] = Status.PUBLISHED  # a publish in the future schedules
    one = _arguments(1, **kwargs)
    two = _arguments(2, **kwargs)
    if status == Status.SCHEDULED:
        for arguments in (one, two):
            arguments["publish_at"] = timezone.now() + timedelta(days=1)

    created = article_create(user=editor, **one)
    [bulk] = articles_create_bulk(user=editor, new=[article_build(user=editor, **two)])

    created.refresh_from_db()
    bulk.refresh_from_db()
    assert created.status == status
    expected, got = _rows(created), _rows(bulk)
    for rows in (expected, got):
        rows["article"].pop("slug")
        rows["article"].pop("headline")
        rows["article"].pop("published_at")
        for _number, data in rows["revisions"]:
            data["fields"].pop("headline")
            data["fields"].pop("published_at")
    assert got == expected
    assert "<script>" not in bulk.body


@pytest.mark.django_db
def test_bulk_queries_do_not_grow_with_the_articles(editor, sent_tasks, django_assert_num_queries):
    section, author = SectionFactory(), AuthorFactory()
    tags = [TopicTagFactory(name="Banjir")]
    target = ArticleFactory(published=True, section=section)

    def build(numbers):
        new = []
        for n in numbers:
            arguments = _arguments(n, section=section, author=author, tags=tags)
            arguments["related_links"].append({"target_article_id": target.pk})
            new.append(article_build(user=editor, **arguments))
        # A link to an article of the same bulk write.
        new[-1].related_links.append(
            RelatedLink(article=new[-1].article, target_article=new[0].article)
        )
        return new

    one, five = build([1, 2]), build(range(3, 8))
    # Slugs (2), the link targets (1), a savepoint (2), an INSERT per table and the live
    # revisions' UPDATE (7; on PostgreSQL 6 more: a table's rows are copied, their ids
    # taken first, `bulk_insert`); then the published world built for all of them at once
    # (30: documents, tags, authors, search, the dashboard's counts per day (a read and an
    # upsert per count table), what subscribers and the suggestions job are told).
    queries = 42 + (6 if connection.vendor == "postgresql" else 0)
    with django_assert_num_queries(queries):
        articles_create_bulk(user=editor, new=one)
    with django_assert_num_queries(queries):
        articles = articles_create_bulk(user=editor, new=five)

    assert ArticleTransition.objects.filter(article__in=articles).count() == 5
    assert RelatedLink.objects.filter(article=articles[-1], target_article=articles[0]).exists()
    assert PublishedArticle.objects.filter(article__in=articles).count() == 5


@pytest.mark.django_db
def test_build_refuses_what_article_create_refuses(editor, writer, settings):
    section, author = SectionFactory(), AuthorFactory()
    settings.ARTICLE_BODY_MAX_BYTES = 100
    arguments = _arguments(1, section=section, author=author, tags=[])

    with pytest.raises(ValidationError) as error:
        article_build(
            user=editor, **{**arguments, "data": {**arguments["data"], "body": "x" * 200}}
        )
    assert "body" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        article_build(user=editor, **{**arguments, "bylines": []})
    assert "bylines" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        article_build(
            user=editor,
            **{**arguments, "related_links": [{"url": "not a url", "title": "x"}]},
        )
    assert "related_links" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        article_build(user=writer, **arguments)  # a writer may not publish
    with pytest.raises(ValueError, match="slug"):
        article_build(user=editor, **{**arguments, "data": {**arguments["data"], "slug": ""}})
    assert Article.objects.count() == 0


@pytest.mark.django_db
def test_bulk_refuses_a_slug_in_use_and_writes_nothing(editor, sent_tasks):
    section, author = SectionFactory(), AuthorFactory()
    ArticleFactory(slug="banjir-2", section=section)
    taken = [
        article_build(user=editor, **_arguments(n, section=section, author=author, tags=[]))
        for n in (1, 2)
    ]
    twice = [
        article_build(user=editor, **_arguments(3, section=section, author=author, tags=[]))
        for _ in (1, 2)
    ]

    for new in (taken, twice):
        with pytest.raises(ValidationError) as error:
            articles_create_bulk(user=editor, new=new)
        assert error.value.message_dict["slug"]
    assert Article.objects.count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_bulk_writes_of_one_slug_at_once(editor, sent_tasks):
    """The unique index holds the line: the second writer waits for the first, then is
    refused whole (its caller writes its articles one by one then)."""
    section, author = SectionFactory(), AuthorFactory()

    def write(n):
        new = [
            article_build(user=editor, **_arguments(n, section=section, author=author, tags=[])),
            article_build(user=editor, **_arguments(0, section=section, author=author, tags=[])),
        ]
        return articles_create_bulk(user=editor, new=new)

    outcomes = run_together(lambda: write(1), lambda: write(2))

    errors = [type(outcome.error) for outcome in outcomes]
    assert sorted(errors, key=str) == sorted([IntegrityError, type(None)], key=str)
    assert Article.objects.filter(slug="banjir-0").count() == 1
    assert Article.objects.count() == 2
