from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from articles import signals, tasks
        from articles.admin.photo_usage import article_photo_usage
        from articles.models import (
            Article,
            ArticlePhoto,
            Byline,
            Correction,
            RelatedLink,
            TaggedArticle,
        )
        from articles.photos.admin import photo_usage_register

        # The photo desk lists the articles using a photo (photos know nothing of articles).
        photo_usage_register(article_photo_usage)
        # Saves by any path announce what they change (`articles.signals`).
        post_save.connect(
            signals.article_saved, sender=Article, dispatch_uid="articles.article_saved"
        )
        post_save.connect(
            tasks.article_saved_without_slug, sender=Article, dispatch_uid="articles.slug_job"
        )
        for part in (Byline, TaggedArticle, ArticlePhoto, RelatedLink, Correction):
            for signal in (post_save, post_delete):
                signal.connect(
                    signals.article_part_changed,
                    sender=part,
                    dispatch_uid=f"articles.article_part_changed.{part.__name__}",
                )
