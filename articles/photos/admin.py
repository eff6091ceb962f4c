"""The photo desk in the admin: one `PhotoAdmin` with the upload's metadata filled in, the
renditions made and their job's state, and where the photo is used.

Photos know nothing of what uses them: apps that place photos register a usage provider
(`photo_usage_register`), and the photo's page lists what they return.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from articles.photos.metadata import photo_fill_metadata
from articles.photos.models import Photo, PhotoRendition
from articles.photos.services import PHOTO_RENDITIONS
from newsroom.admin import URL_FIELD_OVERRIDES, ConcurrentSaveAdminMixin, status_badge
from newsroom.jobs.models import BackgroundJob

# provider(photo=, user=) -> {"rows": [{"headline", "url", "status", "role"}], "more": bool}
PhotoUsageProvider = Callable[..., dict]
_usage_providers: list[PhotoUsageProvider] = []


def photo_usage_register(provider: PhotoUsageProvider) -> None:
    """Have the photo's admin page list what `provider` says uses the photo."""
    if provider not in _usage_providers:
        _usage_providers.append(provider)


def photo_usage(*, photo: Photo, user) -> dict:
    """Every registered provider's uses of `photo` that `user` may see, in one list."""
    rows, more = [], False
    for provider in _usage_providers:
        usage = provider(photo=photo, user=user)
        rows += usage["rows"]
        more = more or usage["more"]
    return {"rows": rows, "more": more}


def thumbnail_html(image, *, alt: str = "", size: int = 80) -> str:
    """An <img> for a stored image file, or "-" when there is none. Costs no query."""
    if not image:
        return "-"
    try:
        url = image.url
    except ValueError:
        return "-"
    return format_html(
        '<img src="{}" alt="{}" loading="lazy" style="max-width:{}px;max-height:{}px;'
        'object-fit:contain;border-radius:2px">',
        url,
        alt,
        size,
        size,
    )


@admin.register(PhotoRendition)
class PhotoRenditionAdmin(admin.ModelAdmin):
    list_display = ("photo", "spec", "width", "height", "format", "file", "updated_at")
    list_filter = ("format", "spec")
    list_select_related = ("photo",)
    raw_id_fields = ("photo",)
    search_fields = ("photo__caption", "spec")
    readonly_fields = [field.name for field in PhotoRendition._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


class PhotoRenditionInline(admin.TabularInline):
    model = PhotoRendition
    fields = ("spec", "width", "height", "format", "file")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("renditions")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Photo)
class PhotoAdmin(ConcurrentSaveAdminMixin, admin.ModelAdmin):
    change_form_template = "admin/photos/photo/change_form.html"
    inlines = [PhotoRenditionInline]
    formfield_overrides = URL_FIELD_OVERRIDES
    list_display = (
        "thumbnail",
        "caption_text",
        "credit",
        "dimensions",
        "uploaded_by",
        "created_at",
    )
    list_display_links = ("thumbnail", "caption_text")
    list_select_related = ("uploaded_by",)
    search_fields = ("caption", "credit", "alt_text")
    list_filter = ("created_at",)
    readonly_fields = (
        "preview", "width", "height", "uploaded_by", "created_at", "updated_at",
        "rendition_status",
    )  # fmt: skip
    fieldsets = (
        (_("Image"), {"fields": ("image", "preview", "width", "height")}),
        (
            _("Description"),
            {"fields": ("caption", "credit", "copyright", "source", "source_url", "alt_text")},
        ),
        (
            _("Cropping"),
            {
                "fields": ("focal_point_x", "focal_point_y"),
                "description": _(
                    "Where the subject is, from 0 to 1 across and down; crops keep it in view."
                ),
            },
        ),
        (_("History"), {"fields": ("uploaded_by", "created_at", "updated_at")}),
        (_("Renditions"), {"fields": ("rendition_status",)}),
    )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        # Agency pictures carry caption, credit and copyright: the empty fields are filled
        # from the upload, before it is stored without its metadata.
        if "image" in form.changed_data:
            photo_fill_metadata(photo=obj)
        super().save_model(request, obj, form, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_view_or_change_permission(request, obj):
            extra_context["photo_usage"] = photo_usage(photo=obj, user=request.user)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("photo"))
    def thumbnail(self, obj: Photo) -> str:
        return thumbnail_html(obj.image, alt=obj.alt_text)

    @admin.display(description=_("preview"))
    def preview(self, obj: Photo) -> str:
        if obj is None or not obj.pk:
            return "-"
        return thumbnail_html(obj.image, alt=obj.alt_text, size=320)

    @admin.display(description=_("caption"), ordering="caption")
    def caption_text(self, obj: Photo) -> str:
        caption = obj.caption or obj.alt_text or "-"
        return caption if len(caption) <= 100 else caption[:99] + "…"

    @admin.display(description=_("size (px)"))
    def dimensions(self, obj: Photo) -> str:
        return f"{obj.width}×{obj.height}"

    @admin.display(description=_("rendition job"))
    def rendition_status(self, obj: Photo) -> str:
        if obj is None or not obj.pk:
            return "-"
        job = BackgroundJob.objects.filter(kind=PHOTO_RENDITIONS, object_id=obj.pk).first()
        if job is None:
            return "-"
        if job.last_error:
            return format_html(
                "{} {}", status_badge(job.status, job.get_status_display()), job.last_error
            )
        return status_badge(job.status, job.get_status_display())
