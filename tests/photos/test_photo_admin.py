"""The photo admin's uploads: what is accepted, what is refused with a form error, and
that a refusal stores no file."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from articles.models import Article
from articles.photos.models import Photo
from tests.support import FIXTURE_PHOTOS
from tests.support.admin import (
    admin_url,
)
from tests.support.factories import (
    PhotoFactory,
    image_bytes,
    image_upload,
)
from tests.support.images import png_claiming

Status = Article.Status


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def noisy_jpeg(*, width: int = 300, height: int = 200) -> bytes:
    rng = random.Random(42)
    image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def photo_form_data(upload, **fields) -> dict:
    return {
        "image": upload,
        "caption": "Warga melintasi jembatan baru di Bandung.",
        "credit": "Foto: Ani Lestari/Antara",
        "copyright": "",
        "source_url": "",
        "alt_text": "Jembatan beton di atas sungai",
        "focal_point_x": "0.5",
        "focal_point_y": "0.5",
        **fields,
    }


# --- Photo uploads ------------------------------------------------------------------------


def _post_photo(client, upload):
    return client.post(admin_url(Photo, "add"), photo_form_data(upload))


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            lambda: SimpleUploadedFile("foto.jpg", b"just some text, not an image\n"),
            "This is not a JPEG, PNG, WebP or GIF image.",
        ),
        (
            lambda: SimpleUploadedFile("foto.jpg", noisy_jpeg()[:4000]),
            "The image file is truncated or damaged and cannot be read.",
        ),
        (
            lambda: SimpleUploadedFile("bom.png", png_claiming(50_000, 50_000)),
            "The image is too large: at most 40 megapixels are allowed.",
        ),
        (
            lambda: SimpleUploadedFile("foto.png", image_bytes(fmt="JPEG")),
            "The file is named .png but contains a JPEG image.",
        ),
    ],
    ids=["text-named-jpg", "truncated-jpeg", "decompression-bomb", "wrong-extension"],
)
def test_bad_photo_upload_is_a_form_error_and_nothing_is_saved(
    editor_client, settings, upload, message
):
    settings.PHOTO_MAX_PIXELS = 40_000_000
    response = _post_photo(editor_client, upload())
    assert response.context["adminform"].form.errors["image"] == [message]
    assert Photo.objects.count() == 0
    assert media_files(settings) == []


def test_oversize_photo_upload_is_a_form_error(editor_client, settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 10 * 1024
    response = _post_photo(editor_client, SimpleUploadedFile("besar.jpg", noisy_jpeg()))
    [error] = response.context["adminform"].form.errors["image"]
    assert "photos may be at most" in error
    assert Photo.objects.count() == 0
    assert media_files(settings) == []


def test_valid_photo_upload_records_size_and_uploader(writer, writer_client, settings):
    response = _post_photo(writer_client, image_upload("jembatan.jpg", width=120, height=90))
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert (photo.width, photo.height, photo.uploaded_by) == (120, 90, writer)
    assert photo.credit == "Foto: Ani Lestari/Antara"
    assert media_files(settings) == [Path(photo.image.path)]


def test_real_camera_jpeg_uploads(editor, editor_client):
    content = (FIXTURE_PHOTOS / "GPS.jpg").read_bytes()
    response = _post_photo(editor_client, SimpleUploadedFile("GPS.jpg", content))
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert (photo.width, photo.height, photo.uploaded_by) == (120, 80, editor)


def test_photo_list_shows_thumbnail_and_size(editor_client):
    photo = PhotoFactory(image=image_upload(width=64, height=48))
    response = editor_client.get(admin_url(Photo, "changelist"))
    html = response.content.decode()
    assert "64×48" in html
    assert f'src="{photo.image.url}"' in html


def test_photo_search_finds_caption_credit_and_alt_text(editor_client):
    wanted = PhotoFactory(caption="Banjir Dayeuhkolot", credit="Foto: Rina/Antara", alt_text="Air")
    PhotoFactory(caption="Pasar", credit="Foto: Lain", alt_text="Sayur")
    for term in ("Dayeuhkolot", "Rina", "Air"):
        response = editor_client.get(admin_url(Photo, "changelist") + f"?q={term}")
        assert list(response.context["cl"].result_list) == [wanted], term


def test_photo_changelist_queries_do_not_grow_with_rows(editor, editor_client):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            editor_client.get(admin_url(Photo, "changelist"))
        return len(queries)

    PhotoFactory(uploaded_by=editor)
    editor_client.get(admin_url(Photo, "changelist"))
    one_row = count_queries()
    for _ in range(4):
        PhotoFactory(uploaded_by=editor)
    assert count_queries() == one_row
