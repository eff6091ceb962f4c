"""Text helpers shared by tags and articles: ASCII slugs for Indonesian and English text."""

from __future__ import annotations

import functools
import re
import threading
import unicodedata

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
# An apostrophe inside a word is dropped: "Jum'at" and "Jumat", "Ma'ruf" and "Maruf".
_INNER_APOSTROPHE = re.compile(r"(?<=\w)['‘’ʼ`](?=\w)")
# Runs of characters that only separate words: spaces, hyphens and dashes, underscores and
# word punctuation. A "." or "," between two digits is kept ("Rp1,5" is neither "Rp15"
# nor "Rp1.5"), and so are signs that change a name: "C++", "C#", "AT&T", "5%", "@user".
_SEPARATOR_RUN = re.compile(
    r"(?:[\s_\-‐‑‒–—―−/\\|:;!?¡¿\"“”„«»'‘’ʼ`()\[\]{}<>*~·•…]|(?!(?<=\d)[.,]\d)[.,])+"
)


def tag_slug_source(text: str) -> str:
    """`text` with its separator runs made single spaces, for slugifying: every spelling of
    one name (`tag_name_key`) then gives one slug, "ELECTIONS_2027" and "elections/2027"
    both "elections-2027"."""
    return _SEPARATOR_RUN.sub(" ", _INNER_APOSTROPHE.sub("", text or "")).strip()


def tag_display_name(text: str) -> str:
    """The name as stored: surrounding spaces dropped, inner runs of spaces made one."""
    return _SPACES.sub(" ", text or "").strip()


def tag_name_key(text: str) -> str:
    """What makes two tag names the same tag: case, accents and separators are ignored.

    "Rusia", " RUSIA " and "Rúsia" give "rusia"; "Elections-2027", "elections 2027",
    "ELECTIONS_2027" and "elections/2027" give "elections 2027". Only combining marks are
    removed, so other scripts keep their letters ("Москва" stays itself, lowercased). Digit
    separators and signs such as "+", "#", "&" are part of the name (see `_SEPARATOR_RUN`).
    """
    decomposed = unicodedata.normalize("NFKD", tag_display_name(text))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = unicodedata.normalize("NFKC", bare).casefold()
    return _SEPARATOR_RUN.sub(" ", _INNER_APOSTROPHE.sub("", folded)).strip()


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
        # Imported on first use: only tag suggestions stem, never a public request.
        import snowballstemmer

        cache[algorithm] = snowballstemmer.stemmer(algorithm)
    return cache[algorithm]


def text_stems(text: str, *, language: str) -> list[str]:
    """The words of `text`, keyed like tag names and stemmed for `language` ("id", "en").

    "Korupsinya" and "korupsi" both give "korupsi"; "elections" and "election" give
    "elect". An unknown language only lowercases. The same function runs over tag names, so
    a name and the text agree even where a stemmer cuts a proper noun too short.
    """
    words = _WORD.findall(tag_name_key(text))
    if _stemmer(language) is None:
        return words
    return [_word_stem(word, language) for word in words]


@functools.lru_cache(maxsize=50_000)
def _word_stem(word: str, language: str) -> str:
    """A word's stem, kept per process for the 50,000 words used last (a few MiB): the change
    form's tag suggestions stem the whole article on each view, and the pure-Python stemmer
    costs more than the rest of the suggestion."""
    return _stemmer(language).stemWord(word)


@functools.lru_cache(maxsize=20_000)
def name_stems(name: str, *, language: str) -> tuple[str, ...]:
    """`text_stems` of a tag's or an alias's name, kept per process for the 20,000 names
    used last (a few MiB at most): the change form's tag suggestions stem every name on
    each view, and names change far less often than articles are opened."""
    return tuple(text_stems(name, language=language))
