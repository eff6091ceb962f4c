"""Cards in the text and their inline rows stay one (issue 18): removing an unsaved row
renumbers the cards after it, deleting a card marks its row for deletion (and Ctrl+Z takes the
mark off), marking a row for deletion takes its card out (and unmarking puts it back), and the
cards after one paragraph show photos first, as the API does."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from articles.models import Article, RelatedLink
from tests.browser.test_editor_day import Desk, _user
from tests.support.factories import ArticleFactory, ArticlePhotoFactory, RelatedLinkFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _cards(desk: Desk) -> list[tuple[str, str]]:
    """(card, title) of each card in the body, in order, as the form will send them."""
    body = desk.find("#id_body").get_attribute("value")
    return re.findall(r'data-card="([^"]+)" data-kind="[^"]*" data-title="([^"]*)"', body)


def _until_cards(desk: Desk, expected: list[tuple[str, str]]) -> None:
    desk.wait().until(lambda driver: _cards(desk) == expected, message=str(_cards(desk)))


# True when the editor has the focus and its selection is a cursor at the end of the paragraph.
AT_END_OF = """
const [paragraph] = arguments;
const {view} = document.getElementById('id_body').bodyEditor;
const {selection} = view.state;
const start = view.posAtDOM(paragraph, 0);
const end = start + view.state.doc.resolve(start).parent.content.size;
return document.activeElement === view.dom && selection.empty && selection.from === end;
"""


def _cursor_at_end_of_paragraph(desk: Desk, number: int) -> None:
    """Click into the paragraph and press End, again until the editor's selection is there:
    a dialog that just closed can hand the editor its previous selection back a moment later."""
    paragraph = desk.find(f".ProseMirror > p:nth-of-type({number})")
    steady = []

    def at_end(driver) -> bool:
        if driver.execute_script(AT_END_OF, paragraph):
            steady.append(True)
            return len(steady) >= 2  # still there at the next look
        steady.clear()
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", paragraph)
        ActionChains(driver).move_to_element(paragraph).click().send_keys(Keys.END).perform()
        return False

    desk.wait().until(at_end)


def _add_related(desk: Desk, index: int, url: str, title: str) -> None:
    _click(desk, "#add-related-card")
    desk.find(".select2-container--open .select2-search__field").send_keys(Keys.ESCAPE)
    desk.type(f"#id_related_links-{index}-url", url)
    desk.type(f"#id_related_links-{index}-title", title)


def _click(desk: Desk, css: str) -> None:
    element = desk.find(css)
    desk.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def test_cards_and_rows_stay_one(browser, live_server, editorial_roles):
    _user("edna.editor", "Editor")
    article = ArticleFactory(body="<p>Satu.</p><p>Dua.</p><p>Tiga.</p>", published=True)
    RelatedLinkFactory(article=article, after_paragraph=1, title="Tautan A")
    ArticlePhotoFactory(article=article, after_paragraph=2, photo__caption="Foto P")
    desk = Desk(browser, live_server.url)
    desk.log_in("edna.editor")
    desk.open(f"/admin/articles/article/{article.pk}/change/")
    desk.find("#add-related-card")  # the editor is ready
    _until_cards(desk, [("related_links-0", "Tautan A"), ("article_photos-0", "Foto P")])

    # Two new related cards at the end; removing the first one's row renumbers the second.
    _cursor_at_end_of_paragraph(desk, 3)
    _add_related(desk, 1, "https://example.org/b", "Tautan B")
    _cursor_at_end_of_paragraph(desk, 3)
    _add_related(desk, 2, "https://example.org/c", "Tautan C")
    _until_cards(
        desk,
        [
            ("related_links-0", "Tautan A"),
            ("article_photos-0", "Foto P"),
            ("related_links-2", "Tautan C"),  # at the cursor: right after paragraph 3
            ("related_links-1", "Tautan B"),
        ],
    )
    _click(desk, "#related_links-1 a.inline-deletelink")
    _until_cards(
        desk,
        [
            ("related_links-0", "Tautan A"),
            ("article_photos-0", "Foto P"),
            ("related_links-1", "Tautan C"),
        ],
    )
    assert desk.find("#id_related_links-1-url").get_attribute("value") == "https://example.org/c"

    # Deleting a saved row's card marks the row for deletion; Ctrl+Z takes the mark off.
    desk.select_card(".article-card[data-kind=related]")
    ActionChains(browser).send_keys(Keys.DELETE).perform()
    desk.wait().until(lambda driver: desk.find("#id_related_links-0-DELETE").is_selected())
    ActionChains(browser).key_down(Keys.CONTROL).send_keys("z").key_up(Keys.CONTROL).perform()
    desk.wait().until(lambda driver: not desk.find("#id_related_links-0-DELETE").is_selected())
    assert ("related_links-0", "Tautan A") in _cards(desk)
    desk.select_card(".article-card[data-kind=related]")
    ActionChains(browser).send_keys(Keys.DELETE).perform()
    desk.wait().until(lambda driver: desk.find("#id_related_links-0-DELETE").is_selected())

    # Marking the photo's row for deletion takes its card out; unmarking puts it back.
    _click(desk, "#id_article_photos-0-DELETE")
    _until_cards(desk, [("related_links-1", "Tautan C")])
    _click(desk, "#id_article_photos-0-DELETE")
    _until_cards(desk, [("article_photos-0", "Foto P"), ("related_links-1", "Tautan C")])

    # A related card put right after paragraph 2, before the photo, shows after it.
    _cursor_at_end_of_paragraph(desk, 2)
    _add_related(desk, 2, "https://example.org/d", "Tautan D")
    _until_cards(
        desk,
        [
            ("article_photos-0", "Foto P"),
            ("related_links-2", "Tautan D"),
            ("related_links-1", "Tautan C"),
        ],
    )
    # Deleting the card of a new, unsaved row removes the row.
    _cursor_at_end_of_paragraph(desk, 1)
    _add_related(desk, 3, "https://example.org/e", "Tautan E")
    # The first related card: after paragraph 1.
    assert "Tautan E" in desk.select_card(".article-card[data-kind=related]")
    ActionChains(browser).send_keys(Keys.DELETE).perform()
    desk.wait().until(lambda driver: not driver.find_elements("css selector", "#related_links-3"))
    assert desk.find("#id_related_links-TOTAL_FORMS").get_attribute("value") == "3"
    _until_cards(
        desk,
        [
            ("article_photos-0", "Foto P"),
            ("related_links-2", "Tautan D"),
            ("related_links-1", "Tautan C"),
        ],
    )
    desk.save()
    assert "was changed successfully" in desk.success_message()

    rows = RelatedLink.objects.filter(article=article).order_by("after_paragraph")
    assert [(row.title, row.after_paragraph) for row in rows] == [("Tautan D", 2), ("Tautan C", 3)]
    article = Article.objects.get(pk=article.pk)
    with urllib.request.urlopen(f"{live_server.url}/api/v1/articles/{article.slug}/") as answer:  # noqa: S310 (the local live server)
        blocks = json.load(answer)["blocks"]
    assert [block["type"] for block in blocks] == [
        "paragraph",
        "paragraph",
        "photo",
        "related",
        "paragraph",
        "related",
    ]
    assert [block["title"] for block in blocks if block["type"] == "related"] == [
        "Tautan D",
        "Tautan C",
    ]


# Moves the first card into the last list item, after its paragraph, in one transaction, as a
# drop of the card there does.
DROP_CARD_INTO_LIST = """
const editor = document.querySelector("#id_body").bodyEditor;
const { state } = editor;
let card = null, cardAt = -1, itemEnd = -1;
state.doc.forEach((node, offset) => {
  if (!card && node.type.name === "articleCard") { card = node; cardAt = offset; }
});
state.doc.descendants((node, pos) => {
  if (node.type.name === "listItem") itemEnd = pos + node.nodeSize - 1;
});
let tr = state.tr.delete(cardAt, cardAt + card.nodeSize);
tr = tr.insert(tr.mapping.map(itemEnd), card);
editor.view.dispatch(tr);
"""


def test_a_card_dropped_into_a_list_stands_between_blocks(browser, live_server, editorial_roles):
    _user("edna.editor", "Editor")
    article = ArticleFactory(
        body="<p>Satu.</p><p>Dua.</p><ul><li><p>Butir.</p></li></ul><p>Tiga.</p>", published=True
    )
    RelatedLinkFactory(article=article, after_paragraph=1, title="Tautan A")
    desk = Desk(browser, live_server.url)
    desk.log_in("edna.editor")
    desk.open(f"/admin/articles/article/{article.pk}/change/")
    desk.find("#add-related-card")  # the editor is ready
    _until_cards(desk, [("related_links-0", "Tautan A")])

    browser.execute_script(DROP_CARD_INTO_LIST)

    # Out of the list, after the paragraph before it (the API shows cards after paragraphs).
    expected = '<p>Dua.</p><div data-card="related_links-0"'
    desk.wait().until(
        lambda driver: expected in desk.find("#id_body").get_attribute("value"),
        message=desk.find("#id_body").get_attribute("value"),
    )
    assert "<li><p>Butir.</p></li>" in desk.find("#id_body").get_attribute("value")
    desk.save()
    assert "was changed successfully" in desk.success_message()
    assert RelatedLink.objects.get(article=article).after_paragraph == 2


def test_undoing_the_deletion_of_an_unsaved_row_s_card_brings_the_row_back(
    browser, live_server, editorial_roles
):
    _user("edna.editor", "Editor")
    article = ArticleFactory(body="<p>Satu.</p><p>Dua.</p><p>Tiga.</p>", published=True)
    desk = Desk(browser, live_server.url)
    desk.log_in("edna.editor")
    desk.open(f"/admin/articles/article/{article.pk}/change/")
    desk.find("#add-related-card")  # the editor is ready
    _cursor_at_end_of_paragraph(desk, 1)
    _add_related(desk, 0, "https://example.org/b", "Tautan B")
    _cursor_at_end_of_paragraph(desk, 2)
    _add_related(desk, 1, "https://example.org/c", "Tautan C")
    _until_cards(desk, [("related_links-0", "Tautan B"), ("related_links-1", "Tautan C")])

    # Deleting B's card removes its row; C's row and card become number 0.
    assert "Tautan B" in desk.select_card(".article-card[data-kind=related]")
    ActionChains(browser).send_keys(Keys.DELETE).perform()
    _until_cards(desk, [("related_links-0", "Tautan C")])
    assert desk.find("#id_related_links-TOTAL_FORMS").get_attribute("value") == "1"

    # Ctrl+Z brings B's card back with a new row holding what B's row held.
    ActionChains(browser).key_down(Keys.CONTROL).send_keys("z").key_up(Keys.CONTROL).perform()
    _until_cards(desk, [("related_links-1", "Tautan B"), ("related_links-0", "Tautan C")])
    assert desk.find("#id_related_links-1-url").get_attribute("value") == "https://example.org/b"
    assert desk.find("#id_related_links-1-title").get_attribute("value") == "Tautan B"
    desk.save()
    assert "was changed successfully" in desk.success_message()
    rows = RelatedLink.objects.filter(article=article).order_by("after_paragraph")
    assert [(row.title, row.url, row.after_paragraph) for row in rows] == [
        ("Tautan B", "https://example.org/b", 1),
        ("Tautan C", "https://example.org/c", 2),
    ]
