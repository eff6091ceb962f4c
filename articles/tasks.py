"""Celery tasks of the editing world: thin wrappers that take primary keys and call services.

Every task is idempotent (see the functions it calls), so `acks_late` re-deliveries and the
sweeper's re-sends are harmless. Routing to queues is by name prefix in `CELERY_TASK_ROUTES`.
Celery's Django fix-up closes stale or broken database connections before and after every
task (docs/reliability.md I4), so a database restart needs no worker restart.
"""

from __future__ import annotations

from celery.utils.log import get_task_logger

from articles.services import article_ensure_slug, articles_publish_due
from newsroom.celery import app

logger = get_task_logger(__name__)


@app.task
def article_ensure_slug_task(article_id: int) -> str | None:
    return article_ensure_slug(article_id=article_id)


@app.task
def articles_publish_due_task() -> list[int]:
    """Publish due scheduled articles; beat sends it every second, and at worker start."""
    published = articles_publish_due()
    if published:
        logger.info("Published scheduled articles %s", published)
    return published
