from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishedConfig(AppConfig):
    """The published world: what readers may see, built by the publish door, served by the
    public API, feeds and sitemaps, and told to webhook subscribers."""

    name = "articles.published"
    label = "published"
    verbose_name = _("Published world")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save, pre_delete

        from articles.models import Article, Author, Section
        from articles.photos.signals import photo_changed
        from articles.published import kinds, receivers
        from articles.signals import articles_changed
        from newsroom.jobs.registry import job_kind_register, job_sweeper_register
        from tagging.models import TopicTag
        from tagging.signals import tag_merged

        # Tasks by import path: Celery is loaded when work is first sent (registry).
        tasks = "articles.published.tasks"
        job_kind_register(
            name=kinds.RELATED_SUGGESTIONS,
            label=_("Related-reading suggestions"),
            task=f"{tasks}.related_suggestions_run_task",
            model="articles.Article",
        )
        for kind, label, task, model in (
            (kinds.FANOUT_TAG, _("Articles showing a tag"), "published_fanout_tag_task",
             "tagging.TopicTag"),
            (kinds.FANOUT_TAG_MERGE, _("Articles of a tag merge"),
             "published_fanout_tag_merge_task", "tagging.TopicTag"),
            (kinds.FANOUT_AUTHOR, _("Articles by an author"), "published_fanout_author_task",
             "articles.Author"),
            (kinds.FANOUT_SECTION, _("Articles in a section"),
             "published_fanout_section_task", "articles.Section"),
            (kinds.FANOUT_PHOTO, _("Articles showing a photo"), "published_fanout_photo_task",
             "photos.Photo"),
            (kinds.FANOUT_LINKS, _("Articles linking to an article"),
             "published_fanout_links_task", "articles.Article"),
        ):  # fmt: skip
            job_kind_register(name=kind, label=label, task=f"{tasks}.{task}", model=model)
        job_kind_register(
            name=kinds.CACHE_PURGE, label=_("HTTP cache purge"), task=f"{tasks}.cache_purge_task"
        )
        job_sweeper_register(name="deliveries", sweep=receivers.webhook_deliveries_sweep)

        # Every trigger of the published world; what each does is in `receivers`.
        uid = "published.receivers"
        articles_changed.connect(receivers.articles_changed, dispatch_uid=f"{uid}.articles")
        post_save.connect(receivers.author_saved, sender=Author, dispatch_uid=f"{uid}.author")
        post_save.connect(receivers.section_saved, sender=Section, dispatch_uid=f"{uid}.section")
        post_save.connect(receivers.tag_saved, sender=TopicTag, dispatch_uid=f"{uid}.tag")
        post_delete.connect(receivers.tag_deleted, sender=TopicTag, dispatch_uid=f"{uid}.tag_del")
        photo_changed.connect(receivers.photo_changed, dispatch_uid=f"{uid}.photo")
        tag_merged.connect(receivers.tag_merged, sender=TopicTag, dispatch_uid=f"{uid}.merge")
        pre_delete.connect(receivers.article_deleting, sender=Article, dispatch_uid=f"{uid}.del1")
        post_delete.connect(receivers.article_deleted, sender=Article, dispatch_uid=f"{uid}.del2")
