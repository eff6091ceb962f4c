"""JSON as DRF's `JSONRenderer` writes it, encoded by orjson."""

from __future__ import annotations

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_drf_encoder = JSONEncoder()


def render_json(data) -> bytes:
    """The bytes DRF's JSONRenderer gives (compact UTF-8, U+2028 and U+2029 escaped), several
    times faster. Types orjson does not know (lazy translations, Decimal, ...) and datetimes
    go through DRF's encoder, as in DRF; stored JSON (`orjson.Fragment`, e.g. a published
    article's document) is embedded without being parsed again. `tests/articles/
    test_published.py` checks the equality."""
    return (
        orjson.dumps(
            data,
            default=_drf_encoder.default,
            option=orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME,
        )
        .replace("\u2028".encode(), b"\\u2028")
        .replace("\u2029".encode(), b"\\u2029")
    )


class FastJSONRenderer(JSONRenderer):
    """The API's renderer: DRF's `JSONRenderer` output, from `render_json`."""

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return render_json(data)
