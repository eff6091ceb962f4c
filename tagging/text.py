"""Text helpers shared by tags and articles: ASCII slugs for Indonesian and English text."""

from __future__ import annotations

import re
import threading
import unicodedata

import snowballstemmer
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


# --- Tag names -----------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def tag_display_name(text: str) -> str:
    """The name as stored: surrounding spaces dropped, inner runs of spaces made one."""
    return _SPACES.sub(" ", text or "").strip()


def tag_name_key(text: str) -> str:
    """What makes two tag names the same tag: case, spacing and accents are ignored.

    "Rusia", "rusia", " Rusia ", "RUSIA" and "Rúsia" all give "rusia". Only combining marks
    are removed, so other scripts keep their letters ("Москва" stays itself, lowercased).
    """
    decomposed = unicodedata.normalize("NFKD", tag_display_name(text))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", bare).casefold()


# --- Words and stems, for tag suggestions --------------------------------------------------

_WORD = re.compile(r"\w+")

# Snowball stemmers are not thread-safe; one per thread and language.
_stemmers = threading.local()


def _stemmer(language: str):
    algorithm = {"id": "indonesian", "en": "english"}.get(language)
    if algorithm is None:
        return None
    cache = _stemmers.__dict__.setdefault("by_language", {})
    if algorithm not in cache:
        cache[algorithm] = snowballstemmer.stemmer(algorithm)
    return cache[algorithm]


def text_stems(text: str, *, language: str) -> list[str]:
    """The words of `text`, keyed like tag names and stemmed for `language` ("id", "en").

    "Korupsinya" and "korupsi" both give "korupsi"; "elections" and "election" give
    "elect". An unknown language only lowercases. The same function runs over tag names, so
    a name and the text agree even where a stemmer cuts a proper noun too short.
    """
    words = _WORD.findall(tag_name_key(text))
    stemmer = _stemmer(language)
    if stemmer is None:
        return words
    return stemmer.stemWords(words)
