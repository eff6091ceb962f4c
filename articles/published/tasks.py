"""Celery tasks of the published world: thin wrappers that take primary keys.

Idempotent like every task here; routed to the publishing and delivery queues by name
prefix (`CELERY_TASK_ROUTES`).
"""

from __future__ import annotations

from celery.utils.log import get_task_logger

from articles.published.cache import cache_purge_run
from articles.published.fanout import published_fanout_run
from articles.published.kinds import (
    FANOUT_AUTHOR,
    FANOUT_LINKS,
    FANOUT_PHOTO,
    FANOUT_SECTION,
    FANOUT_TAG,
    FANOUT_TAG_MERGE,
)
from articles.published.notify import published_reveal_due
from articles.published.suggestions import related_suggestions_run
from articles.published.webhooks import webhook_delivery_attempt
from newsroom.celery import app
from newsroom.jobs.services import TransientJobError

logger = get_task_logger(__name__)


@app.task
def related_suggestions_run_task(article_id: int) -> str | None:
    """Rank and store related-reading suggestions for one article."""
    job = related_suggestions_run(article_id=article_id)
    return job.status if job else None


@app.task
def published_reveal_due_task() -> int:
    """Reveal articles whose embargo or publish time has passed (subscribers hear of them;
    articles linking to them show the link); beat sends it every second, and at worker
    start."""
    revealed = published_reveal_due()
    if revealed:
        logger.info("Revealed %s articles whose embargo ended", revealed)
    return revealed


@app.task
def webhook_delivery_attempt_task(delivery_id: int) -> str | None:
    delivery = webhook_delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery else None


# One task per kind of fan-out (the job registry sends a task the object's id only).


def _fanout(kind: str, object_id: int) -> str | None:
    job = published_fanout_run(kind=kind, object_id=object_id)
    return job.status if job else None


@app.task
def published_fanout_tag_task(tag_id: int) -> str | None:
    return _fanout(FANOUT_TAG, tag_id)


@app.task
def published_fanout_tag_merge_task(tag_id: int) -> str | None:
    return _fanout(FANOUT_TAG_MERGE, tag_id)


@app.task
def published_fanout_author_task(author_id: int) -> str | None:
    return _fanout(FANOUT_AUTHOR, author_id)


@app.task
def published_fanout_section_task(section_id: int) -> str | None:
    return _fanout(FANOUT_SECTION, section_id)


@app.task
def published_fanout_photo_task(photo_id: int) -> str | None:
    return _fanout(FANOUT_PHOTO, photo_id)


@app.task
def published_fanout_links_task(article_id: int) -> str | None:
    return _fanout(FANOUT_LINKS, article_id)


@app.task(bind=True, max_retries=8)
def cache_purge_task(self, object_ids: int | list[int]) -> int:
    """Purge the tags of these purge jobs from the HTTP cache (one id from the sweeper, the
    ids of one change otherwise); a cache that does not answer is asked again with backoff."""
    ids = [object_ids] if isinstance(object_ids, int) else list(object_ids)
    try:
        return cache_purge_run(object_ids=ids, worker=self.request.hostname or "")
    except TransientJobError as exc:
        logger.warning("Cache purge failed, will retry: %s", exc)
        raise self.retry(exc=exc, countdown=min(300, 2 ** (self.request.retries + 1))) from exc
