"""Tags under concurrency: new tags, separator variants and aliases created at once.

Real threads, released together, on PostgreSQL (`tests/support/concurrency.py`). No request may end
in a 500 or a 503, and the tags afterwards are what a sequential run would have made.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils.text import slugify

from articles.models import Article, TaggedArticle
from articles.services import article_revision_record
from tagging.models import TagAlias, TopicTag
from tagging.services import tag_alias_add, tag_merge, tags_resolve_or_create
from tests.support.admin import admin_url
from tests.support.api import article_url, token_client
from tests.support.concurrency import postgresql_only, run_together
from tests.support.factories import ArticleFactory, AuthorFactory, TopicTagFactory

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]

ROUNDS = 20
SEPARATOR_VARIANTS = [
    "Elections-2027",
    "elections 2027",
    "ELECTIONS_2027",
    "Elections – 2027",
    "elections/2027",
    "Élections 2027",
    "elections-2027",
    " Elections  2027 ",
]


@pytest.fixture(autouse=True)
def _no_throttle(settings, sent_tasks):  # noqa: F811 - the fixture, imported above
    settings.API_WRITE_THROTTLE_RATE = None
    settings.API_ANON_THROTTLE_RATE = None


def test_new_tags_added_in_opposite_orders_by_concurrent_saves_never_deadlock(editor):
    author = AuthorFactory(slug="siti-rahma")
    articles = []
    for name in ("a", "b"):
        article = ArticleFactory(slug=f"artikel-{name}", authors=[author])
        article_revision_record(article=article, user=editor, bump=False)
        articles.append(article)
    statuses = []

    for number in range(ROUNDS):
        names = [f"Topik {number} {letter}" for letter in "ABCDEF"]

        def patch(article, tags):
            version = Article.objects.get(pk=article.pk).version
            client = token_client(editor)
            return lambda: client.patch(
                article_url(article), {"tags": tags}, format="json", HTTP_IF_MATCH=f'"v{version}"'
            )

        outcomes = run_together(
            patch(articles[0], names), patch(articles[1], list(reversed(names)))
        )
        assert [o.error for o in outcomes] == [None, None]
        statuses += [o.result.status_code for o in outcomes]

    assert statuses == [200] * 2 * ROUNDS
    assert TopicTag.objects.count() == 6 * ROUNDS
    for article in articles:
        assert sorted(
            TaggedArticle.objects.filter(content_object=article).values_list("tag__name", flat=True)
        ) == [f"Topik {ROUNDS - 1} {letter}" for letter in "ABCDEF"]


def test_separator_variants_of_one_new_name_created_at_once_give_one_tag():
    outcomes = run_together(
        *(lambda name=name: tags_resolve_or_create(names=[name]) for name in SEPARATOR_VARIANTS)
    )

    assert [o.error for o in outcomes] == [None] * len(SEPARATOR_VARIANTS)
    tag = TopicTag.objects.get()
    assert {next(iter(o.result.values())).pk for o in outcomes} == {tag.pk}
    assert tag.slug == "elections-2027"


def test_one_alias_added_twice_at_once_one_is_saved_one_is_refused():
    tag = TopicTagFactory(name="Joko Widodo", slug="joko-widodo")

    outcomes = run_together(
        lambda: tag_alias_add(tag=tag, name="Jokowi"),
        lambda: tag_alias_add(tag=tag, name="jokowi"),
    )

    errors = [o.error for o in outcomes if o.error is not None]
    assert len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert errors[0].error_dict["name"][0].code == "duplicate_alias"
    assert list(TagAlias.objects.values_list("name_key", "slug", "tag")) == [
        ("jokowi", "jokowi", tag.pk)
    ]


def test_two_aliases_with_one_slug_added_at_once_both_are_saved_one_with_the_url():
    # Different names (one key each) that slugify alike: the second gets no URL of its own.
    tag = TopicTagFactory(name="Moskwa", slug="moskwa")

    outcomes = run_together(
        lambda: tag_alias_add(tag=tag, name="Moskva"),
        lambda: tag_alias_add(tag=tag, name="Москва"),
    )

    assert [o.error for o in outcomes] == [None, None]
    assert sorted(TagAlias.objects.values_list("name", flat=True)) == ["Moskva", "Москва"]
    assert sorted(TagAlias.objects.values_list("slug", flat=True), key=str) == [None, "moskva"]


def _admin_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_two_admins_adding_one_tag_name_at_once_one_saves_one_sees_the_form_error(admin_user):
    clients = [_admin_client(admin_user) for _ in range(2)]
    names = ["Pemilu 2024", "Pilkada 2026", "Gempa Cianjur"]

    def add(client, name):
        data = {
            "name": name,
            "slug": slugify(name),
            "kind": "event",
            "description": "",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
            "aliases-MIN_NUM_FORMS": "0",
            "aliases-MAX_NUM_FORMS": "1000",
        }
        return lambda: client.post(admin_url(TopicTag, "add"), data)

    for name in names:
        outcomes = run_together(*(add(client, name) for client in clients))

        assert [o.error for o in outcomes] == [None, None]
        assert sorted(o.result.status_code for o in outcomes) == [200, 302]
        refused = next(o.result for o in outcomes if o.result.status_code == 200)
        # Which checks speak depends on when, during this validation, the other save
        # committed; each is one a sequential second save could show.
        errors = refused.context["adminform"].form.errors
        assert errors
        assert set(errors) <= {"name", "slug"}
        assert errors.get("name", [f"The tag “{name}” exists already."]) in (
            [f"The tag “{name}” exists already."],
            ["Tag with this Name already exists."],
        )
        assert errors.get("slug", []) in ([], ["Tag with this Slug already exists."])
    assert sorted(TopicTag.objects.values_list("name", "slug")) == sorted(
        (name, slugify(name)) for name in names
    )


def test_a_tag_merge_and_a_save_retagging_its_articles_at_once_both_succeed(editor):
    author = AuthorFactory(slug="siti-rahma")
    statuses, merge_errors = [], []

    for number in range(ROUNDS // 2):
        source = TopicTagFactory(name=f"Rusia {number}", slug=f"rusia-{number}")
        target = TopicTagFactory(name=f"Russia {number}", slug=f"russia-{number}")
        article = ArticleFactory(slug=f"artikel-{number}", authors=[author], tags=[source])
        article_revision_record(article=article, user=editor, bump=False)
        client = token_client(editor)

        outcomes = run_together(
            lambda s=source, t=target: tag_merge(source=s, target=t),
            lambda a=article, t=target, c=client: c.patch(
                article_url(a), {"tags": [t.name]}, format="json", HTTP_IF_MATCH='"v1"'
            ),
        )

        merge_errors.append(outcomes[0].error)
        assert outcomes[1].error is None
        statuses.append(outcomes[1].result.status_code)
        assert list(article.tags.values_list("name", flat=True)) == [target.name]
        assert not TopicTag.objects.filter(pk=source.pk).exists()

    assert merge_errors == [None] * (ROUNDS // 2)
    assert statuses == [200] * (ROUNDS // 2)
