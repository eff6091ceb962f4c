"""Photo upload validation (`articles/images.py`): every refusal has its own code and message."""

from __future__ import annotations

import io
import re
import struct
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import modelform_factory
from PIL import Image, ImageFile

from articles.photos.images import ImageInfo, inspect_photo_file
from articles.photos.models import Photo
from tests.support import FIXTURE_PHOTOS
from tests.support.factories import image_bytes, image_upload
from tests.support.images import png_claiming

# The repository clone has the shared fixtures as a sibling directory (also in CI).
# Sizes as listed in the fixtures' README.md.
FIXTURE_PHOTO_SIZES = {
    "Canon.jpg": (8, 8),
    "ExifTool.jpg": (8, 8),
    "FotoStation.jpg": (8, 8),
    "GPS.jpg": (120, 80),
    "IPTC.jpg": (8, 8),
    "PhotoMechanic.jpg": (8, 8),
    "Writer.jpg": (8, 8),
    "XMP.jpg": (8, 8),
}

SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def _gif_claiming(width: int, height: int) -> bytes:
    """A GIF whose screen and only frame claim `width` x `height` pixels (at most 65535)."""
    return (
        b"GIF89a"
        + struct.pack("<HHBBB", width, height, 0, 0, 0)
        + b","
        + struct.pack("<HHHHB", 0, 0, width, height, 0)
        + b"\x02\x02\x4c\x01\x00;"
    )


def _webp_claiming(width: int, height: int) -> bytes:
    """An extended-format WebP header claiming a `width` x `height` canvas (at most 16384)."""
    vp8x = (
        b"VP8X"
        + struct.pack("<I", 10)
        + b"\x00" * 4
        + (width - 1).to_bytes(3, "little")
        + (height - 1).to_bytes(3, "little")
    )
    return b"RIFF" + struct.pack("<I", 4 + len(vp8x)) + b"WEBP" + vp8x


def _animated_gif(frames: int) -> bytes:
    # Distinct colours: Pillow merges identical consecutive frames when saving.
    images = [Image.new("RGB", (12, 12), (40 * n, 0, 255 - 40 * n)) for n in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=100)
    return buffer.getvalue()


def _refusal(upload) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        inspect_photo_file(upload)
    return excinfo.value


def _message(error: ValidationError) -> str:
    [message] = error.messages
    return message.replace("\xa0", " ")


@pytest.fixture
def no_pixel_decoding(monkeypatch):
    """Fail the test if any image data is decoded (only headers may be read)."""

    def refuse_to_decode(self, *args, **kwargs):
        raise AssertionError("pixel data was decoded")

    # Registering Pillow's plugins builds a prototype image; do it before the patch.
    Image.init()
    monkeypatch.setattr(Image.Image, "load", refuse_to_decode)
    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse_to_decode)


# --- Refused files --------------------------------------------------------------------------


def test_a_text_file_named_jpg_is_refused():
    error = _refusal(_upload("berita.jpg", b"BANDUNG - ini bukan foto, hanya teks.\n"))

    assert error.code == "unsupported_image_format"
    assert _message(error) == "This is not a JPEG, PNG, WebP or GIF image."


def test_a_pdf_named_jpg_is_refused():
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

    error = _refusal(_upload("scan.jpg", pdf))

    assert error.code == "unsupported_image_format"


@pytest.mark.parametrize("name", ["logo.svg", "logo.jpg"])
def test_an_svg_with_a_script_is_refused(name):
    error = _refusal(_upload(name, SVG_WITH_SCRIPT))

    assert error.code == "unsupported_image_format"


def test_an_image_format_outside_the_four_is_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "BMP")

    error = _refusal(_upload("foto.jpg", buffer.getvalue()))

    assert error.code == "unsupported_image_format"


def test_an_empty_file_is_refused():
    error = _refusal(_upload("kosong.jpg", b""))

    assert error.code == "empty_file"
    assert _message(error) == "The file is empty."


def test_a_truncated_jpeg_is_refused():
    whole = image_bytes(width=640, height=480)

    error = _refusal(_upload("terpotong.jpg", whole[: len(whole) // 2]))

    assert error.code == "invalid_image"
    assert "truncated or damaged" in _message(error)


def test_a_corrupt_png_is_refused():
    png = bytearray(image_bytes(fmt="PNG", width=200, height=200))
    png[png.index(b"IDAT") + 12] ^= 0xFF  # inside the compressed pixel data

    error = _refusal(_upload("rusak.png", bytes(png)))

    assert error.code == "invalid_image"


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (8_000, 6_000),  # over PHOTO_MAX_PIXELS (40 MP), under Pillow's warning threshold
        (7_000, 7_000),  # at Pillow's warning threshold: the warning counts as a refusal
        (10_000, 10_000),  # over twice the limit: Pillow itself raises on open
        (50_000, 50_000),  # 2.5 gigapixels, 7.5 GB decoded, from a file of about 100 bytes
    ],
)
def test_a_decompression_bomb_is_refused_without_decoding(no_pixel_decoding, width, height):
    bomb = png_claiming(width, height)
    assert len(bomb) < 200

    error = _refusal(_upload("bom.png", bomb))

    assert error.code == "image_too_many_pixels"
    assert _message(error) == "The image is too large: at most 40 megapixels are allowed."


@pytest.mark.parametrize(
    ("name", "bomb"),
    [
        ("bom.gif", _gif_claiming(65_535, 65_535)),
        ("bom.gif", _gif_claiming(8_000, 6_000)),
        ("bom.webp", _webp_claiming(16_384, 16_384)),
    ],
    ids=["gif-4-gigapixels", "gif-48-megapixels", "webp-268-megapixels"],
)
def test_gif_and_webp_bombs_are_refused_without_decoding(no_pixel_decoding, name, bomb):
    error = _refusal(_upload(name, bomb))

    assert error.code == "image_too_many_pixels"


def test_the_pixel_limit_follows_the_setting(settings):
    settings.PHOTO_MAX_PIXELS = 100 * 100

    error = _refusal(image_upload("besar.jpg", width=101, height=100))

    assert error.code == "image_too_many_pixels"
    assert "at most 0.01 megapixels" in _message(error)
    assert inspect_photo_file(image_upload("pas.jpg", width=100, height=100)).width == 100


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read(settings, no_pixel_decoding):
    settings.PHOTO_MAX_UPLOAD_BYTES = 1024 * 1024
    # Content is irrelevant: the size is checked first.
    upload = _upload("besar.jpg", b"\xff\xd8" + b"\x00" * (1024 * 1024 + 512 * 1024))

    error = _refusal(upload)

    assert error.code == "file_too_large"
    assert _message(error) == "The file is 1.5 MB; photos may be at most 1.0 MB."


def test_a_small_byte_limit_is_shown_in_kilobytes(settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 600 * 1024

    error = _refusal(_upload("besar.jpg", b"\x00" * (700 * 1024)))

    assert _message(error) == "The file is 700.0 KB; photos may be at most 600.0 KB."


def test_a_file_at_the_byte_limit_is_accepted(settings):
    content = image_bytes()
    settings.PHOTO_MAX_UPLOAD_BYTES = len(content)

    assert inspect_photo_file(_upload("pas.jpg", content)).format == "JPEG"


@pytest.mark.parametrize(
    ("name", "fmt", "message"),
    [
        ("foto.jpg", "PNG", "The file is named .jpg but contains a PNG image."),
        ("foto.png", "JPEG", "The file is named .png but contains a JPEG image."),
        ("foto.gif", "WEBP", "The file is named .gif but contains a WEBP image."),
        ("foto", "JPEG", "The file is named (no extension) but contains a JPEG image."),
    ],
)
def test_content_must_match_the_extension(name, fmt, message):
    error = _refusal(_upload(name, image_bytes(fmt=fmt)))

    assert error.code == "extension_mismatch"
    assert _message(error) == message


def test_an_animation_with_too_many_frames_is_refused(settings):
    settings.PHOTO_MAX_GIF_FRAMES = 3

    error = _refusal(_upload("animasi.gif", _animated_gif(5)))

    assert error.code == "too_many_frames"
    assert _message(error) == "The animation has 5 frames; at most 3 are allowed."
    assert inspect_photo_file(_upload("animasi.gif", _animated_gif(3))).format == "GIF"


# --- Accepted files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("foto.jpg", "JPEG"),
        ("FOTO.JPEG", "JPEG"),
        ("foto.png", "PNG"),
        ("foto.webp", "WEBP"),
        ("foto.gif", "GIF"),
    ],
)
def test_valid_images_are_accepted_with_their_format_and_size(name, fmt):
    upload = _upload(name, image_bytes(width=123, height=45, fmt=fmt))

    assert inspect_photo_file(upload) == ImageInfo(format=fmt, width=123, height=45)


def test_a_jpeg_with_a_multi_picture_preview_is_a_jpeg(settings):
    # Cameras and phones embed previews (MPF); Pillow calls such a file "MPO".
    settings.PHOTO_MAX_GIF_FRAMES = 1
    buffer = io.BytesIO()
    main, preview = Image.new("RGB", (90, 60), "teal"), Image.new("RGB", (30, 20), "red")
    main.save(buffer, "MPO", save_all=True, append_images=[preview])
    assert Image.open(io.BytesIO(buffer.getvalue())).format == "MPO"

    info = inspect_photo_file(_upload("kamera.jpg", buffer.getvalue()))

    assert info == ImageInfo(format="JPEG", width=90, height=60)


def test_inspecting_restores_the_file_position():
    upload = image_upload("foto.jpg")
    upload.seek(7)

    inspect_photo_file(upload)

    assert upload.tell() == 7


def test_the_fixture_photos_are_all_present():
    assert FIXTURE_PHOTOS.is_dir(), f"missing shared fixtures at {FIXTURE_PHOTOS}"
    assert {path.name for path in FIXTURE_PHOTOS.glob("*.jpg")} == set(FIXTURE_PHOTO_SIZES)


@pytest.mark.parametrize(("name", "size"), sorted(FIXTURE_PHOTO_SIZES.items()))
def test_real_world_jpegs_are_accepted(name, size):
    # Opened directly so a missing fixture fails the test instead of skipping it.
    with (FIXTURE_PHOTOS / name).open("rb") as file:
        upload = _upload(name, file.read())

    info = inspect_photo_file(upload)

    assert (info.format, info.width, info.height) == ("JPEG", *size)


# --- The Photo model and its form -----------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel(datetime(2026, 3, 15, 9, 0, tzinfo=UTC), tick=False)
@pytest.mark.parametrize("original_name", ["IMG_2041 Banjir Dayeuhkolot.JPEG", "x.jpg"])
def test_saving_a_photo_records_its_size_under_a_generated_name(settings, original_name):
    photo = Photo(image=image_upload(original_name, width=320, height=200), caption="Banjir")

    photo.full_clean()
    photo.save()

    photo.refresh_from_db()
    assert (photo.width, photo.height) == (320, 200)
    assert re.fullmatch(r"photos/2026/03/[0-9a-f]{32}\.jpg", photo.image.name)
    assert "Banjir" not in photo.image.name
    assert (settings.MEDIA_ROOT / photo.image.name).is_file()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"ini bukan foto", "unsupported_image_format"),
        (image_bytes(width=640, height=480)[:900], "invalid_image"),
        (png_claiming(50_000, 50_000), "image_too_many_pixels"),
    ],
    ids=["text", "truncated", "bomb"],
)
def test_photo_full_clean_refuses_a_bad_file_and_nothing_is_saved(settings, content, code):
    name = "bom.png" if content.startswith(b"\x89PNG") else "foto.jpg"
    photo = Photo(image=_upload(name, content), caption="Rusak")

    with pytest.raises(ValidationError) as excinfo:
        photo.full_clean()

    assert [error.code for error in excinfo.value.error_dict["image"]] == [code]
    assert not Photo.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


@pytest.mark.django_db
def test_the_photo_form_shows_the_specific_error_and_saves_nothing(settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 1024
    form_class = modelform_factory(Photo, fields=["image", "caption", "credit"])
    form = form_class(
        data={"caption": "Banjir", "credit": "Foto: Ayu/Antara"},
        files={"image": image_upload("besar.jpg", width=400, height=400)},
    )

    assert not form.is_valid()
    assert form.errors["image"][0].startswith("The file is ")
    assert form.errors.as_data()["image"][0].code == "file_too_large"
    assert not Photo.objects.exists()


@pytest.mark.django_db
def test_the_photo_form_accepts_a_valid_upload():
    form_class = modelform_factory(Photo, fields=["image", "caption", "credit"])
    form = form_class(
        data={"caption": "Banjir", "credit": "Foto: Ayu/Antara"},
        files={"image": image_upload("banjir.png", width=30, height=20)},
    )

    assert form.is_valid(), form.errors
    photo = form.save()
    assert (photo.width, photo.height, photo.credit) == (30, 20, "Foto: Ayu/Antara")
    assert photo.image.name.endswith(".png")
