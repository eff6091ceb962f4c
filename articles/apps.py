from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        from newsroom import checks  # noqa: F401 (registers the settings checks)

        # Pillow's own bomb guard matches newsroom's limit (it raises at twice this value).
        Image.MAX_IMAGE_PIXELS = settings.PHOTO_MAX_PIXELS

        from django.db.models.signals import post_delete, post_save, pre_delete

        from articles.jobs import PHOTO_RENDITIONS
        from articles.suggestions import RELATED_SUGGESTIONS
        from articles.tasks import photo_renditions_generate_task, related_suggestions_run_task
        from articles.webhooks import webhook_deliveries_sweep
        from newsroom.jobs.registry import job_kind_register, job_sweeper_register

        job_kind_register(
            name=PHOTO_RENDITIONS,
            label=_("Photo renditions"),
            task=photo_renditions_generate_task,
            model="articles.Photo",
        )
        job_kind_register(
            name=RELATED_SUGGESTIONS,
            label=_("Related-reading suggestions"),
            task=related_suggestions_run_task,
            model="articles.Article",
        )
        job_sweeper_register(name="deliveries", sweep=webhook_deliveries_sweep)

        from articles import signals
        from articles.models import (
            Article,
            ArticlePhoto,
            Author,
            Byline,
            Correction,
            Photo,
            PhotoRendition,
            RelatedLink,
            Section,
            TaggedArticle,
        )

        post_save.connect(signals.photo_saved, sender=Photo, dispatch_uid="articles.photo_saved")
        post_save.connect(
            signals.article_saved, sender=Article, dispatch_uid="articles.article_saved"
        )

        from tagging.models import TopicTag
        from tagging.signals import tag_merged

        tag_merged.connect(signals.tag_merged, sender=TopicTag, dispatch_uid="articles.tag_merged")

        # The published world follows what several articles show (articles.published).
        post_save.connect(signals.author_saved, sender=Author, dispatch_uid="articles.author_saved")
        post_save.connect(
            signals.section_saved, sender=Section, dispatch_uid="articles.section_saved"
        )
        post_save.connect(signals.tag_saved, sender=TopicTag, dispatch_uid="articles.tag_saved")
        pre_delete.connect(
            signals.article_deleting, sender=Article, dispatch_uid="articles.article_deleting"
        )
        post_delete.connect(
            signals.article_deleted, sender=Article, dispatch_uid="articles.article_deleted"
        )
        post_save.connect(
            signals.article_published_state_saved,
            sender=Article,
            dispatch_uid="articles.article_published_state_saved",
        )
        for part in (Byline, TaggedArticle, ArticlePhoto, RelatedLink, Correction):
            for signal in (post_save, post_delete):
                signal.connect(
                    signals.article_part_changed,
                    sender=part,
                    dispatch_uid=f"articles.article_part_changed.{part.__name__}",
                )
        for signal in (post_save, post_delete):
            signal.connect(
                signals.photo_rendition_changed,
                sender=PhotoRendition,
                dispatch_uid="articles.photo_rendition_changed",
            )
