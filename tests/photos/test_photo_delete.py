"""Deleting a photo deletes its files: the original and every rendition, once the deletion
has committed (a rolled-back deletion keeps them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction

from articles.photos.services import photo_renditions_run
from tests.support.factories import PhotoFactory, image_upload

pytestmark = pytest.mark.django_db


def stored_files(photo) -> list[Path]:
    return [Path(photo.image.path)] + [Path(r.file.path) for r in photo.renditions.all()]


def test_deleting_a_photo_deletes_its_files_after_commit(django_capture_on_commit_callbacks):
    photo = PhotoFactory(image=image_upload(width=400, height=300))
    photo_renditions_run(photo_id=photo.pk)
    files = stored_files(photo)
    assert len(files) > 1 and all(path.exists() for path in files)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        photo.delete()
    assert all(path.exists() for path in files)  # nothing goes before the commit

    for callback in callbacks:
        callback()
    assert not any(path.exists() for path in files)


def test_a_rolled_back_deletion_keeps_the_files(django_capture_on_commit_callbacks):
    photo = PhotoFactory(image=image_upload(width=400, height=300))
    files = stored_files(photo)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        photo.delete()
        raise RuntimeError("rolled back")

    assert callbacks == []
    assert all(path.exists() for path in files)
