from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        # Pillow's own bomb guard matches newsroom's limit (it raises at twice this value).
        Image.MAX_IMAGE_PIXELS = settings.PHOTO_MAX_PIXELS

        from django.db.models.signals import post_save

        from articles import signals
        from articles.models import Article, Photo

        post_save.connect(signals.photo_saved, sender=Photo, dispatch_uid="articles.photo_saved")
        post_save.connect(
            signals.article_saved, sender=Article, dispatch_uid="articles.article_saved"
        )

        from tagging.models import TopicTag
        from tagging.signals import tag_merged

        tag_merged.connect(signals.tag_merged, sender=TopicTag, dispatch_uid="articles.tag_merged")
