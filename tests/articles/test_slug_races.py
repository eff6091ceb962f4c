"""Slugs under concurrency: every path that claims one succeeds or refuses cleanly, never a 500.

A generated slug (publish, schedule, the slug job) is claimed by writing it inside a savepoint
and taking the next free number when another transaction got there first; a slug an editor
typed that is taken is a form error. Real threads, released together, on PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from articles.models import Article, ArticleSlugHistory
from articles.services import (
    article_change_slug,
    article_ensure_slug,
    article_publish,
    article_revision_record,
)
from tests.support.admin import admin_url, article_form_data
from tests.support.api import article_url, token_client
from tests.support.concurrency import postgresql_only, run_together
from tests.support.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]

Status = Article.Status
HEADLINE = "Banjir rendam Bandung"
SLUGS = ["banjir-rendam-bandung", *(f"banjir-rendam-bandung-{n}" for n in range(2, 9))]


@pytest.fixture(autouse=True)
def _no_throttle(settings, sent_tasks):  # noqa: F811 - the fixture, imported above
    # Forty writes of one editor within a second are the point here, not a flood.
    settings.API_WRITE_THROTTLE_RATE = None
    settings.API_ANON_THROTTLE_RATE = None


def _slugless_drafts(count: int = 8) -> list[Article]:
    drafts = []
    for _ in range(count):
        article = ArticleFactory(headline=HEADLINE, slug=None)
        article_revision_record(article=article, user=None, bump=False)
        drafts.append(article)
    return drafts


def _slugs(articles: list[Article]) -> list[str | None]:
    return sorted(
        Article.objects.filter(pk__in=[a.pk for a in articles]).values_list("slug", flat=True),
        key=lambda slug: (slug is None, len(slug or ""), slug),
    )


def test_eight_drafts_sharing_a_headline_published_at_once_through_the_api(editor):
    drafts = _slugless_drafts()

    def publish(article):
        return lambda: token_client(editor).post(article_url(article, "publish"), format="json")

    outcomes = run_together(*(publish(article) for article in drafts))

    assert [o.error for o in outcomes] == [None] * 8
    assert [o.result.status_code for o in outcomes] == [200] * 8
    assert sorted(o.result.json()["slug"] for o in outcomes) == sorted(SLUGS)
    assert _slugs(drafts) == SLUGS
    assert set(Article.objects.values_list("status", flat=True)) == {Status.PUBLISHED}


def test_eight_drafts_sharing_a_headline_scheduled_at_once_through_the_api(editor):
    drafts = _slugless_drafts()
    publish_at = (timezone.now() + timedelta(days=1)).isoformat()

    def schedule(article):
        return lambda: token_client(editor).post(
            article_url(article, "schedule"), {"publish_at": publish_at}, format="json"
        )

    outcomes = run_together(*(schedule(article) for article in drafts))

    assert [o.error for o in outcomes] == [None] * 8
    assert [o.result.status_code for o in outcomes] == [200] * 8
    assert _slugs(drafts) == SLUGS
    assert set(Article.objects.values_list("status", flat=True)) == {Status.SCHEDULED}


def test_eight_drafts_sharing_a_headline_published_at_once_through_the_service(editor):
    drafts = _slugless_drafts()

    outcomes = run_together(
        *(lambda a=article: article_publish(article=a, user=editor) for article in drafts)
    )

    assert [o.error for o in outcomes] == [None] * 8
    assert sorted(o.result.slug for o in outcomes) == sorted(SLUGS)
    assert _slugs(drafts) == SLUGS


def test_the_slug_job_eight_times_at_once_gives_every_article_a_slug():
    drafts = _slugless_drafts()

    outcomes = run_together(
        *(lambda a=article: article_ensure_slug(article_id=a.pk) for article in drafts)
    )

    assert [o.error for o in outcomes] == [None] * 8
    assert sorted(o.result for o in outcomes) == sorted(SLUGS)
    assert _slugs(drafts) == SLUGS


def test_the_slug_job_and_a_publish_of_one_article_at_once_agree_on_its_slug(editor):
    ArticleFactory(slug="banjir-rendam-bandung")
    [draft] = _slugless_drafts(1)

    outcomes = run_together(
        lambda: article_ensure_slug(article_id=draft.pk),
        lambda: article_publish(article=Article.objects.get(pk=draft.pk), user=editor),
    )

    assert [o.error for o in outcomes] == [None, None]
    draft.refresh_from_db()
    assert draft.slug == "banjir-rendam-bandung-2"
    assert outcomes[0].result == outcomes[1].result.slug == draft.slug
    assert draft.status == Status.PUBLISHED


def test_two_renames_to_one_new_slug_at_once_one_wins_the_other_is_refused(editor):
    first = ArticleFactory(published=True, slug="banjir-satu")
    second = ArticleFactory(published=True, slug="banjir-dua")

    outcomes = run_together(
        lambda: article_change_slug(article=first, slug="banjir-bandung", user=editor),
        lambda: article_change_slug(article=second, slug="banjir-bandung", user=editor),
    )

    errors = [o.error for o in outcomes if o.error is not None]
    assert len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert errors[0].error_dict["slug"][0].code == "slug_taken"
    winner, loser = (first, second) if outcomes[0].error is None else (second, first)
    winner.refresh_from_db()
    loser.refresh_from_db()
    assert winner.slug == "banjir-bandung"
    assert loser.slug in ("banjir-satu", "banjir-dua")
    assert set(ArticleSlugHistory.objects.values_list("slug", "article")) == {
        ("banjir-satu" if winner == first else "banjir-dua", winner.pk)
    }


def test_a_rename_away_from_a_slug_and_a_rename_onto_it_at_once(editor):
    # "banjir" stays first's, as its current or its old slug: second never gets it.
    first = ArticleFactory(published=True, slug="banjir")
    second = ArticleFactory(published=True, slug="banjir-dua")

    outcomes = run_together(
        lambda: article_change_slug(article=first, slug="banjir-baru", user=editor),
        lambda: article_change_slug(article=second, slug="banjir", user=editor),
    )

    assert outcomes[0].error is None
    assert isinstance(outcomes[1].error, ValidationError)
    assert outcomes[1].error.error_dict["slug"][0].code == "slug_taken"
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.slug, second.slug) == ("banjir-baru", "banjir-dua")
    assert list(ArticleSlugHistory.objects.values_list("slug", "article")) == [("banjir", first.pk)]


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_two_admin_saves_typing_one_new_slug_at_once_one_saves_one_sees_the_form_error(editor):
    drafts = [ArticleFactory(slug=f"draf-{n}") for n in range(2)]
    clients = [_logged_in(editor) for _ in drafts]

    def save(client, article):
        return lambda: client.post(
            admin_url(Article, "change", article.pk),
            article_form_data(article, slug="banjir-bandung"),
        )

    outcomes = run_together(*(save(c, a) for c, a in zip(clients, drafts, strict=True)))

    assert [o.error for o in outcomes] == [None, None]
    assert sorted(o.result.status_code for o in outcomes) == [200, 302]
    refused = next(o.result for o in outcomes if o.result.status_code == 200)
    assert refused.context["adminform"].form.errors["slug"] == [
        "Another article uses this address, now or before."
    ]
    assert sorted(Article.objects.values_list("slug", flat=True)) == sorted(
        ["banjir-bandung", "draf-0" if refused.context["original"] == drafts[0] else "draf-1"]
    )


def test_two_admin_adds_typing_one_slug_at_once_one_saves_one_sees_the_form_error(editor):
    section, author = SectionFactory(), AuthorFactory()
    clients = [_logged_in(editor) for _ in range(2)]

    def add(client):
        data = article_form_data(section=section, new_authors=[author], slug="banjir-bandung")
        return lambda: client.post(admin_url(Article, "add"), data)

    outcomes = run_together(*(add(c) for c in clients))

    assert [o.error for o in outcomes] == [None, None]
    assert sorted(o.result.status_code for o in outcomes) == [200, 302]
    refused = next(o.result for o in outcomes if o.result.status_code == 200)
    assert refused.context["adminform"].form.errors["slug"] == [
        "Another article uses this address, now or before."
    ]
    assert list(Article.objects.values_list("slug", flat=True)) == ["banjir-bandung"]
