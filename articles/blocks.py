"""Split a sanitised article body into typed blocks, with photos and related links in place.

Front ends render an article as a list of blocks. Related reading ("Baca juga") and inline
photos carry `after_paragraph` = N: they stand right after the N-th paragraph block. Only
``<p>`` blocks count as paragraphs; items placed past the last paragraph go to the end.

A ``<p>`` holding only an allowlisted embed URL becomes an `embed` block (`articles.embeds`);
it still counts as a paragraph, as writers see it in the body.
"""

from __future__ import annotations

from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Any

from django.core.exceptions import ValidationError

from articles.embeds import UNSUPPORTED_EMBED_URL, embed_for, parse_embed_url, standalone_url
from articles.html import sanitize_body_html

BLOCK_TAGS = {"p": "paragraph", "h2": "heading", "h3": "heading", "h4": "heading",
              "blockquote": "quote", "ul": "list", "ol": "list"}  # fmt: skip


VOID_TAGS = {"br"}


class _TopLevelSplitter(HTMLParser):
    """Collect the top-level elements of an HTML fragment as (tag, inner HTML) pairs.

    Loose text and inline elements at the top level are gathered into an implicit paragraph.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.blocks: list[tuple[str, str]] = []
        self._depth = 0
        self._tag: str | None = None
        self._implicit = False
        self._parts: list[str] = []

    def _open(self, tag: str, *, implicit: bool = False) -> None:
        self._flush()
        self._tag, self._implicit, self._parts = tag, implicit, []

    def _flush(self) -> None:
        if self._tag is not None:
            inner = "".join(self._parts).strip()
            if inner or not self._implicit:
                self.blocks.append((self._tag, inner))
        self._tag, self._implicit, self._parts = None, False, []

    def handle_starttag(self, tag, attrs):
        if self._depth == 0:
            if tag in BLOCK_TAGS:
                self._open(tag)
                self._depth = 1
                return
            if self._tag is None:
                self._open("p", implicit=True)
        self._parts.append(self.get_starttag_text() or f"<{tag}>")
        if tag not in VOID_TAGS:
            self._depth += 1

    def handle_endtag(self, tag):
        if tag in VOID_TAGS:
            return
        if self._depth == 0:
            return  # a stray end tag; the sanitiser normally removes these
        self._depth -= 1
        if self._depth == 0 and not self._implicit and tag == self._tag:
            self._flush()
        else:
            self._parts.append(f"</{tag}>")

    def handle_data(self, data):
        if self._tag is None:
            if not data.strip():
                return
            self._open("p", implicit=True)
        self._parts.append(data)

    def handle_entityref(self, name):
        self.handle_data(f"&{name};")

    def handle_charref(self, name):
        self.handle_data(f"&#{name};")

    def close(self):
        super().close()
        self._flush()


def _top_level(html: str) -> list[tuple[str, str]]:
    parser = _TopLevelSplitter()
    parser.feed(html or "")
    parser.close()
    return parser.blocks


def top_level_blocks(html: str) -> list[tuple[str, str]]:
    """The top-level elements of `html` as (tag, inner HTML) pairs; loose text and inline
    elements at the top level come as ``p``, the paragraph they are read as."""
    return _top_level(html)


def split_body(html: str) -> list[dict[str, Any]]:
    """Turn sanitised body HTML into paragraph/heading/quote/list/embed blocks, in order.

    A paragraph holding only a URL that cannot be embedded (stored before the check, or
    written outside the API and admin) stays a paragraph.
    """
    blocks: list[dict[str, Any]] = []
    for tag, inner in _top_level(html):
        url = standalone_url(inner) if tag == "p" else None
        embed = embed_for(url) if url else None
        if embed is not None:
            blocks.append(embed.as_block())
            continue
        kind = BLOCK_TAGS[tag]
        block: dict[str, Any] = {"type": kind, "html": inner}
        if kind == "heading":
            block["level"] = int(tag[1])
        elif kind == "list":
            block["ordered"] = tag == "ol"
        blocks.append(block)
    return blocks


def validate_body_embeds(html: str) -> None:
    """Refuse a body with a paragraph holding only a URL that is not an allowlisted embed.

    Raises `ValidationError` with code `unsupported_embed_url` (docs/reliability.md G1). Checks the
    body as it will be stored, i.e. sanitised.
    """
    for tag, inner in _top_level(sanitize_body_html(html)):
        url = standalone_url(inner) if tag == "p" else None
        if url:
            try:
                parse_embed_url(url)
            except ValidationError as exc:
                hint = "A paragraph holding only a URL is an embed; to link, give the link text."
                raise ValidationError(
                    f"{exc.messages[0]} {hint}", code=UNSUPPORTED_EMBED_URL
                ) from exc


def place_after_paragraphs(
    blocks: list[dict[str, Any]], placed: Iterable[tuple[int, dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Insert each (after_paragraph, block) right after that paragraph, keeping given order."""
    by_paragraph: dict[int, list[dict[str, Any]]] = {}
    for after, block in placed:
        by_paragraph.setdefault(after, []).append(block)

    result: list[dict[str, Any]] = []
    result.extend(by_paragraph.pop(0, []))
    paragraphs = 0
    for block in blocks:
        result.append(block)
        if block["type"] in ("paragraph", "embed"):
            paragraphs += 1
            result.extend(by_paragraph.pop(paragraphs, []))
    for after in sorted(by_paragraph):
        result.extend(by_paragraph[after])
    return result
