"""What is stored of an upload: the picture, without the photographer's location or bytes that
are not image data (`articles.photos.clean`, run by `PhotoField` on every file it stores)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from articles.photos.clean import ImageCleanError, image_clean
from articles.photos.images import inspect_photo_file
from articles.photos.models import Photo
from tests.support.factories import AuthorFactory, PhotoFactory, image_bytes
from tests.support.images import (
    FIXTURE_PHOTOS,
    exif_with,
    fixture_photo,
    iptc_block,
    jpeg,
    photoshop_segment,
    pixels,
    png_chunk,
    segment,
    with_png_chunks,
    with_segments,
    xmp_segment,
)

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
HTML = b"<html><script>alert(document.cookie)</script></html>"


def stored_bytes(photo) -> bytes:
    with photo.image.open("rb") as file:
        return file.read()


def agency_jpeg() -> bytes:
    """A phone or agency JPEG: EXIF with orientation, a serial number and GPS; XMP and IPTC
    place names; a comment; an ICC profile; HTML after its end (a polyglot)."""
    exif = exif_with(t274=6, t315="Galih Permana")
    exif.get_ifd(0x8769)[0xA431] = "SN-4471-0092"  # BodySerialNumber
    data = jpeg(exif=exif, progressive=True, icc_profile=b"colour profile", comment=b"<b>x</b>")
    return (
        with_segments(
            data,
            xmp_segment({"photoshop:City": "Bandung", "exif:GPSLatitude": "6,54.85S"}),
            photoshop_segment(iptc_block([(90, "Bandung"), (92, "Dago"), (101, "Indonesia")])),
            segment(0xFE, HTML),
        )
        + HTML
    )


def png_polyglot() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", HTML.decode())
    info.add_itxt("XML:com.adobe.xmp", "<photoshop:City>Bandung</photoshop:City>")
    buffer = io.BytesIO()
    Image.new("RGBA", (30, 20), (200, 30, 30, 128)).save(buffer, "PNG", pnginfo=info)
    gps = png_chunk(b"eXIf", exif_with(t274=3).tobytes()[6:])
    return with_png_chunks(buffer.getvalue(), gps) + HTML


def gif_with_zip() -> bytes:
    frames = [Image.new("RGB", (16, 16), (index * 80, 0, 0)) for index in range(3)]
    buffer = io.BytesIO()
    frames[0].save(
        buffer, "GIF", save_all=True, append_images=frames[1:], duration=[100, 200, 300],
        loop=0, comment=HTML,
    )  # fmt: skip
    return buffer.getvalue() + b"PK\x03\x04" + b"\x00" * 26 + b"payload.html" + HTML


def webp_with_gps() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), "green").save(
        buffer, "WEBP", lossless=True, exif=exif_with(t274=8),
        xmp=b"<x:xmpmeta><photoshop:City>Bandung</photoshop:City></x:xmpmeta>",
    )  # fmt: skip
    return buffer.getvalue() + HTML


SAMPLES = {
    "agency.jpg": agency_jpeg,
    "polyglot.png": png_polyglot,
    "zip.gif": gif_with_zip,
    "gps.webp": webp_with_gps,
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_a_stored_upload_keeps_its_picture_and_loses_everything_else(name):
    original = SAMPLES[name]()

    photo = PhotoFactory(image=SimpleUploadedFile(name, original))

    stored = stored_bytes(photo)
    assert pixels(stored) == pixels(original), "the picture is not re-encoded"
    for marker in (HTML, b"Bandung", b"Dago", b"SN-4471", b"Galih", b"PK\x03\x04", b"xmpmeta"):
        assert marker not in stored, marker
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif().get_ifd(GPS_IFD)
    assert "xmp" not in image.info and "photoshop" not in image.info
    assert "comment" not in image.info and not getattr(image, "text", {})


def test_a_stored_jpeg_keeps_orientation_and_colour_and_ends_at_its_end_marker():
    photo = PhotoFactory(image=SimpleUploadedFile("agency.jpg", agency_jpeg()))

    stored = stored_bytes(photo)
    image = Image.open(io.BytesIO(stored))
    assert dict(image.getexif()) == {0x0112: 6}
    assert image.info["icc_profile"] == b"colour profile"
    assert image.info.get("progressive")
    assert stored.endswith(b"\xff\xd9") and stored.count(b"\xff\xd9") == 1
    assert (photo.width, photo.height) == (40, 20)


def test_animation_and_transparency_are_kept():
    gif = PhotoFactory(image=SimpleUploadedFile("zip.gif", gif_with_zip()))
    png = PhotoFactory(image=SimpleUploadedFile("polyglot.png", png_polyglot()))

    image = Image.open(io.BytesIO(stored_bytes(gif)))
    assert image.n_frames == 3 and image.info["loop"] == 0
    durations = []
    for index in range(3):
        image.seek(index)
        durations.append(image.info["duration"])
    assert durations == [100, 200, 300]
    assert stored_bytes(gif).endswith(b"\x3b")
    image = Image.open(io.BytesIO(stored_bytes(png)))
    assert image.mode == "RGBA" and image.getpixel((0, 0)) == (200, 30, 30, 128)
    assert dict(image.getexif()) == {0x0112: 3}


def test_the_gps_fixture_is_stored_without_its_position():
    original = (FIXTURE_PHOTOS / "GPS.jpg").read_bytes()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD), "the fixture has GPS"

    photo = PhotoFactory(image=fixture_photo("GPS.jpg"))

    stored = stored_bytes(photo)
    assert not Image.open(io.BytesIO(stored)).getexif().get_ifd(GPS_IFD)
    assert b"United Kingdom" not in stored and b"FreeFoto" not in stored
    assert pixels(stored) == pixels(original)


def test_a_phone_picture_loses_its_embedded_previews():
    """ExifTool.jpg is a multi-picture file (MPO): previews follow the first image's end."""
    original = (FIXTURE_PHOTOS / "ExifTool.jpg").read_bytes()
    assert Image.open(io.BytesIO(original)).format == "MPO"

    photo = PhotoFactory(image=fixture_photo("ExifTool.jpg"))

    image = Image.open(io.BytesIO(stored_bytes(photo)))
    assert image.format == "JPEG"
    assert {marker for marker, _payload in image.applist} <= {"APP0", "APP2", "APP14"}
    assert image.tobytes() == Image.open(io.BytesIO(original)).tobytes()


def test_author_pictures_are_stored_clean_too():
    author = AuthorFactory(photo=SimpleUploadedFile("me.jpg", agency_jpeg()))

    with author.photo.open("rb") as file:
        stored = file.read()
    assert b"Bandung" not in stored and HTML not in stored
    assert not Image.open(io.BytesIO(stored)).getexif().get_ifd(GPS_IFD)


def test_a_file_saved_without_validation_that_is_no_image_is_refused():
    photo = Photo(caption="script")

    with pytest.raises(ValidationError) as caught:
        photo.image.save("x.jpg", ContentFile(b"<?php system($_GET['c']); ?>"), save=False)

    assert caught.value.code == "invalid_image"
    assert not photo.image


def test_an_image_whose_structure_cannot_be_read_to_its_end_is_refused_on_upload():
    data = bytearray(image_bytes(width=40, height=40, fmt="GIF"))
    data[-2] = 0x40  # the last data sub-block claims 64 bytes the file does not have

    with pytest.raises(ValidationError) as caught:
        inspect_photo_file(SimpleUploadedFile("cut.gif", bytes(data)))

    assert caught.value.code == "invalid_image"


@pytest.mark.parametrize(
    "data",
    [
        *(factory() for factory in SAMPLES.values()),
        *(path.read_bytes() for path in sorted(FIXTURE_PHOTOS.glob("*.jpg"))),
        image_bytes(fmt="PNG"),
        image_bytes(fmt="GIF"),
        image_bytes(fmt="WEBP"),
    ],
)
def test_cleaning_a_clean_file_changes_nothing(data):
    cleaned = image_clean(data)

    assert image_clean(cleaned) == cleaned
    assert pixels(cleaned) == pixels(data)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GIF89a",
        b"\xff\xd8\xff\xe0\x00\x10JFIF",
        b"\x89PNG\r\n\x1a\n",
        b"RIFF\x04\x00\x00\x00WEBP",
    ],
)
def test_files_cut_short_or_unknown_cannot_be_cleaned(data):
    with pytest.raises(ImageCleanError):
        image_clean(data)
