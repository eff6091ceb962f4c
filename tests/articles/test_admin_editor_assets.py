"""What the body editor adds to the article change form: at most 300 KB gzip-compressed
(issue 18), and nothing from another host.

The files are the ones the change form really references (its <script> and stylesheet tags,
the import map, the editor's extension modules, and the fonts and images its stylesheets
load), less Django's own admin files, which a plain admin change form loads too.
"""

from __future__ import annotations

import gzip
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.staticfiles import finders

from articles.admin.editor import BODY_EDITOR_ASSET_BUDGET_BYTES
from articles.models import Article
from tests.support.admin import CSS_URL, admin_url, page_asset_urls
from tests.support.factories import ArticleFactory


def _static_path(url: str) -> str:
    assert url.startswith(settings.STATIC_URL), f"{url} is not one of this site's static files"
    return url.removeprefix(settings.STATIC_URL)


def _with_css_references(paths: set[str]) -> set[str]:
    """`paths` and the files their stylesheets load (fonts, images), transitively."""
    found, todo = set(), list(paths)
    while todo:
        path = todo.pop()
        if path in found:
            continue
        found.add(path)
        if path.endswith(".css"):
            text = open(finders.find(path), encoding="utf-8").read()  # noqa: SIM115
            for reference in CSS_URL.findall(text):
                if reference.startswith("data:"):
                    continue
                assert not reference.startswith(("http:", "https:", "//")), reference
                todo.append(str(PurePosixPath(path).parent / reference.split("#")[0]))
    return found


def _editor_assets(editor_client) -> dict[str, int]:
    article = ArticleFactory(body="<p>Satu.</p>")
    page = editor_client.get(admin_url(Article, "change", article.pk)).content.decode()
    urls = page_asset_urls(page)
    outside = [url for url in urls if url.startswith(("http:", "https:", "//"))]
    assert not outside, outside
    # The admin's JavaScript catalogue (/admin/jsi18n/) is a page of the admin, no file.
    static_urls = {url for url in urls if not url.startswith("/admin/")}
    paths = _with_css_references({_static_path(url) for url in static_urls})
    # Django's admin files come with any admin change form.
    added = sorted(path for path in paths if not path.startswith("admin/"))
    sizes = {}
    for path in added:
        located = finders.find(path)
        assert located, f"{path} is referenced but not found"
        with open(located, "rb") as file:
            sizes[path] = len(gzip.compress(file.read(), compresslevel=9))
    return sizes


def test_the_editor_adds_at_most_its_budget_to_the_change_form(editor_client):
    sizes = _editor_assets(editor_client)
    # The editor's own files are all there: the measure is of what the form loads.
    assert "django_prose_editor/editor.js" in sizes
    assert "articles/editor/cards.js" in sizes
    assert "articles/editor/icons.woff2" in sizes
    total = sum(sizes.values())
    assert total <= BODY_EDITOR_ASSET_BUDGET_BYTES, sizes


def test_the_library_icon_font_is_not_loaded(editor_client):
    """Its 128 KB would take the editor past its budget; the toolbar's icons are a subset."""
    sizes = _editor_assets(editor_client)
    assert not [path for path in sizes if "material-icons" in path]
