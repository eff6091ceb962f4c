from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WordPressConfig(AppConfig):
    name = "articles.wordpress"
    label = "wordpress"
    verbose_name = _("WordPress import")

    def ready(self) -> None:
        from articles.wordpress.kinds import WORDPRESS_IMPORT
        from newsroom.jobs.registry import job_kind_register

        job_kind_register(
            name=WORDPRESS_IMPORT,
            label=_("WordPress import"),
            task="articles.wordpress.tasks.wordpress_import_task",
            model="wordpress.ImportRun",
        )
