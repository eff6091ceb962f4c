"""`manage.py import_wxr FILE [FILE…]`: import WordPress exports (`articles.wordpress`)."""

from __future__ import annotations

from argparse import ArgumentTypeError

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from articles.wordpress.importer import wordpress_import
from articles.wordpress.options import ImportOptions, ImportOptionsError, load_map
from articles.wordpress.wxr import WxrError


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise ArgumentTypeError(f"expected a whole number of 1 or more, not {value!r}")
    return int(value)


class Command(BaseCommand):
    help = (
        "Import WordPress exports (WXR): posts, authors, categories, tags, attachments. "
        "Safe to run again: what did not change in WordPress is left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="WXR files (Tools, Export in WordPress).")
        parser.add_argument(
            "--user",
            required=True,
            help="The user the import acts as (an editor who may publish): revisions and "
            "the audit log name them.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Read, map and report only.")
        media = parser.add_mutually_exclusive_group()
        media.add_argument("--media-dir", default="", help="A copy of wp-content/uploads.")
        media.add_argument(
            "--fetch-media",
            action="store_true",
            help="Download attachments from the old site (public addresses only).",
        )
        parser.add_argument("--section-map", help="CSV or JSON: category slug -> section slug.")
        parser.add_argument("--author-map", help="CSV or JSON: WordPress login -> author slug.")
        parser.add_argument(
            "--overwrite-edited",
            action="store_true",
            help="Also update articles edited here since their import.",
        )
        parser.add_argument(
            "--batch-size",
            type=_positive,
            default=ImportOptions.batch_size,
            help="Posts written per transaction (default %(default)s); "
            "an interrupted run keeps the batches it finished.",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user {options['user']!r}.")
        try:
            import_options = ImportOptions(
                dry_run=options["dry_run"],
                overwrite_edited=options["overwrite_edited"],
                media_dir=options["media_dir"],
                fetch_media=options["fetch_media"],
                section_map=load_map(options["section_map"]) if options["section_map"] else {},
                author_map=load_map(options["author_map"]) if options["author_map"] else {},
                batch_size=options["batch_size"],
            )
        except ImportOptionsError as exc:
            raise CommandError(str(exc)) from exc
        bar = None
        if not options["no_progress"]:
            bar = tqdm(total=0, unit="item", file=self.stderr._out, dynamic_ncols=True)

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.total = total
                bar.n = done
                bar.refresh()

        try:
            summary = wordpress_import(
                paths=options["files"], user=user, options=import_options, progress=progress
            )
        except (WxrError, ImportOptionsError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if bar is not None:
                bar.close()
        if import_options.dry_run:
            self.stdout.write("Dry run: nothing was written.")
        for line in summary.lines():
            self.stdout.write(line)
        for warning in summary.warnings:
            self.stdout.write(f"  warning: {warning}")
