"""Signal handlers: plumbing only, connected in `ArticlesConfig.ready`.

Photos are saved by several paths (admin, API, scripts); the post_save handler makes sure
each of them asks for renditions, through the same service (`photo_request_renditions`,
which does nothing when the file and focal point are unchanged).
"""

from __future__ import annotations

from django.db import transaction


def photo_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or not instance.image:
        return
    from articles.jobs import photo_request_renditions

    photo_request_renditions(photo=instance)


def article_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A new article without a slug gets one from the slug job (publishing makes one too)."""
    if raw or instance.slug:
        return
    from articles.tasks import article_ensure_slug_task

    article_id = instance.pk
    transaction.on_commit(lambda: article_ensure_slug_task.delay(article_id), robust=True)


def tag_merged(sender, target, items: dict, **kwargs) -> None:
    """Articles whose tags a merge changed: subscribers hear about the live ones.

    Runs inside the merge's transaction, so the deliveries commit with it. One query for the
    articles, plus the webhook service's per article.
    """
    from articles.models import Article, TaggedArticle
    from articles.webhooks import webhook_event_emit

    article_ids = items.get(TaggedArticle, [])
    if not article_ids:
        return
    for article in Article.objects.live().filter(pk__in=article_ids).select_related("section"):
        webhook_event_emit(event_type="article.updated", article=article)
