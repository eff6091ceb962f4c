"""Project-wide middleware (wiring only)."""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
