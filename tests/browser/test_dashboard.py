"""The admin's first page for the demo content in a real browser: the two charts are drawn
(SVG from the server, nothing from another host) with their tables beside them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def test_dashboard_shows_the_demo_charts_beside_their_tables(
    browser, live_server, editorial_roles, tmp_path
):
    with open(tmp_path / "seed.log", "w") as log:
        call_command("seed_demo", force=True, stdout=log)
    editor = User.objects.get(username="editor")
    editor.set_password(PASSWORD)
    editor.save()
    browser.get(live_server.url + "/admin/login/")
    browser.find_element(By.ID, "id_username").send_keys("editor")
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    wait = WebDriverWait(browser, 20)
    wait.until(ec.presence_of_element_located((By.ID, "dashboard")))

    for chart in ("published-per-day", "top-tags"):
        svg = browser.find_element(By.CSS_SELECTOR, f"#{chart} figure svg")
        assert svg.is_displayed()
        assert svg.size["width"] > 200 and svg.size["height"] > 50, chart
        bars = browser.find_elements(By.CSS_SELECTOR, f"#{chart} svg rect")
        assert [bar for bar in bars if float(bar.get_attribute("height") or 0) > 0], chart
        table = browser.find_element(By.CSS_SELECTOR, f"#{chart} .chart-table table")
        assert table.is_displayed()
        assert browser.find_elements(By.CSS_SELECTOR, f"#{chart} .chart-table tbody tr"), chart
        # Beside the chart: to its right on a wide screen, not below it.
        assert table.location["x"] > svg.location["x"] + svg.size["width"] / 2, chart
    # Every resource of the page came from the live server.
    hosts = browser.execute_script(
        "return performance.getEntriesByType('resource').map((entry) => new URL(entry.name).host)"
    )
    assert set(hosts) <= {live_server.url.split("//")[1]}
    browser.save_screenshot(str(tmp_path / "dashboard.png"))
