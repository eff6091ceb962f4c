"""Store photo originals and author pictures uploaded before uploads were cleaned as
`articles.image_clean` leaves them: without location metadata or bytes after the image.

    manage.py clean_photo_files

Each file changed is stored under a new name and the old one deleted, so its old URL stops
answering; its photo gets new renditions from the workers and the articles showing it are
rebuilt. Idempotent: a clean file is left alone, so the command can be stopped and run again.
Files that cannot be read are reported and the run goes on.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from tqdm import tqdm

from articles.image_clean import ImageCleanError
from articles.models import Author, Photo
from articles.services import author_clean_photo, photo_clean_file


class Command(BaseCommand):
    help = "Strip location metadata and trailing bytes from stored photos and author pictures."

    def handle(self, *args, **options) -> None:
        jobs = [
            (Photo.objects.order_by("pk"), lambda photo: photo_clean_file(photo=photo)),
            (
                Author.objects.exclude(photo="").order_by("pk"),
                lambda author: author_clean_photo(author=author),
            ),
        ]
        cleaned = unchanged = failed = 0
        for queryset, clean in jobs:
            total = queryset.count()
            progress = tqdm(
                queryset.iterator(chunk_size=200),
                total=total,
                unit="file",
                file=self.stderr._out,
                disable=total == 0 or options["verbosity"] == 0,
            )
            for item in progress:
                try:
                    changed = clean(item)
                except (ImageCleanError, OSError) as exc:
                    failed += 1
                    progress.write(f"{item._meta.verbose_name} {item.pk}: {exc}", self.stderr._out)
                    continue
                cleaned += changed
                unchanged += not changed
        self.stdout.write(
            f"Files cleaned: {cleaned}; clean already: {unchanged}; failed: {failed}."
        )
