"""The admin's imports: an uploaded export becomes an `ImportRun`, carried out by a
background job (kind `wordpress_import`, `newsroom.jobs`) that records its progress and
summary on the run."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from articles.services import user_can_publish
from articles.wordpress.kinds import WORDPRESS_IMPORT
from articles.wordpress.models import ImportRun
from newsroom.jobs.models import BackgroundJob
from newsroom.jobs.services import job_claim, job_fail, job_finish, job_request

logger = logging.getLogger(__name__)

RUN_PERMISSION = "wordpress.run_import"
# The run's progress is written every this many items (one UPDATE each time).
PROGRESS_EVERY = 25


def user_can_import(user) -> bool:
    """Staff with the import permission who may also publish (imports publish articles)."""
    return bool(
        user and user.is_active and user.has_perm(RUN_PERMISSION) and user_can_publish(user)
    )


def import_run_start(*, user, upload, dry_run: bool = False, overwrite_edited: bool = False):
    """Keep the uploaded export and ask for its import, run in the background."""
    if not user_can_import(user):
        raise PermissionDenied("You may not import WordPress exports.")
    with transaction.atomic():
        run = ImportRun(
            created_by=user,
            file_name=upload.name[:255],
            is_dry_run=dry_run,
            overwrite_edited=overwrite_edited,
        )
        run.file.save(upload.name, upload, save=False)
        run.save()
        job_request(kind=WORDPRESS_IMPORT, object_id=run.pk, key="1")
    return run


def import_run_execute(*, run_id: int, worker: str = "") -> ImportRun | None:
    """The job: import the run's file as the user who uploaded it, recording progress."""
    # The importer and its XML reader are imported by the job that runs them, not by the
    # admin that starts it: a web worker never needs them (docs/performance.md).
    from articles.wordpress.importer import wordpress_import
    from articles.wordpress.options import ImportOptions, ImportOptionsError
    from articles.wordpress.wxr import WxrError

    job = job_claim(kind=WORDPRESS_IMPORT, object_id=run_id, worker=worker)
    if job is None:
        return None
    run = ImportRun.objects.filter(pk=run_id).select_related("created_by").first()
    if run is None:
        BackgroundJob.objects.filter(pk=job.pk).delete()
        return None
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING)

    def progress(done: int, total: int) -> None:
        if done % PROGRESS_EVERY == 0 or done == total:
            ImportRun.objects.filter(pk=run.pk).update(processed=done, total=total)

    options = ImportOptions(dry_run=run.is_dry_run, overwrite_edited=run.overwrite_edited)
    try:
        summary = wordpress_import(
            paths=[run.file.path], user=run.created_by, options=options, progress=progress
        )
    except (WxrError, ImportOptionsError, PermissionDenied) as exc:
        _finish(run, status=ImportRun.Status.FAILED, error=str(exc))
        job_finish(job=job, key=job.key)
    except Exception as exc:
        logger.exception("WordPress import %s failed", run.pk)
        _finish(run, status=ImportRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
        job_fail(job=job, key=job.key, error=f"{type(exc).__name__}: {exc}")
    else:
        _finish(run, status=ImportRun.Status.DONE, summary=summary.as_dict())
        job_finish(job=job, key=job.key)
    run.refresh_from_db()
    return run


def _finish(run: ImportRun, *, status: str, error: str = "", summary: dict | None = None) -> None:
    fields = {"status": status, "error": error[:5000], "finished_at": timezone.now()}
    if summary is not None:
        fields.update(summary=summary, processed=summary["items"], total=summary["items"])
    ImportRun.objects.filter(pk=run.pk).update(**fields)
    if run.file:
        run.file.delete(save=False)
        ImportRun.objects.filter(pk=run.pk).update(file="")
