"""`manage.py clean_photo_files`: originals and author pictures stored before uploads were
cleaned lose their location metadata and trailing bytes, under a new name."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from articles.published.models import PublishedArticle
from newsroom.jobs.models import BackgroundJob
from tests.support.factories import ArticleFactory, AuthorFactory, PhotoFactory
from tests.support.images import FIXTURE_PHOTOS, fixture_photo

pytestmark = pytest.mark.django_db


def stored_as_before(field_file, raw: bytes) -> None:
    """Put `raw` in place of the stored file, as an upload stored byte for byte used to be."""
    Path(field_file.path).write_bytes(raw)


def run() -> str:
    out = io.StringIO()
    call_command("clean_photo_files", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_old_files_are_stored_again_clean_under_a_new_name(
    settings, django_capture_on_commit_callbacks, sent_tasks
):
    raw = (FIXTURE_PHOTOS / "GPS.jpg").read_bytes()
    photo = PhotoFactory(image=fixture_photo("GPS.jpg"), caption="", credit="", copyright="")
    stored_as_before(photo.image, raw)
    author = AuthorFactory(photo=fixture_photo("GPS.jpg"))
    stored_as_before(author.photo, raw)
    article = ArticleFactory(published=True, lead_photo=photo)
    old_photo, old_author = photo.image.name, author.photo.name
    before = PublishedArticle.objects.get(article=article).built_at

    with django_capture_on_commit_callbacks(execute=True):
        output = run()

    assert output.strip() == "Files cleaned: 2; clean already: 0; failed: 0."
    photo.refresh_from_db()
    author.refresh_from_db()
    assert photo.image.name != old_photo and author.photo.name != old_author
    for name in (old_photo, old_author):
        assert not (Path(settings.MEDIA_ROOT) / name).exists(), "the old URL answers no more"
    for field_file in (photo.image, author.photo):
        with field_file.open("rb") as file:
            assert not Image.open(file).getexif().get_ifd(0x8825)
    # Read from the old file before it went: what the upload would have filled in.
    assert (photo.caption, photo.copyright) == ("Communications", "ian Britton - FreeFoto.com")
    job = BackgroundJob.objects.get(kind="photo_renditions", object_id=photo.pk)
    assert job.status == "pending"
    assert ("photo_renditions_generate_task", (photo.pk,)) in sent_tasks
    assert PublishedArticle.objects.get(article=article).built_at > before


def test_a_second_run_changes_nothing():
    photo = PhotoFactory()
    AuthorFactory(photo=fixture_photo("Canon.jpg"))
    name = photo.image.name

    assert run().strip() == "Files cleaned: 0; clean already: 2; failed: 0."
    photo.refresh_from_db()
    assert photo.image.name == name


def test_an_unreadable_file_is_reported_and_the_run_goes_on():
    broken = PhotoFactory()
    stored_as_before(broken.image, b"\xff\xd8\xff\xe0\x00\x10JFIF")
    fine = PhotoFactory(image=fixture_photo("GPS.jpg"))
    stored_as_before(fine.image, (FIXTURE_PHOTOS / "GPS.jpg").read_bytes())
    err = io.StringIO()

    out = io.StringIO()
    call_command("clean_photo_files", stdout=out, stderr=err)

    assert out.getvalue().strip() == "Files cleaned: 1; clean already: 0; failed: 1."
    assert f"photo {broken.pk}: The JPEG ends inside a segment." in err.getvalue()
