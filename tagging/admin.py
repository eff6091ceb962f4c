"""Admin for topic tags; articles pick tags through an autocomplete that needs `search_fields`."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from tagging.models import TopicTag


@admin.register(TopicTag)
class TopicTagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "article_count")
    list_filter = ("kind",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug", "kind", "description")
    ordering = ("name",)

    def get_queryset(self, request):
        # Counted in the list query itself; "tagged_articles" is the reverse name of the
        # through model's FK, so this app needs no import of `articles`.
        return super().get_queryset(request).annotate(article_count=Count("tagged_articles"))

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, obj: TopicTag) -> int:
        return obj.article_count
