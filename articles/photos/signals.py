"""Photo plumbing, connected in `PhotosConfig.ready`: renditions asked for on every save
(the admin, the write API and scripts all save photos), files deleted with their rows, and
`photo_changed`, which tells whoever shows photos that what readers see of one changed.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

# Sent with `photo_id` when what readers see of a photo changed: its caption, credit or alt
# text (a save), or its renditions (once per renditions job). Sent inside the change's
# transaction, if it has one.
photo_changed = Signal()


def photo_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    from articles.photos.services import photo_request_renditions

    if raw or not instance.image:
        return
    photo_request_renditions(photo=instance)
    if not created:
        photo_changed.send(sender=sender, photo_id=instance.pk)


def file_deleted(sender, instance, **kwargs) -> None:
    """A photo's original, or a rendition's file, goes once its row's deletion commits."""
    field_file = instance.image if hasattr(instance, "image") else instance.file
    name, storage = field_file.name, field_file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name), robust=True)
