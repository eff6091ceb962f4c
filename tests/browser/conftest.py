"""Real-browser tests: headless Chromium driven by Selenium against a live test server.

Debian's `chromium` and `chromium-driver` packages provide the browser and its driver
(`.ci/run` installs them). On failure, a screenshot and the page source are saved to
`var/browser-failures/`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test.utils import override_settings

from articles.roles import roles_sync

CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
FAILURES_DIR = Path(__file__).resolve().parents[2] / "var" / "browser-failures"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test item, so a fixture's teardown can see a failure.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session", autouse=True)
def _plain_http_live_server():
    """The live server speaks plain http: no https redirect, HSTS or https-only cookies.

    Session-scoped and autouse, so it is in force before the (session-scoped) live server
    builds its middleware, which reads these settings once.
    """
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SECURE_HSTS_SECONDS=0,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
    ):
        yield


@pytest.fixture
def browser(request, live_server):
    """A headless Chromium on a live server; saves a screenshot if the test fails."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
        "--lang=en-US",
        # Chromium upgrades http navigations to https by itself; the live server is http.
        "--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,"
        "HttpsFirstModeV2ForTypicallySecureUsers",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(0)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            FAILURES_DIR.mkdir(parents=True, exist_ok=True)
            name = request.node.name.replace("/", "_")
            driver.save_screenshot(str(FAILURES_DIR / f"{name}.png"))
            (FAILURES_DIR / f"{name}.html").write_text(driver.page_source)
        driver.quit()


@pytest.fixture
def editorial_roles(transactional_db):
    """The Writer and Editor groups, as `manage.py roles_sync` defines them.

    Transactional tests flush the database afterwards, taking migration data with it, so
    each browser test makes sure the roles exist (roles_sync is idempotent).
    """
    roles_sync()
