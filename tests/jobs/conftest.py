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


# The tasks `sent_tasks` records (by their function's name); others are sent as usual.
RECORDED_TASKS = frozenset(
    {
        "photo_renditions_generate_task",
        "article_ensure_slug_task",
        "webhook_delivery_attempt_task",
        "articles_publish_due_task",
    }
)


@pytest.fixture
def sent_tasks(monkeypatch):
    """Record `.delay`/`.apply_async` of the `RECORDED_TASKS` as (name, args) instead of
    sending them."""
    from celery.app.task import Task

    sent: list[tuple[str, tuple]] = []
    send = Task.apply_async

    def apply_async(task, args=(), kwargs=None, **options):
        name = task.name.rsplit(".", 1)[-1]
        if name not in RECORDED_TASKS:
            return send(task, args, kwargs, **options)
        sent.append((name, tuple(args or ())))
        return None

    monkeypatch.setattr(Task, "apply_async", apply_async)
    monkeypatch.setattr(Task, "delay", lambda task, *args, **kwargs: task.apply_async(args))
    return sent
