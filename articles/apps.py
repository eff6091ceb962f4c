from __future__ import annotations

from django.apps import AppConfig
from django.db import transaction
from django.utils.translation import gettext_lazy as _


def article_saved_without_slug(sender, instance, raw: bool = False, **kwargs) -> None:
    """An article saved without a slug, by any path, gets one from the slug job after the
    commit (publishing makes one too). Here, not in `articles.tasks`, so that a process
    loads Celery only when it sends work (docs/performance.md, "Worker memory")."""
    if raw or instance.slug:
        return
    article_id = instance.pk

    def send() -> None:
        from articles.tasks import article_ensure_slug_task

        article_ensure_slug_task.delay(article_id)

    transaction.on_commit(send, robust=True)


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from articles import signals
        from articles.models import (
            Article,
            ArticlePhoto,
            Byline,
            Correction,
            RelatedLink,
            TaggedArticle,
        )

        # Saves by any path announce what they change (`articles.signals`).
        post_save.connect(
            signals.article_saved, sender=Article, dispatch_uid="articles.article_saved"
        )
        post_save.connect(
            article_saved_without_slug, sender=Article, dispatch_uid="articles.slug_job"
        )
        for part in (Byline, TaggedArticle, ArticlePhoto, RelatedLink, Correction):
            for signal in (post_save, post_delete):
                signal.connect(
                    signals.article_part_changed,
                    sender=part,
                    dispatch_uid=f"articles.article_part_changed.{part.__name__}",
                )
