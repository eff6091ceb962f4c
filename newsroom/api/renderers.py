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
    article's document) is embedded without being parsed again. `tests/published/
    test_published.py` and `tests/newsroom/test_renderers.py` check the equality."""
    return escape_line_separators(
        orjson.dumps(
            data,
            default=_drf_encoder.default,
            option=orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME,
        )
    )


def escape_line_separators(content: bytes) -> bytes:
    """`content` with U+2028 and U+2029 written as `\\u2028` and `\\u2029`, as DRF writes them.

    In UTF-8 they are E2 80 A8 and E2 80 A9. Looking for a single A8 or A9 byte first is a
    `memchr` (1 µs for a 34 KB list here); looking for the three bytes, or replacing them
    when there are none, took 44 µs (docs/performance.md, "Seventh round").
    """
    if b"\xa8" not in content and b"\xa9" not in content:
        return content
    return content.replace("\u2028".encode(), b"\\u2028").replace("\u2029".encode(), b"\\u2029")


class FastJSONRenderer(JSONRenderer):
    """The API's renderer: DRF's `JSONRenderer` output, from `render_json`."""

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return render_json(data)
