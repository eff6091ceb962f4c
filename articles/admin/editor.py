"""The article body's editor in the admin, and the cards it shows between paragraphs.

The body is edited with django-prose-editor (ProseMirror/Tiptap), limited to what the
writers need: paragraphs, h2/h3, bold, italic, links, lists and quotes. The server-side
sanitiser (`articles.html`) stays the source of truth: whatever the browser sends is cleaned
again on save.

Related reading and inline photos stay rows with `after_paragraph` (`RelatedLink`,
`ArticlePhoto`), so what is stored and what the API returns keep one meaning. The editor only
shows them as cards between paragraphs:

- on load, `body_with_cards` puts a card after paragraph N for each row (`ArticleAdmin.
  render_change_form`);
- on save, `body_split_cards` takes the cards out of the posted body and says after which
  paragraph each stands; `formset_data_with_card_places` writes that into the row's
  `after_paragraph` and `position` before the inline formsets read the POST
  (`ArticleAdmin.get_formset_kwargs`).

A card names its row by the inline formset's prefix and the row's index
(`data-card="related_links-0"`), as Django names the row's fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html
from django_prose_editor.widgets import (
    AdminProseEditorWidget,
    importmap,
    prose_editor_js,
    prose_editor_media,
)
from js_asset import Media

from articles.blocks import split_body, top_level_blocks
from articles.html import sanitize_body_html

# The inline formsets whose rows the editor shows as cards (their default prefixes).
RELATED_LINKS_PREFIX = "related_links"
PHOTOS_PREFIX = "article_photos"
CARD_PREFIXES = (RELATED_LINKS_PREFIX, PHOTOS_PREFIX)

# What the editor offers: the sanitiser's whole allowed set (`articles.html`), so a body written
# before the editor or through the write API keeps its h4, u, s, sub, sup, b and i when it is
# saved again in the editor (`PlainBold` and `PlainItalic` keep <b> and <i> as they are).
BODY_EDITOR_EXTENSIONS = {
    "Heading": {"levels": [2, 3, 4]},
    "Bold": True,
    "Italic": True,
    "PlainBold": True,
    "PlainItalic": True,
    "PlainBlocks": True,
    "StoredWhitespace": True,
    "Underline": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Link": {
        "enableTarget": False,
        "autolink": False,
        "protocols": ["http", "https", "mailto", "tel"],
    },
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "ArticleCard": True,
    # Writers want the browser's spell checking, which the library turns off by default.
    "NoSpellCheck": False,
}
BODY_EDITOR_CARDS_MODULE = "articles/editor/cards.js"
BODY_EDITOR_MARKS_MODULE = "articles/editor/marks.js"
# The library's styles, with its 128 KB icon font swapped for the few icons the toolbar uses.
BODY_EDITOR_BASE_MEDIA = Media(
    importmap=importmap,
    css={
        "all": [
            "articles/editor/icons.css",
            "django_prose_editor/editor.css",
            "django_prose_editor/overrides.css",
        ]
    },
    js=[prose_editor_js],
)
# What the editor may add to the change form, gzip-compressed (issue 18; measured by
# tests/articles/test_admin_editor_assets.py).
BODY_EDITOR_ASSET_BUDGET_BYTES = 300 * 1024

# The writing aids: reading speed, and how much of a title and a description search results
# show (about 60 and 160 characters).
WORDS_PER_MINUTE = 200
HEADLINE_SEARCH_LIMIT = 60
DEK_SEARCH_LIMIT = 160

# A card as the editor writes it: an empty <div data-card="prefix-index" ...></div>. Quoted
# attribute values may hold ">".
CARD_ELEMENT = re.compile(
    r"<div\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*?\bdata-card=\"(?P<card>[a-z_]+-\d+)\""
    r"(?:[^>\"']|\"[^\"]*\"|'[^']*')*>.*?</div>",
    re.DOTALL | re.IGNORECASE,
)

# The editor's link dialog writes title="" when the writer gives no title.
EMPTY_LINK_TITLE = re.compile(r'(<a\b[^>]*?)\s+title=""', re.IGNORECASE)
# A list item or quote that had no paragraph inside before the editor gave it one
# (`PlainBlocks` in BODY_EDITOR_MARKS_MODULE): its first paragraph is taken off again.
PLAIN_BLOCK = re.compile(r'<(li|blockquote) data-plain="true"><p>(.*?)</p>', re.DOTALL)


def _editor_markup_undone(html: str) -> str:
    """`html` as posted by the editor, without what the editor adds to stored bodies."""
    html = EMPTY_LINK_TITLE.sub(r"\1", html)
    return PLAIN_BLOCK.sub(r"<\1>\2", html)


class BodyEditorWidget(AdminProseEditorWidget):
    """The prose editor with the allowed set above and the article cards."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs=attrs, config={"extensions": BODY_EDITOR_EXTENSIONS}, preset="configurable"
        )

    @property
    def media(self):
        return prose_editor_media(base=BODY_EDITOR_BASE_MEDIA, preset=self.preset)

    def get_config(self):
        config = super().get_config()
        # The cards' Tiptap node and the plain marks, imported by the preset before the editor
        # starts.
        modules = [static(BODY_EDITOR_CARDS_MODULE), static(BODY_EDITOR_MARKS_MODULE)]
        return {**config, "js_modules": [*config["js_modules"], *modules]}


# Tags that give a block its shape rather than mark its words: nested in a list item or a quote
# they stay in place; every other allowed tag is a mark (bold, link, ...).
STRUCTURE_TAGS = frozenset({"p", "h2", "h3", "h4", "blockquote", "ul", "ol", "li", "br"})


class _MarkedText(HTMLParser):
    """A block's inner HTML as its words, each with the set of marks over it: what a reader
    sees, whatever order the marks are nested in."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.runs: list[tuple[str, frozenset]] = []
        self._marks: list[tuple[str, tuple]] = []

    def _add(self, text: str) -> None:
        marks = frozenset(self._marks)
        if self.runs and self.runs[-1][1] == marks:
            self.runs[-1] = (self.runs[-1][0] + text, marks)
        else:
            self.runs.append((text, marks))

    def handle_starttag(self, tag, attrs):
        if tag in STRUCTURE_TAGS:
            self.runs.append((f"<{tag}>", frozenset()))
        else:
            self._marks.append((tag, tuple(sorted(attrs))))

    def handle_endtag(self, tag):
        if tag in STRUCTURE_TAGS:
            self.runs.append((f"</{tag}>", frozenset()))
            return
        for index in range(len(self._marks) - 1, -1, -1):
            if self._marks[index][0] == tag:
                del self._marks[index]
                break

    def handle_data(self, data):
        self._add(data)


def _marked_text(tag: str, inner: str) -> tuple:
    parser = _MarkedText()
    parser.feed(inner)
    parser.close()
    return (tag, tuple(parser.runs))


def body_keeping_stored_marks(posted: str, stored: str) -> str:
    """`posted`, sanitised as it will be stored, with each top-level block that reads as a
    block of `stored` (the same words under the same marks) written as it is stored.

    The editor nests two marks on the same words in its own order (a link outside bold:
    `<strong><a>x</a></strong>` comes back as `<a><strong>x</strong></a>`), which a reader
    cannot tell apart; keeping the stored bytes keeps the API's blocks byte-identical when an
    article is saved again."""
    if not stored or not posted:
        return posted
    posted = sanitize_body_html(posted)
    stored_blocks: dict[tuple, str] = {}
    for tag, inner in top_level_blocks(stored):
        stored_blocks.setdefault(_marked_text(tag, inner), inner)
    pieces: list[str] = []
    cursor = 0
    for tag, inner in top_level_blocks(posted):
        at = posted.find(inner, cursor) if inner else -1
        if at < 0:
            continue
        kept = stored_blocks.get(_marked_text(tag, inner), inner)
        pieces.append(posted[cursor:at])
        pieces.append(kept)
        cursor = at + len(inner)
    pieces.append(posted[cursor:])
    return "".join(pieces)


@dataclass(frozen=True)
class CardPlace:
    """Where the writer put a card: after paragraph `after_paragraph`, `position`-th among
    the cards of its kind after that paragraph."""

    prefix: str
    index: int
    after_paragraph: int
    position: int


def _paragraphs_in(html: str) -> int:
    """Paragraphs (embeds included) the API counts in `html`, as `place_after_paragraphs`."""
    blocks = split_body(sanitize_body_html(html))
    return sum(1 for block in blocks if block["type"] in ("paragraph", "embed"))


def _ends_past_last_paragraph(html: str) -> bool:
    """Whether a heading, list or quote follows the last paragraph of `html`."""
    tags = [tag for tag, _inner in top_level_blocks(sanitize_body_html(html))]
    return bool(tags) and tags[-1] != "p"


def body_split_cards(html: str) -> tuple[str, list[CardPlace]]:
    """The body without its cards (and without empty link titles), and where each card stood
    (in the body's order).

    A card after the body's last paragraph and a heading, list or quote that follows it stands
    at the very end: its row gets a paragraph number past the last one, which the API shows at
    the end (`articles.blocks.place_after_paragraphs`). Cards at the very end keep the order
    they stand in, whatever their kind."""
    html = _editor_markup_undone(html or "")
    pieces: list[str] = []
    found: list[tuple[str, int, int, bool]] = []
    last = 0
    for match in CARD_ELEMENT.finditer(html):
        pieces.append(html[last : match.start()])
        last = match.end()
        prefix, index = match["card"].rsplit("-", 1)
        if prefix not in CARD_PREFIXES:
            continue
        if any(card[:2] == (prefix, int(index)) for card in found):
            continue  # a card pasted twice: the first one places the row
        before = "".join(pieces)
        found.append(
            (prefix, int(index), _paragraphs_in(before), _ends_past_last_paragraph(before))
        )
    if not found and last == 0:
        return html, []
    pieces.append(html[last:])
    text = "".join(pieces)
    paragraphs = _paragraphs_in(text)
    # After the last paragraph the API shows, after the photos and related links of that
    # paragraph, those with a number past it, ordered by number: a photo that follows a related
    # link there takes the next number, so the cards keep the order they stand in. With a
    # heading, list or quote after the last paragraph, only the cards after it are past it.
    tail_any_order = not _ends_past_last_paragraph(text)
    end, related_at_end = paragraphs, False
    places: list[CardPlace] = []
    seen: dict[tuple[str, int], int] = {}
    for prefix, index, after, past_last in found:
        if after == paragraphs and (past_last or tail_any_order):
            if past_last and end == paragraphs:
                end, related_at_end = paragraphs + 1, False
            if prefix == PHOTOS_PREFIX and related_at_end:
                end, related_at_end = end + 1, False
            after = end
            related_at_end = related_at_end or prefix == RELATED_LINKS_PREFIX
        position = seen.get((prefix, after), 0)
        seen[(prefix, after)] = position + 1
        places.append(CardPlace(prefix, index, after, position))
    return text, places


def formset_data_with_card_places(data, prefix: str, body: str):
    """`data` (a copy of the POST) with the rows of formset `prefix` placed where their cards
    stand in `body`; rows without a card keep their posted values."""
    total = data.get(f"{prefix}-TOTAL_FORMS", "")
    total = int(total) if total.isdigit() else 0
    for place in body_split_cards(body)[1]:
        if place.prefix == prefix and place.index < total:
            data[f"{prefix}-{place.index}-after_paragraph"] = str(place.after_paragraph)
            data[f"{prefix}-{place.index}-position"] = str(place.position)
    return data


def body_with_cards(body: str, cards: list[tuple[int, str]]) -> str:
    """`body` with each (after_paragraph, card HTML) after that paragraph, as the API places
    them (`articles.blocks.place_after_paragraphs`); `body` itself when there is no card."""
    if not cards:
        return body
    by_paragraph: dict[int, list[str]] = {}
    for after, card in cards:
        by_paragraph.setdefault(after, []).append(card)
    pieces = by_paragraph.pop(0, [])
    paragraphs = 0
    for tag, inner in top_level_blocks(body):
        pieces.append(f"<{tag}>{inner}</{tag}>")
        if tag == "p":
            paragraphs += 1
            pieces.extend(by_paragraph.pop(paragraphs, []))
    for after in sorted(by_paragraph):
        pieces.extend(by_paragraph[after])
    return "".join(pieces)


def card_html(*, card: str, kind: str, title: str, detail: str = "", thumb: str = "") -> str:
    """A card as the editor reads it (the Tiptap node in `BODY_EDITOR_CARDS_MODULE`)."""
    return format_html(
        '<div data-card="{}" data-kind="{}" data-title="{}" data-detail="{}" data-thumb="{}">'
        "</div>",
        card,
        kind,
        title,
        detail,
        thumb,
    )


def _row_card(prefix: str, index: int, row) -> tuple[int, int, str]:
    """(after_paragraph, rank, card HTML) of an inline row; after one paragraph the API shows
    photos (rank 0), then related reading (rank 1)."""
    card = f"{prefix}-{index}"
    if prefix == PHOTOS_PREFIX:
        photo = row.photo
        try:
            thumb = photo.image.url if photo.image else ""
        except ValueError:
            thumb = ""
        caption = row.caption_override or photo.caption
        html = card_html(card=card, kind="photo", title=caption, detail=photo.credit, thumb=thumb)
        return row.after_paragraph, 0, html
    target = row.target_article
    title = target.headline if target is not None else row.title
    html = card_html(card=card, kind="related", title=title, detail=row.url)
    return row.after_paragraph, 1, html


def writing_aids(article) -> dict:
    """The numbers the change form's writing aids measure against, and the article's address
    with a `{slug}` placeholder."""
    section = article.section.slug if article is not None and article.section_id else "section"
    url_template = settings.ARTICLE_URL_TEMPLATE.format(
        site_url=settings.SITE_URL, section=section, slug="{slug}"
    )
    return {
        "words_per_minute": WORDS_PER_MINUTE,
        "headline_limit": HEADLINE_SEARCH_LIMIT,
        "dek_limit": DEK_SEARCH_LIMIT,
        "url_template": url_template,
    }


class ArticleBodyEditorMixin:
    """`ArticleAdmin`'s cards between paragraphs (see the module) and writing aids."""

    class Media:
        css = {"all": ("articles/editor/desk.css",)}
        js = ("articles/editor/desk.js",)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if "data" in kwargs and prefix in CARD_PREFIXES:
            body = request.POST.get("body", "")
            kwargs["data"] = formset_data_with_card_places(kwargs["data"], prefix, body)
        return kwargs

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        # A form shown again after an error holds the posted body, cards included.
        if not form.is_bound and "body" in form.fields and obj is not None:
            cards = [
                _row_card(inline.formset.prefix, index, row_form.instance)
                for inline in context.get("inline_admin_formsets", [])
                if inline.formset.prefix in CARD_PREFIXES
                for index, row_form in enumerate(inline.formset.initial_forms)
            ]
            # Stable: rows keep the formsets' order (after_paragraph, position, id).
            cards.sort(key=lambda card: (card[0], card[1]))
            placed = [(after, html) for after, _rank, html in cards]
            form.initial["body"] = body_with_cards(form.initial.get("body", ""), placed)
        context["writing_aids"] = writing_aids(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)
