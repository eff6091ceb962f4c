"""Photo renditions: resized and cropped copies for `srcset`, made in the background.

Every spec in `PHOTO_RENDITIONS` is made in every format of `PHOTO_RENDITION_FORMATS`, named
"<spec>.<format>" ("w640.webp", "16x9.jpeg"). Rules:

* the original is never changed; renditions are new files written through Django's storage;
* EXIF orientation is applied, and no metadata (EXIF, GPS, XMP, IPTC, comments) is copied;
  only an RGB ICC profile is kept so colours stay right;
* "full" (no width) is the original's size, re-encoded: what the public API and JSON-LD send
  where the photo's own size is wanted (`photo_full_size_rendition`), never the upload;
* nothing is ever upscaled; when only smaller renditions are made (crops after a focal-point
  change), large JPEGs are decoded at reduced size (`draft`);
* crops (e.g. 16:9, 1:1) are the largest box of that ratio centred on the focal point;
* one row per (photo, spec) with a `source_key` of what it was made from, so running the
  job twice changes nothing and a focal-point change replaces only the crops.

These functions need no Celery; `articles.photos.services` runs them as outbox jobs.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageOps

from articles.photos.images import PHOTO_FORMATS
from articles.photos.models import Photo, PhotoRendition, rendition_upload_to

logger = logging.getLogger(__name__)

FORMATS = {
    "jpeg": ("JPEG", "jpg", {"quality": 82, "optimize": True, "progressive": True}),
    "webp": ("WEBP", "webp", {"quality": 80, "method": 4}),
}
# The longest side each format can hold; a full-size rendition larger than that is scaled down.
MAX_SIDE = {"jpeg": 65_500, "webp": 16_383}

EXIF_ORIENTATION = 0x0112


class RenditionSourceError(Exception):
    """The original cannot be decoded: a permanent failure, never retried."""


@dataclass(frozen=True)
class RenditionSpec:
    name: str
    width: int | None  # None: the original's width
    crop: tuple[int, int] | None
    format: str

    @property
    def pil_format(self) -> str:
        return FORMATS[self.format][0]

    @property
    def extension(self) -> str:
        return FORMATS[self.format][1]


def rendition_specs() -> list[RenditionSpec]:
    """All configured specs, in settings order."""
    specs = []
    for name, options in settings.PHOTO_RENDITIONS.items():
        crop = tuple(options["crop"]) if options.get("crop") else None
        for fmt in settings.PHOTO_RENDITION_FORMATS:
            specs.append(
                RenditionSpec(
                    name=f"{name}.{fmt}", width=options.get("width"), crop=crop, format=fmt
                )
            )
    return specs


def photo_source_key(*, photo: Photo, spec: RenditionSpec | None = None) -> str:
    """What a rendition is made from: the original's file name, the spec, and for crops (or
    the whole photo, `spec=None`) the focal point. A changed key means "make it again"."""
    parts = [photo.image.name]
    if spec is not None:
        parts += [spec.name, str(spec.width), repr(spec.crop)]
    if spec is None or spec.crop:
        parts += [f"{photo.focal_point_x:.4f}", f"{photo.focal_point_y:.4f}"]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def photo_generate_renditions(*, photo: Photo) -> list[PhotoRendition]:
    """Make every missing or outdated rendition of `photo`; return all of its renditions.

    Idempotent and safe to run concurrently: a rendition whose row has the current source
    key is skipped, and rows are written with `update_or_create` on the unique
    (photo, spec). The row is written only after its file is complete, so a run killed
    mid-write leaves a file without a row, which the next run overwrites. Object stores
    (S3) write a file in one PUT, so no temporary name is needed there either.

    Raises `RenditionSourceError` if the original cannot be decoded. Queries: one to read
    the existing renditions, then two per rendition made.
    """
    specs = rendition_specs()
    existing = {rendition.spec: rendition for rendition in photo.renditions.all()}
    todo = [
        spec
        for spec in specs
        if spec.name not in existing
        or existing[spec.name].source_key != photo_source_key(photo=photo, spec=spec)
    ]
    if todo:
        source, icc_profile = _open_source(photo=photo, specs=todo)
        with source:
            for spec in todo:
                existing[spec.name] = _make_rendition(
                    photo=photo,
                    spec=spec,
                    source=source,
                    icc_profile=icc_profile,
                    old=existing.get(spec.name),
                )
    return [existing[spec.name] for spec in specs]


def photo_full_size_rendition(*, photo: Photo) -> PhotoRendition | None:
    """What the public is sent where the photo's own size is wanted: the widest uncropped
    rendition, JPEG before WebP. Once made, that is the "full" spec (the original's size,
    re-encoded); until then the widest made so far; None while there is none. Never the
    uploaded original. Free when `renditions` was prefetched.
    """
    uncropped = {spec.name for spec in rendition_specs() if not spec.crop}
    made = [r for r in photo.renditions.all() if r.spec in uncropped]
    return max(made, key=lambda r: (r.width, r.format == "jpeg"), default=None)


def photo_rendition_files_delete(*, names: list[str]) -> None:
    storage = PhotoRendition._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


# --- internals ----------------------------------------------------------------------------


def _open_source(*, photo: Photo, specs: list[RenditionSpec]) -> tuple[Image.Image, bytes | None]:
    """Decode the original once, upright: at full size for a full-size spec, otherwise as
    small as the largest spec allows."""
    # The smallest upright size that still gives every spec its full width: the widest
    # spec, and for crops the height their ratio needs at their width.
    full_size = any(spec.width is None for spec in specs)
    widths = [spec.width for spec in specs if spec.width]
    need_w = max(widths or [1])
    need_h = max(
        [
            math.ceil(spec.width * spec.crop[1] / spec.crop[0])
            for spec in specs
            if spec.crop and spec.width
        ]
        or [1]
    )
    try:
        with photo.image.open("rb") as file:
            image = Image.open(file, formats=PHOTO_FORMATS)
            if image.format == "JPEG" and not full_size:
                if image.getexif().get(EXIF_ORIENTATION, 1) in (5, 6, 7, 8):
                    need_w, need_h = need_h, need_w  # stored sideways
                # Pillow then decodes at 1/2, 1/4 or 1/8 scale while both sides stay >= this.
                image.draft(image.mode, (need_w, need_h))
            image.load()
            icc = image.info.get("icc_profile") if image.mode in ("RGB", "RGBA", "P") else None
            upright = ImageOps.exif_transpose(image)
            if upright is not image:
                image.close()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise RenditionSourceError(f"The image file cannot be read: {exc}") from exc
    return upright, icc


def _make_rendition(
    *,
    photo: Photo,
    spec: RenditionSpec,
    source: Image.Image,
    icc_profile: bytes | None,
    old: PhotoRendition | None,
) -> PhotoRendition:
    image = _render(source=source, spec=spec, focal=(photo.focal_point_x, photo.focal_point_y))
    key = photo_source_key(photo=photo, spec=spec)
    buffer = io.BytesIO()
    pil_format = spec.pil_format
    params = dict(FORMATS[spec.format][2])
    if icc_profile:
        params["icc_profile"] = icc_profile
    # `info` carries EXIF, XMP, comments and more from the original; none may be written.
    image.info = {}
    image.save(buffer, pil_format, **params)
    width, height = image.size
    image.close()

    storage = PhotoRendition._meta.get_field("file").storage
    base = spec.name.rsplit(".", 1)[0]
    name = rendition_upload_to(
        PhotoRendition(photo=photo), f"{base}-{width}x{height}-{key[:8]}.{spec.extension}"
    )
    if storage.exists(name):
        # Left by a run that died before writing its row; same key, same picture.
        storage.delete(name)
    saved_name = storage.save(name, ContentFile(buffer.getvalue()))
    rendition, _created = PhotoRendition.objects.update_or_create(
        photo=photo,
        spec=spec.name,
        defaults={
            "file": saved_name,
            "width": width,
            "height": height,
            "format": spec.format,
            "source_key": key,
        },
    )
    if old is not None and old.file.name and old.file.name != saved_name:
        stale = old.file.name
        transaction.on_commit(lambda: photo_rendition_files_delete(names=[stale]))
    return rendition


def _render(*, source: Image.Image, spec: RenditionSpec, focal: tuple[float, float]) -> Image.Image:
    image = source
    if spec.crop:
        image = image.crop(_focal_crop_box(image.size, spec.crop, focal))
    width = min(spec.width or image.width, image.width)  # never upscale
    height = max(1, round(image.height * width / image.width))
    if max(width, height) > MAX_SIDE[spec.format]:
        scale = MAX_SIDE[spec.format] / max(width, height)
        width, height = max(1, int(width * scale)), max(1, int(height * scale))
    if (width, height) != image.size:
        image = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    elif image is source:
        image = image.copy()
    return _convert_mode(image, spec.pil_format)


def _focal_crop_box(
    size: tuple[int, int], ratio: tuple[int, int], focal: tuple[float, float]
) -> tuple[int, int, int, int]:
    """The largest box of `ratio` inside `size`, centred on `focal` as far as it fits."""
    width, height = size
    ratio_w, ratio_h = ratio
    crop_w = min(width, round(height * ratio_w / ratio_h))
    crop_h = min(height, round(crop_w * ratio_h / ratio_w))
    left = round(focal[0] * width - crop_w / 2)
    top = round(focal[1] * height - crop_h / 2)
    left = max(0, min(left, width - crop_w))
    top = max(0, min(top, height - crop_h))
    return left, top, left + crop_w, top + crop_h


def _convert_mode(image: Image.Image, pil_format: str) -> Image.Image:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if pil_format == "JPEG":
        if has_alpha:
            rgba = image.convert("RGBA")
            flat = Image.new("RGB", rgba.size, "white")
            flat.paste(rgba, mask=rgba.getchannel("A"))
            return flat
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if has_alpha:
        return image if image.mode == "RGBA" else image.convert("RGBA")
    return image if image.mode == "RGB" else image.convert("RGB")
