"""Media in S3-compatible object storage (MEDIA_STORAGE_BACKEND=s3), against moto's S3 server
started by the tests: uploads, renditions and metadata go through the storage API only, the
API's URLs point at MEDIA_PUBLIC_URL, and a deleted photo's objects go after the commit."""

from __future__ import annotations

import uuid

import pytest
from django.db import transaction
from PIL import Image

from articles.photos.models import Photo
from articles.photos.renditions import photo_full_size_rendition
from articles.photos.services import photo_clean_file, photo_renditions_run
from articles.published.serializers import PhotoSerializer
from tests.support import s3
from tests.support.factories import PhotoFactory, image_upload
from tests.support.images import exif_with, jpeg
from tests.support.processes import run

pytestmark = pytest.mark.django_db

MEDIA_PUBLIC_URL = "https://media.example-cdn.net"


@pytest.fixture(scope="session")
def s3_server():
    server = s3.S3Server().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_storage(s3_server) -> tuple[str, dict]:
    """A new bucket, and STORAGES["default"] as newsroom/settings/files.py makes it from the
    environment (read in a fresh process)."""
    bucket = f"media-{uuid.uuid4().hex[:12]}"
    return bucket, s3.storage_setting(s3_server.bucket_env(bucket, MEDIA_PUBLIC_URL))


@pytest.fixture
def bucket(s3_storage, settings) -> str:
    name, default = s3_storage
    settings.STORAGES = {**settings.STORAGES, "default": default}
    settings.MEDIA_PUBLIC_URL = MEDIA_PUBLIC_URL
    return name


def test_settings_make_the_s3_backend(s3_storage, s3_server):
    bucket, default = s3_storage
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"]) == (bucket, s3_server.url)
    assert (options["custom_domain"], options["url_protocol"]) == (
        "media.example-cdn.net",
        "https:",
    )
    assert options["querystring_auth"] is False


def test_settings_refuse_s3_without_a_bucket():
    result = run(
        ["-c", "from django.conf import settings; settings.STORAGES"],
        env={"MEDIA_STORAGE_BACKEND": "s3", "DJANGO_SETTINGS_MODULE": "newsroom.settings"},
    )
    assert result.returncode != 0
    assert "MEDIA_S3_BUCKET" in result.stderr


def test_upload_metadata_and_renditions_live_in_the_bucket(bucket, s3_server, settings):
    photo = PhotoFactory(image=image_upload(width=800, height=600), caption="", credit="")
    original = photo.image.name
    assert original in s3_server.keys(bucket)
    with pytest.raises(NotImplementedError):
        photo.image.path  # noqa: B018 - there is no local file, and no code needs one

    photo_renditions_run(photo_id=photo.pk)

    names = {rendition.file.name for rendition in photo.renditions.all()}
    assert len(names) == len(settings.PHOTO_RENDITIONS) * len(settings.PHOTO_RENDITION_FORMATS)
    assert names | {original} <= s3_server.keys(bucket)
    full = photo_full_size_rendition(photo=photo)
    assert PhotoSerializer(photo).data["url"] == f"{MEDIA_PUBLIC_URL}/{full.file.name}"


def test_a_stored_photo_is_read_and_cleaned_through_the_bucket(
    bucket, s3_server, django_capture_on_commit_callbacks
):
    """A photo stored before uploads were cleaned (`clean_photo_files`): its metadata is read
    and its location removed, all through the storage, and the old object goes after commit."""
    photo = PhotoFactory(caption="", credit="")
    legacy = "photos/legacy/banjir.jpg"
    data = jpeg(size=(64, 48), exif=exif_with(t270="Banjir di Bandung"))
    s3_server.client().put_object(Bucket=bucket, Key=legacy, Body=data)
    Photo.objects.filter(pk=photo.pk).update(image=legacy)
    photo.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        assert photo_clean_file(photo=photo) is True

    photo.refresh_from_db()
    assert photo.caption == "Banjir di Bandung"
    keys = s3_server.keys(bucket)
    assert photo.image.name in keys and legacy not in keys
    with photo.image.open("rb") as file, Image.open(file) as image:
        assert not image.getexif().get_ifd(0x8825)  # no GPS


def test_deleting_a_photo_deletes_its_objects_after_commit(
    bucket, s3_server, django_capture_on_commit_callbacks
):
    photo = PhotoFactory(image=image_upload(width=400, height=300))
    photo_renditions_run(photo_id=photo.pk)
    names = {photo.image.name} | {r.file.name for r in photo.renditions.all()}
    assert names <= s3_server.keys(bucket)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        photo.delete()
    assert names <= s3_server.keys(bucket)  # nothing goes before the commit

    for callback in callbacks:
        callback()
    assert not names & s3_server.keys(bucket)


def test_a_rolled_back_deletion_keeps_the_objects(bucket, s3_server):
    photo = PhotoFactory(image=image_upload(width=400, height=300))
    with pytest.raises(RuntimeError), transaction.atomic():
        photo.delete()
        raise RuntimeError("rolled back")
    assert photo.image.name in s3_server.keys(bucket)
