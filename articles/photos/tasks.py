"""Celery tasks of photos: thin wrappers that take primary keys (`articles.photos.services`)."""

from __future__ import annotations

from celery.utils.log import get_task_logger

from articles.photos.services import photo_renditions_run
from newsroom.celery import app
from newsroom.jobs.services import TransientJobError

logger = get_task_logger(__name__)


@app.task(bind=True, max_retries=5)
def photo_renditions_generate_task(self, photo_id: int) -> str | None:
    """Renditions for one photo; transient failures retry with backoff."""
    try:
        job = photo_renditions_run(photo_id=photo_id, worker=self.request.hostname or "")
    except TransientJobError as exc:
        logger.warning("Renditions of photo %s failed, will retry: %s", photo_id, exc)
        raise self.retry(exc=exc, countdown=min(600, 10 * 2**self.request.retries)) from exc
    return job.status if job else None
