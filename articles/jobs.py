"""Outbox jobs: the database says what background work is owed; the broker only hints.

A `BackgroundJob` row per (kind, object) is written in the same transaction as the change
that needs the work, and its message is sent after the commit. A worker claims the row with
a conditional UPDATE, does the work (idempotent), and finishes it only if the row's `key`
is still the one it started with; a newer request meanwhile leaves it pending for its own
message. Lost messages are re-sent by `jobs_sweep`, which beat runs every minute.

Messages are sent with `on_commit(..., robust=True)`: if the broker is down, the error is
logged and the editor's save still succeeds; the row waits for the sweeper (RELIABILITY.md
I2, I3).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from articles.models import BackgroundJob, Photo, WebhookDelivery
from articles.published import published_batch
from articles.renditions import (
    RenditionSourceError,
    photo_generate_renditions,
    photo_source_key,
)

logger = logging.getLogger(__name__)

Kind = BackgroundJob.Kind
JobStatus = BackgroundJob.Status

# A pending job whose message has not been picked up within this time is sent again.
REQUEUE_PENDING_AFTER = timedelta(minutes=2)
SWEEP_BATCH = 500


class TransientJobError(Exception):
    """The work failed for a reason that may pass (storage, network): retry later."""


def job_request(*, kind: str, object_id: int, key: str) -> BackgroundJob:
    """Ask for `kind` work on `object_id` at version `key`; the message goes after commit.

    Nothing is sent when the same version is already pending, running, done, or failed (a
    failed job is retried only on purpose, with `job_retry`, so a poison file cannot loop).
    Two queries.
    """
    with transaction.atomic():
        job, created = BackgroundJob.objects.select_for_update().get_or_create(
            kind=kind, object_id=object_id, defaults={"key": key}
        )
        if not created and job.key == key:
            return job
        if not created:
            job.key = key
            job.status = JobStatus.PENDING
            job.attempts = 0
            job.last_error = ""
            job.run_after = timezone.now()
            job.finished_at = None
            job.save()
    transaction.on_commit(lambda: job_enqueue(job=job), robust=True)
    return job


def job_request_many(*, kind: str, object_ids: list[int]) -> list[int]:
    """Ask for `kind` work on each of `object_ids`, coalescing: an object whose job is still
    pending is left alone (its message is on its way, and the work reads the data as it is
    when it runs). Others get a new key, so a job running now is run again, and a message
    after commit. Returns the ids asked for; three queries at most.
    """
    if not object_ids:
        return []
    statuses = dict(
        BackgroundJob.objects.filter(kind=kind, object_id__in=object_ids).values_list(
            "object_id", "status"
        )
    )
    key = uuid.uuid4().hex
    new = [pk for pk in object_ids if pk not in statuses]
    again = [pk for pk, status in statuses.items() if status != JobStatus.PENDING]
    # A concurrent request for the same object: the unique (kind, object) keeps one row; an
    # extra message at worst runs the (idempotent) work once more.
    BackgroundJob.objects.bulk_create(
        [BackgroundJob(kind=kind, object_id=pk, key=key) for pk in new], ignore_conflicts=True
    )
    if again:
        BackgroundJob.objects.filter(kind=kind, object_id__in=again).exclude(
            status=JobStatus.PENDING
        ).update(
            key=key,
            status=JobStatus.PENDING,
            attempts=0,
            last_error="",
            run_after=timezone.now(),
            finished_at=None,
        )
    asked = new + again
    jobs = [BackgroundJob(kind=kind, object_id=pk) for pk in asked]
    transaction.on_commit(lambda: [job_enqueue(job=job) for job in jobs], robust=True)
    return asked


def job_retry(*, job: BackgroundJob) -> None:
    """Run a failed (or stuck) job again from scratch: the admin's "retry" action."""
    BackgroundJob.objects.filter(pk=job.pk).update(
        status=JobStatus.PENDING, attempts=0, last_error="", run_after=timezone.now()
    )
    transaction.on_commit(lambda: job_enqueue(job=job), robust=True)


def job_enqueue(*, job: BackgroundJob) -> None:
    from articles.tasks import photo_renditions_generate_task, related_suggestions_run_task

    tasks = {
        Kind.PHOTO_RENDITIONS: photo_renditions_generate_task,
        Kind.RELATED_SUGGESTIONS: related_suggestions_run_task,
    }
    tasks[job.kind].delay(job.object_id)


def job_claim(*, kind: str, object_id: int, worker: str = "") -> BackgroundJob | None:
    """Take a pending (or re-delivered running) job; None if it is finished or failed.

    A running job is taken again on purpose: its message came back because the worker that
    had it died (`task_reject_on_worker_lost`), and the work is idempotent. Each claim
    counts an attempt; past `PHOTO_RENDITION_MAX_ATTEMPTS` the job fails instead, which
    stops a file that kills its worker every time.
    """
    now = timezone.now()
    claimed = BackgroundJob.objects.filter(
        kind=kind, object_id=object_id, status__in=[JobStatus.PENDING, JobStatus.RUNNING]
    ).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        claimed_by=(worker or _worker_name())[:200],
    )
    if not claimed:
        return None
    job = BackgroundJob.objects.get(kind=kind, object_id=object_id)
    if job.attempts > settings.PHOTO_RENDITION_MAX_ATTEMPTS:
        job_fail(
            job=job,
            key=job.key,
            error=f"Gave up after {job.attempts - 1} attempts. {job.last_error}".strip(),
        )
        return None
    return job


def job_finish(*, job: BackgroundJob, key: str) -> bool:
    """Mark done, unless a newer request changed the key meanwhile (it stays pending)."""
    return bool(
        BackgroundJob.objects.filter(pk=job.pk, key=key, status=JobStatus.RUNNING).update(
            status=JobStatus.DONE, finished_at=timezone.now(), last_error=""
        )
    )


def job_fail(*, job: BackgroundJob, key: str, error: str) -> None:
    BackgroundJob.objects.filter(pk=job.pk, key=key).update(
        status=JobStatus.FAILED, finished_at=timezone.now(), last_error=error[:2000]
    )
    logger.warning("Job %s (%s #%s) failed: %s", job.pk, job.kind, job.object_id, error)


def job_release(*, job: BackgroundJob, key: str, error: str, delay: float) -> None:
    """Hand a job back as pending after a transient failure; the task retries it."""
    BackgroundJob.objects.filter(pk=job.pk, key=key).update(
        status=JobStatus.PENDING,
        last_error=error[:2000],
        run_after=timezone.now() + timedelta(seconds=delay),
    )


# --- Photo renditions ----------------------------------------------------------------------


def photo_request_renditions(*, photo: Photo) -> BackgroundJob:
    """Ask for renditions of `photo` as it is now (file and focal point); after commit."""
    return job_request(
        kind=Kind.PHOTO_RENDITIONS, object_id=photo.pk, key=photo_source_key(photo=photo)
    )


def photo_renditions_run(*, photo_id: int, worker: str = "") -> BackgroundJob | None:
    """The rendition job: make renditions, record the outcome.

    Caption and credit are read from the upload when it is stored (`photo_create`, the
    admin): the stored original no longer carries them (`articles.image_clean`).

    A file Pillow cannot decode fails the job at once, with the reason, visible in the
    admin; it is not retried. Other errors (storage) raise `TransientJobError` after handing
    the job back, and the Celery task retries with backoff. Returns the job, or None when
    there was nothing to do.
    """
    job = job_claim(kind=Kind.PHOTO_RENDITIONS, object_id=photo_id, worker=worker)
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


# --- The sweeper ---------------------------------------------------------------------------


def jobs_sweep(*, now=None) -> dict[str, int]:
    """Re-send work whose message was lost; run by beat every minute (RELIABILITY.md I3).

    * pending jobs not picked up within `REQUEUE_PENDING_AFTER`;
    * running jobs and sending deliveries older than `JOB_STUCK_AFTER_SECONDS`, whose worker
      died (a task can run at most `CELERY_TASK_TIME_LIMIT`);
    * pending webhook deliveries whose next attempt is overdue by a minute.

    Bounded to `SWEEP_BATCH` rows of each kind per run. Returns counts per kind.
    """
    from articles.webhooks import webhook_deliveries_enqueue

    now = now or timezone.now()
    stuck_before = now - timedelta(seconds=settings.JOB_STUCK_AFTER_SECONDS)
    stuck = BackgroundJob.objects.filter(status=JobStatus.RUNNING, started_at__lt=stuck_before)
    stuck_ids = list(stuck.values_list("pk", flat=True)[:SWEEP_BATCH])
    BackgroundJob.objects.filter(pk__in=stuck_ids, status=JobStatus.RUNNING).update(
        status=JobStatus.PENDING, run_after=now - REQUEUE_PENDING_AFTER
    )
    due = list(
        BackgroundJob.objects.filter(
            status=JobStatus.PENDING, run_after__lte=now - REQUEUE_PENDING_AFTER
        ).order_by("run_after")[:SWEEP_BATCH]
    )
    for job in due:
        # Pushed forward so the next sweep does not send it again while it waits in a queue.
        BackgroundJob.objects.filter(pk=job.pk, status=JobStatus.PENDING).update(run_after=now)
        job_enqueue(job=job)

    Delivery = WebhookDelivery.Status
    stuck_deliveries = list(
        WebhookDelivery.objects.filter(
            status=Delivery.SENDING, claimed_at__lt=stuck_before
        ).values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    WebhookDelivery.objects.filter(pk__in=stuck_deliveries, status=Delivery.SENDING).update(
        status=Delivery.PENDING, claimed_at=None
    )
    overdue = list(
        WebhookDelivery.objects.filter(
            status=Delivery.PENDING, next_attempt_at__lte=now - timedelta(minutes=1)
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    WebhookDelivery.objects.filter(pk__in=overdue, status=Delivery.PENDING).update(
        next_attempt_at=now
    )
    webhook_deliveries_enqueue(delivery_ids=overdue)
    return {"jobs": len(due), "deliveries": len(overdue)}


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"
