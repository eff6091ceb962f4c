"""What photos tell others: `photo_changed`, which tells whoever shows photos that what
readers see of one changed; and files deleted with their rows (connected in
`PhotosConfig.ready`)."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

# Sent with `photo_id` when what readers see of a photo changed: its caption, credit or alt
# text (a save), or its renditions (once per renditions job). Sent inside the change's
# transaction, if it has one.
photo_changed = Signal()


def file_deleted(sender, instance, **kwargs) -> None:
    """A photo's original, or a rendition's file, goes once its row's deletion commits."""
    field_file = instance.image if hasattr(instance, "image") else instance.file
    name, storage = field_file.name, field_file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name), robust=True)
