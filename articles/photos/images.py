"""Validation of uploaded photos: real image content, bounded in bytes, pixels and frames.

Checks run in order of cost, so a hostile file is refused before it is decoded:

1. size in bytes (`PHOTO_MAX_UPLOAD_BYTES`), before the file is read;
2. format sniffed by Pillow from the content with only four decoders enabled (JPEG, PNG,
   WebP, GIF), and it must match the file name's extension;
3. pixel count from the header (`PHOTO_MAX_PIXELS`) before any pixel is decoded, which
   refuses decompression bombs; GIF frame count (`PHOTO_MAX_GIF_FRAMES`);
4. a full decode (JPEG at reduced scale via `draft`) to refuse truncated or corrupt files;
5. the file's structure read to its end by `articles.photos.clean`, which `PhotoField` runs on
   every file it stores: metadata that could locate the photographer and bytes past the
   image never reach storage.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from articles.photos.clean import ImageCleanError, image_clean

PHOTO_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
EXTENSIONS_BY_FORMAT = {
    "JPEG": {".jpg", ".jpeg"},
    "PNG": {".png"},
    "WEBP": {".webp"},
    "GIF": {".gif"},
}


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int


def inspect_photo_file(file) -> ImageInfo:
    """Validate an uploaded image file and return its format and size.

    Raises `ValidationError` with a specific code and a message for editors: `file_too_large`,
    `empty_file`, `unsupported_image_format`, `invalid_image`, `extension_mismatch`,
    `image_too_many_pixels`, `too_many_frames`. The file position is restored afterwards.
    """
    size = getattr(file, "size", None)
    if size is not None and size > settings.PHOTO_MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is %(size)s; photos may be at most %(limit)s."),
            code="file_too_large",
            # filesizeformat, not whole megabytes: a 600 KB limit must not read "at most 0 MB".
            params={
                "size": filesizeformat(size),
                "limit": filesizeformat(settings.PHOTO_MAX_UPLOAD_BYTES),
            },
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty_file")

    from articles.photos.pillow import Image, UnidentifiedImageError

    max_pixels = settings.PHOTO_MAX_PIXELS
    start = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with warnings.catch_warnings():
            # Pillow warns (and past twice its limit, raises) on huge images; treat both as
            # the bomb they may be. The explicit pixel check below gives the clear message.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                image = Image.open(file, formats=PHOTO_FORMATS)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
                raise _too_many_pixels(max_pixels) from exc
            except UnidentifiedImageError as exc:
                raise ValidationError(
                    _("This is not a JPEG, PNG, WebP or GIF image."),
                    code="unsupported_image_format",
                ) from exc
            except (OSError, SyntaxError, ValueError) as exc:
                raise ValidationError(
                    _("The image file is damaged and cannot be read."), code="invalid_image"
                ) from exc

            with image:
                # Pillow names a JPEG with a multi-picture (MPF) segment "MPO"; cameras and
                # phones write those routinely, and they are ordinary JPEGs to browsers.
                image_format = "JPEG" if image.format == "MPO" else image.format
                info = ImageInfo(format=image_format, width=image.width, height=image.height)
                _check_extension(getattr(file, "name", "") or "", info.format)
                if info.width * info.height > max_pixels:
                    raise _too_many_pixels(max_pixels)
                # An MPO's extra frames are embedded previews, not animation.
                frames = 1 if info.format == "JPEG" else getattr(image, "n_frames", 1)
                if frames > settings.PHOTO_MAX_GIF_FRAMES:
                    raise ValidationError(
                        _("The animation has %(frames)d frames; at most %(limit)d are allowed."),
                        code="too_many_frames",
                        params={"frames": frames, "limit": settings.PHOTO_MAX_GIF_FRAMES},
                    )
                if info.format == "JPEG":
                    # Decode at 1/8 scale: enough to find a truncated or corrupt stream.
                    image.draft("RGB", (max(1, info.width // 8), max(1, info.height // 8)))
                try:
                    image.load()
                except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
                    raise _too_many_pixels(max_pixels) from exc
                except (OSError, SyntaxError, ValueError) as exc:
                    raise ValidationError(
                        _("The image file is truncated or damaged and cannot be read."),
                        code="invalid_image",
                    ) from exc
        file.seek(0)
        _clean(file.read())
    finally:
        file.seek(start)
    # Remembered on the upload so the model validator does not decode it a second time.
    file.newsroom_image_info = info
    return info


def validate_photo_file(file) -> None:
    """Model-field validator wrapping `inspect_photo_file`.

    Skips files already stored (re-saving an existing photo reads nothing) and uploads the
    form field has already inspected.
    """
    if getattr(file, "_committed", False):
        return
    upload = getattr(file, "file", file)
    if getattr(upload, "newsroom_image_info", None) is None:
        inspect_photo_file(upload)


class PhotoFormField(forms.FileField):
    """A form field giving editors the specific error of `inspect_photo_file`.

    Django's own `forms.ImageField` answers every problem with one generic message.
    """

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        inspect_photo_file(upload)
        return upload


class PhotoFieldFile(ImageFieldFile):
    def save(self, name, content, save=True):
        """Store `content` as `image_clean` leaves it: without location metadata or bytes
        after the image. Every way of storing a file (forms, the API, scripts) ends here."""
        content.seek(0)
        # Named: Django reads the new dimensions from the content it was given.
        super().save(name, ContentFile(_clean(content.read()), name=name), save)


class PhotoField(models.ImageField):
    """An `ImageField` whose uploads are checked by `inspect_photo_file` and stored as
    `image_clean` leaves them."""

    attr_class = PhotoFieldFile

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [validate_photo_file])
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PhotoFormField, **kwargs})

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        # Django reads a file's header for width/height as soon as it is assigned, before any
        # validator runs, and Pillow's bomb guard raises there. `Photo(image=bomb)` must not
        # crash; the dimensions stay 0 and `validate_photo_file` refuses the file with a
        # clear message on `full_clean()`.
        from articles.photos.pillow import Image

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                super().update_dimension_fields(instance, force, *args, **kwargs)
        except Image.DecompressionBombError:
            for name in (self.width_field, self.height_field):
                if name:
                    setattr(instance, name, 0)


def _check_extension(name: str, image_format: str) -> None:
    suffix = PurePath(name).suffix.lower()
    if not name or suffix in EXTENSIONS_BY_FORMAT[image_format]:
        return
    raise ValidationError(
        _("The file is named %(suffix)s but contains a %(format)s image."),
        code="extension_mismatch",
        params={"suffix": suffix or _("(no extension)"), "format": image_format},
    )


def _clean(data: bytes) -> bytes:
    try:
        return image_clean(data)
    except ImageCleanError as exc:
        raise ValidationError(
            _("The image file is truncated or damaged and cannot be read."), code="invalid_image"
        ) from exc


def _too_many_pixels(limit: int) -> ValidationError:
    return ValidationError(
        _("The image is too large: at most %(limit)s megapixels are allowed."),
        code="image_too_many_pixels",
        params={"limit": f"{limit / 1_000_000:g}"},
    )
