"""Make (or remake) photo renditions in bulk, with a progress bar.

    manage.py rebuild_renditions            every photo, missing or outdated renditions only
    manage.py rebuild_renditions --force    delete and remake every rendition
    manage.py rebuild_renditions --photo 7 --photo 9

Runs in this process, without a worker; idempotent, so it can be stopped and run again.
Photos whose file cannot be read are reported and marked failed, and the run goes on.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from articles.photos.models import Photo, PhotoRendition
from articles.photos.renditions import (
    RenditionSourceError,
    photo_generate_renditions,
    photo_rendition_files_delete,
    photo_source_key,
)
from articles.photos.services import PHOTO_RENDITIONS
from newsroom.jobs.models import BackgroundJob


class Command(BaseCommand):
    help = "Make missing or outdated photo renditions (all photos, or --photo ID ...)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--photo", type=int, action="append", help="Only this photo id.")
        parser.add_argument(
            "--force", action="store_true", help="Delete existing renditions and remake them."
        )

    def handle(self, *args, photo=None, force=False, **options) -> None:
        photos = Photo.objects.order_by("pk")
        if photo:
            photos = photos.filter(pk__in=photo)
        total = photos.count()
        made = failed = 0
        progress = tqdm(
            photos.iterator(chunk_size=200),
            total=total,
            unit="photo",
            file=self.stderr._out,
            disable=total == 0 or options["verbosity"] == 0,
        )
        for item in progress:
            if force:
                old = list(PhotoRendition.objects.filter(photo=item).values_list("file", flat=True))
                PhotoRendition.objects.filter(photo=item).delete()
                photo_rendition_files_delete(names=old)
            try:
                with transaction.atomic():
                    photo_generate_renditions(photo=item)
            except RenditionSourceError as exc:
                failed += 1
                self._record(item, status=BackgroundJob.Status.FAILED, error=str(exc))
                progress.write(f"Photo {item.pk}: {exc}", file=self.stderr._out)
                continue
            made += 1
            self._record(item, status=BackgroundJob.Status.DONE, error="")
        self.stdout.write(f"Renditions up to date for {made} photos; {failed} failed.")

    def _record(self, photo: Photo, *, status: str, error: str) -> None:
        BackgroundJob.objects.update_or_create(
            kind=PHOTO_RENDITIONS,
            object_id=photo.pk,
            defaults={
                "key": photo_source_key(photo=photo),
                "status": status,
                "last_error": error,
                "finished_at": timezone.now(),
                "claimed_by": "rebuild_renditions",
            },
        )
