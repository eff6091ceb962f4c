"""The photo-renditions job: requested when a photo's file or focal point changes, run by
`photo_renditions_generate_task` through the outbox (`newsroom.jobs`)."""

from __future__ import annotations

from articles.models import Photo
from articles.published import published_batch
from articles.renditions import (
    RenditionSourceError,
    photo_generate_renditions,
    photo_source_key,
)
from newsroom.jobs.models import BackgroundJob
from newsroom.jobs.services import (
    TransientJobError,
    job_claim,
    job_fail,
    job_finish,
    job_release,
    job_request,
)

# The kind of the rendition jobs (registered in `ArticlesConfig.ready`).
PHOTO_RENDITIONS = "photo_renditions"


def photo_request_renditions(*, photo: Photo) -> BackgroundJob:
    """Ask for renditions of `photo` as it is now (file and focal point); after commit."""
    return job_request(kind=PHOTO_RENDITIONS, object_id=photo.pk, key=photo_source_key(photo=photo))


def photo_renditions_run(*, photo_id: int, worker: str = "") -> BackgroundJob | None:
    """The rendition job: make renditions, record the outcome.

    Caption and credit are read from the upload when it is stored (`photo_create`, the
    admin): the stored original no longer carries them (`articles.image_clean`).

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
    # Each rendition saved asks for the photo's articles to be rebuilt: once, at the end.
    with published_batch():
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
    job.refresh_from_db()
    return job
