"""Celery tasks of the editing world: thin wrappers that take primary keys and call services.

Every task is idempotent (see the functions it calls), so `acks_late` re-deliveries and the
sweeper's re-sends are harmless. Routing to queues is by name prefix in `CELERY_TASK_ROUTES`.
Celery's Django fix-up closes stale or broken database connections before and after every
task (docs/reliability.md I4), so a database restart needs no worker restart.
"""

from __future__ import annotations

from celery import shared_task
from celery.utils.log import get_task_logger
from django.db import transaction

from articles.services import article_ensure_slug, articles_publish_due

logger = get_task_logger(__name__)


@shared_task
def article_ensure_slug_task(article_id: int) -> str | None:
    return article_ensure_slug(article_id=article_id)


def article_saved_without_slug(sender, instance, raw: bool = False, **kwargs) -> None:
    """An article saved without a slug, by any path, gets one from the slug job after the
    commit (publishing makes one too). Connected in `ArticlesConfig.ready`."""
    if raw or instance.slug:
        return
    article_id = instance.pk
    transaction.on_commit(lambda: article_ensure_slug_task.delay(article_id), robust=True)


@shared_task
def articles_publish_due_task() -> list[int]:
    """Publish due scheduled articles; beat sends it every second, and at worker start."""
    published = articles_publish_due()
    if published:
        logger.info("Published scheduled articles %s", published)
    return published
