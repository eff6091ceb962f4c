"""`newsroom.api.renderers`: the bytes of DRF's JSONRenderer, whatever the text holds."""

import orjson
import pytest
from rest_framework.renderers import JSONRenderer

from newsroom.api.renderers import escape_line_separators, render_json

TEXTS = [
    "Banjir rendam Bandung",
    "baris\u2028baru",
    "paragraf\u2029baru",
    "\u2028\u2029 keduanya \u2029\u2028",
    # A8 and A9 bytes that are not U+2028 or U+2029: è (C3 A8), é (C3 A9), © (C2 A9),
    # 㐨 (E3 90 A8), and ‧ (E2 80 A7) and ‪ (E2 80 AA) on either side of them.
    "Kafè di Bogor, José © 2026",
    "\u3428 \u2027 \u202a \u2028",
    "— “kutipan” … tanpa pemisah baris",
    '😀 </script> \\ "',
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_render_json_gives_drf_json_renderers_bytes(text):
    data = {"headline": text, "items": [text, {"dek": text}], "count": 3}

    assert render_json(data) == JSONRenderer().render(data)


@pytest.mark.parametrize("text", TEXTS)
def test_escape_line_separators_escapes_only_u2028_and_u2029(text):
    content = text.encode()

    escaped = escape_line_separators(content)

    assert escaped == content.replace("\u2028".encode(), b"\\u2028").replace(
        "\u2029".encode(), b"\\u2029"
    )
    assert "\u2028".encode() not in escaped
    assert "\u2029".encode() not in escaped


def test_stored_json_embedded_in_an_answer_is_escaped_too():
    stored = orjson.dumps({"body": "satu\u2028dua"})

    assert render_json({"results": [orjson.Fragment(stored)]}) == (
        b'{"results":[{"body":"satu\\u2028dua"}]}'
    )
