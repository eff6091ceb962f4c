"""The other unique rows a user can race on: bylines, related links, authors, webhooks.

Real threads, released together, on PostgreSQL (`tests/support/concurrency.py`): one writer wins,
the other gets the answer a sequential second request gets, never a 500.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from articles.models import Article, Author, Byline, RelatedLink
from articles.published.models import WebhookSubscription
from articles.services import article_revision_record
from tests.support.admin import admin_url
from tests.support.api import article_url, token_client
from tests.support.concurrency import postgresql_only, run_together
from tests.support.factories import ArticleFactory, AuthorFactory

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_throttle(settings, sent_tasks):  # noqa: F811 - the fixture, imported above
    settings.API_WRITE_THROTTLE_RATE = None
    settings.API_ANON_THROTTLE_RATE = None


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def draft(editor) -> Article:
    article = ArticleFactory(slug="banjir", authors=[AuthorFactory(slug="siti-rahma")])
    article_revision_record(article=article, user=editor, bump=False)
    return article


def _patch_twice(editor, article: Article, body: dict):
    clients = [token_client(editor) for _ in range(2)]
    return run_together(
        *(
            lambda c=client: c.patch(
                article_url(article), body, format="json", HTTP_IF_MATCH=f'"v{article.version}"'
            )
            for client in clients
        )
    )


def test_the_same_byline_added_by_two_saves_at_once_is_stored_once(editor, draft):
    AuthorFactory(slug="budi")

    outcomes = _patch_twice(editor, draft, {"bylines": ["siti-rahma", "budi"]})

    assert [o.error for o in outcomes] == [None, None]
    assert sorted(o.result.status_code for o in outcomes) == [200, 412]
    assert list(
        Byline.objects.filter(article=draft).order_by("position").values_list("author__slug")
    ) == [("siti-rahma",), ("budi",)]


def test_the_same_related_link_added_by_two_saves_at_once_is_stored_once(editor, draft):
    target = ArticleFactory(published=True, slug="latar-belakang")

    outcomes = _patch_twice(editor, draft, {"related": [{"article": "latar-belakang"}]})

    assert [o.error for o in outcomes] == [None, None]
    assert sorted(o.result.status_code for o in outcomes) == [200, 412]
    assert list(RelatedLink.objects.values_list("article", "target_article")) == [
        (draft.pk, target.pk)
    ]


def test_two_admins_adding_one_author_slug_at_once_one_saves_one_sees_the_form_error(
    admin_user,
):
    clients = [_logged_in(admin_user) for _ in range(2)]
    slugs = ["siti-rahma", "budi-santoso", "wulan-sari"]

    for slug in slugs:
        data = {"name": slug.title(), "slug": slug, "bio": "", "email": "", "website": "",
                "x_handle": "", "instagram_handle": "", "user": ""}  # fmt: skip

        outcomes = run_together(
            *(lambda c=client, d=data: c.post(admin_url(Author, "add"), d) for client in clients)
        )

        assert [o.error for o in outcomes] == [None, None]
        assert sorted(o.result.status_code for o in outcomes) == [200, 302]
        refused = next(o.result for o in outcomes if o.result.status_code == 200)
        assert refused.context["adminform"].form.errors == {
            "slug": ["Author with this Slug already exists."]
        }
    assert sorted(Author.objects.values_list("slug", flat=True)) == sorted(slugs)


def _subscription_data(name: str) -> dict:
    return {
        "name": name,
        "url": "https://1.1.1.1/hooks/newsroom",
        "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "events": ["article.published"],
        "is_active": "on",
    }


def test_two_admins_subscribing_one_url_at_once_one_saves_one_sees_the_form_error(admin_user):
    clients = [_logged_in(admin_user) for _ in range(2)]

    outcomes = run_together(
        *(
            lambda c=client, n=number: c.post(
                admin_url(WebhookSubscription, "add"), _subscription_data(f"Front end {n}")
            )
            for number, client in enumerate(clients)
        )
    )

    assert [o.error for o in outcomes] == [None, None]
    assert sorted(o.result.status_code for o in outcomes) == [200, 302]
    refused = next(o.result for o in outcomes if o.result.status_code == 200)
    assert refused.context["adminform"].form.errors == {
        "__all__": ["An active subscription to this URL exists already."]
    }
    assert WebhookSubscription.objects.count() == 1
