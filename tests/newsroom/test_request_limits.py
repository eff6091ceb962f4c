"""Request lines over the limit: a JSON 414 under /api/, from Django, behind gunicorn's
shipped configuration (`gunicorn.conf.py`), whose own limit is higher."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import Client

from tests.support import BASE_DIR

GUNICORN = Path(sys.executable).with_name("gunicorn")


def _target(prefix: str, length: int) -> str:
    """A request target of exactly `length` characters starting with `prefix`."""
    return prefix + "a" * (length - len(prefix))


@pytest.mark.parametrize("prefix", ["/api/v1/articles/?q=", "/api/v1/nope/"])
def test_an_over_long_api_url_is_a_json_414(settings, prefix):
    target = _target(prefix, settings.REQUEST_URI_MAX_LENGTH + 1)

    response = Client().get(target, HTTP_X_REQUEST_ID="long-1")

    assert response.status_code == 414
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "error": {
            "code": "uri_too_long",
            "message": f"The URL is longer than {settings.REQUEST_URI_MAX_LENGTH} characters.",
        },
        "request_id": "long-1",
    }


@pytest.mark.django_db
def test_a_url_at_the_limit_is_served(settings):
    target = _target("/api/v1/articles/?q=", settings.REQUEST_URI_MAX_LENGTH)

    response = Client().get(target)

    assert response.status_code == 400  # `q` is not a list parameter: the view answered
    assert json.loads(response.content)["error"]["field"] == "q"


def test_the_limit_counts_the_url_as_sent(settings):
    settings.REQUEST_URI_MAX_LENGTH = 30
    # 16 characters decoded, 40 as sent: each space is %20.
    assert Client().get("/api/v1/" + "%20" * 8).status_code == 414


def test_an_over_long_url_elsewhere_is_a_plain_414(settings):
    response = Client().get(_target("/admin/?q=", settings.REQUEST_URI_MAX_LENGTH + 1))

    assert response.status_code == 414
    assert response["Content-Type"].startswith("text/plain")


# --- The shipped gunicorn configuration --------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


@pytest.fixture(scope="module")
def gunicorn_url(tmp_path_factory):
    """gunicorn with `-c gunicorn.conf.py`, as `make bench`, `make faults` and
    docs/operations.md run it; SQLite in a temporary folder (the requests below never reach
    a view)."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "NEWSROOM_VAR_DIR": str(tmp_path_factory.mktemp("var")),
        "DATABASE_URL": "",
        "SECURE_SSL_REDIRECT": "false",
    }
    server = subprocess.Popen(  # noqa: S603 - fixed command line
        [str(GUNICORN), "-c", str(BASE_DIR / "gunicorn.conf.py"), "-w", "1",
         "-b", f"127.0.0.1:{port}", "newsroom.wsgi"],
        cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {server.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)


def test_the_shipped_gunicorn_config_sets_every_request_limit():
    out = subprocess.run(  # noqa: S603 - fixed command line
        [str(GUNICORN), "-c", str(BASE_DIR / "gunicorn.conf.py"), "--print-config",
         "newsroom.wsgi"],
        cwd=BASE_DIR, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    printed = dict(line.replace(" ", "").split("=", 1) for line in out.splitlines() if "=" in line)

    assert printed["limit_request_line"] == "8190"
    assert printed["limit_request_fields"] == "100"
    assert printed["limit_request_field_size"] == "8190"


def test_behind_gunicorn_a_request_line_over_djangos_limit_is_a_json_414(gunicorn_url):
    # Over Django's limit (4096), under gunicorn's (8190): Django answers, in JSON.
    status, content_type, body = _get(gunicorn_url + _target("/api/v1/articles/?q=", 6000))

    assert (status, content_type) == (414, "application/json")
    assert json.loads(body)["error"]["code"] == "uri_too_long"


def test_behind_gunicorn_a_request_line_over_its_own_limit_is_gunicorns_414(gunicorn_url):
    # gunicorn's own refusal, before Django: the front proxy's limit must be below it
    # (docs/operations.md).
    status, _content_type, _body = _get(gunicorn_url + _target("/api/v1/articles/?q=", 9000))

    assert status == 414
