"""`bulk_insert`: the rows `bulk_create` writes, through COPY on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Value

from articles.models import ArticleRevision, Author, Byline
from newsroom.postgresql.copy import bulk_insert
from tests.support.factories import ArticleFactory

pytestmark = pytest.mark.django_db

# What COPY's text format escapes (tab, newline, backslash, its NULL marker), and more.
AWKWARD = "Tab\there, line\nbreak, back\\slash, \\N, \"quotes\", 'single', emoji 🙂, ñ"


def _authors(prefix: str) -> list[Author]:
    return [Author(name=AWKWARD, slug=f"{prefix}-{n}", bio=AWKWARD * n, email="") for n in range(3)]


def test_bulk_insert_writes_what_bulk_create_writes(editor):
    created = Author.objects.bulk_create(_authors("created"))
    inserted = bulk_insert(_authors("inserted"))
    article = ArticleFactory()
    revisions = [
        ArticleRevision(
            article=article,
            number=n,
            data={"text": AWKWARD, "n": n, "list": [None, 1.5, True]},
            created_by=editor,
        )
        for n in (1, 2)
    ]
    bulk_insert(revisions)

    assert all(author.pk and not author._state.adding for author in inserted)
    fields = ["name", "bio", "email", "website"]
    assert list(Author.objects.filter(pk__in=[a.pk for a in inserted]).values(*fields)) == list(
        Author.objects.filter(pk__in=[a.pk for a in created]).values(*fields)
    )
    assert [a.pk for a in inserted] == sorted(a.pk for a in inserted)
    stored = ArticleRevision.objects.filter(pk__in=[r.pk for r in revisions]).order_by("number")
    assert [(r.number, r.data, r.created_by_id) for r in stored] == [
        (n, {"text": AWKWARD, "n": n, "list": [None, 1.5, True]}, editor.pk) for n in (1, 2)
    ]
    assert all(r.created_at for r in stored)


def test_bulk_insert_takes_the_ids_of_objects_saved_since():
    """A row made before the row it points at was saved (`Byline(author=author)` before
    the author's insert): the id is taken at the insert, as `bulk_create` does."""
    author = Author(name="Penulis", slug="penulis")
    byline = Byline(article=ArticleFactory(), author=author, position=1)
    bulk_insert([author])
    bulk_insert([byline])

    assert Byline.objects.get(pk=byline.pk).author_id == author.pk


def test_bulk_insert_of_a_duplicate_raises_integrity_error_and_writes_nothing():
    Author.objects.create(name="Ada", slug="ada")
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert([Author(name="Baru", slug="baru"), Author(name="Ada lagi", slug="ada")])

    assert list(Author.objects.values_list("slug", flat=True)) == ["ada"]


def test_bulk_insert_of_nothing_is_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert bulk_insert([]) == []


def test_bulk_insert_refuses_an_expression_on_postgresql():
    """COPY sends values, not SQL: an expression is a mistake there (`bulk_create` on
    SQLite takes it)."""
    author = Author(name=Value("Ada"), slug="ada")
    if connection.vendor == "postgresql":
        with pytest.raises(ValueError, match="Author.name: an expression"):
            bulk_insert([author])
    else:
        bulk_insert([author])
        assert Author.objects.get().name == "Ada"
