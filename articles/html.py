"""The article body's HTML allow-list, and the sanitiser that enforces it on every save.

Allowed (documented in docs/editors.md and in the body field's help text):

- block: ``p``, ``h2``, ``h3``, ``h4``, ``blockquote``, ``ul``, ``ol``, ``li``, ``br``
- inline: ``strong``, ``b``, ``em``, ``i``, ``u``, ``s``, ``sub``, ``sup``, ``a``
- links: ``href`` with the schemes http, https, mailto, tel or a relative URL, and ``title``;
  every link gets ``rel="noopener noreferrer"``.

Everything else is removed: ``script`` and ``style`` with their content, any other tag keeping
its text, every attribute not listed (``on*=`` handlers, ``style``, ``class``), and links with
another scheme (``javascript:``, ``data:``, ``vbscript:`` in any spelling) lose their ``href``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

BODY_ALLOWED_TAGS = frozenset(
    {
        "p", "br", "h2", "h3", "h4", "blockquote", "ul", "ol", "li",
        "strong", "b", "em", "i", "u", "s", "sub", "sup", "a",
    }
)  # fmt: skip
BODY_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
BODY_ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Removed together with their content: their text is never meant for readers.
BODY_REMOVED_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object"})


# nh3 can emit markup that parses differently the next time (`<p><select><p>` becomes
# `<p><p></p></p>`, which a parser reads as two sibling paragraphs). Cleaning again until the
# output stops changing makes the sanitiser idempotent; two passes sufficed in fuzzing.
_MAX_CLEAN_PASSES = 5


def sanitize_body_html(html: str) -> str:
    """Return `html` reduced to the allow-list above. Idempotent: sanitising twice is a no-op."""
    cleaned = html or ""
    for _pass in range(_MAX_CLEAN_PASSES):
        previous, cleaned = cleaned, _clean_once(cleaned)
        if cleaned == previous:
            break
    return cleaned


def _clean_once(html: str) -> str:
    if not html:
        return ""
    # The sanitiser (1.6 MiB) is loaded by the first save, not by a worker serving readers.
    import nh3

    return nh3.clean(
        html,
        tags=set(BODY_ALLOWED_TAGS),
        clean_content_tags=set(BODY_REMOVED_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in BODY_ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(BODY_ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def validate_body_size(html: str) -> None:
    limit = settings.ARTICLE_BODY_MAX_BYTES
    if len(html.encode("utf-8")) > limit:
        raise ValidationError(
            _("The body is too long: at most %(limit)d KB of HTML."),
            code="body_too_large",
            params={"limit": limit // 1024},
        )
