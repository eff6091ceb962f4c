"""The kind of the rendition jobs (registered in `PhotosConfig.ready`).

A name only, so that registering it at start imports none of the photo services."""

from __future__ import annotations

PHOTO_RENDITIONS = "photo_renditions"
