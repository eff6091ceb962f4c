"""Store photo originals, and every other image in a photo field (author pictures), again as
`articles.photos.clean` leaves them: without location metadata or bytes after the image.

    manage.py clean_photo_files

Each file changed is stored under a new name and the old one deleted, so its old URL stops
answering; a photo gets new renditions from the workers and the articles showing it are
rebuilt. Idempotent: a clean file is left alone, so the command can be stopped and run again.
Files that cannot be read are reported and the run goes on.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from articles.photos.clean import ImageCleanError
from articles.photos.images import PhotoField
from articles.photos.models import Photo
from articles.photos.services import photo_clean_file, stored_image_clean


def _clean_field(model, field_name: str):
    def clean(instance) -> bool:
        with transaction.atomic():
            locked = model.objects.select_for_update().get(pk=instance.pk)
            return stored_image_clean(instance=locked, field_name=field_name)

    return clean


class Command(BaseCommand):
    help = "Strip location metadata and trailing bytes from stored photos and other images."

    def handle(self, *args, **options) -> None:
        jobs = [(Photo.objects.order_by("pk"), lambda photo: photo_clean_file(photo=photo))]
        # Other models' photo fields (an author's picture), found without naming them.
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, PhotoField) and model is not Photo:
                    queryset = model.objects.exclude(**{field.name: ""}).order_by("pk")
                    jobs.append((queryset, _clean_field(model, field.name)))
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
