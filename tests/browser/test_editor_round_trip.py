"""Existing articles keep their API blocks when saved again through the editor itself:
a bench-like sample (`tests.support.editor_sample`) loaded into the real editor in Chromium,
read back as the form would send it, and saved as the change form does."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.editor_sample import changed_by_round_trip, make_sample

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE_SIZE = 200
PASSWORD = "correct horse battery staple"

# What the editor sends for each loaded body: its HTML after reading it, as the textarea
# gets it (django-prose-editor's createTextareaEditor: an empty document is "").
THROUGH_THE_EDITOR = """
const editor = document.getElementById("id_body").bodyEditor;
return arguments[0].map((html) => {
  // As the page load reads the textarea (with the editor's parse options).
  const parseOptions = editor.options.parseOptions;
  editor.commands.setContent(html, { emitUpdate: false, parseOptions });
  const out = editor.getHTML();
  return /^<(\\w+)(\\s[^>]*)?><\\/\\1>$/i.test(out) ? "" : out;
});
"""


def test_bench_sample_keeps_its_blocks_through_the_browser_editor(
    browser, live_server, editorial_roles, client
):
    articles = make_sample(SAMPLE_SIZE)
    User.objects.create_superuser("root", "root@example.org", PASSWORD)
    browser.get(live_server.url + "/admin/login/")
    browser.find_element(By.ID, "id_username").send_keys("root")
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    # Logged in before going on: navigating while the login POST is in flight lands on the
    # login page again.
    WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.ID, "user-tools")))
    browser.get(live_server.url + "/admin/articles/article/add/")
    WebDriverWait(browser, 20).until(
        ec.presence_of_element_located((By.ID, "add-related-card"))
    )  # the editor is ready

    def through_the_editor(bodies: list[str]) -> list[str]:
        return browser.execute_script(THROUGH_THE_EDITOR, bodies)

    changed = changed_by_round_trip(client, articles, through_the_editor)
    assert changed == {}, next(iter(changed.items()))
