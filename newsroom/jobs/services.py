"""Outbox jobs: the database says what background work is owed; the broker only hints.

A `BackgroundJob` row per (kind, object) is written in the same transaction as the change
that needs the work, and its message is sent after the commit. A worker claims the row with
a conditional UPDATE, does the work (idempotent), and finishes it only if the row's `key`
is still the one it started with; a newer request meanwhile leaves it pending for its own
message. Lost messages are re-sent by `jobs_sweep`, which beat runs every minute.

Messages are sent with `on_commit(..., robust=True)`: if the broker is down, the error is
logged and the editor's save still succeeds; the row waits for the sweeper
(docs/reliability.md I2, I3). Each kind's task comes from the registry
(`newsroom.jobs.registry`), where the app owning the work put it.
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

from newsroom.jobs.models import BackgroundJob
from newsroom.jobs.registry import job_kind, job_kinds, job_sweepers

logger = logging.getLogger(__name__)

JobStatus = BackgroundJob.Status

# A pending job whose message has not been picked up within this time is sent again.
REQUEUE_PENDING_AFTER = timedelta(minutes=2)
SWEEP_BATCH = 500


class TransientJobError(Exception):
    """The work failed for a reason that may pass (storage, network): retry later."""


def jobs_failed(*, kinds: list[str] | None = None, limit: int = 5, count_up_to: int = 100):
    """The failed jobs (of `kinds`, or of every kind): how many, counted up to
    `count_up_to` so a pile of failures costs no full count, and the `limit` most recently
    failed. Two queries."""
    failed = BackgroundJob.objects.filter(status=JobStatus.FAILED)
    if kinds is not None:
        failed = failed.filter(kind__in=kinds)
    count = failed.order_by()[:count_up_to].count()
    return count, list(failed.order_by("-updated_at", "-id")[:limit])


def jobs_in_progress(*, model: str, object_id: int) -> int:
    """What the unfinished work in batches on one object ("app_label.ModelName") has left to
    do (the articles still to rebuild after a rename, say). One query."""
    kinds = [kind.name for kind in job_kinds() if kind.model.lower() == model.lower()]
    rows = BackgroundJob.objects.filter(
        kind__in=kinds,
        object_id=object_id,
        status__in=[JobStatus.PENDING, JobStatus.RUNNING],
        total__isnull=False,
    ).values_list("total", "done")
    return sum(max(total - done, 0) for total, done in rows)


def job_request(*, kind: str, object_id: int, key: str, total: int | None = None) -> BackgroundJob:
    """Ask for `kind` work on `object_id` at version `key`; the message goes after commit.

    Nothing is sent when the same version is already pending, running, done, or failed (a
    failed job is retried only on purpose, with `job_retry`, so a poison file cannot loop).
    Work in batches gives its `total`; a new version starts again from the first batch
    (cursor 0). Two queries.
    """
    with transaction.atomic():
        job, created = BackgroundJob.objects.select_for_update().get_or_create(
            kind=kind, object_id=object_id, defaults={"key": key, "total": total}
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
            job.cursor = 0
            job.done = 0
            job.total = total
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
    job_kind(job.kind).task.delay(job.object_id)


def job_claim(*, kind: str, object_id: int, worker: str = "") -> BackgroundJob | None:
    """Take a pending (or re-delivered running) job; None if it is finished or failed.

    A running job is taken again on purpose: its message came back because the worker that
    had it died (`task_reject_on_worker_lost`), and the work is idempotent. Each claim
    counts an attempt; past `JOB_MAX_ATTEMPTS` the job fails instead, which stops a file
    that kills its worker every time.
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
    if job.attempts > settings.JOB_MAX_ATTEMPTS:
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


def job_advance(*, job: BackgroundJob, key: str, start: int, cursor: int, done: int) -> bool:
    """Record a batch of a running job done, from `start` to `cursor`, in the batch's
    transaction: taken again, the job goes on after `cursor`. A batch done counts as
    progress, so only claims without one count towards `JOB_MAX_ATTEMPTS`. False, and
    nothing recorded, if a newer request changed the key (it starts again from the first
    batch) or another worker moved the cursor first (each batch is counted once)."""
    return bool(
        BackgroundJob.objects.filter(
            pk=job.pk, key=key, status=JobStatus.RUNNING, cursor=start
        ).update(cursor=cursor, done=F("done") + done, attempts=1)
    )


def job_continue(*, job: BackgroundJob, key: str) -> None:
    """Hand a running job that has more to do back to the queue (a task stays well inside
    its time limit); the next message goes on from its cursor."""
    handed_back = BackgroundJob.objects.filter(pk=job.pk, key=key, status=JobStatus.RUNNING).update(
        status=JobStatus.PENDING, run_after=timezone.now()
    )
    if handed_back:
        transaction.on_commit(lambda: job_enqueue(job=job), robust=True)


def job_release(*, job: BackgroundJob, key: str, error: str, delay: float) -> None:
    """Hand a job back as pending after a transient failure; the task retries it."""
    BackgroundJob.objects.filter(pk=job.pk, key=key).update(
        status=JobStatus.PENDING,
        last_error=error[:2000],
        run_after=timezone.now() + timedelta(seconds=delay),
    )


# --- The sweeper ---------------------------------------------------------------------------


def jobs_sweep(*, now=None) -> dict[str, int]:
    """Re-send work whose message was lost; run by beat every minute (docs/reliability.md I3).

    * pending jobs not picked up within `REQUEUE_PENDING_AFTER`;
    * running jobs older than `JOB_STUCK_AFTER_SECONDS`, whose worker died (a task can run
      at most `CELERY_TASK_TIME_LIMIT`);
    * then each registered sweeper's outbox (webhook deliveries).

    Bounded to `SWEEP_BATCH` jobs per run. Returns counts: "jobs", and one per sweeper.
    """
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
    counts = {"jobs": len(due)}
    for name, sweep in job_sweepers().items():
        counts[name] = sweep(now)
    return counts


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"
