from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.models import (
    Article,
    ArticlePhoto,
    Author,
    Byline,
    RelatedLink,
    Section,
    TaggedArticle,
)
from articles.photos.models import Photo
from articles.services import user_can_publish
from tagging.models import TopicTag


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", force=True, stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = [
        Article, ArticlePhoto, Author, Byline, Photo, RelatedLink, Section, TaggedArticle,
        TopicTag, User,
    ]  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def test_seed_demo_creates_articles_in_both_languages_across_sections(db):
    seed()

    articles = Article.objects.all()
    assert articles.count() >= 12
    assert set(articles.values_list("language", flat=True)) == {"id", "en"}
    assert Section.objects.filter(articles__isnull=False).distinct().count() >= 3
    assert Author.objects.count() >= 4
    assert Article.objects.live().filter(language="id").exists()
    assert Article.objects.live().filter(language="en").exists()
    # Some stories carry more than one byline, in the order written.
    multi = [a for a in articles if a.bylines.count() > 1]
    assert multi
    for article in articles:
        paragraphs = re.findall(r"<p>", article.body)
        assert 4 <= len(paragraphs) <= 7, article.slug
        assert article.dateline
        assert article.tags.exists()
        photo = article.lead_photo
        assert photo.width == 1200 and photo.height == 675
        assert photo.caption and photo.alt_text
        assert photo.credit.startswith("Foto: ") and photo.credit.endswith("/Newsroom")


def test_seed_demo_covers_every_workflow_state(db):
    seed()

    statuses = Article.Status
    assert Article.objects.filter(status=statuses.DRAFT).count() == 1
    assert Article.objects.filter(status=statuses.IN_REVIEW).count() == 1
    scheduled = Article.objects.get(status=statuses.SCHEDULED)
    assert scheduled.published_at > timezone.now()
    assert not scheduled.is_live
    published = Article.objects.filter(status=statuses.PUBLISHED)
    assert published.count() >= 10
    for article in published:
        assert article.is_live
        assert article.first_published_at == article.published_at
        assert article.last_published_at is not None


def test_seed_demo_adds_related_reading_after_paragraph_two_or_three(db):
    seed()

    links = RelatedLink.objects.select_related("article", "target_article")
    assert links.filter(target_article__isnull=False).count() >= 10
    outside = links.filter(target_article__isnull=True)
    assert outside.exists()
    assert all(link.url.startswith("https://") and link.title for link in outside)
    assert {link.after_paragraph for link in links} <= {2, 3}
    indonesian = links.filter(article__language="id").first()
    assert indonesian.display_label == "Baca juga"
    # Published stories only point readers to other published stories.
    for link in links.filter(article__status=Article.Status.PUBLISHED, url=""):
        assert link.target_article.status == Article.Status.PUBLISHED


def test_seed_demo_creates_users_for_both_roles(db, client):
    output = seed()

    editor = User.objects.get(username="editor")
    writer = User.objects.get(username="writer")
    admin = User.objects.get(username="admin")
    assert list(editor.groups.values_list("name", flat=True)) == ["Editor"]
    assert list(writer.groups.values_list("name", flat=True)) == ["Writer"]
    assert editor.is_staff and writer.is_staff and admin.is_superuser
    assert user_can_publish(editor)
    assert not user_can_publish(writer)
    assert writer.author_profile.slug == "rani-wulandari"
    # The printed logins work.
    assert "http://127.0.0.1:8000/admin/" in output
    for username, password in re.findall(r"^\s+(\w+)\s+password (\S+)", output, re.M):
        assert client.login(username=username, password=password), username


def test_seed_demo_twice_creates_nothing_new(db, settings):
    seed()
    before = counts()
    photo_files = sorted(p.name for p in (settings.MEDIA_ROOT / "photos").rglob("*.jpg"))

    output = seed()

    assert counts() == before
    assert sorted(p.name for p in (settings.MEDIA_ROOT / "photos").rglob("*.jpg")) == photo_files
    assert "0 articles created, 14 already present" in output


def test_seed_demo_keeps_a_password_changed_after_the_first_run(db):
    seed()
    editor = User.objects.get(username="editor")
    editor.set_password("a much better password")
    editor.save()

    seed()

    editor.refresh_from_db()
    assert editor.check_password("a much better password")


def test_seed_demo_refuses_to_run_without_debug(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo", stdout=io.StringIO())

    assert Article.objects.count() == 0
    assert not User.objects.filter(username="admin").exists()
