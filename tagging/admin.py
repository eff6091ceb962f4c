"""Admin for topic tags: counts, aliases and merging; articles pick tags through an
autocomplete that needs `search_fields`.

Counts and merges find the tagged models through `TopicTag`'s reverse relations, so this app
still imports nothing from `articles`.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from newsroom.admin import ConcurrentSaveAdminMixin
from newsroom.jobs.admin import BackgroundWorkAdminMixin, background_work_message
from tagging.models import TagAlias, TopicTag
from tagging.services import (
    tag_alias_add,
    tag_merge,
    tag_merge_preview,
    tag_resolve,
    tag_through_models,
)


def live_items_filter() -> Q:
    """Taggings whose item readers may see, for a `Count(..., filter=...)` over tags.

    The item model's own `live()` decides (for articles: published, time passed), as a
    subquery, so the rule lives in one place.
    """
    condition = Q()
    for through in tag_through_models():
        related = through._meta.get_field("tag").remote_field.get_accessor_name()
        content_model = through._meta.get_field("content_object").related_model
        live = getattr(content_model.objects, "live", None)
        if live is not None:
            condition |= Q(**{f"{related}__content_object__in": live().values("pk")})
    return condition


class TagAliasInlineForm(forms.ModelForm):
    class Meta:
        model = TagAlias
        fields = ("name",)

    def save(self, commit=True):
        if self.instance.pk:
            return super().save(commit=commit)
        # New aliases go through the service, which picks a free slug.
        self.instance = tag_alias_add(tag=self.instance.tag, name=self.cleaned_data["name"])
        return self.instance


class TagAliasInline(admin.TabularInline):
    model = TagAlias
    form = TagAliasInlineForm
    fields = ("name", "slug", "created_at")
    readonly_fields = ("slug", "created_at")
    extra = 1
    verbose_name = _("alias")
    verbose_name_plural = _("aliases (other spellings; merged tags)")

    # Aliases are part of their tag: whoever may change the tag may edit them.
    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("tagging.view_topictag")

    def has_add_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("tagging.change_topictag")

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("tagging.change_topictag")

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("tagging.change_topictag")


class TagMergeForm(forms.Form):
    target_name = forms.CharField(
        label=_("Merge into"),
        max_length=100,
        help_text=_("The name (or an alias) of the tag that stays."),
    )

    def __init__(self, *args, source: TopicTag, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source

    def clean_target_name(self) -> TopicTag:
        target = tag_resolve(name=self.cleaned_data["target_name"])
        if target is None:
            raise ValidationError(_("There is no tag of that name."), code="no_such_tag")
        if target.pk == self.source.pk:
            raise ValidationError(_("Choose another tag than this one."), code="merge_into_self")
        return target


@admin.register(TopicTag)
class TopicTagAdmin(BackgroundWorkAdminMixin, ConcurrentSaveAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "published_count", "article_count")
    list_filter = ("kind",)
    search_fields = ("name", "slug", "aliases__name")
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug", "kind", "description", "merge_link")
    readonly_fields = ("merge_link",)
    ordering = ("name",)
    inlines = (TagAliasInline,)
    actions = ("merge_selected",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        match = getattr(request, "resolver_match", None)
        if match is None or match.url_name != "tagging_topictag_changelist":
            # The change form and the other views show no count: counting a tag's articles
            # scans them (0.3 s for a tag on 90,000), which a rename's answer need not wait for.
            return queryset
        # Both counts in the list query itself: one join, no query per row.
        return queryset.annotate(
            article_count=Count("tagged_articles", distinct=True),
            published_count=Count("tagged_articles", filter=live_items_filter(), distinct=True),
        )

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, obj: TopicTag) -> int:
        return obj.article_count

    @admin.display(description=_("published"), ordering="published_count")
    def published_count(self, obj: TopicTag) -> int:
        return obj.published_count

    @admin.display(description=_("merge"))
    def merge_link(self, obj: TopicTag) -> str:
        if not obj.pk:
            return "-"
        url = reverse("admin:tagging_topictag_merge", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Merge into another tag…"))

    def get_urls(self):
        merge = self.admin_site.admin_view(self.merge_view)
        return [
            path("<int:object_id>/merge/", merge, name="tagging_topictag_merge"),
            *super().get_urls(),
        ]

    def has_merge_permission(self, request) -> bool:
        # A merge changes one tag and deletes the other.
        return self.has_change_permission(request) and self.has_delete_permission(request)

    @admin.action(description=_("Merge the selected tag into another…"), permissions=["merge"])
    def merge_selected(self, request, queryset):
        tags = list(queryset[:2])
        if len(tags) != 1:
            self.message_user(
                request, _("Select exactly one tag to merge into another."), messages.WARNING
            )
            return None
        return HttpResponseRedirect(reverse("admin:tagging_topictag_merge", args=[tags[0].pk]))

    def merge_view(self, request, object_id: int):
        """Choose the target, see what will move, confirm; the service does the merge."""
        if not self.has_merge_permission(request):
            raise PermissionDenied
        source = get_object_or_404(TopicTag, pk=object_id)
        form = TagMergeForm(request.POST or None, source=source)
        preview = None
        if request.method == "POST" and form.is_valid():
            target = form.cleaned_data["target_name"]
            if "confirm" in request.POST:
                try:
                    moved = tag_merge(source=source, target=target)
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    self.message_user(
                        request,
                        _(
                            "“%(source)s” was merged into “%(target)s”: %(moved)d taggings "
                            "moved, %(dropped)d duplicates dropped."
                        )
                        % {
                            "source": source.name,
                            "target": target.name,
                            "moved": moved["items_moved"],
                            "dropped": moved["items_dropped"],
                        },
                        messages.SUCCESS,
                    )
                    background_work_message(self, request, target)
                    return HttpResponseRedirect(
                        reverse("admin:tagging_topictag_change", args=[target.pk])
                    )
            else:
                preview = {"target": target, **tag_merge_preview(source=source, target=target)}
        context = {
            **self.admin_site.each_context(request),
            "title": _("Merge tag “%(name)s”") % {"name": source.name},
            "opts": self.opts,
            "original": source,
            "form": form,
            "preview": preview,
        }
        return TemplateResponse(request, "admin/tagging/topictag/merge.html", context)
