"""An editor's day in a real browser, the way Django tests its own admin.

A writer logs in, uploads a photo, writes an article with the photo, a byline, a tag and a
related link, and submits it for review; an editor logs in and publishes it; the public API
then shows it with everything the writer put in.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from articles.models import Article
from tests.support.factories import AuthorFactory, SectionFactory, TopicTagFactory, image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
WAIT_SECONDS = 20


def _user(username: str, group: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


# True when the editor has the focus and its selection is the given card (a node selection).
CARD_SELECTED = """
const [card] = arguments;
const {view} = document.getElementById('id_body').bodyEditor;
const {selection} = view.state;
return document.activeElement === view.dom && selection.node !== undefined
  && view.nodeDOM(selection.from) === card;
"""


class Desk:
    """What a person does in the admin, step by step, with explicit waits."""

    def __init__(self, driver, base_url: str):
        self.driver = driver
        self.base_url = base_url

    def wait(self):
        return WebDriverWait(self.driver, WAIT_SECONDS)

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    def find(self, css: str):
        return self.wait().until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))

    def type(self, css: str, text: str) -> None:
        field = self.find(css)
        field.clear()
        field.send_keys(text)

    def log_in(self, username: str) -> None:
        self.driver.delete_all_cookies()
        self.open("/admin/login/")
        self.type("#id_username", username)
        self.type("#id_password", PASSWORD)
        self.find("#login-form [type=submit]").click()
        self.wait().until(ec.presence_of_element_located((By.ID, "user-tools")))

    def save(self) -> None:
        button = self.find("input[name=_save]")
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
        button.click()
        self.wait().until(ec.staleness_of(button))

    def success_message(self) -> str:
        return self.find(".messagelist .success").text

    def pick(self, select_id: str, search: str, choice: str) -> None:
        """Choose in an autocomplete field (select2): open it, type, click the result."""
        container = self.find(f"#{select_id} + .select2 .select2-selection")
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", container)
        container.click()
        search_box = self.find(".select2-container--open .select2-search__field")
        search_box.send_keys(search)
        self.click_result(choice)
        self.wait().until(
            ec.text_to_be_present_in_element(
                (By.CSS_SELECTOR, f"#{select_id} + .select2 .select2-selection__rendered"),
                choice,
            )
        )

    def choose_in_open_autocomplete(self, search: str, choice: str) -> None:
        """Type into the autocomplete that is open and click the result showing `choice`."""
        self.find(".select2-container--open .select2-search__field").send_keys(search)
        self.click_result(choice)

    def click_result(self, choice: str) -> None:
        """Click the autocomplete's result showing `choice`; select2 redraws its results as
        each typed letter's answer comes in, so a result found may be gone a moment later."""
        for attempt in range(3):
            option = self.wait().until(
                ec.element_to_be_clickable(
                    (
                        By.XPATH,
                        "//li[contains(@class, 'select2-results__option') and "
                        f"not(contains(@class, 'loading-results')) and contains(., '{choice}')]",
                    )
                )
            )
            try:
                option.click()
                return
            except StaleElementReferenceException:
                if attempt == 2:
                    raise

    def select_card(self, css: str) -> str:
        """Click the card matching `css` until the editor holds it selected, as a person waits
        for the card to show selected before pressing a key: the editor may redraw the card
        meanwhile, or, just after an undo, put its earlier selection back. The card's text."""
        steady = []
        text = ""

        def selected(driver) -> bool:
            nonlocal text
            try:
                card = self.find(css)
                text = card.text
                if driver.execute_script(CARD_SELECTED, card):
                    steady.append(True)
                    return len(steady) >= 2  # still selected at the next look
                steady.clear()
                driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", card)
                card.click()
            except StaleElementReferenceException:
                steady.clear()
            return False

        self.wait().until(selected)
        return text

    def tab_to(self, element_id: str, most: int = 8) -> None:
        """Press Tab until the element with `element_id` has the focus (keyboard only)."""
        for _ in range(most):
            ActionChains(self.driver).send_keys(Keys.TAB).perform()
            if self.driver.execute_script("return document.activeElement.id") == element_id:
                return
        raise AssertionError(f"Tab never reached #{element_id}")

    def add_inline_row(self, group_id: str) -> None:
        link = self.find(f"#{group_id} .add-row a")
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", link)
        link.click()


def test_writer_writes_and_submits_editor_publishes_api_shows_it(
    browser, live_server, editorial_roles, tmp_path: Path
):
    SectionFactory(name="Daerah", slug="daerah")
    AuthorFactory(name="Siti Rahma", slug="siti-rahma")
    TopicTagFactory(name="Banjir", slug="banjir")
    writer = _user("wira.writer", "Writer")
    _user("edna.editor", "Editor")
    photo_file = tmp_path / "banjir.jpg"
    photo_file.write_bytes(image_bytes(width=640, height=427))
    desk = Desk(browser, live_server.url)

    # The writer uploads a photo.
    desk.log_in("wira.writer")
    desk.open("/admin/photos/photo/add/")
    desk.find("#id_image").send_keys(str(photo_file))
    desk.type("#id_caption", "Warga mengungsi di Dayeuhkolot")
    desk.type("#id_credit", "Foto: Budi/Newsroom")
    desk.type("#id_alt_text", "Warga berjalan di jalan yang tergenang")
    desk.save()
    assert "was added successfully" in desk.success_message()

    # ... writes the article with that photo, a byline, a tag and a related link ...
    desk.open("/admin/articles/article/add/")
    desk.type("#id_headline", "Banjir rendam ratusan rumah di Bandung")
    desk.type("#id_dek", "Warga mengungsi ke masjid dan sekolah.")
    desk.type("#id_dateline", "BANDUNG")
    # The body is written in the rich-text editor, a bold word included.
    desk.find("#add-related-card")  # the editor is ready
    editable = desk.find(".prose-editor .ProseMirror[contenteditable=true]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", editable)
    ActionChains(browser).move_to_element(editable).click().perform()

    def keys(*typed):
        ActionChains(browser).send_keys(*typed).perform()

    def bold(text):
        chain = ActionChains(browser).key_down(Keys.CONTROL).send_keys("b").key_up(Keys.CONTROL)
        chain.send_keys(text).key_down(Keys.CONTROL).send_keys("b").key_up(Keys.CONTROL).perform()

    keys("Hujan deras sejak sore membuat ")
    bold("sungai")
    keys(" meluap.", Keys.ENTER, "## ", "Pengungsian", Keys.ENTER)  # "## " starts a heading
    keys("Warga mengungsi ke masjid.", Keys.ENTER, "Sekolah diliburkan.")
    # A link, by keyboard only: select the word, Ctrl+K, type the address, Enter.
    keys(Keys.ARROW_UP, Keys.END, Keys.ARROW_LEFT)
    ActionChains(browser).key_down(Keys.SHIFT).key_down(Keys.CONTROL).send_keys(
        Keys.ARROW_LEFT
    ).key_up(Keys.CONTROL).key_up(Keys.SHIFT).perform()
    url_field = None
    for _attempt in range(3):  # the first Ctrl+K may come before the selection is the editor's
        ActionChains(browser).key_down(Keys.CONTROL).send_keys("k").key_up(Keys.CONTROL).perform()
        try:
            url_field = WebDriverWait(browser, 3).until(
                ec.visibility_of_element_located((By.CSS_SELECTOR, "dialog[open] input"))
            )
            break
        except TimeoutException:
            continue
    assert url_field is not None, "Ctrl+K opens the link dialog"
    url_field.send_keys("https://example.org/masjid", Keys.ENTER)
    desk.wait().until(
        lambda driver: (
            'href="https://example.org/masjid"' in desk.find("#id_body").get_attribute("value")
        )
    )
    # An inline photo and a "Baca juga" card after the second paragraph: at the cursor, each
    # button reached with Tab and pressed with Enter.
    # The dialog gives the editor its focus and selection back a moment later: press End until
    # the cursor stands at the end of the paragraph.
    at_end = (
        "const {selection} = document.getElementById('id_body').bodyEditor.state;"
        "return document.activeElement.classList.contains('ProseMirror') && selection.empty"
        " && selection.$from.parentOffset === selection.$from.parent.content.size;"
    )

    def end_of_paragraph(driver):
        keys(Keys.END)
        return driver.execute_script(at_end)

    desk.wait().until(end_of_paragraph)
    desk.tab_to("add-photo-card")
    keys(Keys.ENTER)
    desk.find(".select2-container--open .select2-search__field").send_keys("Dayeuh")
    desk.wait().until(
        ec.presence_of_element_located(
            (By.XPATH, "//li[contains(@class, 'select2-results__option--highlighted') and "
             "contains(., 'Warga mengungsi di Dayeuhkolot')]")
        )
    )  # fmt: skip
    keys(Keys.ENTER)
    desk.wait().until(
        ec.text_to_be_present_in_element(
            (By.CSS_SELECTOR, ".article-card[data-kind=photo]"), "Warga mengungsi di Dayeuhkolot"
        )
    )
    # Back to the text, at the end of the second paragraph, for the "Baca juga" card.
    second = desk.find(".ProseMirror > p:nth-of-type(2)")
    ActionChains(browser).move_to_element(second).click().send_keys(Keys.END).perform()
    desk.tab_to("add-related-card")
    keys(Keys.ENTER)
    desk.find(".select2-container--open .select2-search__field").send_keys(Keys.ESCAPE)
    desk.find(".article-card[data-kind=related]")
    # Put at the cursor right after the paragraph, the related card still shows after the
    # photo: after one paragraph readers see photos first.
    desk.wait().until(
        lambda driver: (
            driver.execute_script(
                "const cards = [...document.querySelectorAll('.ProseMirror .article-card')];"
                "return cards.map((card) => card.dataset.kind).join();"
            )
            == "photo,related"
        )
    )
    assert "words" in desk.find("[data-aid=words]").text
    desk.pick("id_section", "Daer", "Daerah")
    desk.pick("id_lead_photo", "Dayeuh", "Warga mengungsi di Dayeuhkolot")
    desk.pick("id_bylines-0-author", "Siti", "Siti Rahma")
    desk.pick("id_tagged_items-0-tag", "Banj", "Banjir")
    desk.type("#id_related_links-0-url", "https://example.org/peta-banjir")
    desk.type("#id_related_links-0-title", "Peta banjir Bandung")
    # The card shows what the row links to.
    desk.wait().until(
        ec.text_to_be_present_in_element(
            (By.CSS_SELECTOR, ".article-card[data-kind=related]"), "Peta banjir Bandung"
        )
    )
    # ... and submits it for review.
    Select(desk.find("#id_status")).select_by_value("in_review")
    desk.save()
    assert "was added successfully" in desk.success_message()

    article = Article.objects.get(headline="Banjir rendam ratusan rumah di Bandung")
    assert article.status == Article.Status.IN_REVIEW
    assert article.created_by == writer
    # A writer is never offered "Published".
    desk.open(f"/admin/articles/article/{article.pk}/change/")
    options = [o.get_attribute("value") for o in Select(desk.find("#id_status")).options]
    assert "published" not in options

    # The editor moves the "Baca juga" card below the last paragraph and publishes.
    desk.log_in("edna.editor")
    desk.open(f"/admin/articles/article/{article.pk}/change/")
    assert "Peta banjir Bandung" in desk.select_card(".article-card[data-kind=related]")
    ActionChains(browser).key_down(Keys.ALT).send_keys(Keys.ARROW_DOWN).key_up(Keys.ALT).perform()
    Select(desk.find("#id_status")).select_by_value("published")
    desk.save()
    assert "was changed successfully" in desk.success_message()

    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.slug

    # The public API shows it, with everything the writer put in.
    with urllib.request.urlopen(f"{live_server.url}/api/v1/articles/{article.slug}/") as answer:  # noqa: S310 (the local live server)
        assert answer.status == 200
        data = json.load(answer)
    assert data["headline"] == "Banjir rendam ratusan rumah di Bandung"
    assert data["dateline"] == "BANDUNG"
    assert [b["slug"] for b in data["bylines"]] == ["siti-rahma"]
    assert [t["slug"] for t in data["tags"]] == ["banjir"]
    assert data["lead_photo"]["caption"] == "Warga mengungsi di Dayeuhkolot"
    assert data["lead_photo"]["credit"] == "Foto: Budi/Newsroom"
    assert (data["lead_photo"]["width"], data["lead_photo"]["height"]) == (640, 427)
    masjid = '<a href="https://example.org/masjid" rel="noopener noreferrer">masjid</a>'
    assert data["body_html"] == (
        "<p>Hujan deras sejak sore membuat <strong>sungai</strong> meluap.</p>"
        f"<h2>Pengungsian</h2><p>Warga mengungsi ke {masjid}.</p><p>Sekolah diliburkan.</p>"
    )
    assert [block["type"] for block in data["blocks"]] == [
        "paragraph",
        "heading",
        "paragraph",
        "photo",
        "paragraph",
        "related",
    ]
    assert data["blocks"][2]["html"] == f"Warga mengungsi ke {masjid}."
    assert data["blocks"][3]["caption"] == "Warga mengungsi di Dayeuhkolot"
    assert data["related"] == [
        {
            "type": "related",
            "label": "Baca juga",
            "title": "Peta banjir Bandung",
            "url": "https://example.org/peta-banjir",
            "article": None,
        }
    ]


WORD_CLIPBOARD = (
    '<html xmlns:o="urn:schemas-microsoft-com:office:office"><body>'
    '<p class=MsoNormal style="margin:0"><b><span style="font-size:12pt;color:red">Banjir</span>'
    "</b> melanda <i>Bandung</i><o:p></o:p></p>"
    '<h1 style="mso-outline-level:1">Judul</h1>'
    '<p><a href="https://example.org/a" style="color:red" class="x">sumber</a>'
    '<span style="font-family:Calibri"> dan lainnya</span></p>'
    "<table><tr><td>sel</td></tr></table>"
    "</body></html>"
)


def test_word_paste_keeps_only_the_allowed_set(browser, live_server, editorial_roles):
    _user("wira.writer", "Writer")
    desk = Desk(browser, live_server.url)
    desk.log_in("wira.writer")
    desk.open("/admin/articles/article/add/")
    desk.find("#add-related-card")  # the editor is ready
    editable = desk.find(".prose-editor .ProseMirror[contenteditable=true]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", editable)
    ActionChains(browser).move_to_element(editable).click().perform()
    # What a paste from Word puts on the clipboard, delivered as the browser would.
    browser.execute_script(
        """
        const data = new DataTransfer();
        data.setData("text/html", arguments[1]);
        data.setData("text/plain", "Banjir melanda Bandung");
        arguments[0].dispatchEvent(
          new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        """,
        editable,
        WORD_CLIPBOARD,
    )
    desk.wait().until(lambda driver: "sumber" in desk.find("#id_body").get_attribute("value"))
    body = desk.find("#id_body").get_attribute("value")
    # Word's <b> and <i> stay as they are (the sanitiser allows them; articles/html.py).
    assert "<b>Banjir</b> melanda <i>Bandung</i>" in body
    assert 'href="https://example.org/a">sumber</a>' in body
    # A link's class survives the editor; the server's sanitiser removes it on save
    # (tests/articles/test_admin_editor.py posts such HTML).
    for removed in ("style=", "<span", "<table", "<h1", "<o:p", "Mso"):
        assert removed not in body, removed


def test_a_crashed_tab_gets_its_text_back(browser, live_server, editorial_roles):
    _user("wira.writer", "Writer")
    desk = Desk(browser, live_server.url)
    desk.log_in("wira.writer")
    desk.open("/admin/articles/article/add/")
    desk.find("#add-related-card")  # the editor is ready
    editable = desk.find(".prose-editor .ProseMirror[contenteditable=true]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", editable)
    ActionChains(browser).move_to_element(editable).click().send_keys(
        "Kalimat yang hampir hilang."
    ).perform()
    # The draft is kept a couple of seconds after the last keystroke; then the tab "crashes".
    desk.wait().until(
        lambda driver: (
            "hampir hilang"
            in (
                driver.execute_script(
                    "return Object.keys(localStorage).map((k) => localStorage.getItem(k)).join()"
                )
                or ""
            )
        )
    )
    desk.open("/admin/articles/article/add/")
    desk.wait().until(ec.visibility_of_element_located((By.ID, "autosave-notice")))
    desk.find("#autosave-notice [data-autosave=restore]").click()
    desk.wait().until(
        lambda driver: "hampir hilang" in desk.find("#id_body").get_attribute("value")
    )
