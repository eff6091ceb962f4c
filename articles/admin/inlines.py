"""The article change form's inlines: bylines, tags, inline photos, related reading.

Their rows are not saved by the admin's formsets: `ArticleSaveMixin` hands them to the
editing service with the article (`articles.admin.saving`).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from articles.admin.forms import (
    BylineInlineFormSet,
    KnownChoiceAutocompleteAdminMixin,
    RelatedLinkInlineForm,
    RowsLoadedFormSet,
)
from articles.models import ArticlePhoto, Byline, RelatedLink, TaggedArticle
from articles.photos.admin import thumbnail_html
from newsroom.admin import URL_FIELD_OVERRIDES


class RowsLoadedInline(KnownChoiceAutocompleteAdminMixin, admin.TabularInline):
    """A tabular inline whose autocomplete fields use `KnownChoiceAutocompleteSelect`."""

    formset = RowsLoadedFormSet

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        if isinstance(widget, RelatedFieldWidgetWrapper):
            # A row picks an existing author, tag, photo or article; changing, viewing or
            # deleting that object from the row is no use (deleting an author from a
            # byline row a hazard). "+" to add a new one stays.
            widget.can_change_related = False
            widget.can_delete_related = False
            widget.can_view_related = False
        return formfield


class BylineInline(RowsLoadedInline):
    model = Byline
    formset = BylineInlineFormSet
    fields = ("author", "position")
    autocomplete_fields = ("author",)
    ordering = ("position", "id")
    extra = 1
    verbose_name = _("byline")
    verbose_name_plural = _("bylines (in the order readers see them)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class ArticlePhotoInline(RowsLoadedInline):
    model = ArticlePhoto
    fields = ("photo", "thumbnail", "photo_caption", "after_paragraph", "position")
    readonly_fields = ("thumbnail", "photo_caption")
    autocomplete_fields = ("photo",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("photo")

    @admin.display(description=_("preview"))
    def thumbnail(self, obj: ArticlePhoto) -> str:
        if obj is None or not obj.photo_id:
            return "-"
        return thumbnail_html(obj.photo.image, alt=obj.photo.alt_text)

    @admin.display(description=_("caption and credit"))
    def photo_caption(self, obj: ArticlePhoto) -> str:
        if obj is None or not obj.photo_id:
            return "-"
        caption = obj.caption_override or obj.photo.caption
        return format_html("{}<br><small>{}</small>", caption, obj.photo.credit)


class RelatedLinkInline(RowsLoadedInline):
    formfield_overrides = URL_FIELD_OVERRIDES
    model = RelatedLink
    fk_name = "article"
    form = RelatedLinkInlineForm
    fields = ("target_article", "url", "title", "label", "after_paragraph", "position")
    autocomplete_fields = ("target_article",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("target_article")


class TaggedArticleInline(RowsLoadedInline):
    """Tags as rows with autocomplete, instead of taggit's comma-separated text field."""

    model = TaggedArticle
    fk_name = "content_object"
    fields = ("tag",)
    autocomplete_fields = ("tag",)
    extra = 1
    verbose_name = _("tag")
    verbose_name_plural = _("tags")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tag")
