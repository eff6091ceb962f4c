"""The API's JSON renderer: DRF's output, encoded by orjson."""

from __future__ import annotations

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_drf_encoder = JSONEncoder()


class FastJSONRenderer(JSONRenderer):
    """Compact UTF-8 JSON like DRF's `JSONRenderer`, several times faster.

    Embeds stored JSON (`orjson.Fragment`, e.g. a published article's document) without
    parsing it again. Types orjson does not know (lazy translations, Decimal, ...) go through
    DRF's encoder.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(data, default=_drf_encoder.default, option=orjson.OPT_NON_STR_KEYS)
