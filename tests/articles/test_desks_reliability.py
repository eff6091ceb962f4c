"""docs/reliability.md A6: desks scope what staff see, before any lookup (tier U).

A member of a desk sees the articles of their desk's sections, of sections without a desk,
and their own; another desk's draft is 404 in the write API and not listed in the admin.
Writers see only their own in the write API, as before. Superusers and users in no desk are
not desk-scoped.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from articles.models import Article, Desk
from tests.support.api import ARTICLES_URL, article_url, assert_db_unchanged, error_of, token_client
from tests.support.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

ROLES = ("writer_daerah", "editor_daerah", "editor_nodesk", "writer_nodesk", "superuser")
ARTICLES = ("nasional", "daerah", "no_desk", "own_in_nasional")

# Which articles each role finds in the write API (GET by id) and sees listed in the admin.
API_VISIBLE = {
    "writer_daerah": {"own_in_nasional"},
    "editor_daerah": {"daerah", "no_desk"},
    "editor_nodesk": set(ARTICLES),
    "writer_nodesk": set(),
    "superuser": set(ARTICLES),
}
ADMIN_LISTED = {
    "writer_daerah": {"daerah", "no_desk", "own_in_nasional"},
    "editor_daerah": {"daerah", "no_desk"},
    "editor_nodesk": set(ARTICLES),
    "writer_nodesk": set(ARTICLES),
    "superuser": set(ARTICLES),
}


def _staff(username: str, group: str | None, desk: Desk | None, **extra) -> User:
    user = User.objects.create_user(username=username, is_staff=True, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    if desk:
        desk.members.add(user)
    return user


@pytest.fixture
def world(db) -> dict:
    nasional = Desk.objects.create(name="Nasional", slug="nasional")
    daerah = Desk.objects.create(name="Daerah", slug="daerah")
    users = {
        "writer_daerah": _staff("wulan.writer", "Writer", daerah),
        "editor_daerah": _staff("dedi.editor", "Editor", daerah),
        "editor_nodesk": _staff("rina.chief", "Editor", None),
        "writer_nodesk": _staff("fajar.writer", "Writer", None),
        # A superuser in a desk still sees everything.
        "superuser": _staff("admin", None, daerah, is_superuser=True),
    }
    sections = {
        "nasional": SectionFactory(name="Politik", slug="politik", desk=nasional),
        "daerah": SectionFactory(name="Jawa Barat", slug="jawa-barat", desk=daerah),
        "no_desk": SectionFactory(name="Opini", slug="opini", desk=None),
    }
    author = users["editor_nodesk"]
    articles = {
        "nasional": ArticleFactory(headline="Draf nasional", section=sections["nasional"],
                                   created_by=author),
        "daerah": ArticleFactory(headline="Draf daerah", section=sections["daerah"],
                                 created_by=author),
        "no_desk": ArticleFactory(headline="Draf opini", section=sections["no_desk"],
                                  created_by=author),
        "own_in_nasional": ArticleFactory(headline="Draf sendiri", section=sections["nasional"],
                                          created_by=users["writer_daerah"]),
    }  # fmt: skip
    return {"users": users, "articles": articles}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ARTICLES)
def test_a6_role_by_desk_matrix_in_the_write_api(world, role, name):
    article = world["articles"][name]
    response = token_client(world["users"][role]).get(article_url(article))
    if name in API_VISIBLE[role]:
        assert response.status_code == 200
        assert response.json()["id"] == article.pk
    else:
        assert error_of(response, 404)["code"] == "not_found"
        assert article.headline.encode() not in response.content


@pytest.mark.parametrize("role", ROLES)
def test_a6_role_by_desk_matrix_in_the_write_api_list(world, role):
    response = token_client(world["users"][role]).get(ARTICLES_URL)
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {world["articles"][name].pk for name in API_VISIBLE[role]}


@pytest.mark.parametrize("role", ROLES)
def test_a6_role_by_desk_matrix_in_the_admin_list(world, role):
    client = Client()
    client.force_login(world["users"][role])
    response = client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 200
    listed = {article.pk for article in response.context["cl"].result_list}
    assert listed == {world["articles"][name].pk for name in ADMIN_LISTED[role]}


def test_a6_another_desks_draft_is_404_for_every_write_and_changes_nothing(world):
    editor, article = world["users"]["editor_daerah"], world["articles"]["nasional"]
    client = token_client(editor)
    with assert_db_unchanged():
        responses = [
            client.patch(article_url(article), {"headline": "Diubah"}, format="json",
                         HTTP_IF_MATCH=f'"v{article.version}"'),
            client.post(article_url(article, "publish"), {}, format="json"),
            client.post(article_url(article, "lock"), {}, format="json"),
            client.post(article_url(article, "preview"), {}, format="json"),
        ]  # fmt: skip
    for response in responses:
        assert error_of(response, 404)["code"] == "not_found"
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT


def test_a6_another_desks_article_is_not_found_in_the_admin(world):
    client = Client()
    client.force_login(world["users"]["editor_daerah"])
    article = world["articles"]["nasional"]
    change = reverse("admin:articles_article_change", args=[article.pk])
    # Django's answer for an object outside the queryset: back to the index, "doesn't exist".
    response = client.get(change)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    with assert_db_unchanged():
        response = client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "publish_selected", "_selected_action": [article.pk]},
        )
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT
    # The change form's suggestions (read after the page loads) are not found either.
    response = client.get(reverse("admin:articles_article_suggestions", args=[article.pk]))
    assert response.status_code == 404
    assert article.headline.encode() not in response.content


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ARTICLES)
def test_a6_revision_history_needs_the_right_to_edit(world, role, name):
    """History and compare need what the write API needs (its scope above): an article
    outside the desk is not found, one in it that the user may not edit is 403."""
    article = world["articles"][name]
    client = Client()
    client.force_login(world["users"][role])
    response = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    if name in API_VISIBLE[role]:
        assert response.status_code == 200
    elif name in ADMIN_LISTED[role]:
        assert response.status_code == 403
    else:
        assert response.status_code == 404
    if response.status_code != 200:
        assert article.headline.encode() not in response.content
