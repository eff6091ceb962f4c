"""Read a WordPress export (WXR) as a stream of records, safely.

The file is read in chunks by expat with every DTD refused (`<!DOCTYPE` is an error), so no
entity is ever declared, expanded or fetched (no XXE, no billion laughs) and nothing is
looked up on the network. Only the element being read is held in memory: a 10,000-post
export is read in the same memory as a 10-post one.

Bytes that are not UTF-8 and control characters XML forbids are replaced with U+FFFD while
reading; the import reports the posts that carry one. Any other fault (not XML, not WXR, an
unknown WXR version or namespace, an unclosed CDATA section, an undeclared entity, a file
over `WORDPRESS_IMPORT_MAX_BYTES`) raises `WxrError` naming the line where there is one.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pyexpat import ExpatError, ParserCreate, errors
from xml.parsers import expat

from django.conf import settings

SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2")
# Both spellings are real: WordPress.org writes http://, WordPress.com https://.
_WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/(?P<version>\d+\.\d+)/$")
_EXCERPT_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/excerpt/$")
_NAMESPACES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}
# Characters XML 1.0 does not allow, even as character references.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")
CHUNK_SIZE = 64 * 1024
REPLACEMENT = "\ufffd"


class WxrError(ValueError):
    """The file cannot be read as a WordPress export; nothing is imported from it."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"Line {line}: {message}" if line else message)


@dataclass
class Channel:
    title: str = ""
    link: str = ""
    base_blog_url: str = ""
    base_site_url: str = ""
    language: str = ""
    wxr_version: str = ""


@dataclass
class WxrAuthor:
    login: str
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""
    line: int = 0


@dataclass
class WxrTerm:
    """A category, a tag or another taxonomy's term (`taxonomy`)."""

    taxonomy: str
    term_id: str
    slug: str
    name: str
    parent: str = ""
    line: int = 0


# Where each kind of term element keeps its taxonomy (None: in `wp:term_taxonomy`), slug,
# name and parent (tags have none: no such child).
_TERM_FIELDS = {
    "wp:category": ("category", "wp:category_nicename", "wp:cat_name", "wp:category_parent"),
    "wp:tag": ("post_tag", "wp:tag_slug", "wp:tag_name", "wp:tag_parent"),
    "wp:term": (None, "wp:term_slug", "wp:term_name", "wp:term_parent"),
}


@dataclass
class WxrItem:
    post_id: str
    post_type: str
    status: str = ""
    title: str = ""
    link: str = ""
    guid: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    post_date: str = ""
    post_date_gmt: str = ""
    post_name: str = ""
    post_parent: str = "0"
    password: str = ""
    attachment_url: str = ""
    # (domain, nicename, name) as listed on the item
    terms: list[tuple[str, str, str]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    comments: int = 0
    line: int = 0

    @property
    def repaired(self) -> bool:
        """A field held bytes that were not UTF-8 or a forbidden control character."""
        return any(
            REPLACEMENT in value
            for value in (self.title, self.content, self.excerpt, self.creator, self.post_name)
        )


Record = Channel | WxrAuthor | WxrTerm | WxrItem


def wxr_check_size(path: str) -> None:
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise WxrError(f"{path} cannot be read: {exc.strerror}.") from exc
    limit = settings.WORDPRESS_IMPORT_MAX_BYTES
    if size > limit:
        raise WxrError(
            f"The file is {size // (1024 * 1024)} MB; at most {limit // (1024 * 1024)} MB "
            "can be imported at once. Export the site in parts (WordPress can export a "
            "date range) and import each."
        )


def wxr_read(path: str) -> Iterator[Record]:
    """The records of the export at `path`, in file order: the `Channel` (once its
    `wp:wxr_version` is read, before any author, term or item), then each `WxrAuthor`,
    `WxrTerm` and `WxrItem`. Raises `WxrError`; a caller that must not write anything from a
    broken file reads it to the end once first (`wxr_validate`)."""
    wxr_check_size(path)
    reader = _Reader()
    with open(path, "rb") as file:
        head = file.read(CHUNK_SIZE)
        decoder = codecs.getincrementaldecoder(_encoding(head))(errors="replace")
        chunk = head
        while True:
            text = decoder.decode(chunk, final=not chunk)
            yield from reader.feed(_CONTROL.sub(REPLACEMENT, text), final=not chunk)
            if not chunk:
                break
            chunk = file.read(CHUNK_SIZE)
    reader.finish()


def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    match = _DECLARED_ENCODING.match(head)
    if match:
        try:
            return codecs.lookup(match.group(1).decode("ascii")).name
        except LookupError as exc:
            raise WxrError(f"Unknown encoding {match.group(1).decode()!r}.", line=1) from exc
    return "utf-8"


def _refuse_dtd(*args) -> None:
    raise _Refused("The file declares a DTD (<!DOCTYPE>); an export never has one.")


def _refuse_entity(*args) -> None:
    raise _Refused("The file declares an entity; an export never does.")


class _Refused(Exception):
    pass


class _Reader:
    """Expat's callbacks, turning elements into records."""

    def __init__(self) -> None:
        # Encoding already done: expat reads the decoded text as UTF-8 whatever is declared.
        self.parser = ParserCreate(encoding="UTF-8", namespace_separator=" ")
        parser = self.parser
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = _refuse_dtd
        parser.EntityDeclHandler = _refuse_entity
        parser.UnparsedEntityDeclHandler = _refuse_entity
        parser.ExternalEntityRefHandler = _refuse_entity
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text
        parser.buffer_text = True
        self.path: list[str] = []
        self.texts: list[list[str]] = []
        self.channel = Channel()
        self.channel_sent = False
        self.current: dict | None = None
        self.current_line = 0
        self.done: list[Record] = []
        self.seen_root = False

    def feed(self, text: str, *, final: bool) -> list[Record]:
        try:
            self.parser.Parse(text, final)
        except _Refused as exc:
            raise WxrError(str(exc), line=self.parser.CurrentLineNumber) from None
        except ExpatError as exc:
            message = errors.messages[exc.code] if exc.code else str(exc)
            if (
                not self.seen_root
                and exc.code == expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS]
            ):
                raise WxrError("The file is empty or not XML.", line=exc.lineno) from None
            raise WxrError(f"Not well-formed XML: {message}.", line=exc.lineno) from None
        done, self.done = self.done, []
        return done

    def finish(self) -> None:
        if not self.channel_sent:
            raise WxrError(
                "Not a WordPress export: no <wp:wxr_version> in the channel (export the site "
                "from WordPress: Tools, Export)."
            )

    def _name(self, name: str) -> str:
        uri, _sep, local = name.rpartition(" ")
        if not uri:
            return local
        match = _WP_NAMESPACE.match(uri)
        if match:
            if match.group("version") not in SUPPORTED_VERSIONS:
                raise WxrError(
                    f"Unknown WXR namespace {uri}: known versions are "
                    f"{', '.join(SUPPORTED_VERSIONS)}.",
                    line=self.parser.CurrentLineNumber,
                )
            return f"wp:{local}"
        if _EXCERPT_NAMESPACE.match(uri):
            return f"excerpt:{local}"
        prefix = _NAMESPACES.get(uri)
        if prefix:
            return f"{prefix}:{local}"
        if "wordpress.org/export" in uri:
            raise WxrError(f"Unknown WXR namespace {uri}.", line=self.parser.CurrentLineNumber)
        return f"{{{uri}}}{local}"

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = self._name(name)
        line = self.parser.CurrentLineNumber
        if not self.path:
            self.seen_root = True
            if tag != "rss":
                raise WxrError(
                    f"Not a WordPress export: the document is <{tag}>, not <rss>.", line=line
                )
        depth = len(self.path)
        self.path.append(tag)
        self.texts.append([])
        if depth == 2 and self.path[1] == "channel":
            if tag in ("item", "wp:author", "wp:category", "wp:tag", "wp:term"):
                self._channel_ready(line)
                self.current = {"tag": tag, "terms": [], "meta": {}, "comments": 0}
                self.current_line = line
        elif self.current is not None and self.current["tag"] == "item":
            if tag == "category" and depth == 3:
                self.current["category_attrs"] = (
                    attrs.get("domain", ""),
                    attrs.get("nicename", ""),
                )
            elif tag == "wp:comment" and depth == 3:
                self.current["comments"] += 1

    def text(self, data: str) -> None:
        self.texts[-1].append(data)

    def end(self, name: str) -> None:
        tag = self.path.pop()
        value = "".join(self.texts.pop())
        depth = len(self.path)
        current = self.current
        if depth == 2 and self.path[1] == "channel":
            if current is not None and tag == current["tag"]:
                self.done.append(self._record(current))
                self.current = None
            elif tag in ("title", "link", "language"):
                setattr(self.channel, tag, value.strip())
            elif tag == "wp:base_blog_url":
                self.channel.base_blog_url = value.strip()
            elif tag == "wp:base_site_url":
                self.channel.base_site_url = value.strip()
            elif tag == "wp:wxr_version":
                version = value.strip()
                if version not in SUPPORTED_VERSIONS:
                    raise WxrError(
                        f"Unknown WXR version {version!r}: known versions are "
                        f"{', '.join(SUPPORTED_VERSIONS)}.",
                        line=self.parser.CurrentLineNumber,
                    )
                self.channel.wxr_version = version
        elif current is not None and depth == 3:
            if tag == "category" and current["tag"] == "item":
                domain, nicename = current.pop("category_attrs", ("", ""))
                current["terms"].append((domain, nicename, value.strip()))
            elif tag != "wp:postmeta" and tag != "wp:comment":
                current[tag] = value
        elif current is not None and depth == 4 and self.path[3] == "wp:postmeta":
            current.setdefault("_meta", []).append((tag, value))
            if tag == "wp:meta_value":
                pairs = dict(current.pop("_meta"))
                current["meta"][pairs.get("wp:meta_key", "").strip()] = pairs["wp:meta_value"]
        elif depth == 1 and tag == "channel":
            self._channel_ready(self.parser.CurrentLineNumber)

    def _channel_ready(self, line: int) -> None:
        if self.channel_sent:
            return
        if not self.channel.wxr_version:
            raise WxrError(
                "Not a WordPress export: no <wp:wxr_version> before the first item or term.",
                line=line,
            )
        self.channel_sent = True
        self.done.append(self.channel)

    def _record(self, data: dict) -> Record:
        tag, line = data["tag"], self.current_line
        get = lambda key: data.get(key, "").strip()  # noqa: E731
        if tag == "wp:author":
            return WxrAuthor(
                login=get("wp:author_login"),
                email=get("wp:author_email"),
                display_name=get("wp:author_display_name"),
                first_name=get("wp:author_first_name"),
                last_name=get("wp:author_last_name"),
                line=line,
            )
        if tag in _TERM_FIELDS:
            taxonomy, slug, name, parent = _TERM_FIELDS[tag]
            return WxrTerm(
                taxonomy=taxonomy or get("wp:term_taxonomy"),
                term_id=get("wp:term_id"),
                slug=get(slug),
                name=get(name),
                parent=get(parent),
                line=line,
            )
        return WxrItem(
            post_id=get("wp:post_id"),
            post_type=get("wp:post_type"),
            status=get("wp:status"),
            title=get("title"),
            link=get("link"),
            guid=get("guid"),
            creator=get("dc:creator"),
            content=data.get("content:encoded", ""),
            excerpt=data.get("excerpt:encoded", ""),
            post_date=get("wp:post_date"),
            post_date_gmt=get("wp:post_date_gmt"),
            post_name=get("wp:post_name"),
            post_parent=get("wp:post_parent") or "0",
            password=get("wp:post_password"),
            attachment_url=get("wp:attachment_url"),
            terms=data["terms"],
            meta=data["meta"],
            comments=data["comments"],
            line=line,
        )
