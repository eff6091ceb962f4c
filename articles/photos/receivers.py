"""Every save of a photo, by any path (the admin, the write API, scripts), asks for its
renditions and tells whoever shows it (connected in `PhotosConfig.ready`)."""

from __future__ import annotations

from articles.photos.signals import photo_changed


def photo_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or not instance.image:
        return
    # Imported on the first save: a worker serving only readers never loads the photo
    # services (docs/performance.md, "Worker memory").
    from articles.photos.services import photo_request_renditions

    photo_request_renditions(photo=instance)
    if not created:
        photo_changed.send(sender=sender, photo_id=instance.pk)
