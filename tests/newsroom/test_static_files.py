"""Static files as production serves them: collected by `collectstatic` with the production
storage (hashed names, compressed copies, only the hashed copies kept:
`WHITENOISE_KEEP_ONLY_HASHED_FILES`) and served by WhiteNoise from STATIC_ROOT. Every file
the admin's pages and the API's documentation load, and every file their stylesheets load,
is served; the originals' names are not."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from django.conf import settings
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings

from articles.models import Article
from tests.support.admin import CSS_URL, admin_url, page_asset_urls
from tests.support.factories import ArticleFactory

PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def production_static(static_root) -> dict:
    return {
        "STATIC_ROOT": static_root,
        "STORAGES": {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}},
    }


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    static_root = tmp_path_factory.mktemp("static")
    with override_settings(**production_static(static_root)):
        call_command("collectstatic", "--noinput", verbosity=0)
    return static_root


@pytest.fixture
def production_static_files(collected, settings):
    for name, value in production_static(collected).items():
        setattr(settings, name, value)
    return collected


def served(client: Client, urls: set[str]) -> dict[str, int]:
    """The status of every URL in `urls` and of every file their stylesheets load."""
    statuses: dict[str, int] = {}
    todo = sorted(urls)
    while todo:
        url = todo.pop()
        if url in statuses:
            continue
        response = client.get(url)
        statuses[url] = response.status_code
        if response.status_code == 200 and url.endswith(".css"):
            text = b"".join(response.streaming_content).decode()
            for reference in CSS_URL.findall(text):
                if not reference.startswith(("data:", "#")):
                    todo.append(urljoin(url, reference.split("#")[0].split("?")[0]))
        response.close()
    return statuses


@pytest.mark.django_db
def test_every_file_the_admin_and_the_api_docs_load_is_served(
    production_static_files, editor_client
):
    article = ArticleFactory(body="<p>Satu.</p>")
    pages = [
        Client().get("/admin/login/"),
        editor_client.get("/admin/"),
        editor_client.get(admin_url(Article, "changelist")),
        editor_client.get(admin_url(Article, "add")),
        editor_client.get(admin_url(Article, "change", article.pk)),
        Client().get("/api/docs/"),
    ]
    assert [page.status_code for page in pages] == [200] * len(pages)
    urls = set()
    for page in pages:
        urls |= {
            url
            for url in page_asset_urls(page.content.decode())
            if url.startswith(settings.STATIC_URL)
        }

    statuses = served(Client(), urls)  # a new client: WhiteNoise indexes STATIC_ROOT anew

    # The editor's own files, the admin's and the API documentation's are among them.
    assert any(url.endswith(".woff2") for url in statuses), statuses
    assert any("/django_prose_editor/" in url for url in statuses), statuses
    assert any("/drf_spectacular_sidecar/" in url for url in statuses), statuses
    assert {url: status for url, status in statuses.items() if status != 200} == {}


def test_only_the_hashed_copies_are_collected(production_static_files):
    name = "admin/css/base.css"
    client = Client()

    assert static(name) != settings.STATIC_URL + name
    assert client.get(static(name)).status_code == 200
    assert client.get(settings.STATIC_URL + name).status_code == 404
    assert not (production_static_files / name).exists()
