"""Settings read from the environment, checked the way production and CI start: in a fresh
process, so every value is read again (pytest's own settings are already loaded)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsroom.checks import (
    check_absolute_urls,
    check_editorial_middleware,
    check_fanout,
    check_schedule_horizon,
    check_trusted_proxies,
)
from tests.support import BASE_DIR
from tests.support.processes import production_env, run


def test_check_deploy_is_clean_with_production_values(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env=production_env(tmp_path)
    )

    assert result.returncode == 0, result.stdout + result.stderr
    # The admin's middleware checks that EditorialMiddleware stands in for (settings/core.py).
    assert "System check identified no issues (3 silenced)." in result.stdout
    assert "WARNING" not in result.stderr


def test_check_deploy_flags_the_development_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]

    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env=env)

    assert result.returncode == 1
    assert "security.W009" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be a boolean (1/0, true/false), not 'maybe'"),
        ("SECURE_SSL_REDIRECT", "si", "SECURE_SSL_REDIRECT must be a boolean"),
        ("PHOTO_MAX_PIXELS", "lots", "PHOTO_MAX_PIXELS must be an integer, not 'lots'"),
    ],
)
def test_a_malformed_value_stops_startup_with_its_name(tmp_path, name, value, message):
    env = {**production_env(tmp_path), name: value}

    result = run(["manage.py", "check"], env=env)

    assert result.returncode == 1
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_api_base_url_defaults_to_site_url(tmp_path):
    env = production_env(tmp_path)
    code = "from django.conf import settings; print(settings.API_BASE_URL)"

    result = run(["manage.py", "shell", "--no-imports", "-c", code], env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://news.example.com"


def test_a_malformed_api_base_url_stops_the_checks(tmp_path):
    env = {**production_env(tmp_path), "API_BASE_URL": "api.news.example.com"}

    result = run(["manage.py", "check"], env=env)

    assert result.returncode == 1
    assert "newsroom.E002" in result.stderr
    assert "API_BASE_URL must be an absolute http or https URL" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "check_id"),
    [
        ("SITE_URL", "news.example.com", "newsroom.E001"),
        ("SITE_URL", "ftp://news.example.com", "newsroom.E001"),
        ("API_BASE_URL", "https://", "newsroom.E002"),
        ("API_BASE_URL", "https://api.example.com/?x=1", "newsroom.E002"),
        ("API_BASE_URL", "https://api.example.com/#top", "newsroom.E002"),
    ],
)
def test_absolute_url_checks_refuse_what_is_not_an_absolute_url(settings, name, value, check_id):
    setattr(settings, name, value)
    assert [error.id for error in check_absolute_urls(None)] == [check_id]


@pytest.mark.parametrize(
    "value", ["https://api.news.example", "http://localhost:8000", "https://example.com/cms"]
)
def test_absolute_url_checks_accept_absolute_urls(settings, value):
    settings.SITE_URL = settings.API_BASE_URL = value
    assert check_absolute_urls(None) == []


@pytest.mark.parametrize(("days", "ids"), [(730, []), (1, []), (0, ["newsroom.E003"])])
def test_schedule_horizon_check(settings, days, ids):
    settings.SCHEDULE_HORIZON_DAYS = days
    assert [error.id for error in check_schedule_horizon(None)] == ids


def settings_env_names() -> set[str]:
    """Names of the environment variables the modules of `newsroom/settings/` read."""
    source = "\n".join(
        path.read_text() for path in sorted((BASE_DIR / "newsroom" / "settings").glob("*.py"))
    )
    pattern = r'(?:envbool|envint|envlist|envsecret|os\.environ\.get)\(\s*"([A-Z][A-Z0-9_]*)"'
    names = set(re.findall(pattern, source))
    secrets_read = re.findall(r'envsecret\(\s*"([A-Z][A-Z0-9_]*)"', source)
    return names | {f"{name}_FILE" for name in secrets_read}


def configuration_table() -> str:
    """The rows of the settings table in `docs/configuration.md` (its "Settings" section)."""
    page = (BASE_DIR / "docs" / "configuration.md").read_text()
    section = page.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("| "))


def test_every_setting_is_documented_in_env_example_and_the_configuration_table():
    names = settings_env_names()
    env_example = (BASE_DIR / ".env.example").read_text()
    table = configuration_table()

    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"} <= names
    missing_example = sorted(n for n in names if not re.search(rf"^#? ?{n}=", env_example, re.M))
    missing_table = sorted(n for n in names if f"`{n}`" not in table)
    assert missing_example == [], "add these to .env.example"
    assert missing_table == [], "add these to the settings table in docs/configuration.md"


# --- tests/conftest.py: CI stops at once when a service is unreachable ---------------------
# Each case runs pytest on a two-test project that uses the real hooks from tests/conftest.py.


@pytest.fixture
def guarded_project(tmp_path) -> Path:
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    worker: needs a worker\n")
    (tmp_path / "conftest.py").write_text(
        "from tests.conftest import pytest_collection_finish, pytest_sessionstart  # noqa\n"
    )
    (tmp_path / "test_sample.py").write_text(
        "import pytest\n\n\n@pytest.mark.worker\ndef test_worker():\n    pass\n\n\n"
        "def test_plain():\n    pass\n"
    )
    return tmp_path


def run_guarded(project: Path, *args: str, **env: str):
    env = {
        "PYTHONPATH": str(BASE_DIR),
        "NEWSROOM_VAR_DIR": str(project),
        "CI": "true",
        # Only pytest-django: the other installed plugins (hypothesis, schemathesis, Faker)
        # take seconds to import and play no part here.
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        **env,
    }
    return run(
        ["-m", "pytest", "-p", "no:cacheprovider", "-p", "pytest_django.plugin"]
        + ["--ds", "newsroom.settings", *args],
        env=env,
        cwd=project,
    )


def test_ci_run_stops_when_postgres_is_unreachable(guarded_project):
    result = run_guarded(guarded_project, DATABASE_URL="postgres://postgres@127.0.0.1:1/newsroom")

    assert result.returncode == 3
    assert "CI: PostgreSQL at 127.0.0.1:1 (DATABASE_URL) is unreachable" in result.stdout
    assert "passed" not in result.stdout


def test_ci_run_stops_when_worker_tests_find_no_redis(guarded_project):
    result = run_guarded(guarded_project, "-m", "worker", CELERY_BROKER_URL="redis://127.0.0.1:1/0")

    assert result.returncode == 3
    assert "CI: Redis at redis://127.0.0.1:1/0 (CELERY_BROKER_URL) is unreachable" in result.stdout


def test_ci_run_stops_when_worker_tests_have_no_redis_broker(guarded_project):
    result = run_guarded(guarded_project, "-m", "worker", CELERY_BROKER_URL="filesystem://")

    assert result.returncode == 3
    assert "tests marked 'worker' need CELERY_BROKER_URL=redis://" in result.stdout


def test_ci_run_without_worker_tests_needs_no_redis(guarded_project):
    result = run_guarded(
        guarded_project, "-m", "not worker", CELERY_BROKER_URL="redis://127.0.0.1:1/0"
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 1 deselected" in result.stdout


@pytest.mark.parametrize(
    ("batch", "limit", "ids"),
    [(500, 50, []), (1, 0, []), (0, 50, ["newsroom.E004"]), (500, -1, ["newsroom.E004"])],
)
def test_fanout_settings_check(settings, batch, limit, ids):
    settings.PUBLISHED_FANOUT_BATCH = batch
    settings.PUBLISHED_FANOUT_INLINE_LIMIT = limit
    assert [error.id for error in check_fanout(None)] == ids


@pytest.mark.parametrize(
    ("proxies", "ids"), [(0, []), (2, []), (-1, ["newsroom.E005"]), (None, ["newsroom.E005"])]
)
def test_trusted_proxies_settings_check(settings, proxies, ids):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    assert [error.id for error in check_trusted_proxies(None)] == ids


def test_editorial_middleware_check(settings):
    assert check_editorial_middleware(None) == []

    editorial = "newsroom.http.middleware.EditorialMiddleware"
    settings.MIDDLEWARE = [path for path in settings.MIDDLEWARE if path != editorial]
    assert [error.id for error in check_editorial_middleware(None)] == ["newsroom.E006"]
