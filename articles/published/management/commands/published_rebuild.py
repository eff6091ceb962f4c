"""Rebuild the published world (what the public API serves) from the editing tables.

Run after upgrading to a version whose public JSON changed, or after changing a setting that
shapes it (SITE_URL, MEDIA_PUBLIC_URL, ARTICLE_URL_TEMPLATE, SITE_NAME). Safe while the site
runs: each batch of articles is replaced in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from articles.published.build import published_rebuild


class Command(BaseCommand):
    help = "Rebuild the stored public JSON of every published article."

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(done: int, total: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"{done}/{total}")

        built = published_rebuild(progress=progress)
        if options["verbosity"]:
            self.stdout.write(f"published_rebuild: {built} published articles built.")
