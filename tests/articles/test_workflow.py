"""Who may make which move, through the services and through the admin; the audit log.

Roles: `editor` may do everything; a writer may move and edit only their own articles
(created by them or bylined to their author profile) and never publish; `outsider` may do
nothing.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from articles.models import Article, ArticleTransition
from articles.services import (
    TRANSITIONS,
    ConflictError,
    article_create,
    article_save,
    article_set_status,
    user_can_edit_article,
)
from tests.support.admin import admin_url, article_form_data
from tests.support.factories import (
    ArticleFactory,
    AuthorFactory,
    PhotoFactory,
    SectionFactory,
    article_in_status,
)

pytestmark = pytest.mark.django_db

Status = Article.Status
NOW = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)
ROLES = ["editor", "own_writer", "other_writer", "outsider"]
MOVES = list(itertools.product(Status, Status))


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


# A valid article in a status, as the workflow would have left it at NOW.
_article_in = partial(article_in_status, now=NOW)


def _persona(request, role: str):
    """(user, owner of the article): the own writer owns it, everyone else does not."""
    if role == "own_writer":
        return request.getfixturevalue("writer"), request.getfixturevalue("writer")
    if role == "other_writer":
        from django.contrib.auth.models import Group, User

        other = User.objects.create_user(username="lain.writer", is_staff=True)
        other.groups.add(Group.objects.get(name="Writer"))
        return other, request.getfixturevalue("writer")
    return request.getfixturevalue(role), None


def _expected(role: str, move: tuple[str, str]) -> type[Exception] | None:
    """What the service must do: None (allowed) or the exception it raises."""
    same = move[0] == move[1] and move not in TRANSITIONS
    if role in ("outsider", "other_writer"):
        return PermissionDenied
    if same:
        return None
    if move not in TRANSITIONS:
        return ValidationError
    if TRANSITIONS[move] and role != "editor":
        return PermissionDenied
    return None


def _row(article: Article) -> dict:
    return Article.objects.filter(pk=article.pk).values().get()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("from_status", "to_status"), MOVES)
def test_service_permission_matrix(request, role, from_status, to_status):
    user, owner = _persona(request, role)
    article = _article_in(from_status, created_by=owner)
    before = _row(article)
    publish_at = NOW + timedelta(hours=3) if to_status == Status.SCHEDULED else None
    expected = _expected(role, (from_status, to_status))

    if expected is None:
        article_set_status(
            article=article, status=to_status, user=user, publish_at=publish_at, note="ok"
        )
        article.refresh_from_db()
        assert article.status == to_status
        return
    with pytest.raises(expected):
        article_set_status(article=article, status=to_status, user=user, publish_at=publish_at)
    assert _row(article) == before
    assert not ArticleTransition.objects.filter(article=article).exists()


def _admin_expected(role: str, move: tuple[str, str]) -> str:
    """ "moved", "form_error" or "forbidden" for a change-form POST."""
    from_status, to_status = move
    if role in ("outsider", "other_writer"):
        return "forbidden"
    if role == "own_writer":
        if from_status in (Status.PUBLISHED, Status.SCHEDULED):
            return "forbidden"
        allowed = {Status.DRAFT, Status.IN_REVIEW, from_status}
        if to_status not in allowed:
            return "form_error"
    same = from_status == to_status and move not in TRANSITIONS
    if same or move in TRANSITIONS:
        return "moved"
    return "form_error"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("from_status", "to_status"), MOVES)
def test_admin_permission_matrix(request, client, role, from_status, to_status):
    user, owner = _persona(request, role)
    client.force_login(user)
    article = _article_in(from_status, created_by=owner)
    before = _row(article)
    published_at = {
        Status.SCHEDULED: NOW + timedelta(hours=3),
        Status.PUBLISHED: NOW - timedelta(minutes=5),
    }.get(to_status, article.published_at)
    data = article_form_data(article, status=to_status, published_at=published_at)
    response = client.post(admin_url(Article, "change", article.pk), data)
    expected = _admin_expected(role, (from_status, to_status))

    article.refresh_from_db()
    if expected == "moved":
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert article.status == to_status
        return
    if expected == "forbidden":
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["status"]
    assert _row(article) == before


def test_every_move_is_logged_with_user_and_note(editor, writer):
    article = _article_in(Status.DRAFT, created_by=writer)
    article_set_status(article=article, status=Status.IN_REVIEW, user=writer, note="Siap")
    article_set_status(article=article, status=Status.PUBLISHED, user=editor, note="Oke")
    article_set_status(article=article, status=Status.UNPUBLISHED, user=editor, note="Hukum")
    log = list(
        ArticleTransition.objects.filter(article=article)
        .order_by("id")
        .values_list("user__username", "from_status", "to_status", "note")
    )
    assert log == [
        ("wira.writer", Status.DRAFT, Status.IN_REVIEW, "Siap"),
        ("edna.editor", Status.IN_REVIEW, Status.PUBLISHED, "Oke"),
        ("edna.editor", Status.PUBLISHED, Status.UNPUBLISHED, "Hukum"),
    ]
    assert all(t.created_at == NOW for t in ArticleTransition.objects.filter(article=article))


def test_a_plain_edit_is_not_a_logged_move(writer):
    article = _article_in(Status.DRAFT, created_by=writer)
    article_set_status(article=article, status=Status.DRAFT, user=writer)
    assert not ArticleTransition.objects.filter(article=article).exists()


def test_the_scheduler_is_logged_without_a_user(editor):
    from articles.services import articles_publish_due

    article = _article_in(Status.SCHEDULED)
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        assert articles_publish_due() == [article.pk]
    entry = ArticleTransition.objects.get(article=article)
    assert (entry.user, entry.from_status, entry.to_status) == (
        None,
        Status.SCHEDULED,
        Status.PUBLISHED,
    )


def test_admin_status_change_is_logged_and_shown(editor, editor_client):
    article = _article_in(Status.IN_REVIEW)
    editor_client.post(
        admin_url(Article, "change", article.pk),
        article_form_data(article, status=Status.PUBLISHED, published_at=None),
    )
    entry = ArticleTransition.objects.get(article=article)
    assert (entry.user, entry.to_status) == (editor, Status.PUBLISHED)
    page = editor_client.get(admin_url(Article, "change", article.pk)).content.decode()
    assert 'id="audit-log"' in page
    assert "In review → Published" in page


def test_bylined_writer_owns_the_article(writer):
    author = AuthorFactory(user=writer)
    article = ArticleFactory(authors=[author])
    assert user_can_edit_article(user=writer, article=article)
    article_set_status(article=article, status=Status.IN_REVIEW, user=writer)


# --- article_create / article_save: rules and bad input -------------------------------------


def _saved(article: Article, user, **kwargs) -> Article:
    return article_save(article=article, user=user, expected_version=article.version, **kwargs)


def test_writer_creates_a_draft_with_revision_one(writer):
    section = SectionFactory()
    author = AuthorFactory()
    article = article_create(
        user=writer,
        data={"headline": "Banjir di Dayeuhkolot", "section": section.pk, "body": "<p>A</p>"},
        bylines=[author],
        tags=["banjir"],
    )
    assert (article.status, article.version, article.created_by) == (Status.DRAFT, 1, writer)
    revision = article.revisions.get()
    assert revision.number == 1
    assert revision.data["fields"]["headline"] == "Banjir di Dayeuhkolot"
    assert revision.data["bylines"] == [{"author": author.pk, "name": author.name}]
    assert revision.data["tags"] == ["banjir"]


def test_outsider_cannot_create_or_save(outsider):
    with pytest.raises(PermissionDenied):
        article_create(user=outsider, data={"headline": "x"}, bylines=[AuthorFactory()])
    article = ArticleFactory()
    with pytest.raises(PermissionDenied):
        _saved(article, outsider, data={"headline": "x"})


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": Status.PUBLISHED}, "status"),
        ({"published_at": NOW}, "published_at"),
        ({"created_by": 1}, "created_by"),
        ({"version": 99}, "version"),
        ({"no_such_field": "x"}, "no_such_field"),
        ({"headline": ""}, "headline"),
        ({"headline": "x" * 300}, "headline"),
        ({"section": 987654}, "section"),
        ({"canonical_url": "not a url"}, "canonical_url"),
        ({"language": "xx"}, "language"),
    ],
)
def test_bad_save_input_is_a_validation_error_and_nothing_changes(editor, data, field):
    article = ArticleFactory()
    before = _row(article)
    with pytest.raises(ValidationError) as excinfo:
        _saved(article, editor, data=data)
    assert field in excinfo.value.message_dict
    assert _row(article) == before
    assert not article.revisions.exists()


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"bylines": []}, "bylines"),
        ({"related_links": [{"url": "https://example.org/x"}]}, "related_links"),
        ({"related_links": [{"url": "ftp://x", "title": "T"}]}, "related_links"),
        ({"photos": [{"photo_id": 987654}]}, "photos"),
    ],
)
def test_bad_related_input_is_a_validation_error(editor, kwargs, key):
    article = ArticleFactory()
    with pytest.raises(ValidationError) as excinfo:
        _saved(article, editor, **kwargs)
    assert key in excinfo.value.message_dict
    article.refresh_from_db()
    assert article.version == 1
    assert article.bylines.count() == 1


def test_duplicate_bylines_are_refused(editor):
    author = AuthorFactory()
    article = ArticleFactory()
    with pytest.raises(ValidationError) as excinfo:
        _saved(article, editor, bylines=[author, author])
    assert "bylines" in excinfo.value.message_dict


def test_missing_version_is_refused(editor):
    article = ArticleFactory()
    with pytest.raises(ValidationError) as excinfo:
        article_save(article=article, user=editor, expected_version=None, data={"dek": "x"})
    assert excinfo.value.message_dict == {
        "version": ["The version you edited is missing; reload the article."]
    }


def test_save_raises_the_version_and_stores_what_changed(editor):
    article = ArticleFactory(headline="Lama")
    photo = PhotoFactory()
    saved = _saved(
        article,
        editor,
        data={"headline": "Baru", "lead_photo": photo},
        related_links=[{"url": "https://example.org/a", "title": "Latar"}],
        photos=[{"photo": photo, "after_paragraph": 2}],
    )
    assert saved.version == 2
    revision = saved.revisions.get(number=2)
    assert revision.number == 2
    assert revision.data["fields"]["headline"] == "Baru"
    assert revision.data["fields"]["lead_photo"] == photo.pk
    assert revision.data["related_links"][0]["title"] == "Latar"
    assert revision.data["photos"][0]["after_paragraph"] == 2


def test_stale_version_is_a_conflict_listing_the_changes(editor, writer):
    article = ArticleFactory(headline="Awal", created_by=writer)
    _saved(article, editor, data={})  # revision 2, the state both loaded
    article.refresh_from_db()
    loaded = article.version
    article_save(article=article, user=editor, expected_version=loaded, data={"headline": "A"})
    with pytest.raises(ConflictError) as excinfo:
        article_save(article=article, user=writer, expected_version=loaded, data={"dek": "B"})
    conflict = excinfo.value
    assert conflict.current_version == loaded + 1
    assert [(c["field"], c["old"], c["new"]) for c in conflict.changes] == [
        ("headline", "Awal", "A")
    ]
    assert "by edna.editor" in conflict.messages[0]
    article.refresh_from_db()
    assert (article.headline, article.version) == ("A", loaded + 1)
    assert article.dek != "B"


def test_writer_cannot_save_someone_elses_or_a_public_article(writer):
    other = ArticleFactory()
    with pytest.raises(PermissionDenied):
        _saved(other, writer, data={"headline": "x"})
    own_live = _article_in(Status.PUBLISHED, created_by=writer)
    with pytest.raises(PermissionDenied):
        _saved(own_live, writer, data={"headline": "x"})
