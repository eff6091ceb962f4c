"""Photos and their renditions: the uploaded original (kept for the renditions job, never
sent to the public) and the re-encoded copies readers get."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.photos.images import PhotoField


def photo_upload_to(instance: Photo, filename: str) -> str:
    """Store originals under a generated name; the extension is the validated format's.

    Kept at module level so migrations can reference it.
    """
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".jpeg":
        suffix = ".jpg"
    return f"photos/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


def rendition_upload_to(instance: PhotoRendition, filename: str) -> str:
    """Renditions live beside each other per photo; kept at module level for migrations."""
    return f"renditions/{instance.photo_id}/{filename}"


class Photo(models.Model):
    image = PhotoField(
        _("image file"),
        upload_to=photo_upload_to,
        width_field="width",
        height_field="height",
        help_text=_("JPEG, PNG, WebP or GIF."),
    )
    width = models.PositiveIntegerField(_("width"), editable=False, default=0)
    height = models.PositiveIntegerField(_("height"), editable=False, default=0)
    caption = models.TextField(_("caption"), blank=True)
    credit = models.CharField(
        _("credit"), max_length=255, blank=True, help_text=_('For example "Foto: Name/Agency".')
    )
    copyright = models.CharField(_("copyright"), max_length=255, blank=True)
    source = models.CharField(
        _("source"),
        max_length=255,
        blank=True,
        help_text=_("Who supplied the photo, e.g. an agency (IPTC Source)."),
    )
    source_url = models.URLField(_("source URL"), blank=True)
    alt_text = models.CharField(
        _("alt text"),
        max_length=300,
        blank=True,
        help_text=_("What the picture shows, for readers who cannot see it."),
    )
    # Where the subject is, as fractions of width and height; crops are centred on it.
    focal_point_x = models.FloatField(_("focal point x"), default=0.5)
    focal_point_y = models.FloatField(_("focal point y"), default=0.5)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="uploaded_photos",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        # Table and constraint names from when photos were part of `articles`.
        db_table = "articles_photo"
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="articles_photo_focal_point_in_frame",
                condition=Q(focal_point_x__gte=0, focal_point_x__lte=1)
                & Q(focal_point_y__gte=0, focal_point_y__lte=1),
            ),
        ]

    def __str__(self) -> str:
        label = self.caption or self.alt_text or PurePath(self.image.name or "").name
        return label[:80] or f"Photo {self.pk}"

    def public_renditions(self) -> list[PhotoRendition]:
        """Finished renditions, smallest first. Free when `renditions` was prefetched."""
        return sorted(self.renditions.all(), key=lambda r: (r.width, r.format, r.spec))


class PhotoRendition(models.Model):
    """One resized (and possibly cropped) copy of a photo, per configured spec.

    The unique (photo, spec) constraint makes creation race-safe with `get_or_create`
    (Wagtail's rendition discipline); `source_key` says which original and focal point the
    file was made from, so a focal-point change replaces crops instead of adding rows.
    """

    photo = models.ForeignKey(
        Photo, on_delete=models.CASCADE, related_name="renditions", verbose_name=_("photo")
    )
    spec = models.CharField(_("spec"), max_length=50)
    file = models.ImageField(_("file"), upload_to=rendition_upload_to, max_length=255)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    format = models.CharField(_("format"), max_length=10)
    source_key = models.CharField(_("source key"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "articles_photorendition"
        verbose_name = _("photo rendition")
        verbose_name_plural = _("photo renditions")
        ordering = ["photo", "spec"]
        constraints = [
            models.UniqueConstraint(fields=["photo", "spec"], name="articles_rendition_spec_once"),
        ]

    def __str__(self) -> str:
        return f"{self.spec} of photo {self.photo_id}"
