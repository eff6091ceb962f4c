"""Celery tasks of the published world: thin wrappers that take primary keys.

Idempotent like every task here; routed to the publishing and delivery queues by name
prefix (`CELERY_TASK_ROUTES`).
"""

from __future__ import annotations

from celery import shared_task
from celery.utils.log import get_task_logger

from articles.published.cache import cache_purge_run
from articles.published.notify import published_reveal_due
from articles.published.suggestions import related_suggestions_run
from articles.published.webhooks import webhook_delivery_attempt
from newsroom.jobs.services import TransientJobError

logger = get_task_logger(__name__)


@shared_task
def related_suggestions_run_task(article_id: int) -> str | None:
    """Rank and store related-reading suggestions for one article."""
    job = related_suggestions_run(article_id=article_id)
    return job.status if job else None


@shared_task
def published_reveal_due_task() -> int:
    """Reveal articles whose embargo or publish time has passed (subscribers hear of them;
    articles linking to them show the link); beat sends it every second, and at worker
    start."""
    revealed = published_reveal_due()
    if revealed:
        logger.info("Revealed %s articles whose embargo ended", revealed)
    return revealed


@shared_task
def webhook_delivery_attempt_task(delivery_id: int) -> str | None:
    delivery = webhook_delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery else None


@shared_task(bind=True, max_retries=8)
def cache_purge_task(self, object_ids: int | list[int]) -> int:
    """Purge the tags of these purge jobs from the HTTP cache (one id from the sweeper, the
    ids of one change otherwise); a cache that does not answer is asked again with backoff."""
    ids = [object_ids] if isinstance(object_ids, int) else list(object_ids)
    try:
        return cache_purge_run(object_ids=ids, worker=self.request.hostname or "")
    except TransientJobError as exc:
        logger.warning("Cache purge failed, will retry: %s", exc)
        raise self.retry(exc=exc, countdown=min(300, 2 ** (self.request.retries + 1))) from exc
