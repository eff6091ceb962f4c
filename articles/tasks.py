"""Celery tasks: thin wrappers that take primary keys and call domain functions.

Every task is idempotent (see the functions it calls), so `acks_late` re-deliveries and the
sweeper's re-sends are harmless. Routing to the media, publishing and delivery queues is by
name prefix in `CELERY_TASK_ROUTES`. Celery's Django fix-up closes stale or broken database
connections before and after every task (RELIABILITY.md I4), so a database restart needs no
worker restart.
"""

from __future__ import annotations

from celery import shared_task
from celery.utils.log import get_task_logger

from articles.published import published_reveal_due
from articles.services import article_ensure_slug, articles_publish_due
from articles.suggestions import related_suggestions_run
from articles.webhooks import webhook_delivery_attempt

logger = get_task_logger(__name__)


@shared_task
def related_suggestions_run_task(article_id: int) -> str | None:
    """Rank and store related-reading suggestions for one article (after its publish)."""
    job = related_suggestions_run(article_id=article_id)
    return job.status if job else None


@shared_task
def article_ensure_slug_task(article_id: int) -> str | None:
    return article_ensure_slug(article_id=article_id)


@shared_task
def articles_publish_due_task() -> list[int]:
    """Publish due scheduled articles and reveal articles whose embargo ended (their related
    reading shows up on other articles); beat sends it every second, and at worker start."""
    published = articles_publish_due()
    if published:
        logger.info("Published scheduled articles %s", published)
    revealed = published_reveal_due()
    if revealed:
        logger.info("Revealed %s articles whose embargo ended", revealed)
    return published


@shared_task
def webhook_delivery_attempt_task(delivery_id: int) -> str | None:
    delivery = webhook_delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery else None
