"""Project-wide middleware (wiring only)."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

REQUEST_ID_HEADER = "X-Request-ID"
# What an incoming X-Request-ID may be (a proxy's or load balancer's id); anything else is
# replaced, so a log line never carries a client's arbitrary text.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")


class RequestIdMiddleware:
    """Give every request an id: `request.request_id`, the `X-Request-ID` response header,
    the `request_id` of a 5xx error body (`newsroom.api`) and of every log line written
    while the request runs (`RequestIdLogFilter`).

    A safe incoming `X-Request-ID` (1 to 64 of `A-Z a-z 0-9 . _ -`) is kept, so one id
    follows a request through the proxy and the application; otherwise a new one is made.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    """Adds `record.request_id`: the id of the request being served, or "-" outside one."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


class EditorialLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware for the admin, kept off the public API and feeds.

    The API answers the same JSON whatever the reader's browser language, so it must not
    send `Vary: Accept-Language`: that header would split every CDN cache entry by language.
    """

    LANGUAGE_NEUTRAL_PREFIXES = ("/api/", "/feeds/", "/sitemap.xml", "/news-sitemap.xml")

    def _is_language_neutral(self, request) -> bool:
        return request.path.startswith(self.LANGUAGE_NEUTRAL_PREFIXES)

    def process_request(self, request):
        if self._is_language_neutral(request):
            # The thread may still hold the language of an earlier admin request.
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
            return None
        return super().process_request(request)

    def process_response(self, request, response):
        if self._is_language_neutral(request):
            return response
        return super().process_response(request, response)
