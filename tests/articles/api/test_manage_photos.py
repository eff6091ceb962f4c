"""Photo uploads through the write API: `POST /api/v1/manage/photos/` (multipart)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from articles.photos.models import Photo
from tests.support.api import (
    PHOTOS_URL,
    assert_db_unchanged,
    error_body,
    token_client,
)
from tests.support.factories import image_bytes, image_upload
from tests.support.images import png_claiming

pytestmark = pytest.mark.django_db


def test_a_writer_uploads_a_photo_with_caption_credit_and_alt_text(writer):
    response = token_client(writer).post(
        PHOTOS_URL,
        {
            "image": image_upload("../../app/settings.jpg", width=120, height=80),
            "caption": "Warga mengungsi di Dayeuhkolot.",
            "credit": "Foto: Budi/Newsroom",
            "alt_text": "Warga berjalan di jalan yang tergenang.",
        },
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    photo = Photo.objects.get()
    body = response.json()
    assert body == {
        "id": photo.pk,
        "url": f"http://localhost:8000{photo.image.url}",
        "width": 120,
        "height": 80,
        "caption": "Warga mengungsi di Dayeuhkolot.",
        "credit": "Foto: Budi/Newsroom",
        "alt_text": "Warga berjalan di jalan yang tergenang.",
        "copyright": "",
        "source": "",
        "source_url": "",
        "created_at": body["created_at"],
    }
    assert photo.uploaded_by == writer
    # The client's file name (a path here) is never used for storage.
    assert photo.image.name.startswith("photos/") and "settings" not in photo.image.name
    assert photo.image.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("name", "content", "status", "code"),
    [
        (
            "drawing.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            415,
            "unsupported_image_format",
        ),
        ("drawing.jpg", b"<svg><script>alert(1)</script></svg>", 415, "unsupported_image_format"),
        ("notes.jpg", b"just some text", 415, "unsupported_image_format"),
        ("shell.php.jpg", b"<?php system($_GET['c']); ?>", 415, "unsupported_image_format"),
        ("cut.jpg", image_bytes(width=400, height=300)[:600], 400, "invalid_image"),
        ("bomb.png", png_claiming(50_000, 50_000), 400, "image_too_many_pixels"),
        ("photo.png", image_bytes(fmt="JPEG"), 400, "extension_mismatch"),
        ("empty.jpg", b"", 400, "empty"),
    ],
)
def test_bad_image_files_are_refused(
    writer,
    name,
    content,
    status,
    code,
):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")

    with assert_db_unchanged():
        response = token_client(writer).post(PHOTOS_URL, {"image": upload}, format="multipart")

    assert response.status_code == status, response.json()
    error = error_body(response)
    assert (error["code"], error["field"]) == (code, "image")
    assert error["message"]


def test_a_file_over_the_byte_limit_is_413(
    writer,
    settings,
):
    settings.PHOTO_MAX_UPLOAD_BYTES = 1000

    with assert_db_unchanged():
        response = token_client(writer).post(
            PHOTOS_URL, {"image": image_upload(width=400, height=400)}, format="multipart"
        )

    assert response.status_code == 413
    assert error_body(response)["code"] == "file_too_large"


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(writer, settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 10

    response = token_client(writer).generic(
        "POST",
        PHOTOS_URL,
        b"x" * (2 * 1024 * 1024),
        "multipart/form-data; boundary=BoUnDaRy",
    )

    assert response.status_code == 413
    assert error_body(response) == {
        "code": "file_too_large",
        "message": "Photos may be at most 0 MB.",
        "field": "image",
    }


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({}, "image", "invalid"),
        ({"image": "not a file"}, "image", "invalid"),
        ({"uploaded_by": "1"}, "uploaded_by", "unknown_field"),
        ({"width": "10"}, "width", "unknown_field"),
        ({"file": "../../app/settings.py"}, "file", "unknown_field"),
        ({"credit": "x" * 256}, "credit", "max_length"),
        ({"source_url": "javascript:alert(1)"}, "source_url", "invalid"),
        ({"source": "x" * 256}, "source", "max_length"),
    ],
)
def test_bad_fields_are_400(
    writer,
    data,
    field,
    code,
):
    payload = {"image": image_upload(), **data} if "image" not in data and data else data

    with assert_db_unchanged():
        response = token_client(writer).post(PHOTOS_URL, payload, format="multipart")

    assert response.status_code == 400
    assert (error_body(response)["field"], error_body(response)["code"]) == (field, code)


def test_a_json_body_is_415(writer):
    response = token_client(writer).post(PHOTOS_URL, {"image": "x"}, format="json")

    assert response.status_code == 415
    assert error_body(response)["code"] == "unsupported_media_type"


def test_uploads_are_throttled_with_the_other_writes(writer, settings):
    settings.API_WRITE_THROTTLE_RATE = "1/min"
    client = token_client(writer)

    first = client.post(PHOTOS_URL, {"image": image_upload()}, format="multipart")
    second = client.post(PHOTOS_URL, {"image": image_upload()}, format="multipart")

    assert (first.status_code, second.status_code) == (201, 429)
    assert error_body(second)["code"] == "throttled"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 401),
        ("deactivated", 401),
        ("outsider", 403),
        ("writer", 201),
        ("other_writer", 201),
        ("editor", 201),
    ],
)
def test_who_may_upload(manage_clients, persona, expected):
    response = manage_clients[persona].post(
        PHOTOS_URL, {"image": image_upload(), "caption": "Banjir"}, format="multipart"
    )

    assert response.status_code == expected
    assert Photo.objects.count() == (1 if expected == 201 else 0)


def test_an_agency_upload_is_described_from_its_metadata_and_stored_without_its_position(
    writer,
):
    from PIL import Image

    from tests.support.images import fixture_photo

    response = token_client(writer).post(
        PHOTOS_URL, {"image": fixture_photo("GPS.jpg"), "alt_text": "A phone box"},
        format="multipart",
    )  # fmt: skip

    assert response.status_code == 201, response.json()
    body = response.json()
    # Read from the upload before it was stored clean (EXIF first, as MWG wants).
    assert (body["caption"], body["credit"], body["copyright"], body["source"]) == (
        "Communications", "Ian Britton", "ian Britton - FreeFoto.com", "FreeFoto.com",
    )  # fmt: skip
    photo = Photo.objects.get()
    with photo.image.open("rb") as file:
        stored = Image.open(file)
        assert not stored.getexif().get_ifd(0x8825)
        assert "photoshop" not in stored.info
