"""docs/reliability.md G1, unit level: the embed provider allowlist and embed paragraphs.

No database. Nothing here may touch the network: `no_network` makes any DNS look-up or
connection fail the test, so "the server never fetches an embed URL" is checked, not assumed.
"""

from __future__ import annotations

import socket

import pytest
from django.core.exceptions import ValidationError

from articles.blocks import place_after_paragraphs, split_body, validate_body_embeds
from articles.embeds import PROVIDERS, embed_for, parse_embed_url, standalone_url


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("an embed URL was looked up or fetched")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


YT_ID = "dQw4w9WgXcQ"
YT_SRC = f"https://www.youtube-nocookie.com/embed/{YT_ID}"
FB_SRC = (
    "https://www.facebook.com/plugins/video.php?href="
    "https%3A%2F%2Fwww.facebook.com%2Fwatch%2F%3Fv%3D1234567890"
)
SPOTIFY_ID = "4uLU6hMCjMI75M1A2tKUQC"

ACCEPTED = [
    # (url, provider, id, embed_url)
    (f"https://www.youtube.com/watch?v={YT_ID}", "youtube", YT_ID, YT_SRC),
    (f"https://m.youtube.com/watch?feature=share&v={YT_ID}", "youtube", YT_ID, YT_SRC),
    (f"https://youtu.be/{YT_ID}?si=Xy12", "youtube", YT_ID, YT_SRC),
    (f"https://www.youtube.com/shorts/{YT_ID}", "youtube", YT_ID, YT_SRC),
    (f"https://www.youtube.com/live/{YT_ID}", "youtube", YT_ID, YT_SRC),
    (f"http://youtube.com/embed/{YT_ID}", "youtube", YT_ID, YT_SRC),
    ("https://x.com/kompascom/status/1729012345678901234", "x", "1729012345678901234",
     "https://platform.twitter.com/embed/Tweet.html?id=1729012345678901234"),
    ("https://twitter.com/detikcom/status/1729012345678901234?s=20", "x",
     "1729012345678901234",
     "https://platform.twitter.com/embed/Tweet.html?id=1729012345678901234"),
    ("https://www.instagram.com/p/C0abcDEF12x/", "instagram", "C0abcDEF12x",
     "https://www.instagram.com/p/C0abcDEF12x/embed/"),
    ("https://www.instagram.com/reel/C0abcDEF12x/?igsh=abc", "instagram", "C0abcDEF12x",
     "https://www.instagram.com/p/C0abcDEF12x/embed/"),
    ("https://www.tiktok.com/@pemprov.jabar/video/7301234567890123456", "tiktok",
     "7301234567890123456", "https://www.tiktok.com/embed/v2/7301234567890123456"),
    ("https://www.facebook.com/humaspolri/videos/1234567890/", "facebook", "1234567890",
     FB_SRC),
    ("https://www.facebook.com/watch/?v=1234567890", "facebook", "1234567890", FB_SRC),
    ("https://web.facebook.com/reel/1234567890", "facebook", "1234567890", FB_SRC),
    (f"https://open.spotify.com/episode/{SPOTIFY_ID}", "spotify", f"episode/{SPOTIFY_ID}",
     f"https://open.spotify.com/embed/episode/{SPOTIFY_ID}"),
    (f"https://open.spotify.com/intl-id/track/{SPOTIFY_ID}?si=1", "spotify",
     f"track/{SPOTIFY_ID}", f"https://open.spotify.com/embed/track/{SPOTIFY_ID}"),
    ("https://www.vidio.com/watch/7654321-banjir-rob-semarang", "vidio", "7654321",
     "https://www.vidio.com/embed/7654321"),
    ("https://www.dailymotion.com/video/x8p2q3r", "dailymotion", "x8p2q3r",
     "https://www.dailymotion.com/embed/video/x8p2q3r"),
    ("https://dai.ly/x8p2q3r", "dailymotion", "x8p2q3r",
     "https://www.dailymotion.com/embed/video/x8p2q3r"),
]  # fmt: skip

REFUSED = {
    "cloud_metadata": "http://169.254.169.254/latest/meta-data/",
    "loopback_redis": "http://127.0.0.1:6379/",
    "ipv6_mapped_loopback": "http://[::ffff:7f00:1]:7777/",
    "ipv6_literal": "https://[::1]/watch?v=dQw4w9WgXcQ",
    "decimal_ip": "http://2130706433/",
    "localhost": "http://localhost/watch?v=dQw4w9WgXcQ",
    "metadata_host": "http://metadata.google.internal/computeMetadata/v1/",
    "unknown_host": "https://example.com/video/1",
    "lookalike_host": f"https://www.youtube.com.evil.example/watch?v={YT_ID}",
    "credentials": f"https://user:secret@www.youtube.com/watch?v={YT_ID}",
    "userinfo_trick": f"https://www.youtube.com@127.0.0.1/watch?v={YT_ID}",
    "odd_port": f"https://www.youtube.com:8443/watch?v={YT_ID}",
    "gopher_scheme": "gopher://127.0.0.1:6379/_FLUSHALL",
    "file_scheme": "file:///etc/passwd",
    "javascript_scheme": "javascript://www.youtube.com/%0aalert(1)",
    "control_character": f"https://www.you\ttube.com/watch?v={YT_ID}",
    "backslash": f"https://www.youtube.com\\@127.0.0.1/watch?v={YT_ID}",
    "unclosed_ipv6": "http://[::1/",
    "not_a_video_path": "https://www.youtube.com/channel/UC1234567890",
    "short_link_needing_redirect": "https://vt.tiktok.com/ZSabc123/",
    "ambiguous_query": f"https://www.youtube.com/watch?v={YT_ID}&v=aaaaaaaaaaa",
    "too_long": f"https://www.youtube.com/watch?v={YT_ID}&x=" + "a" * 2100,
}


@pytest.mark.parametrize(("url", "provider", "content_id", "embed_url"), ACCEPTED)
def test_g1_allowlisted_urls_give_an_iframe_src_on_the_providers_embed_host(
    url, provider, content_id, embed_url
):
    embed = parse_embed_url(url)
    assert (embed.provider, embed.id, embed.embed_url, embed.url) == (
        provider, content_id, embed_url, url
    )  # fmt: skip


def test_g1_every_provider_has_an_accepted_url_tested():
    assert {provider.name for provider in PROVIDERS} == {row[1] for row in ACCEPTED}


@pytest.mark.parametrize("url", REFUSED.values(), ids=REFUSED.keys())
def test_g1_urls_off_the_allowlist_are_refused_unsupported_embed_url(url):
    with pytest.raises(ValidationError) as refused:
        parse_embed_url(url)
    assert refused.value.code == "unsupported_embed_url"
    assert embed_for(url) is None


@pytest.mark.parametrize(
    ("inner", "url"),
    [
        (f"https://youtu.be/{YT_ID}", f"https://youtu.be/{YT_ID}"),
        (" http://127.0.0.1:6379/ ", "http://127.0.0.1:6379/"),
        ('<a href="https://x.com/a/status/1?s=1&amp;t=2" rel="noopener noreferrer">'
         "https://x.com/a/status/1?s=1&amp;t=2</a>", "https://x.com/a/status/1?s=1&t=2"),
        ("gopher://127.0.0.1:6379/_x", "gopher://127.0.0.1:6379/_x"),
        # Not a URL on its own: ordinary paragraphs.
        ('<a href="https://youtu.be/x">Tonton videonya</a>', None),
        ('<a href="https://youtu.be/a">https://youtu.be/b</a>', None),
        (f"<strong>https://youtu.be/{YT_ID}</strong>", None),
        (f"Lihat https://youtu.be/{YT_ID}", None),
        ('<a href="mailto:redaksi@example.id">mailto:redaksi@example.id</a>', None),
        ("Paragraf biasa.", None),
    ],
)  # fmt: skip
def test_g1_a_paragraph_is_an_embed_only_when_it_holds_nothing_but_a_url(inner, url):
    assert standalone_url(inner) == url


def test_g1_split_body_gives_embed_blocks_and_no_provider_html():
    body = (
        "<p>Banjir rob merendam pesisir Semarang.</p>"
        f'<p><a href="https://www.youtube.com/watch?v={YT_ID}" rel="noopener noreferrer">'
        f"https://www.youtube.com/watch?v={YT_ID}</a></p>"
        "<p>https://example.com/laporan</p>"
        "<p>http://169.254.169.254/latest/meta-data/</p>"
    )
    blocks = split_body(body)
    assert blocks == [
        {"type": "paragraph", "html": "Banjir rob merendam pesisir Semarang."},
        {
            "type": "embed",
            "provider": "youtube",
            "url": f"https://www.youtube.com/watch?v={YT_ID}",
            "embed_url": YT_SRC,
            "id": YT_ID,
        },
        # Stored before the check (the write paths refuse these): plain paragraphs.
        {"type": "paragraph", "html": "https://example.com/laporan"},
        {"type": "paragraph", "html": "http://169.254.169.254/latest/meta-data/"},
    ]


def test_g1_an_embed_counts_as_the_paragraph_it_was_for_placements():
    blocks = split_body(f"<p>Satu.</p><p>https://youtu.be/{YT_ID}</p><p>Tiga.</p>")
    placed = place_after_paragraphs(blocks, [(2, {"type": "photo"})])
    assert [block["type"] for block in placed] == [
        "paragraph", "embed", "photo", "paragraph"
    ]  # fmt: skip


def test_g1_body_validation_checks_the_sanitised_body():
    validate_body_embeds(f"<p>Satu.</p><p>https://youtu.be/{YT_ID}</p>")
    validate_body_embeds('<p><a href="https://example.com/">Laporan lengkap</a></p>')
    for body in (
        "<p>http://127.0.0.1:6379/</p>",
        # The sanitiser drops the <div> but keeps its text: a URL paragraph once stored.
        "<div>http://169.254.169.254/latest/meta-data/</div>",
        '<p><a href="http://[::ffff:7f00:1]:7777/" onclick="x()">http://[::ffff:7f00:1]:7777/</a></p>',
    ):
        with pytest.raises(ValidationError) as refused:
            validate_body_embeds(body)
        assert refused.value.code == "unsupported_embed_url"
