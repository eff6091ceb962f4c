from __future__ import annotations

from rest_framework.negotiation import DefaultContentNegotiation


class APIContentNegotiation(DefaultContentNegotiation):
    """DRF's content negotiation, settled at once for what nearly every client sends.

    With one renderer (the API has only JSON) and no `format`, an absent `Accept`, `*/*` or
    exactly the renderer's media type gets what DRF would give, the renderer and its media
    type, without parsing the header. Anything else goes through DRF's negotiation.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        if len(renderers) == 1 and not format_suffix:
            renderer = renderers[0]
            accept = request.META.get("HTTP_ACCEPT")
            if (
                accept in (None, "*/*", renderer.media_type)
                and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
            ):
                return renderer, renderer.media_type
        return super().select_renderer(request, renderers, format_suffix)
