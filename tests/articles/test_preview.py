"""Preview links: signed, expiring, bound to article, revision and editor; 401 otherwise."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from articles.models import Article
from articles.services import (
    article_create,
    article_preview_token,
    article_publish,
    article_save,
    article_trash,
)
from tests.support.factories import ArticleFactory, AuthorFactory, PhotoFactory, SectionFactory

pytestmark = pytest.mark.django_db

INVALID = {
    "error": {
        "code": "preview_token_invalid",
        "message": "This preview link is not valid or has expired; ask an editor for a new one.",
    }
}


@pytest.fixture
def draft(writer) -> Article:
    section = SectionFactory(name="Daerah", slug="daerah")
    author = AuthorFactory(name="Siti", slug="siti")
    photo = PhotoFactory(caption="Banjir di Dayeuhkolot")
    return article_create(
        user=writer,
        data={
            "headline": "Banjir surut di Dayeuhkolot",
            "slug": "banjir-surut",
            "dek": "Warga kembali ke rumah.",
            "body": "<p>Satu.</p><p>Dua.</p>",
            "section": section,
            "lead_photo": photo,
        },
        bylines=[author],
        tags=["banjir"],
        related_links=[{"url": "https://example.org/latar", "title": "Latar banjir"}],
        photos=[{"photo": photo, "after_paragraph": 1}],
    )


def _url(token: str) -> str:
    return f"/api/v1/preview/{token}/"


def test_preview_shows_a_draft_in_the_detail_representation(api_client, draft, editor):
    token = article_preview_token(article=draft, revision=draft.revisions.get(), user=editor)
    response = api_client.get(_url(token))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    body = response.json()
    assert (body["headline"], body["slug"], body["dek"]) == (
        "Banjir surut di Dayeuhkolot",
        "banjir-surut",
        "Warga kembali ke rumah.",
    )
    assert body["section"] == {"name": "Daerah", "slug": "daerah"}
    assert [b["name"] for b in body["bylines"]] == ["Siti"]
    assert body["tags"] == [{"name": "banjir", "slug": "banjir"}]
    assert body["related"][0]["title"] == "Latar banjir"
    assert [block["type"] for block in body["blocks"]] == [
        "paragraph",
        "photo",
        "related",
        "paragraph",
    ]
    assert body["lead_photo"]["caption"] == "Banjir di Dayeuhkolot"
    # The public API still does not know the draft.
    assert api_client.get("/api/v1/articles/banjir-surut/").status_code == 404


def test_preview_shows_the_pending_revision_not_the_live_one(api_client, editor):
    article = ArticleFactory(published=True, headline="Versi terbit")
    article_save(article=article, user=editor, expected_version=1, data={})
    old = article.revisions.get(number=2)
    article_save(article=article, user=editor, expected_version=2, data={"headline": "Versi baru"})
    new = article.revisions.get(number=3)
    old_token = article_preview_token(article=article, revision=old, user=editor)
    new_token = article_preview_token(article=article, revision=new, user=editor)
    assert api_client.get(_url(old_token)).json()["headline"] == "Versi terbit"
    assert api_client.get(_url(new_token)).json()["headline"] == "Versi baru"


def test_preview_query_count_is_constant(api_client, draft, editor, django_assert_num_queries):
    token = article_preview_token(article=draft, revision=draft.revisions.get(), user=editor)
    # 1 the token's user, 2 its own and 3 its groups' permissions (still an editor?),
    # 4 revision with article, 5 article, 6 corrections, 7 section, 8 photos, 9 their
    # renditions, 10 authors, 11 tags. (Links to other articles would add one query.)
    with django_assert_num_queries(11):
        assert api_client.get(_url(token)).status_code == 200


def test_expired_token_is_401(api_client, draft, editor):
    token = article_preview_token(article=draft, revision=draft.revisions.get(), user=editor)
    with time_machine.travel(timezone.now() + timedelta(minutes=14)):
        assert api_client.get(_url(token)).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = api_client.get(_url(token))
    assert response.status_code == 401
    assert response.json() == {**INVALID, "request_id": response["X-Request-ID"]}


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: "x" + t,
        lambda t: t.split(":")[0],
        lambda t: "garbage",
        lambda t: "a" * 500,
    ],
    ids=["signature", "payload", "no-signature", "garbage", "long"],
)
def test_tampered_token_is_401(api_client, draft, editor, tamper):
    token = article_preview_token(article=draft, revision=draft.revisions.get(), user=editor)
    response = api_client.get(_url(tamper(token)))
    assert response.status_code == 401
    assert response.json() == {**INVALID, "request_id": response["X-Request-ID"]}


def test_token_for_another_article_or_revision_is_401(api_client, draft, editor):
    from django.core import signing

    from articles.services import PREVIEW_SALT

    other = ArticleFactory()
    article_save(article=other, user=editor, expected_version=1, data={})
    forged = signing.TimestampSigner(salt=PREVIEW_SALT).sign_object(
        {"a": draft.pk, "r": other.revisions.get(number=2).pk, "u": editor.pk}
    )
    assert api_client.get(_url(forged)).status_code == 401
    with pytest.raises(ValidationError):
        article_preview_token(article=draft, revision=other.revisions.get(number=2), user=editor)


def test_token_signed_with_another_salt_is_401(api_client, draft, editor):
    from django.core import signing

    forged = signing.TimestampSigner(salt="something.else").sign_object(
        {"a": draft.pk, "r": draft.revisions.get().pk, "u": editor.pk}
    )
    assert api_client.get(_url(forged)).status_code == 401


def test_token_dies_with_the_editors_role_or_the_article(api_client, draft, editor):
    token = article_preview_token(article=draft, revision=draft.revisions.get(), user=editor)
    editor.groups.remove(Group.objects.get(name="Editor"))
    assert api_client.get(_url(token)).status_code == 401
    editor.groups.add(Group.objects.get(name="Editor"))
    assert api_client.get(_url(token)).status_code == 200
    article_trash(article=draft, user=editor)
    assert api_client.get(_url(token)).status_code == 401


@pytest.mark.parametrize("role", ["writer", "outsider"])
def test_only_editors_create_preview_links(request, draft, role):
    with pytest.raises(PermissionDenied):
        article_preview_token(
            article=draft, revision=draft.revisions.get(), user=request.getfixturevalue(role)
        )


def test_preview_of_a_published_article_works_too(api_client, draft, editor):
    article_publish(article=draft, user=editor)
    revision = draft.revisions.order_by("-number").first()
    token = article_preview_token(article=draft, revision=revision, user=editor)
    assert api_client.get(_url(token)).json()["slug"] == "banjir-surut"
