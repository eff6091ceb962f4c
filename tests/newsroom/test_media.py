"""Media as newsroom serves them itself (development, `DEBUG`): never sniffed, never run."""

from __future__ import annotations

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches, resolve

from newsroom.http.media import serve_media
from tests.support.factories import image_bytes


@pytest.fixture
def media_file(settings):
    def write(name: str, content: bytes) -> str:
        path = settings.MEDIA_ROOT / "photos" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return f"photos/{name}"

    return write


def test_an_image_is_served_with_nosniff_and_a_sandbox(rf, media_file):
    path = media_file("a.jpg", image_bytes())

    response = serve_media(rf.get(f"/media/{path}"), path)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Disposition"].startswith("inline")


@pytest.mark.parametrize("name", ["page.html", "image.svg", "notes.txt", "no-extension"])
def test_anything_else_is_a_download(rf, media_file, name):
    path = media_file(name, b"<html><script>alert(document.cookie)</script></html>")

    response = serve_media(rf.get(f"/media/{path}"), path)

    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_only_safe_methods(rf, media_file):
    path = media_file("b.jpg", image_bytes())

    assert serve_media(rf.post(f"/media/{path}"), path).status_code == 405


def test_debug_serves_media_through_this_view():
    import newsroom.urls

    try:
        with override_settings(DEBUG=True):
            importlib.reload(newsroom.urls)
            clear_url_caches()
            assert resolve("/media/photos/a.jpg").func is serve_media
    finally:
        importlib.reload(newsroom.urls)
        clear_url_caches()
