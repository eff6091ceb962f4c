"""The photo's admin page says where the photo is used: articles, as lead or inline."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.admin.photo_usage import article_photo_usage
from articles.models import ArticlePhoto, Desk
from tests.support.factories import ArticleFactory, PhotoFactory, SectionFactory

pytestmark = pytest.mark.django_db


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def test_the_photo_page_lists_the_articles_using_it_with_links(editor_client):
    photo = PhotoFactory()
    lead = ArticleFactory(headline="Banjir <b>Bandung</b>", lead_photo=photo, published=True)
    inline = ArticleFactory(headline="Longsor Lembang")
    ArticlePhoto.objects.create(article=inline, photo=photo, after_paragraph=3)
    trashed = ArticleFactory(headline="Arsip lama", lead_photo=photo, deleted_at=timezone.now())
    ArticleFactory(headline="Tanpa foto")

    html = editor_client.get(change_url(photo)).content.decode()

    assert 'id="photo-usage"' in html
    assert f'<a href="{change_url(lead)}">Banjir &lt;b&gt;Bandung&lt;/b&gt;</a>' in html
    assert f'<a href="{change_url(inline)}">Longsor Lembang</a>' in html
    assert "Lead photo" in html and "Inline, after paragraph 3" in html
    assert f'<a href="{change_url(trashed)}">Arsip lama</a>' in html and "in the trash" in html
    assert "Tanpa foto" not in html


def test_an_unused_photo_says_so(editor_client):
    html = editor_client.get(change_url(PhotoFactory())).content.decode()

    assert "Not used in any article." in html


def test_the_usage_costs_two_queries_however_many_articles(editor, django_assert_num_queries):
    photo = PhotoFactory()
    for _ in range(4):
        ArticleFactory(lead_photo=photo)
        ArticlePhoto.objects.create(article=ArticleFactory(), photo=photo)
    # the articles with it as lead photo; its inline placements with their articles
    with django_assert_num_queries(2):
        usage = article_photo_usage(photo=photo, user=editor)
        rows = [(row["headline"], row["url"], row["role"]) for row in usage["rows"]]

    assert len(rows) == 8 and not usage["more"]


def test_a_long_list_is_cut_and_says_so(editor, settings):
    photo = PhotoFactory()
    for _ in range(3):
        ArticleFactory(lead_photo=photo)

    usage = article_photo_usage(photo=photo, user=editor, limit=2)

    assert len(usage["rows"]) == 2 and usage["more"]


def test_articles_of_another_desk_are_not_listed(writer, client):
    daerah = Desk.objects.create(name="Daerah", slug="daerah")
    daerah.members.add(writer)
    nasional = Desk.objects.create(name="Nasional", slug="nasional")
    photo = PhotoFactory()
    ArticleFactory(headline="Di desk sendiri", lead_photo=photo,
                   section=SectionFactory(slug="daerah", desk=daerah))  # fmt: skip
    ArticleFactory(headline="Draf desk lain", lead_photo=photo,
                   section=SectionFactory(slug="nasional", desk=nasional))  # fmt: skip
    client.force_login(writer)

    html = client.get(change_url(photo)).content.decode()

    assert "Di desk sendiri" in html
    assert "Draf desk lain" not in html


def test_the_page_costs_the_same_queries_for_one_use_or_many(editor_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    photo = PhotoFactory()
    ArticleFactory(lead_photo=photo)

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert editor_client.get(change_url(photo)).status_code == 200
        return len(queries)

    one = page_queries()
    for _ in range(5):
        ArticleFactory(lead_photo=photo)
        ArticlePhoto.objects.create(article=ArticleFactory(), photo=photo)

    assert page_queries() == one
