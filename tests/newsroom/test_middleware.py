"""The public paths (API, feeds, sitemaps) skip the editorial middleware: sessions, users
and messages. The admin keeps all of it."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.middleware.http import ConditionalGetMiddleware as DjangosMiddleware
from django.test import Client, RequestFactory
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from newsroom.http.middleware import ConditionalGetMiddleware

PUBLIC_READS = [
    "/api/v1/articles/",
    "/api/v1/sections/",
    "/feeds/latest/rss/",
    "/sitemap.xml",
    "/news-sitemap.xml",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_READS)
def test_a_public_read_by_a_signed_in_editor_uses_no_session(editor_client, url):
    response = editor_client.get(url)

    assert response.status_code == 200
    request = response.wsgi_request
    assert not hasattr(request, "session")
    assert getattr(request, "user", None) is None  # DRF sets its own: None, anonymous
    assert not hasattr(request, "_messages")
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies  # neither a session nor a CSRF cookie


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/feeds/latest/rss/", "/feeds/latest/atom/", "/sitemap.xml", "/news-sitemap.xml"]
)
def test_feeds_and_sitemaps_refuse_other_methods(url):
    response = Client().post(url, {"x": "1"})  # with a valid CSRF token

    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "HEAD"}


@pytest.mark.django_db
def test_a_write_to_the_public_api_is_refused_as_before():
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/articles/", {}, content_type="application/json"
    )

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_the_admin_keeps_sessions_users_and_messages(editor_client, editor):
    response = editor_client.get("/admin/")

    assert response.status_code == 200
    assert response.wsgi_request.user == editor
    assert response.wsgi_request.session.session_key
    assert "Cookie" in response["Vary"]
    assert hasattr(response.wsgi_request, "_messages")

    login_page = Client().get("/admin/login/")
    assert "csrftoken" in login_page.cookies

    forged = Client(enforce_csrf_checks=True).post(
        "/admin/login/", {"username": editor.username, "password": "whatever"}
    )
    assert forged.status_code == 403


ACCEPT_HEADERS = [
    None,
    "*/*",
    "application/json",
    "application/json; indent=4",
    "application/*",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "text/html",
    "",
]


@pytest.mark.parametrize("accept", ACCEPT_HEADERS)
@pytest.mark.parametrize("query", ["", "?format=json", "?format=xml"])
def test_content_negotiation_answers_as_drf_does(accept, query):
    # Imported here: `newsroom.api` modules need the settings that import it to be loaded first.
    from newsroom.api.negotiation import APIContentNegotiation
    from newsroom.api.renderers import FastJSONRenderer

    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    renderers = [FastJSONRenderer()]

    def negotiate(negotiation):
        request = Request(APIRequestFactory().get(f"/api/v1/articles/{query}", **headers))
        try:
            renderer, media_type = negotiation.select_renderer(request, renderers)
        except NotAcceptable:
            return "406"
        except Exception as exc:  # noqa: BLE001 - the other outcome to compare (404)
            return type(exc).__name__
        return type(renderer).__name__, media_type

    assert negotiate(APIContentNegotiation()) == negotiate(DefaultContentNegotiation())


CONDITIONAL_HEADERS = [
    {},
    {"HTTP_IF_NONE_MATCH": '"v1"'},
    {"HTTP_IF_NONE_MATCH": '"other"'},
    {"HTTP_IF_NONE_MATCH": "*"},
    {"HTTP_IF_NONE_MATCH": ""},
    {"HTTP_IF_MODIFIED_SINCE": "Sat, 21 Nov 2026 08:00:00 GMT"},
    {"HTTP_IF_MODIFIED_SINCE": "Thu, 19 Nov 2026 08:00:00 GMT"},
    {"HTTP_IF_MODIFIED_SINCE": "not a date"},
    {"HTTP_IF_MATCH": '"other"'},
    {"HTTP_IF_UNMODIFIED_SINCE": "Thu, 19 Nov 2026 08:00:00 GMT"},
]
RESPONSES = [
    ({"ETag": '"v1"', "Last-Modified": "Fri, 20 Nov 2026 08:00:00 GMT"}, 200),
    ({"Last-Modified": "Fri, 20 Nov 2026 08:00:00 GMT"}, 200),  # ETag from the body
    ({"Cache-Control": "no-store"}, 200),  # neither an ETag nor a comparison
    ({"ETag": '"v1"'}, 404),
    ({}, 301),
]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("request_headers", CONDITIONAL_HEADERS)
@pytest.mark.parametrize(("response_headers", "status"), RESPONSES)
def test_conditional_get_answers_as_djangos_does(method, request_headers, response_headers, status):
    def answer(middleware_class):
        def view(request):
            response = HttpResponse(b'{"headline": "Banjir"}', status=status)
            for name, value in response_headers.items():
                response[name] = value
            return response

        request = RequestFactory().generic(method, "/api/v1/articles/banjir/", **request_headers)
        response = middleware_class(view)(request)
        return response.status_code, list(response.headers.items()), response.content

    ours = answer(ConditionalGetMiddleware)

    assert ours == answer(DjangosMiddleware)
    if method == "GET" and not request_headers and status == 200:
        assert ("ETag" in dict(ours[1])) == (response_headers != {"Cache-Control": "no-store"})
