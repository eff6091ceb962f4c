"""Rebuild the published world (what the public API serves) from the editing tables.

Run after upgrading to a version whose public JSON changed, or after changing a setting that
shapes it (SITE_URL, MEDIA_PUBLIC_URL, ARTICLE_URL_TEMPLATE, SITE_NAME, TIME_ZONE). Safe while
the site runs: each batch of articles is replaced in one transaction.

`--counts-only` counts the dashboard's articles per day again from the published rows
(`articles.published.counts`) without rebuilding them: after publishing by a version older
than those counts, say.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from articles.published.build import published_rebuild
from articles.published.counts import published_counts_rebuild


class Command(BaseCommand):
    help = "Rebuild the stored public JSON of every published article."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--counts-only",
            action="store_true",
            help="only count the published articles per day again (the dashboard's counts)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["counts_only"]:
            published_counts_rebuild()
            if options["verbosity"]:
                self.stdout.write("published_rebuild: the counts per day were counted again.")
            return

        def progress(done: int, total: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"{done}/{total}")

        built = published_rebuild(progress=progress)
        if options["verbosity"]:
            self.stdout.write(f"published_rebuild: {built} published articles built.")
