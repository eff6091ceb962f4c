"""A WordPress post's content as our body: paragraphs, photos and related reading in place.

Classic content gets WordPress's automatic paragraphs (`autop`: a blank line ends a
paragraph, a single newline is a line break); block-editor content (`<!-- wp:… -->`) is HTML
already. `[caption]` shortcodes, `[gallery]`, figures and images (`wp:image` blocks) become
inline photos after the paragraph they follow; a paragraph like `BACA JUGA: <a>…</a>` (also
"Baca juga", "Read also", with or without the link) becomes a related-reading link there;
`wp:embed` blocks, `[embed]` and URLs on a line of their own stay embeds when the provider
is allowed (`articles.embeds`), else they become a plain link. The result is sanitised
(`articles.html`) and read back as the blocks readers get (`articles.blocks`).

Pure text work: `convert_body` knows nothing of the database; it names photos by attachment
id or URL and links by URL and headline, and the importer resolves them.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field

from articles.blocks import top_level_blocks
from articles.embeds import embed_for, standalone_url
from articles.html import sanitize_body_html

_BLOCK_TAGS = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|"
    "map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|"
    "aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary"
)
_BLOCK_OPEN = re.compile(rf"(<(?:{_BLOCK_TAGS})[\s/>])", re.IGNORECASE)
_BLOCK_CLOSE = re.compile(rf"(</(?:{_BLOCK_TAGS})>)", re.IGNORECASE)
_STARTS_BLOCK = re.compile(rf"^</?(?:{_BLOCK_TAGS})[\s/>]", re.IGNORECASE)
_BLANK_LINE = re.compile(r"\n\s*\n")

_EMBED_BLOCK = re.compile(
    r"<!--\s*wp:(?:core-)?embed(?:/[\w-]+)?\s+(\{.*?\})\s*(?:/)?-->(.*?)"
    r"<!--\s*/wp:(?:core-)?embed(?:/[\w-]+)?\s*-->",
    re.DOTALL,
)
_EMBED_SHORTCODE = re.compile(r"\[embed[^\]]*\](.*?)\[/embed\]", re.DOTALL | re.IGNORECASE)
_CAPTION = re.compile(r"\[(?:wp_)?caption([^\]]*)\](.*?)\[/(?:wp_)?caption\]", re.DOTALL)
_GALLERY = re.compile(r"\[gallery([^\]]*)\]")
_MEDIA_SHORTCODES = re.compile(
    r"\[(audio|video|playlist|wpvideo|googlemaps|soundcloud)\b[^\]]*\]"
    r"(?:.*?\[/\1\])?",
    re.DOTALL | re.IGNORECASE,
)
_FIGURE = re.compile(r"<figure\b[^>]*>(.*?)</figure>", re.DOTALL | re.IGNORECASE)
_FIGCAPTION = re.compile(r"<figcaption\b[^>]*>(.*?)</figcaption>", re.DOTALL | re.IGNORECASE)
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_LINKED_IMG = re.compile(r"<a\b[^>]*>\s*(<img\b[^>]*>)\s*</a>", re.IGNORECASE)
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_HEADING_UP = re.compile(r"<(/?)h1\b", re.IGNORECASE)
_HEADING_DOWN = re.compile(r"<(/?)h[56]\b", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")
_MARKER = re.compile(r"^\s*wxrphoto:(\d+)\s*$")
_LINK = re.compile(r"""<a\b[^>]*href="([^"]*)"[^>]*>(.*?)</a>""", re.DOTALL | re.IGNORECASE)
_RELATED = re.compile(
    r"^\s*(baca juga|baca pula|lihat juga|simak juga|read also|also read|read more)"
    r"\s*[:：]?\s*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_DATELINE = re.compile(
    r"^\s*(?:<(?:strong|b)>)?\s*(?P<dateline>[A-Z][A-Z.'/ ]{1,40}?(?:,\s*[A-Za-z][\w.]{1,40})?)"
    r"\s*(?:</(?:strong|b)>)?\s*[-–—]+\s*(?:</(?:strong|b)>)?\s+"
)
_CREDIT = re.compile(
    r"[\s(\[–—-]*\(?\s*(?:foto|photo)\s*:\s*(?P<credit>[^()\[\]]+?)\s*\)?\s*$", re.IGNORECASE
)
DEFAULT_LABELS = {"baca juga", "read also"}


@dataclass
class PhotoRef:
    """An inline photo: the attachment's id where the markup names it, else its URL."""

    attachment_id: str
    url: str
    caption: str
    credit: str
    after_paragraph: int = 0
    # A [gallery] without ids: the images attached to the post.
    is_gallery: bool = False


@dataclass
class LinkRef:
    """A related-reading paragraph: the link's URL (may be empty) and headline."""

    url: str
    headline: str
    label: str
    after_paragraph: int = 0


@dataclass
class Body:
    html: str = ""
    dateline: str = ""
    photos: list[PhotoRef] = field(default_factory=list)
    links: list[LinkRef] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def caption_credit(text: str) -> tuple[str, str]:
    """Split a portal-style caption into (caption, credit): "Warga antre. Foto: Budi/Antara"
    gives ("Warga antre.", "Foto: Budi/Antara"); no credit at the end: (text, "")."""
    text = " ".join(text.split())
    match = _CREDIT.search(text)
    if not match:
        return text, ""
    return text[: match.start()].strip(), f"Foto: {match.group('credit').strip()}"


def plain_text(fragment: str) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", fragment)).split())


def autop(text: str) -> str:
    """WordPress's automatic paragraphs, simplified: blank lines separate paragraphs, a
    single newline in a paragraph is a line break; block-level elements stand alone."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _BLOCK_OPEN.sub(r"\n\n\1", text)
    text = _BLOCK_CLOSE.sub(r"\1\n\n", text)
    out = []
    for chunk in _BLANK_LINE.split(text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if _STARTS_BLOCK.match(chunk):
            out.append(chunk)
        else:
            out.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    return "\n".join(out)


def _attrs(tag: str) -> dict[str, str]:
    return {
        m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
        for m in _ATTR.finditer(tag)
    }


def _img_ref(img: str, *, attachment_id: str = "", caption: str = "") -> PhotoRef:
    attrs = _attrs(img)
    match = re.search(r"wp-image-(\d+)", attrs.get("class", ""))
    if match:
        attachment_id = match.group(1)
    attachment_id = attachment_id or attrs.get("data-id", "")
    text, credit = caption_credit(caption)
    return PhotoRef(
        attachment_id=attachment_id, url=attrs.get("src", ""), caption=text, credit=credit
    )


class _Converter:
    def __init__(self) -> None:
        self.photos: list[PhotoRef] = []
        self.warnings: list[str] = []

    def marker(self, ref: PhotoRef) -> str:
        self.photos.append(ref)
        return f"\n\n<p>wxrphoto:{len(self.photos) - 1}</p>\n\n"

    def embed_block(self, match: re.Match) -> str:
        try:
            url = json.loads(match.group(1)).get("url", "")
        except ValueError:
            url = ""
        url = url or plain_text(match.group(2))
        return f"\n\n<p>{html.escape(url)}</p>\n\n" if url else ""

    def caption(self, match: re.Match) -> str:
        attrs = _attrs(match.group(1))
        inner = match.group(2)
        img = _IMG.search(inner)
        if not img:
            self.warnings.append("A [caption] without an image was left out.")
            return ""
        caption = attrs.get("caption") or plain_text(_IMG.sub("", _LINKED_IMG.sub("", inner)))
        attachment = re.sub(r"\D", "", attrs.get("id", ""))
        return self.marker(_img_ref(img.group(0), attachment_id=attachment, caption=caption))

    def gallery(self, match: re.Match) -> str:
        ids = [i.strip() for i in _attrs(match.group(1)).get("ids", "").split(",") if i.strip()]
        if not ids:
            return self.marker(PhotoRef("", "", "", "", is_gallery=True))
        return "".join(self.marker(PhotoRef(i, "", "", "")) for i in ids)

    def figure(self, match: re.Match) -> str:
        inner = match.group(1)
        imgs = _IMG.findall(inner)
        if not imgs:
            return match.group(0)
        caption_match = _FIGCAPTION.search(inner)
        caption = plain_text(caption_match.group(1)) if caption_match else ""
        if len(imgs) == 1:
            return self.marker(_img_ref(imgs[0], caption=caption))
        return "".join(self.marker(_img_ref(img)) for img in imgs)

    def image(self, match: re.Match) -> str:
        return self.marker(_img_ref(match.group(0)))

    def media_shortcode(self, match: re.Match) -> str:
        self.warnings.append(f"A [{match.group(1).lower()}] shortcode was left out.")
        return ""


def convert_body(content: str) -> Body:
    """Turn a post's `content:encoded` into our body, with photos and links in place."""
    converter = _Converter()
    text = content or ""
    is_blocks = "<!-- wp:" in text
    text = _EMBED_BLOCK.sub(converter.embed_block, text)
    text = _EMBED_SHORTCODE.sub(lambda m: f"\n\n<p>{html.escape(m.group(1).strip())}</p>\n\n", text)
    text = _CAPTION.sub(converter.caption, text)
    text = _GALLERY.sub(converter.gallery, text)
    text = _MEDIA_SHORTCODES.sub(converter.media_shortcode, text)
    text = _FIGURE.sub(converter.figure, text)
    text = _LINKED_IMG.sub(lambda m: converter.image(_IMG.search(m.group(1))), text)
    text = _IMG.sub(converter.image, text)
    text = _HEADING_UP.sub(r"<\1h2", text)
    text = _HEADING_DOWN.sub(r"<\1h4", text)
    if not is_blocks:
        text = autop(text)
    return _place(sanitize_body_html(text), converter)


def _place(clean: str, converter: _Converter) -> Body:
    """Walk the sanitised blocks: take the photo markers and related-reading paragraphs
    out, remembering after which paragraph they stood."""
    body = Body(warnings=converter.warnings)
    parts: list[str] = []
    paragraphs = 0
    for tag, inner in top_level_blocks(clean):
        if tag == "p":
            marker = _MARKER.match(inner)
            if marker:
                ref = converter.photos[int(marker.group(1))]
                ref.after_paragraph = paragraphs
                body.photos.append(ref)
                continue
            text = plain_text(inner)
            if not text:
                continue
            related = _RELATED.match(text)
            if related:
                link = _LINK.search(inner)
                headline = plain_text(link.group(2)) if link else related.group(2).strip()
                label = related.group(1).strip()
                if headline:
                    body.links.append(
                        LinkRef(
                            url=html.unescape(link.group(1)) if link else "",
                            headline=headline,
                            label="" if label.lower() in DEFAULT_LABELS else label.capitalize(),
                            after_paragraph=paragraphs,
                        )
                    )
                    continue
            url = standalone_url(inner)
            if url and embed_for(url) is None:
                body.warnings.append(f"{url} is not an allowed embed: kept as a link.")
                shown = re.sub(r"^[a-z]+://", "", url)
                inner = f'<a href="{html.escape(url)}">{html.escape(shown)}</a>'
            if not parts and not body.dateline:
                dateline = _DATELINE.match(inner)
                if dateline:
                    body.dateline = dateline.group("dateline").strip()[:100]
                    inner = inner[dateline.end() :]
            paragraphs += 1
        parts.append(f"<{tag}>{inner}</{tag}>")
    body.html = sanitize_body_html("\n".join(parts))
    return body
