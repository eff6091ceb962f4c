"""The article body's editor in the admin: the allowed set, and the cards between paragraphs
(related reading and inline photos) turned into rows with `after_paragraph` and back."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.admin.models import LogEntry

from articles.admin.editor import (
    BODY_EDITOR_CARDS_MODULE,
    PHOTOS_PREFIX,
    RELATED_LINKS_PREFIX,
    CardPlace,
    body_keeping_stored_marks,
    body_split_cards,
    body_with_cards,
    card_html,
)
from articles.blocks import split_body
from articles.html import sanitize_body_html
from articles.models import Article, ArticlePhoto, RelatedLink
from tests.support.admin import admin_url, article_form_data, error_messages, management
from tests.support.factories import ArticleFactory, ArticlePhotoFactory, RelatedLinkFactory

BODY = "<p>Satu.</p><h2>Judul</h2><p>Dua.</p><p>Tiga.</p>"


def _card(card: str) -> str:
    kind = "photo" if card.startswith(PHOTOS_PREFIX) else "related"
    return card_html(card=card, kind=kind, title="Judul > kartu")


def _textarea_body(response) -> str:
    match = re.search(
        r'<textarea name="body"[^>]*>(.*?)</textarea>', response.content.decode(), re.S
    )
    assert match, "the body field is a textarea"
    return html.unescape(match[1]).strip()


def _rows_data(article: Article) -> dict[str, str]:
    """The change form's POST for the article's stored photo and related rows, as they are."""
    data: dict[str, str] = {}
    photos = list(article.article_photos.order_by("after_paragraph", "position", "id"))
    data.update(management(PHOTOS_PREFIX, total=len(photos), initial=len(photos)))
    for index, row in enumerate(photos):
        prefix = f"{PHOTOS_PREFIX}-{index}"
        data.update(
            {
                f"{prefix}-id": str(row.pk),
                f"{prefix}-article": str(article.pk),
                f"{prefix}-photo": str(row.photo_id),
                f"{prefix}-after_paragraph": str(row.after_paragraph),
                f"{prefix}-position": str(row.position),
            }
        )
    links = list(article.related_links.order_by("after_paragraph", "position", "id"))
    data.update(management(RELATED_LINKS_PREFIX, total=len(links), initial=len(links)))
    for index, row in enumerate(links):
        prefix = f"{RELATED_LINKS_PREFIX}-{index}"
        data.update(
            {
                f"{prefix}-id": str(row.pk),
                f"{prefix}-article": str(article.pk),
                f"{prefix}-target_article": str(row.target_article_id or ""),
                f"{prefix}-url": row.url,
                f"{prefix}-title": row.title,
                f"{prefix}-label": row.label,
                f"{prefix}-after_paragraph": str(row.after_paragraph),
                f"{prefix}-position": str(row.position),
            }
        )
    return data


# --- Cards in and out of the body: pure functions ------------------------------------------


def test_split_cards_says_after_which_paragraph_each_stands():
    body = (
        _card("related_links-1")
        + "<p>Satu.</p>"
        + _card("article_photos-0")
        + "<h2>Judul</h2>"
        + _card("related_links-0")
        + "<p>Dua.</p><p>Tiga.</p>"
        + _card("related_links-2")
        + _card("related_links-3")
    )
    text, places = body_split_cards(body)
    assert text == BODY
    assert places == [
        CardPlace("related_links", 1, 0, 0),
        CardPlace("article_photos", 0, 1, 0),
        # A heading is not a paragraph: still after the first one.
        CardPlace("related_links", 0, 1, 0),
        CardPlace("related_links", 2, 3, 0),
        CardPlace("related_links", 3, 3, 1),
    ]


def test_split_cards_ignores_unknown_and_repeated_cards_and_leaves_a_plain_body_alone():
    body = "<p>Satu.</p>" + _card("bylines-0") + _card("related_links-0") + _card("related_links-0")
    text, places = body_split_cards(body)
    assert text == "<p>Satu.</p>"
    assert places == [CardPlace("related_links", 0, 1, 0)]
    assert body_split_cards(BODY) == (BODY, [])


def test_cards_go_back_where_they_came_from():
    cards = [
        (0, _card("related_links-0")),
        (1, _card("article_photos-0")),
        (9, _card("related_links-1")),
    ]
    loaded = body_with_cards("Loose text<p>Dua.</p>", cards)
    assert loaded == (
        _card("related_links-0") + "<p>Loose text</p>" + _card("article_photos-0") + "<p>Dua.</p>"
        + _card("related_links-1")
    )  # fmt: skip
    text, places = body_split_cards(loaded)
    assert split_body(text) == split_body("Loose text<p>Dua.</p>")
    assert [place.after_paragraph for place in places] == [0, 1, 2]
    assert body_with_cards(BODY, []) == BODY


# --- The change form -------------------------------------------------------------------------


def test_change_form_uses_the_editor_with_local_assets(editor_client):
    article = ArticleFactory(body=BODY)
    response = editor_client.get(admin_url(Article, "change", article.pk))
    page = response.content.decode()
    assert "data-django-prose-editor-configurable" in page
    assert BODY_EDITOR_CARDS_MODULE in page
    assert "django_prose_editor/editor.js" in page
    assert 'id="writing-aids"' in page
    # Every script and stylesheet comes from this site.
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert assets
    assert not [url for url in assets if url.startswith(("http:", "https:", "//"))]


def test_change_form_shows_the_rows_as_cards_after_their_paragraphs(editor_client):
    article = ArticleFactory(body=BODY)
    photo = ArticlePhotoFactory(article=article, after_paragraph=2, photo__caption="Banjir")
    RelatedLinkFactory(article=article, after_paragraph=2, title="Peta banjir")
    target = ArticleFactory(headline="Jalan tol dibuka", published=True)
    RelatedLinkFactory(article=article, after_paragraph=0, url="", title="", target_article=target)
    response = editor_client.get(admin_url(Article, "change", article.pk))
    body = _textarea_body(response)
    # Rows in the formsets' order (after_paragraph, position, id): the link to `target` first.
    cards = re.findall(r'<div data-card="([^"]+)"[^>]*data-title="([^"]*)"', body)
    assert cards == [
        ("related_links-0", "Jalan tol dibuka"),
        ("article_photos-0", "Banjir"),
        ("related_links-1", "Peta banjir"),
    ]
    assert body.index('data-card="article_photos-0"') > body.index("<p>Dua.</p>")
    assert body.index('data-card="related_links-1"') < body.index("<p>Tiga.</p>")
    assert f'data-thumb="{photo.photo.image.url}"' in body


def test_moving_a_card_moves_its_row_and_the_api_follows(editor_client, client):
    article = ArticleFactory(body=BODY, published=True)
    ArticlePhotoFactory(article=article, after_paragraph=1)
    RelatedLinkFactory(article=article, after_paragraph=1, title="Peta banjir")
    loaded = _textarea_body(editor_client.get(admin_url(Article, "change", article.pk)))
    text, places = body_split_cards(loaded)
    assert [(p.prefix, p.after_paragraph) for p in places] == [
        ("article_photos", 1),
        ("related_links", 1),
    ]
    # The writer drags the related card to the end and the photo card before everything.
    moved = _card("article_photos-0") + text + _card("related_links-0")
    data = {**article_form_data(article, body=moved), **_rows_data(article)}
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 302, error_messages(response)

    article.refresh_from_db()
    assert article.body == BODY  # the cards are not part of the body
    assert article.article_photos.get().after_paragraph == 0
    assert article.related_links.get().after_paragraph == 3
    blocks = client.get(f"/api/v1/articles/{article.slug}/").json()["blocks"]
    assert [block["type"] for block in blocks] == [
        "photo",
        "paragraph",
        "heading",
        "paragraph",
        "paragraph",
        "related",
    ]


def test_unchanged_cards_change_nothing(editor_client):
    article = ArticleFactory(body=BODY)
    RelatedLinkFactory(article=article, after_paragraph=2, position=0, title="A")
    RelatedLinkFactory(article=article, after_paragraph=2, position=1, title="B")
    loaded = _textarea_body(editor_client.get(admin_url(Article, "change", article.pk)))
    data = {**article_form_data(article, body=loaded), **_rows_data(article)}
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 302, error_messages(response)
    rows = RelatedLink.objects.order_by("after_paragraph", "position")
    assert [(row.title, row.after_paragraph, row.position) for row in rows] == [
        ("A", 2, 0),
        ("B", 2, 1),
    ]
    article.refresh_from_db()
    assert article.body == BODY


def test_a_new_card_places_a_new_related_row(editor_client):
    article = ArticleFactory(body=BODY)
    body = "<p>Satu.</p><h2>Judul</h2><p>Dua.</p>" + _card("related_links-0") + "<p>Tiga.</p>"
    data = article_form_data(
        article,
        body=body,
        related_links=[{"url": "https://example.org/peta", "title": "Peta", "after_paragraph": 1}],
    )
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 302, error_messages(response)
    assert RelatedLink.objects.get().after_paragraph == 2
    assert ArticlePhoto.objects.count() == 0


def test_a_form_error_shows_the_posted_cards_again(editor_client):
    article = ArticleFactory(body=BODY)
    body = _card("related_links-0") + BODY
    data = article_form_data(article, body=body, headline="", related_links=[{"url": "x"}])
    response = editor_client.post(admin_url(Article, "change", article.pk), data)
    assert response.status_code == 200
    assert 'data-card="related_links-0"' in _textarea_body(response)


# --- Paste from Word and Google Docs ---------------------------------------------------------

WORD_HTML = (
    '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal{margin:0}'
    "</style></head><body lang=EN-US>"
    '<p class=MsoNormal style="margin-bottom:0cm"><b><span style="font-size:12pt">Banjir</span>'
    "</b> melanda <i>Bandung</i><o:p></o:p></p>"
    '<h1 style="mso-outline-level:1">Judul besar</h1>'
    '<p class=MsoListParagraph style="mso-list:l0 level1 lfo1"><span style="mso-list:Ignore">'
    "·</span>Butir satu</p>"
    "<!--[if gte mso 9]><xml><w:WordDocument></w:WordDocument></xml><![endif]-->"
    '<p><a href="javascript:alert(1)" onclick="x()">tautan</a> '
    '<a href="https://example.org/a" target="_blank" style="color:red">sumber</a></p>'
    "<script>alert(1)</script></body></html>"
)
GOOGLE_DOCS_HTML = (
    '<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-1234">'
    '<h2 dir="ltr" style="line-height:1.38"><span style="font-size:16pt">Sub judul</span></h2>'
    '<p dir="ltr"><span style="font-weight:700">Tebal</span><span> biasa</span></p>'
    '<ul><li dir="ltr"><p dir="ltr"><span>Satu</span></p></li></ul>'
    "<blockquote><p>Kutipan</p></blockquote></b>"
)


@pytest.mark.parametrize(
    ("pasted", "stored"),
    [
        (
            WORD_HTML,
            "<p><b>Banjir</b> melanda <i>Bandung</i></p>Judul besar<p>·Butir satu</p>"
            '<p><a rel="noopener noreferrer">tautan</a> '
            '<a href="https://example.org/a" rel="noopener noreferrer">sumber</a></p>',
        ),
        (
            GOOGLE_DOCS_HTML,
            "<b><h2>Sub judul</h2><p>Tebal biasa</p><ul><li><p>Satu</p></li></ul>"
            "<blockquote><p>Kutipan</p></blockquote></b>",
        ),
    ],
    ids=["word", "google-docs"],
)
def test_pasted_office_html_is_saved_as_the_allowed_set(editor_client, pasted, stored):
    """What the browser posts is cleaned on the server whatever the editor did with it."""
    article = ArticleFactory(body=BODY)
    response = editor_client.post(
        admin_url(Article, "change", article.pk), article_form_data(article, body=pasted)
    )
    assert response.status_code == 302, error_messages(response)
    article.refresh_from_db()
    assert article.body == stored
    tags = set(re.findall(r"<([a-z0-9]+)", article.body))
    assert tags <= {"p", "h2", "h3", "b", "i", "strong", "em", "a", "ul", "ol", "li", "blockquote"}


# --- Existing articles: loading and saving in the editor changes none of their blocks --------


def test_demo_articles_keep_their_blocks_through_the_editor(editor_client, client, roles):
    from django.core.management import call_command

    call_command("seed_demo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    published = Article.objects.filter(status=Article.Status.PUBLISHED)[:8]
    assert published
    for article in published:
        before = client.get(f"/api/v1/articles/{article.slug}/").json()["blocks"]
        loaded = _textarea_body(editor_client.get(admin_url(Article, "change", article.pk)))
        data = {**article_form_data(article, body=loaded), **_rows_data(article)}
        response = editor_client.post(admin_url(Article, "change", article.pk), data)
        assert response.status_code == 302, error_messages(response)
        after = client.get(f"/api/v1/articles/{article.slug}/").json()["blocks"]
        assert after == before, article.slug


def test_cards_cost_no_query_on_the_change_form(editor_client, monkeypatch):
    """The cards read the rows the inline formsets have loaded (with their photo and target)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles.admin import editor

    article = ArticleFactory(body=BODY)
    for _ in range(3):
        ArticlePhotoFactory(article=article)
        RelatedLinkFactory(article=article, target_article=ArticleFactory(), url="", title="")
    card_queries = []
    row_card = editor._row_card

    def counted(*args):
        with CaptureQueriesContext(connection) as queries:
            result = row_card(*args)
        card_queries.extend(queries.captured_queries)
        return result

    monkeypatch.setattr(editor, "_row_card", counted)
    response = editor_client.get(admin_url(Article, "change", article.pk))
    assert _textarea_body(response).count("data-card=") == 6
    assert card_queries == []


def test_moving_only_a_card_is_not_a_change_of_the_body(editor_client):
    article = ArticleFactory(body=BODY)
    RelatedLinkFactory(article=article, after_paragraph=1, title="Peta")
    moved = BODY + _card("related_links-0")
    data = {**article_form_data(article, body=moved), **_rows_data(article)}
    response = editor_client.post(admin_url(Article, "change", article.pk), data, follow=True)
    assert response.status_code == 200
    entry = LogEntry.objects.get(object_id=str(article.pk))
    assert "Body" not in entry.get_change_message()
    assert "related reading" in entry.get_change_message()
    assert RelatedLink.objects.get().after_paragraph == 3


# --- Cards at the end, and what the editor adds to a body --------------------------------------


def test_cards_after_the_last_paragraph_keep_their_order_whatever_their_kind():
    body = "<p>Satu.</p><p>Dua.</p>" + "".join(
        _card(card) for card in ("related_links-0", "article_photos-0", "related_links-1")
    )
    text, places = body_split_cards(body)
    assert text == "<p>Satu.</p><p>Dua.</p>"
    assert places == [
        CardPlace("related_links", 0, 2, 0),
        CardPlace("article_photos", 0, 3, 0),  # past the end: shown after the related link
        CardPlace("related_links", 1, 3, 0),
    ]


def test_cards_after_a_trailing_heading_stand_past_the_last_paragraph():
    body = (
        "<p>Satu.</p>" + _card("article_photos-0") + _card("related_links-0") + "<h2>Akhir</h2>"
        + _card("related_links-1") + _card("article_photos-1")
    )  # fmt: skip
    _text, places = body_split_cards(body)
    assert places == [
        CardPlace("article_photos", 0, 1, 0),
        CardPlace("related_links", 0, 1, 0),
        CardPlace("related_links", 1, 2, 0),
        CardPlace("article_photos", 1, 3, 0),
    ]


def test_the_editor_additions_are_taken_off_the_body():
    posted = (
        '<p><a href="https://example.org/" title="">x</a></p>'
        '<ul><li data-plain="true"><p>Satu</p></li><li><p>Dua</p></li></ul>'
        '<blockquote data-plain="true"><p>Kutipan</p></blockquote>'
    )
    text, _places = body_split_cards(posted)
    assert text == (
        '<p><a href="https://example.org/">x</a></p><ul><li>Satu</li><li><p>Dua</p></li></ul>'
        "<blockquote>Kutipan</blockquote>"
    )


def test_a_body_with_every_allowed_element_keeps_it_through_a_save(editor_client):
    """Existing content loses no markup when it is saved again from the change form."""
    body = (
        "<p><b>b</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <s>s</s> <sub>2</sub> "
        '<sup>3</sup> <a href="https://example.org/" title="T" rel="noopener noreferrer">a</a>'
        "<br>baris</p><h2>2</h2><h3>3</h3><h4>4</h4><ul><li>l</li></ul><ol><li><p>o</p></li></ol>"
        "<blockquote>q</blockquote>"
    )
    article = ArticleFactory(body=body)
    loaded = _textarea_body(editor_client.get(admin_url(Article, "change", article.pk)))
    response = editor_client.post(
        admin_url(Article, "change", article.pk), article_form_data(article, body=loaded)
    )
    assert response.status_code == 302, error_messages(response)
    article.refresh_from_db()
    assert article.body == body


def test_marks_nested_in_the_editor_order_keep_the_stored_bytes():
    stored = sanitize_body_html(
        '<p><strong><a href="https://example.org/">Baca</a></strong> lagi</p>'
        "<p><em><b>dua</b></em></p><ul><li><u><s>x</s></u></li></ul>"
    )
    posted = (
        '<p><a href="https://example.org/"><strong>Baca</strong></a> lagi</p>'
        "<p><b><em>dua</em></b></p><ul><li><s><u>x</u></s></li></ul>"
    )
    assert body_keeping_stored_marks(posted, stored) == stored


def test_changed_words_or_marks_are_the_writer_s():
    stored = sanitize_body_html(
        '<p><strong><a href="https://example.org/">Baca</a></strong> lagi</p><p>dua</p>'
    )
    posted = sanitize_body_html(
        '<p><a href="https://example.org/other"><strong>Baca</strong></a> lagi</p>'  # the link
        '<p><a href="https://example.org/">Baca</a> lagi</p>'  # bold taken off
        "<p><strong>Baca</strong> lagi</p>"  # the link taken off
        "<p>dua</p><p>tiga</p>"
    )
    assert body_keeping_stored_marks(posted, stored) == posted
    assert body_keeping_stored_marks(posted, "") == posted


def test_a_save_from_the_editor_keeps_the_stored_nesting_of_marks(editor_client):
    body = sanitize_body_html(
        '<p><strong><a href="https://example.org/">Baca</a></strong> juga</p><p>Dua.</p>'
    )
    article = ArticleFactory(body=body)
    posted = '<p><a href="https://example.org/"><strong>Baca</strong></a> juga</p><p>Dua.</p>'
    response = editor_client.post(
        admin_url(Article, "change", article.pk), article_form_data(article, body=posted)
    )
    assert response.status_code == 302, error_messages(response)
    article.refresh_from_db()
    assert article.body == body
    entry = LogEntry.objects.get(object_id=str(article.pk))
    assert "Body" not in entry.get_change_message()
