"""Renditions, called directly (no broker); photo metadata is in test_photo_metadata.py."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, JpegImagePlugin

from articles.photos.models import Photo, PhotoRendition
from articles.photos.renditions import (
    RenditionSourceError,
    _focal_crop_box,
    photo_generate_renditions,
    rendition_specs,
)
from newsroom.jobs.models import BackgroundJob
from tests.support.factories import PhotoFactory, image_upload
from tests.support.images import FIXTURE_PHOTOS, fixture_photo, rotated_jpeg

pytestmark = pytest.mark.django_db

ALL_SPECS = {
    "full.jpeg", "full.webp", "w320.jpeg", "w320.webp", "w640.jpeg", "w640.webp",
    "w1024.jpeg", "w1024.webp", "w1600.jpeg", "w1600.webp", "16x9.jpeg", "16x9.webp",
    "1x1.jpeg", "1x1.webp",
}  # fmt: skip


def open_rendition(rendition: PhotoRendition) -> Image.Image:
    with rendition.file.open("rb") as file:
        image = Image.open(io.BytesIO(file.read()))
        image.load()
    return image


def test_specs_come_from_settings():
    assert {spec.name for spec in rendition_specs()} == ALL_SPECS


def test_every_spec_is_made_once_with_its_size_and_format():
    photo = PhotoFactory(image=image_upload(width=2000, height=1000))

    renditions = photo_generate_renditions(photo=photo)

    by_spec = {r.spec: (r.width, r.height, r.format) for r in renditions}
    assert by_spec == {
        "full.jpeg": (2000, 1000, "jpeg"),
        "full.webp": (2000, 1000, "webp"),
        "w320.jpeg": (320, 160, "jpeg"),
        "w320.webp": (320, 160, "webp"),
        "w640.jpeg": (640, 320, "jpeg"),
        "w640.webp": (640, 320, "webp"),
        "w1024.jpeg": (1024, 512, "jpeg"),
        "w1024.webp": (1024, 512, "webp"),
        "w1600.jpeg": (1600, 800, "jpeg"),
        "w1600.webp": (1600, 800, "webp"),
        "16x9.jpeg": (1200, 675, "jpeg"),
        "16x9.webp": (1200, 675, "webp"),
        "1x1.jpeg": (600, 600, "jpeg"),
        "1x1.webp": (600, 600, "webp"),
    }
    assert PhotoRendition.objects.filter(photo=photo).count() == 14
    webp = open_rendition(next(r for r in renditions if r.spec == "w640.webp"))
    assert (webp.format, webp.size) == ("WEBP", (640, 320))


def test_small_photo_is_never_upscaled():
    photo = PhotoFactory(image=image_upload(width=64, height=48))

    renditions = photo_generate_renditions(photo=photo)

    assert {(r.width, r.height) for r in renditions if r.spec.startswith("w")} == {(64, 48)}
    square = next(r for r in renditions if r.spec == "1x1.jpeg")
    assert (square.width, square.height) == (48, 48)


def test_running_twice_changes_nothing(django_assert_num_queries):
    photo = PhotoFactory(image=image_upload(width=300, height=200))
    first = {r.spec: (r.pk, r.file.name) for r in photo_generate_renditions(photo=photo)}

    # One query: the existing renditions, all current.
    with django_assert_num_queries(1):
        second = {r.spec: (r.pk, r.file.name) for r in photo_generate_renditions(photo=photo)}

    assert first == second
    assert PhotoRendition.objects.count() == 14


def test_exif_orientation_is_applied_and_gps_and_exif_are_gone():
    upload = SimpleUploadedFile("rotated.jpg", rotated_jpeg(), "image/jpeg")
    photo = PhotoFactory(image=upload)
    original = photo.image.read()
    photo.image.seek(0)

    renditions = photo_generate_renditions(photo=photo)

    for rendition in renditions:
        image = open_rendition(rendition)
        assert len(image.getexif()) == 0, rendition.spec
        assert "exif" not in image.info and "xmp" not in image.info, rendition.spec
    upright = open_rendition(next(r for r in renditions if r.spec == "w320.jpeg"))
    # 400x200 turned 90° clockwise: 200x400, red (the old left half) now on top.
    assert upright.size == (200, 400)
    assert upright.getpixel((100, 20))[0] > 200 and upright.getpixel((100, 380))[2] > 200
    with photo.image.open("rb") as file:
        assert file.read() == original, "making renditions leaves the original alone"


def test_gps_of_an_original_stored_before_cleaning_never_reaches_a_rendition():
    photo = PhotoFactory(image=fixture_photo("GPS.jpg"))
    # As an original uploaded before uploads were cleaned (`manage.py clean_photo_files`).
    Path(photo.image.path).write_bytes((FIXTURE_PHOTOS / "GPS.jpg").read_bytes())
    with photo.image.open("rb") as file:
        assert Image.open(file).getexif().get_ifd(0x8825), "the fixture has GPS data"

    for rendition in photo_generate_renditions(photo=photo):
        image = open_rendition(rendition)
        assert not image.getexif().get_ifd(0x8825)
        assert not image.info.get("exif")


def test_crop_is_centred_on_the_focal_point():
    assert _focal_crop_box((1600, 900), (1, 1), (0.5, 0.5)) == (350, 0, 1250, 900)
    assert _focal_crop_box((1600, 900), (1, 1), (0.9, 0.5)) == (700, 0, 1600, 900)
    assert _focal_crop_box((1600, 900), (1, 1), (0.0, 0.5)) == (0, 0, 900, 900)
    assert _focal_crop_box((1000, 1000), (16, 9), (0.5, 0.1)) == (0, 0, 1000, 562)


def test_focal_point_change_replaces_only_the_crops():
    photo = PhotoFactory(image=image_upload(width=800, height=400))
    before = {r.spec: r.file.name for r in photo_generate_renditions(photo=photo)}

    photo.focal_point_x = 0.9
    photo.save()
    after = {r.spec: r.file.name for r in photo_generate_renditions(photo=photo)}

    changed = {spec for spec in after if after[spec] != before[spec]}
    assert changed == {"16x9.jpeg", "16x9.webp", "1x1.jpeg", "1x1.webp"}
    assert PhotoRendition.objects.filter(photo=photo).count() == 14


def test_jpeg_crops_are_remade_from_a_reduced_decode(monkeypatch):
    photo = PhotoFactory(image=image_upload(width=4000, height=3000))
    drafts = []
    original_draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        result = original_draft(self, mode, size)
        drafts.append((size, self.size))
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    photo_generate_renditions(photo=photo)
    # The full-size rendition needs every pixel: decoded at full size.
    assert drafts == []
    photo.focal_point_x = 0.2
    photo.save()
    photo_generate_renditions(photo=photo)

    # Only the crops are remade: the 16:9 crop at 1200 needs 675 high (the 1:1 one less),
    # so 1/2 scale is enough.
    assert drafts == [((1200, 675), (2000, 1500))]
    assert {(r.width, r.height) for r in PhotoRendition.objects.filter(spec="16x9.jpeg")} == {
        (1200, 675)
    }
    full = PhotoRendition.objects.get(spec="full.jpeg")
    assert (full.width, full.height) == (4000, 3000)


def test_a_full_size_webp_fits_the_format(settings):
    settings.PHOTO_RENDITIONS = {"full": {"width": None}}
    photo = PhotoFactory(image=image_upload(width=17000, height=40))

    sizes = {r.format: (r.width, r.height) for r in photo_generate_renditions(photo=photo)}

    assert sizes == {"jpeg": (17000, 40), "webp": (16383, 38)}


def test_png_with_transparency_becomes_jpeg_on_white():
    buffer = io.BytesIO()
    Image.new("RGBA", (100, 50), (0, 0, 0, 0)).save(buffer, "PNG")
    photo = PhotoFactory(image=SimpleUploadedFile("clear.png", buffer.getvalue(), "image/png"))

    renditions = {r.spec: r for r in photo_generate_renditions(photo=photo)}

    assert open_rendition(renditions["w320.jpeg"]).getpixel((5, 5)) == (255, 255, 255)
    assert open_rendition(renditions["w320.webp"]).mode == "RGBA"


def test_corrupt_file_raises_source_error():
    photo = PhotoFactory(image=image_upload(width=200, height=100))
    path = photo.image.path
    with open(path, "r+b") as file:
        data = file.read()
        file.seek(0)
        file.write(data[:300])
        file.truncate()

    with pytest.raises(RenditionSourceError, match="cannot be read"):
        photo_generate_renditions(photo=photo)
    assert not PhotoRendition.objects.filter(photo=photo).exists()


def test_saving_a_photo_asks_for_renditions_once(sent_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        photo = PhotoFactory()
    with django_capture_on_commit_callbacks(execute=True):
        photo.caption = "A new caption"
        photo.save()

    job = BackgroundJob.objects.get(kind="photo_renditions", object_id=photo.pk)
    assert job.status == "pending"
    assert sent_tasks == [("photo_renditions_generate_task", (photo.pk,))]


def test_focal_point_change_asks_again(sent_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        photo = PhotoFactory()
    with django_capture_on_commit_callbacks(execute=True):
        photo.focal_point_x = 0.2
        photo.save()

    assert sent_tasks == [("photo_renditions_generate_task", (photo.pk,))] * 2


def test_rolled_back_photo_sends_nothing(sent_tasks, django_capture_on_commit_callbacks):
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        PhotoFactory()
        raise RuntimeError("rollback")

    assert sent_tasks == []
    assert not BackgroundJob.objects.exists()


def test_broker_down_still_saves_the_photo(monkeypatch, django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    from articles.photos import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Connection refused.")

    monkeypatch.setattr(tasks.photo_renditions_generate_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        photo = PhotoFactory()

    assert Photo.objects.filter(pk=photo.pk).exists()
    assert BackgroundJob.objects.get(object_id=photo.pk).status == "pending"
