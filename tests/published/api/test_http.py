"""The public API as HTTP: JSON only, throttles, CORS, JSON 404s, language, values the
database cannot hold, a lost database connection."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import OperationalError
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_html_is_never_served(api_client):
    response = api_client.get("/api/v1/articles/", HTTP_ACCEPT="text/html")

    assert response.status_code in (200, 406)
    assert response["Content-Type"].startswith("application/json")


def test_anonymous_clients_are_throttled(api_client, settings):
    settings.API_ANON_THROTTLE_RATE = "3/min"
    statuses = [api_client.get("/api/v1/sections/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = api_client.get("/api/v1/sections/")
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_behind_trusted_proxies_each_client_is_throttled_by_its_own_address(api_client, settings):
    """`API_TRUSTED_PROXIES=1`: a web server in front appends the client's address; readers
    behind the same proxy do not share a count, and an address a client writes into the
    header itself changes nothing (docs/scaling.md)."""
    settings.API_ANON_THROTTLE_RATE = "2/min"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}

    def get(forwarded_for: str) -> int:
        return api_client.get(
            "/api/v1/sections/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded_for
        ).status_code

    first = [get("203.0.113.7") for _ in range(3)]
    spoofing = [get(f"198.51.100.{n}, 203.0.113.7") for n in range(2)]
    other_reader = [get("203.0.113.8") for _ in range(2)]

    assert first == [200, 200, 429]
    assert spoofing == [429, 429]
    assert other_reader == [200, 200]


def test_without_trusted_proxies_the_forwarded_header_is_ignored(api_client, settings):
    """The default, 0: a client writing X-Forwarded-For gets no fresh count by it."""
    settings.API_ANON_THROTTLE_RATE = "2/min"
    statuses = [
        api_client.get(
            "/api/v1/sections/", REMOTE_ADDR="10.0.0.6", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        ).status_code
        for n in range(3)
    ]

    assert statuses == [200, 200, 429]


def test_cors_allows_configured_front_end_origins(api_client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://www.example.com"]

    allowed = api_client.get("/api/v1/sections/", HTTP_ORIGIN="https://www.example.com")
    other = api_client.get("/api/v1/sections/", HTTP_ORIGIN="https://evil.example.net")

    assert allowed["Access-Control-Allow-Origin"] == "https://www.example.com"
    assert "Access-Control-Allow-Origin" not in other


@pytest.mark.parametrize(
    "url",
    ["/api/v1/nothing-here/", "/api/v1/articles/bad%20slug/", "/api/v2/articles/"],
)
def test_unrouted_api_urls_answer_json_404(api_client, url):
    response = api_client.get(url)

    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not found."},
        "request_id": response["X-Request-ID"],
    }


def test_api_answers_do_not_vary_by_browser_language(api_client):
    response = api_client.get("/api/v1/sections/", HTTP_ACCEPT_LANGUAGE="id")

    assert "Accept-Language" not in response.get("Vary", "")
    assert "Content-Language" not in response


def test_the_admin_still_follows_the_browser_language(client):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="id")

    assert response["Content-Language"] == "id"


def test_an_admin_request_in_another_language_does_not_change_api_messages(client, api_client):
    client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="id")

    response = api_client.get("/api/v1/articles/never-existed/")

    assert response.json()["error"]["message"] == "Not found."


def test_an_admin_request_puts_the_default_language_back_as_it_ends(client):
    # Readers' requests do not activate a language: they rely on this.
    client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="id")

    assert translation.get_language() == settings.LANGUAGE_CODE == "en"


@pytest.mark.parametrize(
    "url",
    [
        # Found by the schemathesis run: NUL bytes and offsets PostgreSQL refuses were 500s.
        "/api/v1/search/?q=h%00x",
        "/api/v1/articles/?tag=a%00b",
        "/api/v1/articles/?published_before=9999-12-31T23%3A59%3A59-10%3A00",
    ],
)
def test_values_the_database_cannot_hold_are_400(api_client, url):
    response = api_client.get(url)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_parameter"


def test_a_lost_database_connection_is_a_json_503_not_a_500(api_client, monkeypatch):
    def connection_lost(self):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(
        "articles.published.api.views.ArticleListBase.get_queryset", connection_lost
    )

    response = api_client.get("/api/v1/articles/")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_unavailable"
    assert response["Retry-After"] == "5"
