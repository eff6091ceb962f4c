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
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import File
from django.db import transaction

from articles.photos.images import PHOTO_FORMATS
from articles.photos.models import Photo, PhotoRendition, rendition_upload_to

if TYPE_CHECKING:
    from PIL import Image

logger = logging.getLogger(__name__)

# Chosen by measurement (`bench/renditions.py`, figures in docs/performance.md): progressive
# JPEG is a few per cent smaller (its Huffman tables are always optimised) for some
# milliseconds per photo, paid once and saved on every view; WebP's method 3 is as small as
# the default 4 and takes half the time, and 6 saves under 1 % for twice the time.
FORMATS = {
    "jpeg": ("JPEG", "jpg", {"quality": 82, "optimize": True, "progressive": True}),
    "webp": ("WEBP", "webp", {"quality": 80, "method": 3}),
}
# The longest side each format can hold; a full-size rendition larger than that is scaled down.
MAX_SIDE = {"jpeg": 65_500, "webp": 16_383}
# A resize may start from a smaller rendition already made (chained, cheaper) when that one is
# at least this many times the size asked for; closer than that it would soften the picture.
CHAIN_MIN_SCALE = 1.5

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
        with photo.image.open("rb") as file:
            encoded = renditions_encode(
                file=file, specs=todo, focal=(photo.focal_point_x, photo.focal_point_y)
            )
            for spec, size, data in encoded:
                existing[spec.name] = _store_rendition(
                    photo=photo, spec=spec, size=size, data=data, old=existing.get(spec.name)
                )
    return [existing[spec.name] for spec in specs]


def renditions_encode(
    *, file, specs: list[RenditionSpec], focal: tuple[float, float]
) -> Iterator[tuple[RenditionSpec, tuple[int, int], io.BytesIO]]:
    """Decode the image in `file` once and yield each spec's encoded file, with its size.

    Specs of one width and crop share one resize, encoded once per format. Resizes run
    from the largest to the smallest, each from the smallest image already made that is
    still at least `CHAIN_MIN_SCALE` times the size asked for (else from the decoded
    original), so most steps work on a picture a few times smaller than the original.
    No Django in here: `bench/renditions.py` times exactly this.
    """
    source, icc_profile = _open_source(file=file, specs=specs)
    groups: dict[tuple[int | None, tuple[int, int] | None], list[RenditionSpec]] = {}
    for spec in specs:
        groups.setdefault((spec.width, spec.crop), []).append(spec)
    # Widest first (None, the original's width, before all); uncropped before crops.
    order = sorted(groups, key=lambda key: (-(key[0] or math.inf), key[1] is not None))
    made: list[Image.Image] = []  # uncropped resizes, largest first: bases for the next ones
    try:
        for width, crop in order:
            image = _render(source=source, made=made, width=width, crop=crop, focal=focal)
            for spec in groups[(width, crop)]:
                yield spec, *_encode(image=image, spec=spec, icc_profile=icc_profile)
            if crop is None and image is not source:
                made.append(image)
            elif image is not source:
                image.close()
    finally:
        for image in made:
            image.close()
        source.close()


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


def _open_source(*, file, specs: list[RenditionSpec]) -> tuple[Image.Image, bytes | None]:
    """Decode the original once, upright, without metadata: at full size for a full-size
    spec, otherwise as small as the largest spec allows."""
    from articles.photos.pillow import Image, ImageOps

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
    # `info` carries EXIF, XMP, comments and more from the original, and every resize and
    # conversion copies it; none of it may be written. The transparency of a palette image
    # is kept: it is the picture, not metadata.
    upright.info = {key: value for key, value in upright.info.items() if key == "transparency"}
    return upright, icc


def _render(
    *,
    source: Image.Image,
    made: list[Image.Image],
    width: int | None,
    crop: tuple[int, int] | None,
    focal: tuple[float, float],
) -> Image.Image:
    """The picture of one (width, crop), resized from the best base in `made`, or `source`."""
    from articles.photos.pillow import Image

    box = _focal_crop_box(source.size, crop, focal) if crop else (0, 0, *source.size)
    box_w, box_h = box[2] - box[0], box[3] - box[1]
    target_w = min(width or box_w, box_w)  # never upscale
    target_h = max(1, round(box_h * target_w / box_w))
    base = source
    if (target_w, target_h) != (box_w, box_h):
        for candidate in reversed(made):  # smallest first
            scale = candidate.width / source.width
            if box_w * scale >= CHAIN_MIN_SCALE * target_w:
                base, box = candidate, tuple(round(edge * scale) for edge in box)
                break
    image = base.crop(box) if box != (0, 0, *base.size) else base
    if (target_w, target_h) != image.size:
        resized = image.resize((target_w, target_h), Image.Resampling.LANCZOS, reducing_gap=3.0)
        if image is not base:
            image.close()
        image = resized
    return image


def _encode(
    *, image: Image.Image, spec: RenditionSpec, icc_profile: bytes | None
) -> tuple[tuple[int, int], io.BytesIO]:
    from articles.photos.pillow import Image

    pil_format, _extension, params = FORMATS[spec.format]
    params = dict(params)
    if icc_profile:
        params["icc_profile"] = icc_profile
    original = image
    if max(image.size) > MAX_SIDE[spec.format]:
        scale = MAX_SIDE[spec.format] / max(image.size)
        size = max(1, int(image.width * scale)), max(1, int(image.height * scale))
        image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    converted = _convert_mode(image, pil_format)
    buffer = io.BytesIO()
    converted.save(buffer, pil_format, **params)
    size = converted.size
    if converted is not image:
        converted.close()
    if image is not original:
        image.close()
    buffer.seek(0)
    return size, buffer


def _store_rendition(
    *,
    photo: Photo,
    spec: RenditionSpec,
    size: tuple[int, int],
    data: io.BytesIO,
    old: PhotoRendition | None,
) -> PhotoRendition:
    key = photo_source_key(photo=photo, spec=spec)
    width, height = size
    storage = PhotoRendition._meta.get_field("file").storage
    base = spec.name.rsplit(".", 1)[0]
    name = rendition_upload_to(
        PhotoRendition(photo=photo), f"{base}-{width}x{height}-{key[:8]}.{spec.extension}"
    )
    if storage.exists(name):
        # Left by a run that died before writing its row; same key, same picture.
        storage.delete(name)
    with data:
        # The encoder's buffer itself, read in chunks: no second copy of the file in memory.
        saved_name = storage.save(name, File(data, name=name))
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
    from articles.photos.pillow import Image

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
