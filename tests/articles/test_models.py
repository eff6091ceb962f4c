"""Database constraints and ordering of the content model.

Each invariant is checked twice: the database refuses the row (`IntegrityError`, even for code
that skips validation), and `full_clean()` refuses it first with a `ValidationError`, which is
what editors see in the admin. The suite runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.forms import modelform_factory
from django.utils import timezone

from articles.models import Article, Byline, RelatedLink
from tests.support.factories import (
    ArticleFactory,
    AuthorFactory,
    PhotoFactory,
    RelatedLinkFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


def _article_without_bylines(**kwargs) -> Article:
    return Article.objects.create(headline="Banjir di Bandung", section=SectionFactory(), **kwargs)


def _constraint_error(excinfo: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(excinfo.value.message_dict[NON_FIELD_ERRORS])


# --- Related reading ------------------------------------------------------------------------


def test_related_link_to_an_article_is_stored():
    target = ArticleFactory()
    link = RelatedLinkFactory(target_article=target, url="", title="")

    link.full_clean()
    link.refresh_from_db()
    assert link.target_article == target
    assert link.display_title == target.headline
    assert link.display_label == "Baca juga"


def test_related_link_to_an_outside_url_is_stored():
    link = RelatedLinkFactory(url="https://example.org/a", title="Latar belakang")

    link.full_clean()
    assert link.display_title == "Latar belakang"


def test_related_link_with_both_targets_is_refused_by_the_database():
    article, target = ArticleFactory(), ArticleFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        RelatedLink.objects.create(
            article=article, target_article=target, url="https://example.org/", title="Both"
        )
    assert not RelatedLink.objects.exists()


def test_related_link_with_neither_target_is_refused_by_the_database():
    article = ArticleFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        RelatedLink.objects.create(article=article, url="", title="Neither")
    assert not RelatedLink.objects.exists()


@pytest.mark.parametrize(
    ("with_target", "url"),
    [(True, "https://example.org/"), (False, "")],
    ids=["both", "neither"],
)
def test_related_link_without_exactly_one_target_fails_full_clean(with_target, url):
    link = RelatedLink(
        article=ArticleFactory(),
        target_article=ArticleFactory() if with_target else None,
        url=url,
        title="A title",
    )

    with pytest.raises(ValidationError) as excinfo:
        link.full_clean()
    assert "articles_relatedlink_one_target" in _constraint_error(excinfo)


def test_related_link_to_an_outside_url_needs_a_title():
    article = ArticleFactory()
    link = RelatedLink(article=article, url="https://example.org/", title="")

    with pytest.raises(ValidationError) as excinfo:
        link.full_clean()
    assert "articles_relatedlink_url_has_title" in _constraint_error(excinfo)
    with pytest.raises(IntegrityError), transaction.atomic():
        link.save()
    assert not RelatedLink.objects.exists()


def test_related_link_to_the_article_itself_is_refused():
    article = ArticleFactory()
    link = RelatedLink(article=article, target_article=article)

    with pytest.raises(ValidationError) as excinfo:
        link.full_clean()
    assert "articles_relatedlink_not_self" in _constraint_error(excinfo)
    with pytest.raises(IntegrityError), transaction.atomic():
        link.save()
    assert not RelatedLink.objects.exists()


def test_related_links_are_ordered_by_paragraph_then_position():
    article = ArticleFactory()
    late = RelatedLinkFactory(article=article, after_paragraph=3, position=0)
    second = RelatedLinkFactory(article=article, after_paragraph=1, position=1)
    first = RelatedLinkFactory(article=article, after_paragraph=1, position=0)

    assert list(article.related_links.all()) == [first, second, late]


def test_related_link_label_defaults_by_language():
    english = RelatedLinkFactory(article=ArticleFactory(language="en"))
    custom = RelatedLinkFactory(label="BACA JUGA:")

    assert english.display_label == "Read also"
    assert custom.display_label == "BACA JUGA:"


# --- Bylines --------------------------------------------------------------------------------


def test_bylines_keep_their_order():
    article = _article_without_bylines()
    third, first, second = AuthorFactory(name="Ayu"), AuthorFactory(name="Zaki"), AuthorFactory()
    # Created out of order, and with names that sort differently from the byline order.
    Byline.objects.create(article=article, author=third, position=2)
    Byline.objects.create(article=article, author=first, position=0)
    Byline.objects.create(article=article, author=second, position=1)

    bylines = list(article.bylines.all())
    assert [b.position for b in bylines] == [0, 1, 2]
    assert [b.author for b in bylines] == [first, second, third]
    # The authors in byline order; another article's bylines must not duplicate or reorder them.
    other = _article_without_bylines()
    Byline.objects.create(article=other, author=first, position=5)
    Byline.objects.create(article=other, author=third, position=0)
    assert list(article.authors.order_by("bylines__position")) == [first, second, third]


def test_factory_bylines_follow_the_given_author_order():
    authors = [AuthorFactory(name="Zaki"), AuthorFactory(name="Ayu")]

    article = ArticleFactory(authors=authors)

    assert [b.author for b in article.bylines.all()] == authors


def test_the_same_author_twice_on_one_article_is_refused():
    article = _article_without_bylines()
    author = AuthorFactory()
    Byline.objects.create(article=article, author=author, position=0)

    with pytest.raises(ValidationError) as excinfo:
        Byline(article=article, author=author, position=1).full_clean()
    assert excinfo.value.messages
    with pytest.raises(IntegrityError), transaction.atomic():
        Byline.objects.create(article=article, author=author, position=1)
    assert article.bylines.count() == 1


# --- Articles -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Article.Status.PUBLISHED, Article.Status.SCHEDULED])
def test_published_or_scheduled_needs_a_publish_time(status):
    article = Article(headline="Tanpa waktu", slug="tanpa-waktu", section=SectionFactory())
    article.status = status

    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()
    assert "articles_article_published_has_published_at" in _constraint_error(excinfo)
    with pytest.raises(IntegrityError), transaction.atomic():
        article.save()
    assert not Article.objects.exists()


@pytest.mark.parametrize("status", [Article.Status.PUBLISHED, Article.Status.SCHEDULED])
def test_published_or_scheduled_needs_a_slug(status):
    article = Article(
        headline="Tanpa slug",
        slug=None,
        section=SectionFactory(),
        status=status,
        published_at=timezone.now() + timedelta(hours=1),
    )

    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()
    assert "articles_article_published_has_slug" in _constraint_error(excinfo)
    with pytest.raises(IntegrityError), transaction.atomic():
        article.save()
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "status", [Article.Status.DRAFT, Article.Status.IN_REVIEW, Article.Status.UNPUBLISHED]
)
def test_unpublished_states_need_neither_slug_nor_publish_time(status):
    article = Article(headline="Draf", slug=None, section=SectionFactory(), status=status)

    article.full_clean()
    article.save()
    assert Article.objects.get().status == status


def test_several_articles_may_have_no_slug():
    first = _article_without_bylines(slug=None)
    second = _article_without_bylines(slug=None)

    second.full_clean()
    assert Article.objects.filter(slug__isnull=True).count() == 2
    assert first.pk != second.pk


def test_an_empty_slug_from_a_form_is_stored_as_null():
    # A blank slug must not become "" (two "" slugs would clash on the unique index).
    form_class = modelform_factory(Article, fields=["headline", "slug", "section"])
    section = SectionFactory()
    for headline in ("Kosong", "Kosong lagi"):
        form = form_class(data={"headline": headline, "slug": "", "section": section.pk})
        assert form.is_valid(), form.errors
        form.save()

    assert list(Article.objects.values_list("slug", flat=True)) == [None, None]


def test_slugs_are_unique():
    ArticleFactory(slug="banjir-bandung")
    duplicate = Article(headline="Lagi", slug="banjir-bandung", section=SectionFactory())

    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "slug" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    assert Article.objects.filter(slug="banjir-bandung").count() == 1


# --- Photos ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "y"),
    [(-0.1, 0.5), (1.1, 0.5), (0.5, -0.01), (0.5, 1.5)],
    ids=["x<0", "x>1", "y<0", "y>1"],
)
def test_focal_point_outside_the_frame_is_refused(x, y):
    photo = PhotoFactory()
    photo.focal_point_x, photo.focal_point_y = x, y

    with pytest.raises(ValidationError) as excinfo:
        photo.full_clean()
    assert "articles_photo_focal_point_in_frame" in _constraint_error(excinfo)
    with pytest.raises(IntegrityError), transaction.atomic():
        photo.save()
    photo.refresh_from_db()
    assert (photo.focal_point_x, photo.focal_point_y) == (0.5, 0.5)


@pytest.mark.parametrize(("x", "y"), [(0, 0), (1, 1), (0.25, 0.75)])
def test_focal_point_inside_the_frame_is_kept(x, y):
    photo = PhotoFactory(focal_point_x=x, focal_point_y=y)

    photo.full_clean()
    photo.refresh_from_db()
    assert (photo.focal_point_x, photo.focal_point_y) == (x, y)
