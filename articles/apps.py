from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save, pre_delete

        from articles.admin import article_photo_usage
        from articles.photos.admin import photo_usage_register
        from articles.photos.signals import photo_changed
        from articles.suggestions import RELATED_SUGGESTIONS
        from articles.tasks import related_suggestions_run_task
        from articles.webhooks import webhook_deliveries_sweep
        from newsroom import checks  # noqa: F401 (registers the settings checks)
        from newsroom.jobs.registry import job_kind_register, job_sweeper_register

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
            RelatedLink,
            Section,
            TaggedArticle,
        )

        photo_usage_register(article_photo_usage)
        photo_changed.connect(signals.photo_changed, dispatch_uid="articles.photo_changed")
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
