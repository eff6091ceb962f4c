"""`--fetch-media`: attachments come through the webhooks' guard (public addresses only)."""

from __future__ import annotations

import http.server
import io
import threading
from pathlib import Path

import pytest
from PIL import Image

from articles.photos.models import Photo
from articles.wordpress.media import MediaFetchError, media_fetch
from tests.support.wordpress import PORTAL, run_import

pytestmark = pytest.mark.django_db


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "blue").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def uploads(settings):
    """A WordPress uploads server on 127.0.0.1 (allowed for the test only)."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    image = jpeg_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            if self.path.endswith("big.jpg"):
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(10**9))
                self.end_headers()
            elif self.path.endswith(".jpg"):
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.end_headers()
                self.wfile.write(image)
            elif self.path.endswith(".html"):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(b"<html></html>")
            else:
                self.send_response(302)
                self.send_header("Location", "http://169.254.169.254/")
                self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetch_an_image(uploads):
    assert media_fetch(f"{uploads}/wp-content/uploads/a.jpg")[:2] == b"\xff\xd8"


@pytest.mark.parametrize(
    ("path", "message"),
    [("/page.html", "not an image"), ("/moved", "answered 302"), ("/big.jpg", "larger than")],
)
def test_refused_answers(uploads, path, message):
    with pytest.raises(MediaFetchError, match=message):
        media_fetch(uploads + path)


def test_private_addresses_are_refused(settings):
    settings.WEBHOOK_ALLOW_HTTP = True
    for url in ("http://127.0.0.1/a.jpg", "http://169.254.169.254/a.jpg", "file:///etc/passwd"):
        with pytest.raises(MediaFetchError):
            media_fetch(url)


def test_the_import_fetches_attachments(editor, sent_tasks, uploads, tmp_path):
    text = Path(PORTAL).read_text(encoding="utf-8").replace("https://kabarpriangan.test", uploads)
    path = tmp_path / "portal.xml"
    path.write_text(text, encoding="utf-8")

    summary = run_import(str(path), editor, fetch_media=True)

    assert summary.as_dict()["kinds"]["attachment"] == {"created": 3}
    assert Photo.objects.count() == 3


def test_a_refused_download_is_reported(editor, sent_tasks, settings, fake_dns):
    settings.WEBHOOK_ALLOW_HTTP = True

    summary = run_import(PORTAL, editor, fetch_media=True)

    assert summary.skipped[("attachment", "download refused or failed")] == 3
    assert any("kabarpriangan.test cannot be resolved" in w for w in summary.warnings)
