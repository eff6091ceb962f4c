from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhotosConfig(AppConfig):
    name = "articles.photos"
    label = "photos"
    verbose_name = _("Photos")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from articles.photos import receivers, signals
        from articles.photos.kinds import PHOTO_RENDITIONS
        from articles.photos.models import Photo, PhotoRendition
        from newsroom.jobs.registry import job_kind_register

        job_kind_register(
            name=PHOTO_RENDITIONS,
            label=_("Photo renditions"),
            task="articles.photos.tasks.photo_renditions_generate_task",
            model="photos.Photo",
        )
        post_save.connect(receivers.photo_saved, sender=Photo, dispatch_uid="photos.photo_saved")
        for model in (Photo, PhotoRendition):
            post_delete.connect(
                signals.file_deleted, sender=model, dispatch_uid=f"photos.file_deleted.{model}"
            )
