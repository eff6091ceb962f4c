"""docs/reliability.md G1: embeds come from a provider allowlist; nothing is fetched (tier U).

A body paragraph holding only a URL is an embed. Off the allowlist it is refused: 422
`unsupported_embed_url` on `body` in the write API, a form error in the admin, and in both
cases nothing is written. The public API gives allowlisted ones as `embed` blocks.
"""

from __future__ import annotations

import socket

import pytest
import yaml

from articles.models import Article
from tests.support.admin import admin_url, article_form_data
from tests.support.api import ARTICLES_URL, article_url, assert_db_unchanged, error_of, token_client
from tests.support.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db

YT_ID = "dQw4w9WgXcQ"

# One per kind of refused URL: (the paragraph's inner HTML).
REFUSED_PARAGRAPHS = {
    "cloud_metadata": "http://169.254.169.254/latest/meta-data/",
    "loopback_redis": '<a href="http://127.0.0.1:6379/">http://127.0.0.1:6379/</a>',
    "ipv6_mapped_loopback": "http://[::ffff:7f00:1]:7777/",
    "localhost": f"http://localhost/watch?v={YT_ID}",
    "unknown_host": '<a href="https://example.com/oembed">https://example.com/oembed</a>',
    "non_http_scheme": "gopher://127.0.0.1:6379/_FLUSHALL",
    "credentials": f"https://user:secret@www.youtube.com/watch?v={YT_ID}",
    "odd_port": f"https://www.youtube.com:8443/watch?v={YT_ID}",
}


@pytest.fixture(autouse=True)
def no_outbound_connections(monkeypatch):
    """The server never looks up or fetches an embed URL (PostgreSQL is already connected)."""

    def refuse(*args, **kwargs):
        raise AssertionError("an embed URL was looked up or fetched")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def _payload(body: str) -> dict:
    return {
        "headline": "Banjir rob rendam pesisir Semarang",
        "body": body,
        "section": "daerah",
        "bylines": ["siti-rahma"],
    }


@pytest.mark.parametrize("inner", REFUSED_PARAGRAPHS.values(), ids=REFUSED_PARAGRAPHS.keys())
def test_g1_create_with_a_refused_embed_url_is_422_and_writes_nothing(
    writer, section, author, inner
):
    client = token_client(writer)
    body = f"<p>Air laut naik setinggi 50 cm.</p><p>{inner}</p>"
    with assert_db_unchanged():
        response = client.post(ARTICLES_URL, _payload(body), format="json")
    error = error_of(response, 422)
    assert (error["code"], error["field"]) == ("unsupported_embed_url", "body")
    assert not Article.objects.exists()


def test_g1_update_with_a_refused_embed_url_is_422_and_keeps_the_article(writer, section, author):
    article = ArticleFactory(section=section, authors=[author], created_by=writer)
    client = token_client(writer)
    with assert_db_unchanged():
        response = client.patch(
            article_url(article),
            {"body": "<p>http://169.254.169.254/latest/meta-data/iam/</p>"},
            format="json",
            HTTP_IF_MATCH=f'"v{article.version}"',
        )
    error = error_of(response, 422)
    assert (error["code"], error["field"]) == ("unsupported_embed_url", "body")


def test_g1_allowlisted_embed_is_saved_and_a_linked_unknown_url_stays_a_link(
    writer, section, author
):
    body = (
        f"<p>https://youtu.be/{YT_ID}</p>"
        '<p>Baca <a href="https://example.com/laporan">laporan lengkapnya</a>.</p>'
    )
    response = token_client(writer).post(ARTICLES_URL, _payload(body), format="json")
    assert response.status_code == 201, response.content
    assert Article.objects.get().body == body.replace(
        '">laporan', '" rel="noopener noreferrer">laporan'
    )


def test_g1_public_detail_gives_an_embed_block_with_a_provider_iframe_src(api_client):
    article = ArticleFactory(
        published=True,
        body=(
            "<p>Satu.</p>"
            f'<p><a href="https://www.youtube.com/watch?v={YT_ID}">'
            f"https://www.youtube.com/watch?v={YT_ID}</a></p>"
            "<p>https://open.spotify.com/episode/4uLU6hMCjMI75M1A2tKUQC</p>"
        ),
    )
    blocks = api_client.get(f"/api/v1/articles/{article.slug}/").json()["blocks"]
    assert blocks[1:] == [
        {
            "type": "embed",
            "provider": "youtube",
            "url": f"https://www.youtube.com/watch?v={YT_ID}",
            "embed_url": f"https://www.youtube-nocookie.com/embed/{YT_ID}",
            "id": YT_ID,
        },
        {
            "type": "embed",
            "provider": "spotify",
            "url": "https://open.spotify.com/episode/4uLU6hMCjMI75M1A2tKUQC",
            "embed_url": "https://open.spotify.com/embed/episode/4uLU6hMCjMI75M1A2tKUQC",
            "id": "episode/4uLU6hMCjMI75M1A2tKUQC",
        },
    ]


def test_g1_admin_refuses_a_refused_embed_url_with_a_form_error(editor_client, section, settings):
    settings.SECURE_SSL_REDIRECT = False
    author = AuthorFactory()
    data = article_form_data(
        section=section, new_authors=[author], body="<p>http://[::ffff:7f00:1]:7777/</p>"
    )
    with assert_db_unchanged():
        response = editor_client.post(admin_url(Article, "add"), data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.errors) == ["body"]
    assert form.errors.as_data()["body"][0].code == "unsupported_embed_url"


def test_g1_schema_documents_the_embed_block_and_the_422(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    block = schema["components"]["schemas"]["Block"]["properties"]
    assert {"provider", "embed_url", "id"} <= set(block)
    type_enum = schema["components"]["schemas"][block["type"]["$ref"].rsplit("/", 1)[1]]
    assert "embed" in type_enum["enum"]
    for path, method in ((ARTICLES_URL, "post"), (f"{ARTICLES_URL}{{id}}/", "patch")):
        assert "422" in schema["paths"][path][method]["responses"]
