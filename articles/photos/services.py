"""Writes on photos: uploads, cleaning stored files, and the renditions job (requested
when a photo's file or focal point changes, run by `photo_renditions_generate_task` through
the outbox, `newsroom.jobs`)."""

from __future__ import annotations

from pathlib import PurePath

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils.translation import gettext as _

from articles.photos.clean import image_clean
from articles.photos.kinds import PHOTO_RENDITIONS
from articles.photos.metadata import photo_fill_metadata
from articles.photos.models import Photo
from articles.photos.renditions import (
    RenditionSourceError,
    photo_generate_renditions,
    photo_source_key,
)
from articles.photos.signals import photo_changed
from newsroom.jobs.models import BackgroundJob
from newsroom.jobs.services import (
    TransientJobError,
    job_claim,
    job_fail,
    job_finish,
    job_release,
    job_request,
)


def photo_create(
    *,
    user,
    image,
    caption: str = "",
    credit: str = "",
    alt_text: str = "",
    copyright: str = "",
    source: str = "",
    source_url: str = "",
) -> Photo:
    """Store an uploaded photo with `user` as its uploader; renditions follow after commit.

    `image` is an uploaded file; the model field validates it (`inspect_photo_file`, skipped
    when the caller has already inspected it), stores it without location metadata
    (`image_clean`) and always under a generated name. Empty caption, credit, copyright and
    source are filled from the upload's metadata first, while it still has them.
    Raises `PermissionDenied` for a user without `photos.add_photo`.
    """
    if not (user and user.has_perm("photos.add_photo")):
        raise PermissionDenied(_("You may not upload photos."))
    photo = Photo(
        image=image,
        caption=caption,
        credit=credit,
        alt_text=alt_text,
        copyright=copyright,
        source=source,
        source_url=source_url,
        uploaded_by=user,
    )
    photo.full_clean()
    photo_fill_metadata(photo=photo)
    photo.save()
    return photo


def photo_clean_file(*, photo: Photo) -> bool:
    """Store `photo`'s original again as `image_clean` leaves it: for files stored before
    uploads were cleaned (`manage.py clean_photo_files`).

    Empty caption, credit, copyright and source are filled from the old file first. The
    save asks for new renditions and tells the articles showing the photo
    (`stored_image_clean`). Returns False, changing nothing, when the file is clean already.
    Raises `ImageCleanError` for a file that cannot be read to its end.
    """
    with transaction.atomic():
        photo = Photo.objects.select_for_update().get(pk=photo.pk)
        return stored_image_clean(
            instance=photo, field_name="image", before_save=photo_fill_metadata
        )


def stored_image_clean(*, instance: models.Model, field_name: str, before_save=None) -> bool:
    """Store the image in `instance`'s `field_name` (a `PhotoField`) again as `image_clean`
    leaves it, under a new name, and delete the old file after commit, so its old URL stops
    answering. `before_save(photo=instance)` runs while the old file is still open (to read
    its metadata). The caller holds the row lock. Returns False, changing nothing, when the
    file is clean already or there is none.
    """
    field_file = getattr(instance, field_name)
    if not field_file:
        return False
    old_name = field_file.name
    with field_file.open("rb") as file:
        data = file.read()
        if image_clean(data) == data:
            return False
        if before_save is not None:
            before_save(photo=instance)
    field_file.save(PurePath(old_name).name, ContentFile(data), save=False)
    instance.save()
    storage = field_file.storage
    transaction.on_commit(lambda: storage.delete(old_name))
    return True


def photo_request_renditions(*, photo: Photo) -> BackgroundJob:
    """Ask for renditions of `photo` as it is now (file and focal point); after commit."""
    return job_request(kind=PHOTO_RENDITIONS, object_id=photo.pk, key=photo_source_key(photo=photo))


def photo_renditions_run(*, photo_id: int, worker: str = "") -> BackgroundJob | None:
    """The rendition job: make renditions, record the outcome.

    Caption and credit are read from the upload when it is stored (`photo_create`, the
    admin): the stored original no longer carries them (`articles.photos.clean`).

    A file Pillow cannot decode fails the job at once, with the reason, visible in the
    admin; it is not retried. Other errors (storage) raise `TransientJobError` after handing
    the job back, and the Celery task retries with backoff. Returns the job, or None when
    there was nothing to do.
    """
    job = job_claim(kind=PHOTO_RENDITIONS, object_id=photo_id, worker=worker)
    if job is None:
        return None
    key = job.key
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None:
        # Deleted since the request: nothing is owed.
        BackgroundJob.objects.filter(pk=job.pk).delete()
        return None
    try:
        photo_generate_renditions(photo=photo)
    except RenditionSourceError as exc:
        job_fail(job=job, key=key, error=str(exc))
    except OSError as exc:
        delay = min(600, 10 * 2 ** (job.attempts - 1))
        job_release(job=job, key=key, error=f"{type(exc).__name__}: {exc}", delay=delay)
        raise TransientJobError(str(exc)) from exc
    else:
        job_finish(job=job, key=key)
    finally:
        # Once for the whole job (fourteen renditions, say), made or partly made.
        photo_changed.send(sender=Photo, photo_id=photo_id)
    job.refresh_from_db()
    return job
