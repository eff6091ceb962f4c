"""Admins of the people and places around articles: authors, sections, desks, old slugs."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from articles.models import ArticleSlugHistory, Author, Desk, Section
from articles.photos.admin import thumbnail_html
from newsroom.admin import URL_FIELD_OVERRIDES, ConcurrentSaveAdminMixin
from newsroom.jobs.admin import BackgroundWorkAdminMixin


@admin.register(Author)
class AuthorAdmin(BackgroundWorkAdminMixin, ConcurrentSaveAdminMixin, admin.ModelAdmin):
    formfield_overrides = URL_FIELD_OVERRIDES
    list_display = ("name", "thumbnail", "slug", "user")
    list_select_related = ("user",)
    search_fields = ("name", "slug", "bio")
    prepopulated_fields = {"slug": ("name",)}
    raw_id_fields = ("user",)
    readonly_fields = ("preview", "created_at")
    fieldsets = (
        (None, {"fields": ("name", "slug", "bio")}),
        (_("Photo"), {"fields": ("photo", "preview")}),
        (_("Contact and links"), {"fields": ("email", "website", "x_handle", "instagram_handle")}),
        (_("Account"), {"fields": ("user", "created_at")}),
    )

    @admin.display(description=_("photo"))
    def thumbnail(self, obj: Author) -> str:
        return thumbnail_html(obj.photo, alt=obj.name, size=40)

    @admin.display(description=_("preview"))
    def preview(self, obj: Author) -> str:
        if obj is None or not obj.pk:
            return "-"
        return thumbnail_html(obj.photo, alt=obj.name, size=160)


@admin.register(Section)
class SectionAdmin(BackgroundWorkAdminMixin, ConcurrentSaveAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "desk", "position")
    list_editable = ("position",)
    list_filter = ("desk",)
    list_select_related = ("desk",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Desk)
class DeskAdmin(ConcurrentSaveAdminMixin, admin.ModelAdmin):
    """Desks scope what their members see (`ArticleQuerySet.visible_to`); superusers only."""

    list_display = ("name", "slug", "section_names")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("members",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sections")

    @admin.display(description=_("sections"))
    def section_names(self, obj: Desk) -> str:
        return ", ".join(section.name for section in obj.sections.all()) or "-"


@admin.register(ArticleSlugHistory)
class ArticleSlugHistoryAdmin(ConcurrentSaveAdminMixin, admin.ModelAdmin):
    list_display = ("slug", "article", "created_at")
    list_select_related = ("article",)
    search_fields = ("slug", "article__headline")
    raw_id_fields = ("article",)
