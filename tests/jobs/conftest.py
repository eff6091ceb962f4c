"""Fixtures for background-job tests: sample photos and a capture of enqueued tasks."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

FIXTURE_PHOTOS = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "photos"


def fixture_photo(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FIXTURE_PHOTOS / name).read_bytes(), "image/jpeg")


def rotated_jpeg(*, width: int = 400, height: int = 200, orientation: int = 6) -> bytes:
    """A landscape JPEG whose EXIF says "rotate 90° clockwise", with a GPS position.

    The left half is red and the right half blue, so the applied rotation is visible.
    """
    image = Image.new("RGB", (width, height), "red")
    image.paste(Image.new("RGB", (width // 2, height), "blue"), (width // 2, 0))
    exif = Image.Exif()
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "S"
    gps[2] = (6.0, 54.0, 51.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=90)
    return buffer.getvalue()


@pytest.fixture
def sent_tasks(monkeypatch):
    """Record `.delay`/`.apply_async` calls of the article tasks instead of sending them."""
    from articles import tasks

    sent: list[tuple[str, tuple]] = []
    for name in (
        "photo_renditions_generate_task",
        "article_ensure_slug_task",
        "webhook_delivery_attempt_task",
        "articles_publish_due_task",
    ):
        task = getattr(tasks, name)
        monkeypatch.setattr(task, "delay", lambda *args, _n=name: sent.append((_n, args)))
        monkeypatch.setattr(
            task,
            "apply_async",
            lambda args=(), _n=name, **kwargs: sent.append((_n, tuple(args))),
        )
    return sent
