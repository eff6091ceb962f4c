"""Embeds in article bodies: the provider allowlist (docs/reliability.md G1).

A writer embeds a video, post or track by giving a paragraph of its own to the URL, as plain
text or as a link whose text is the URL (`<p>https://youtu.be/…</p>`). That paragraph must
name an allowlisted provider, else the write API answers 422 `unsupported_embed_url` (field
`body`) and the admin shows a form error; a plain link needs link text.

An embed is known by its URL alone: the server never fetches the URL, never follows a
redirect and never looks for oEmbed `<link>`s, so a URL cannot make it call an internal
address. The URL must be http(s), on one of the provider's hosts exactly (no IP literal, no
other host), without user name, password or port, printable ASCII; its content id is taken
from the path by the provider's pattern. Provider HTML is never stored or passed on: the
public API gives `embed_url`, an iframe src on the provider's own embed host built from the
id, and front ends render it in a sandboxed iframe (docs/public-api.md, "Embeds").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, quote, urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_EMBED_URL_LENGTH = 2048
UNSUPPORTED_EMBED_URL = "unsupported_embed_url"

# Printable ASCII without spaces: `urlsplit` silently drops tabs and newlines, and a
# backslash reads as a slash in browsers, so such URLs are refused rather than normalised.
_SAFE_URL = re.compile(r"[!-~]+")
_BACKSLASH = "\\"
# "scheme://anything": what a paragraph holding only a URL looks like (mailto: and tel: do not).
_URL_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")


@dataclass(frozen=True)
class Provider:
    """An embeddable service: `patterns` match `host + path` (or, with `query_id`, the id is
    that query parameter of a matching URL); `embed_src` is the iframe src, given `{id}`."""

    name: str
    hosts: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    embed_src: str
    query_id: str = ""


@dataclass(frozen=True)
class Embed:
    provider: str
    url: str
    embed_url: str
    id: str

    def as_block(self) -> dict[str, str]:
        return {"type": "embed", "provider": self.provider, "url": self.url,
                "embed_url": self.embed_url, "id": self.id}  # fmt: skip


def _patterns(*regexes: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(regex) for regex in regexes)


_YT_ID = r"(?P<id>[A-Za-z0-9_-]{11})"
_YT_HOST = r"(?:www\.|m\.)?youtube\.com"
_X_HOST = r"(?:www\.|mobile\.)?(?:twitter|x)\.com"
_FB_HOST = r"(?:www\.|m\.|web\.)?facebook\.com"

PROVIDERS: tuple[Provider, ...] = (
    Provider(
        name="youtube",
        hosts=frozenset({"www.youtube.com", "youtube.com", "m.youtube.com", "youtu.be"}),
        patterns=_patterns(
            rf"{_YT_HOST}/(?:embed|shorts|live)/{_YT_ID}/?",
            rf"youtu\.be/{_YT_ID}/?",
            rf"{_YT_HOST}/watch/?",
        ),
        query_id="v",  # https://www.youtube.com/watch?v=<id>
        embed_src="https://www.youtube-nocookie.com/embed/{id}",
    ),
    Provider(
        name="x",
        hosts=frozenset(
            {
                "x.com",
                "www.x.com",
                "mobile.x.com",
                "twitter.com",
                "www.twitter.com",
                "mobile.twitter.com",
            }
        ),  # fmt: skip
        patterns=_patterns(rf"{_X_HOST}/\w{{1,15}}/status(?:es)?/(?P<id>\d{{1,20}})/?"),
        embed_src="https://platform.twitter.com/embed/Tweet.html?id={id}",
    ),
    Provider(
        name="instagram",
        hosts=frozenset({"www.instagram.com", "instagram.com"}),
        patterns=_patterns(
            r"(?:www\.)?instagram\.com/(?:[\w.]{1,30}/)?(?:p|reel|reels|tv)/(?P<id>[\w-]{5,40})/?"
        ),
        embed_src="https://www.instagram.com/p/{id}/embed/",
    ),
    Provider(
        name="tiktok",
        hosts=frozenset({"www.tiktok.com", "tiktok.com", "m.tiktok.com"}),
        patterns=_patterns(
            r"(?:www\.|m\.)?tiktok\.com/@[\w.-]{1,40}/video/(?P<id>\d{1,25})/?",
            r"(?:www\.)?tiktok\.com/embed/v2/(?P<id>\d{1,25})/?",
        ),
        embed_src="https://www.tiktok.com/embed/v2/{id}",
    ),
    Provider(
        name="facebook",
        hosts=frozenset(
            {"www.facebook.com", "facebook.com", "m.facebook.com", "web.facebook.com"}
        ),  # fmt: skip
        patterns=_patterns(
            rf"{_FB_HOST}/[\w.-]{{1,80}}/videos/(?:[\w.-]{{1,80}}/)?(?P<id>\d{{1,25}})/?",
            rf"{_FB_HOST}/reel/(?P<id>\d{{1,25}})/?",
            rf"{_FB_HOST}/watch/?",
        ),
        query_id="v",  # https://www.facebook.com/watch/?v=<id>
        embed_src="https://www.facebook.com/plugins/video.php?href="
        + quote("https://www.facebook.com/watch/?v=", safe="")
        + "{id}",
    ),
    Provider(
        name="spotify",
        hosts=frozenset({"open.spotify.com"}),
        patterns=_patterns(
            r"open\.spotify\.com/(?:intl-[a-z]{2}(?:-[a-z]{2})?/)?(?:embed/)?"
            r"(?P<id>(?:track|album|playlist|episode|show|artist)/[A-Za-z0-9]{22})/?"
        ),
        embed_src="https://open.spotify.com/embed/{id}",
    ),
    # Indonesian video platforms often embedded in regional news.
    Provider(
        name="vidio",
        hosts=frozenset({"www.vidio.com", "vidio.com"}),
        patterns=_patterns(r"(?:www\.)?vidio\.com/(?:watch|embed)/(?P<id>\d{1,12})(?:-[\w-]*)?/?"),
        embed_src="https://www.vidio.com/embed/{id}",
    ),
    Provider(
        name="dailymotion",
        hosts=frozenset({"www.dailymotion.com", "dailymotion.com", "dai.ly"}),
        patterns=_patterns(
            r"(?:www\.)?dailymotion\.com/(?:embed/)?video/(?P<id>x[a-z0-9]{4,12})/?",
            r"dai\.ly/(?P<id>x[a-z0-9]{4,12})/?",
        ),
        embed_src="https://www.dailymotion.com/embed/video/{id}",
    ),
)
_QUERY_ID = {"youtube": _YT_ID.replace("(?P<id>", "(?:"), "facebook": r"\d{1,25}"}
_BY_HOST = {host: provider for provider in PROVIDERS for host in provider.hosts}


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code=UNSUPPORTED_EMBED_URL)


def parse_embed_url(url: str) -> Embed:
    """The embed for `url`, or `ValidationError` (code `unsupported_embed_url`).

    Pure string checks against `PROVIDERS`; nothing is fetched or resolved.
    """
    shown = url[:100]
    if len(url) > MAX_EMBED_URL_LENGTH or not _SAFE_URL.fullmatch(url) or _BACKSLASH in url:
        raise _refuse(_("The embed URL %(url)s is not a plain web address.") % {"url": shown})
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. an unclosed IPv6 bracket
        raise _refuse(_("The embed URL %(url)s is malformed.") % {"url": shown}) from exc
    if parts.scheme not in ("http", "https"):
        raise _refuse(_("Embed URLs must start with https:// or http://."))
    if "@" in parts.netloc or ":" in parts.netloc.rsplit("]", 1)[-1]:
        raise _refuse(_("Embed URLs may not contain a user name, password or port."))
    host = (parts.hostname or "").lower()
    provider = _BY_HOST.get(host)
    if provider is None:
        raise _refuse(
            _("%(host)s cannot be embedded; embeds come from %(providers)s.")
            % {"host": host or url[:100], "providers": ", ".join(p.name for p in PROVIDERS)}
        )  # fmt: skip
    content_id = _content_id(provider, host + parts.path, parts.query)
    if content_id is None:
        raise _refuse(
            _("%(url)s is not a %(provider)s post or video that can be embedded.")
            % {"url": shown, "provider": provider.name}
        )
    return Embed(
        provider=provider.name,
        url=url,
        embed_url=provider.embed_src.format(id=content_id),
        id=content_id,
    )


def _content_id(provider: Provider, target: str, query: str) -> str | None:
    match = next((m for p in provider.patterns if (m := p.fullmatch(target))), None)
    if match is None:
        return None
    if match.groupdict().get("id"):
        return match["id"]
    values = parse_qs(query).get(provider.query_id, [])
    if len(values) == 1 and re.fullmatch(_QUERY_ID[provider.name], values[0]):
        return values[0]
    return None


def embed_for(url: str) -> Embed | None:
    """`parse_embed_url`, with None for a URL that cannot be embedded."""
    try:
        return parse_embed_url(url)
    except ValidationError:
        return None


class _StandaloneURL(HTMLParser):
    """Reads a paragraph's inner HTML: is it one URL, bare or as a link to itself?"""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.href: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "a":
            self.href = dict(attrs).get("href")

    def handle_data(self, data):
        self.text.append(data)


def standalone_url(inner_html: str) -> str | None:
    """The URL a paragraph consists of, as text or as `<a href=URL>URL</a>`, else None."""
    inner = inner_html.strip()
    if not inner.startswith("<a ") and not _URL_LIKE.fullmatch(inner):
        return None  # the common case, decided without parsing
    parser = _StandaloneURL()
    parser.feed(inner)
    parser.close()
    text = "".join(parser.text).strip()
    if not _URL_LIKE.fullmatch(text):
        return None
    if not parser.tags:
        return text
    if parser.tags == ["a"] and parser.href == text:
        return text
    return None
