"""Text helpers shared by tags and articles: ASCII slugs for Indonesian and English text."""

from __future__ import annotations

import re

from anyascii import anyascii
from django.utils.text import slugify

_DIGIT_SEPARATOR = re.compile(r"(?<=\d)[.,](?=\d)")


def slugify_ascii(text: str, *, max_length: int = 80) -> str:
    """Slugify any script to lowercase ASCII, cut at a word boundary within `max_length`.

    "Gubernur Jawa Barat resmikan jembatan" -> "gubernur-jawa-barat-resmikan-jembatan";
    "Café Überfüllt" -> "cafe-uberfullt".
    """
    # "Rp1,5 triliun" must not become "rp15-triliun": a decimal or thousands separator
    # between digits becomes a hyphen instead of vanishing.
    slug = slugify(_DIGIT_SEPARATOR.sub("-", anyascii(text or "")))
    if len(slug) <= max_length:
        return slug
    cut = slug[: max_length + 1]
    if "-" in cut:
        cut = cut[: cut.rindex("-")]
    return cut[:max_length].strip("-")
