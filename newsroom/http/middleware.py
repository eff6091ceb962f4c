"""Project-wide middleware (wiring only)."""

from __future__ import annotations

import os
import re

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpResponse
from django.middleware import http
from django.utils import translation
from django.utils.cache import set_response_etag
from django.utils.module_loading import import_string

from newsroom.http.errors import api_error_response
from newsroom.logging_filters import current_request_id

REQUEST_ID_HEADER = "X-Request-ID"
# What an incoming X-Request-ID may be (a proxy's or load balancer's id); anything else is
# replaced, so a log line never carries a client's arbitrary text.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# What the public reads: the API (anonymous, or a token for the write API), feeds and
# sitemaps. None of it uses a session, a signed-in user or messages, and all of it answers the
# same whatever the reader's language.
PUBLIC_PATH_PREFIXES = ("/api/", "/feeds/", "/sitemap.xml", "/news-sitemap.xml")


def is_public_path(request) -> bool:
    return request.path_info.startswith(PUBLIC_PATH_PREFIXES)


def request_id_for(incoming: str) -> str:
    """The incoming X-Request-ID if it is safe, else a new id of 32 random hex digits."""
    return incoming if SAFE_REQUEST_ID.fullmatch(incoming) else os.urandom(16).hex()


class RequestIdMiddleware:
    """Give every request an id: `request.request_id`, the `X-Request-ID` response header,
    the `request_id` of every error body (`newsroom.http.errors`) and of every log line written
    while the request runs (`newsroom.logging_filters.RequestIdLogFilter`).

    A safe incoming `X-Request-ID` (1 to 64 of `A-Z a-z 0-9 . _ -`) is kept, so one id
    follows a request through the proxy and the application; otherwise a new one is made.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_for(request.headers.get(REQUEST_ID_HEADER, ""))
        request.request_id = request_id
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class UriLengthLimitMiddleware:
    """414 for a URL (path and query string, as sent) longer than `REQUEST_URI_MAX_LENGTH`:
    the API's JSON error `uri_too_long` under /api/, a line of text elsewhere.

    gunicorn's own refusal of a long request line is an HTML page, so its limit is set
    higher (gunicorn.conf.py) and this one is what clients meet. gunicorn passes the URL as
    sent in `RAW_URI`; other servers' (and the test client's) is rebuilt from the request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.REQUEST_URI_MAX_LENGTH
        if len(request.META.get("RAW_URI") or request.get_full_path()) <= limit:
            return self.get_response(request)
        message = f"The URL is longer than {limit} characters."
        if request.path_info.startswith("/api/"):
            return api_error_response(request, 414, "uri_too_long", message)
        return HttpResponse(message, status=414, content_type="text/plain; charset=utf-8")


# The request headers that make a GET conditional (RFC 9110, section 13.1).
CONDITIONAL_REQUEST_HEADERS = (
    "HTTP_IF_MATCH",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)


class ConditionalGetMiddleware(http.ConditionalGetMiddleware):
    """Django's, without the comparisons for a GET that sends none of the conditional
    headers: only the ETag is added, as Django's would.

    Django's parses the response's `Last-Modified` back into a timestamp and reads the four
    headers on every GET, to compare them with nothing on a reader's first visit.
    """

    def process_response(self, request, response):
        meta = request.META
        if request.method == "GET" and not any(
            name in meta for name in CONDITIONAL_REQUEST_HEADERS
        ):
            if self.needs_etag(response) and not response.has_header("ETag"):
                set_response_etag(response)
            return response
        return super().process_response(request, response)


# The editorial side's own middleware, outermost first, in the order Django's documentation
# gives them: sessions, the admin's language, users, messages.
EDITORIAL_MIDDLEWARE = (
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
)


class EditorialMiddleware:
    """Sessions, the admin's language, users and messages: the editorial side's middleware
    (`EDITORIAL_MIDDLEWARE`), run only for requests outside the public paths.

    A reader's request (API, feeds, sitemaps) passes one layer instead of four: the public
    API has no session authentication (the write API takes a token), and feeds and sitemaps
    are the same for everyone. It is answered in `LANGUAGE_CODE` whatever the reader's
    browser asks, without `Vary: Accept-Language`, which would split every CDN cache entry by
    language. Django's four classes are imported by the first editorial request, so a web
    worker that serves only readers never loads them (nor `django.contrib.auth.views` and
    the forms and session engine they bring). CSRF stays Django's, everywhere.

    Only the editorial side changes a thread's language (Django's `LocaleMiddleware`), and
    this middleware puts `LANGUAGE_CODE` back as each editorial request ends, so a reader's
    request finds `LANGUAGE_CODE` in force without activating it.

    The admin's checks for those middleware (admin.E408-E410) look for Django's classes in
    `MIDDLEWARE`; they are silenced in settings and `newsroom.checks` checks for this one.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.editorial_chain = None

    def __call__(self, request):
        if is_public_path(request):
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
            return self.get_response(request)
        if self.editorial_chain is None:
            self.editorial_chain = editorial_chain(self.get_response)
        try:
            return self.editorial_chain(request)
        finally:
            # LocaleMiddleware left the admin's language active in this thread: the thread's
            # next request may be a reader's, which is answered in LANGUAGE_CODE.
            translation.activate(settings.LANGUAGE_CODE)


def editorial_chain(get_response):
    """`EDITORIAL_MIDDLEWARE` around `get_response`, each layer turning its exceptions into
    responses as Django's handler does for `MIDDLEWARE`. (None of the four has a
    `process_view`, `process_exception` or `process_template_response` hook for the handler
    to collect.)"""
    handler = get_response
    for path in reversed(EDITORIAL_MIDDLEWARE):
        handler = convert_exception_to_response(import_string(path)(handler))
    return handler
