"""The body sanitiser (`articles/html.py`) and where it is applied (`Article.save`).

Only the body is HTML. Headline, dek, caption and credit are plain text: stored exactly as
typed, and escaped by whatever renders them.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from articles.html import BODY_ALLOWED_TAGS, BODY_ALLOWED_URL_SCHEMES, sanitize_body_html
from articles.models import Article
from tests.support.factories import ArticleFactory, PhotoFactory

REL = 'rel="noopener noreferrer"'


def test_script_tags_are_removed_with_their_content():
    dirty = "<p>Sebelum</p><script>alert('xss')</script><p>Sesudah</p><SCRIPT src=x></SCRIPT>"

    assert sanitize_body_html(dirty) == "<p>Sebelum</p><p>Sesudah</p>"


@pytest.mark.parametrize(
    "dirty",
    [
        '<p onclick="steal()">Teks</p>',
        "<p ONMOUSEOVER=steal()>Teks</p>",
        '<p onfocus = "steal()" tabindex=1>Teks</p>',
    ],
)
def test_event_handler_attributes_are_removed(dirty):
    assert sanitize_body_html(dirty) == "<p>Teks</p>"


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java&#09;script:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "&#106;avascript:alert(1)",
        "&#x6A;avascript:alert(1)",
        "javascript&colon;alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
    ],
)
def test_links_with_unsafe_schemes_lose_the_href_but_keep_the_text(href):
    cleaned = sanitize_body_html(f'<p><a href="{href}">Baca selengkapnya</a></p>')

    assert cleaned == f"<p><a {REL}>Baca selengkapnya</a></p>"


@pytest.mark.parametrize(
    ("dirty", "expected"),
    [
        ('<p>Foto<img src="x" onerror="alert(1)"></p>', "<p>Foto</p>"),
        ('<p>A</p><iframe srcdoc="<script>alert(1)</script>">fallback</iframe>', "<p>A</p>"),
        ("<p>B</p><svg><animate onbegin=alert(1) attributeName=x /></svg>", "<p>B</p>"),
        ('<p style="background:url(javascript:alert(1))">Gaya</p>', "<p>Gaya</p>"),
        ('<p class="x" id="y">Kelas</p>', "<p>Kelas</p>"),
        ('<form action="https://evil.example/"><input name="q">Cari</form>', "Cari"),
        ("<style>p{color:red}</style><p>C</p>", "<p>C</p>"),
        ("<p>D<!-- komentar --></p>", "<p>D</p>"),
        ('<object data="x.swf">teks</object><p>E</p>', "<p>E</p>"),
        ('<div><span class="x">Teks biasa</span></div>', "Teks biasa"),
        ('<a href="https://a.example/" target="_blank" onclick="x()">F</a>', None),
    ],
)
def test_unsafe_markup_is_removed(dirty, expected):
    cleaned = sanitize_body_html(dirty)

    if expected is None:
        assert cleaned == f'<a href="https://a.example/" {REL}>F</a>'
    else:
        assert cleaned == expected


@pytest.mark.parametrize(
    "clean",
    [
        "<p>BANDUNG - Hujan deras mengguyur kota.</p>",
        "<h2>Dua</h2><h3>Tiga</h3><h4>Empat</h4>",
        "<p><strong>Tebal</strong>, <b>tebal</b>, <em>miring</em>, <i>miring</i>, <u>u</u>, "
        "<s>coret</s>, H<sub>2</sub>O, m<sup>2</sup></p>",
        "<ul><li>satu</li><li>dua</li></ul><ol><li>pertama</li></ol>",
        "<blockquote><p>Kutipan narasumber.</p></blockquote>",
        "<p>Baris satu<br>baris dua</p>",
        "<p>1 &lt; 2 &amp;&amp; 3 &gt; 2</p>",
    ],
)
def test_allowed_markup_survives_unchanged(clean):
    assert sanitize_body_html(clean) == clean


@pytest.mark.parametrize(
    "href",
    [
        "https://example.org/berita?id=1&amp;x=2",
        "http://example.org/",
        "mailto:redaksi@example.org",
        "tel:+62221234567",
        "/berita/banjir-bandung",
        "../lain",
        "#bagian-2",
    ],
)
def test_links_with_safe_schemes_keep_the_href(href):
    cleaned = sanitize_body_html(f'<a href="{href}" title="Judul">tautan</a>')

    assert cleaned == f'<a href="{href}" title="Judul" {REL}>tautan</a>'


def test_empty_body_stays_empty():
    assert sanitize_body_html("") == ""
    assert sanitize_body_html(None) == ""


@pytest.mark.parametrize(
    "dirty",
    [
        "<p><select><p>",  # nh3 emits <p><p></p></p>, which re-parses as siblings
        "<li><ul><li><select><li>",
        "<p><a href=javascript:x>a</a><script>b</script></p>",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    ],
)
def test_sanitising_is_idempotent(dirty):
    once = sanitize_body_html(dirty)

    assert sanitize_body_html(once) == once


# --- Property test --------------------------------------------------------------------------

_FRAGMENTS = st.sampled_from(
    [
        "<p>", "</p>", "<h2>", "<ul><li>", "<blockquote>", "<br>", "<b>", "</b>", "<select>",
        "<table>", "<td>", "<math>", "<svg>", "<noscript>", "<textarea>", "<title>", "<xmp>",
        "<style>", "<iframe srcdoc=", "<img src=x ", "<animate onbegin=alert(1)>",
        "<script>", "</script>", "<a href=\"", "<a title=", "\">", "</a>", " onclick=",
        "onerror=", "javascript:", "JaVaScRiPt:", "java&#09;script:", "&#106;avascript:",
        "data:text/html,", "vbscript:", "https://x.example/", "mailto:a@b.example", "alert(1)",
        "<!--", "-->", "<![CDATA[", "]]>", "<!", "<?", "</", "<", ">", "\"", "'", "=", "/",
        "&", "&amp;", "&lt;", "&#60;", "&#x3c;", "\t", "\n", "\r", "\x00", " ",
    ]
)  # fmt: skip
_HTML = st.one_of(
    st.lists(st.one_of(_FRAGMENTS, st.text(max_size=4)), max_size=40).map("".join),
    st.text(),
)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")


class _TagCollector(HTMLParser):
    """Collects every start tag with its attributes, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def _href_scheme(href: str) -> str | None:
    # Browsers ignore control characters and spaces inside a scheme (entities are decoded
    # by the parser already).
    normalised = re.sub(r"[\x00-\x20]", "", href).lower()
    match = _SCHEME.match(normalised)
    return match.group(1) if match else None


@hypothesis_settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_HTML)
def test_sanitiser_output_is_always_safe_and_stable(dirty):
    cleaned = sanitize_body_html(dirty)

    assert "<script" not in cleaned.lower()
    parser = _TagCollector()
    parser.feed(cleaned)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in BODY_ALLOWED_TAGS
        for name, value in attrs:
            assert not name.startswith("on")
            assert name in {"href", "title", "rel"}
            if name == "href":
                assert _href_scheme(value or "") in BODY_ALLOWED_URL_SCHEMES | {None}
    assert sanitize_body_html(cleaned) == cleaned


# --- Article.save and plain-text fields ------------------------------------------------------


@pytest.mark.django_db
def test_saving_an_article_stores_the_sanitised_body():
    article = ArticleFactory(
        body='<p onclick="x()">Isi</p><script>alert(1)</script><a href="javascript:x()">t</a>'
    )

    article.refresh_from_db()
    assert article.body == f"<p>Isi</p><a {REL}>t</a>"


@pytest.mark.django_db
def test_resaving_an_article_leaves_a_clean_body_unchanged():
    body = '<h2>Kronologi</h2><p>Isi <a href="https://example.org/">sumber</a>.</p>'
    article = ArticleFactory(body=body)
    first = Article.objects.get(pk=article.pk).body
    article.save()

    article.refresh_from_db()
    assert article.body == first == body.replace('/">', f'/" {REL}>')


PLAIN_TEXT_SAMPLES = [
    '"><script>alert(1)</script>',
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "Tom & Jerry <b>tebal</b> &amp; 'kutip'",
]


@pytest.mark.django_db
@pytest.mark.parametrize("text", PLAIN_TEXT_SAMPLES)
def test_headline_and_dek_are_stored_exactly_as_typed(text):
    article = ArticleFactory(headline=text, dek=text)

    article.full_clean()
    article.refresh_from_db()
    assert (article.headline, article.dek) == (text, text)


@pytest.mark.django_db
@pytest.mark.parametrize("text", PLAIN_TEXT_SAMPLES)
def test_caption_and_credit_are_stored_exactly_as_typed(text):
    photo = PhotoFactory(caption=text, credit=text, alt_text=text)

    photo.full_clean()
    photo.refresh_from_db()
    assert (photo.caption, photo.credit, photo.alt_text) == (text, text, text)


@pytest.mark.django_db
def test_body_over_the_size_limit_fails_validation(settings):
    settings.ARTICLE_BODY_MAX_BYTES = 2048
    article = ArticleFactory()
    # 683 three-byte characters: under 2048 characters, over 2048 bytes of UTF-8.
    article.body = "<p>" + "—" * 683 + "</p>"

    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()
    [error] = excinfo.value.error_dict["body"]
    assert error.code == "body_too_large"
    assert "at most 2 KB" in error.messages[0]


@pytest.mark.django_db
def test_body_at_the_size_limit_is_accepted(settings):
    settings.ARTICLE_BODY_MAX_BYTES = 2048
    article = ArticleFactory()
    article.body = "<p>" + "a" * (2048 - 7) + "</p>"

    article.full_clean()
