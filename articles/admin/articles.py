"""The editors' admin of articles: `ArticleAdmin`, its list and its form's layout.

Roles are enforced here and in `articles.services`: the change form saves through
`article_save` / `article_create` (`saving`), every status change through the workflow
services, and a writer is never offered a way to publish. The workflow pages (`workflow`),
bulk actions (`actions`) and display columns (`columns`) are mixins in their own modules.
User text is only ever rendered through `format_html` or auto-escaping templates.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles.admin.actions import ArticleActionsMixin
from articles.admin.changelist import (
    AuthorFilter,
    CappedCountPaginator,
    NextPagePaginator,
    TagFilter,
)
from articles.admin.columns import ArticleColumnsMixin
from articles.admin.editor import ArticleBodyEditorMixin
from articles.admin.forms import (
    PUBLIC_STATUSES,
    ArticleAdminForm,
    KnownChoiceAutocompleteAdminMixin,
)
from articles.admin.inlines import (
    ArticlePhotoInline,
    BylineInline,
    RelatedLinkInline,
    TaggedArticleInline,
)
from articles.admin.saving import ArticleSaveMixin
from articles.admin.suggestions import ArticleSuggestionsAdminMixin
from articles.admin.workflow import ArticleWorkflowPagesMixin
from articles.models import Article, Byline
from articles.models.search import (
    IN_USE_ORDER,
    headline_prefix_page,
    search_headline_prefix,
    search_matching,
)
from articles.services import article_trash, user_can_edit_article, user_can_publish
from newsroom.admin import URL_FIELD_OVERRIDES, ConcurrentSaveAdminMixin


class TrashFilter(admin.SimpleListFilter):
    """Articles in use by default; the trash on request."""

    title = _("trash")
    parameter_name = "trash"

    def lookups(self, request, model_admin):
        return [("yes", _("In the trash"))]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Articles in use"),
        }
        yield from list(super().choices(changelist))[1:]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        return queryset.filter(deleted_at__isnull=True)


@admin.register(Article)
class ArticleAdmin(
    ArticleBodyEditorMixin,
    ArticleSaveMixin,
    ArticleWorkflowPagesMixin,
    ArticleActionsMixin,
    ArticleColumnsMixin,
    ConcurrentSaveAdminMixin,
    ArticleSuggestionsAdminMixin,
    KnownChoiceAutocompleteAdminMixin,
    admin.ModelAdmin,
):
    formfield_overrides = URL_FIELD_OVERRIDES
    form = ArticleAdminForm
    list_display = (
        "headline",
        "status_badge",
        "section",
        "byline_names",
        "lead_photo_thumbnail",
        "language",
        "published_at",
        "updated_at",
    )
    list_filter = (
        TrashFilter,
        "status",
        "section",
        ("authors", AuthorFilter),
        ("tags", TagFilter),
        "language",
        "published_at",
        "created_at",
    )
    list_select_related = ("section", "lead_photo")
    # Searched through the search vector, not with LIKE on each field (`get_search_results`).
    search_fields = ("headline", "dek", "body")
    search_help_text = _("Words of the headline, dek or body.")
    # No count of the whole table, nor per filter choice, on a page view (`get_paginator`).
    paginator = CappedCountPaginator
    # Rendering a row's cells costs more than reading it: 50 rows a page, not Django's 100.
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    prepopulated_fields = {"slug": ("headline",)}
    autocomplete_fields = ("section", "lead_photo")
    readonly_fields = (
        "api_link",
        "first_published_at",
        "last_published_at",
        "created_by",
        "created_at",
        "updated_at",
        "corrections_list",
        "live_revision_link",
        "audit_log",
    )
    fieldsets = (
        (
            _("Content"),
            {"fields": ("loaded_version", "headline", "slug", "dek", "dateline", "body")},
        ),
        (_("Placement"), {"fields": ("section", "language", "lead_photo")}),
        (
            _("Publishing"),
            {
                "fields": (
                    "status",
                    "published_at",
                    "embargo_until",
                    "first_published_at",
                    "last_published_at",
                    "live_revision_link",
                    "api_link",
                ),
                "description": _(
                    "Choose Published to publish now, or Published with a future time to "
                    "schedule. Only editors can publish, schedule or unpublish. Before the "
                    "embargo time no public surface shows the article, whatever its status."
                ),
            },
        ),
        (_("Corrections"), {"fields": ("corrections_list", "new_correction")}),
        (
            _("Search engines"),
            {"fields": ("seo_title", "seo_description", "canonical_url"), "classes": ("collapse",)},
        ),
        (
            _("History"),
            {"fields": ("created_by", "created_at", "updated_at", "audit_log")},
        ),
    )
    inlines = (
        BylineInline,
        TaggedArticleInline,
        ArticlePhotoInline,
        RelatedLinkInline,
    )
    actions = (
        "submit_for_review_selected",
        "publish_selected",
        "unpublish_selected",
        "trash_selected",
        "restore_selected",
        "purge_selected",
    )
    ordering = IN_USE_ORDER
    change_form_template = "admin/articles/article/change_form.html"
    delete_confirmation_template = "admin/articles/article/delete_confirmation.html"

    def get_queryset(self, request):
        # Desk scoping before any lookup: another desk's article is neither listed nor found.
        queryset = super().get_queryset(request).visible_to(request.user)
        if _url_name(request) == "autocomplete":
            # The autocomplete shows headlines only.
            return queryset.defer("body", "search_vector")
        if request.method == "GET" and _url_name(request) == "articles_article_changelist":
            # The list shows neither the body nor the search document (actions, POSTed,
            # hand whole articles to the services).
            queryset = queryset.defer("body", "search_vector")
        if _url_name(request) == "articles_article_suggestions":
            # The suggestions read the article's text, not its bylines.
            return queryset.defer("search_vector")
        if _url_name(request) == "articles_article_change":
            # The writing aids show the article's address, which names its section; the
            # section and lead photo fields show theirs without a query of their own.
            queryset = queryset.select_related("section", "lead_photo")
        # One query for all bylines of the page instead of one per row.
        bylines = Byline.objects.select_related("author").order_by("position", "id")
        return queryset.prefetch_related(Prefetch("bylines", queryset=bylines))

    def get_search_results(self, request, queryset, search_term):
        """The list searches the search vector (`search_matching`); the related-article
        autocomplete matches headline words as they are typed (`search_headline_prefix`).
        Both keep the list's order and never return duplicates."""
        if _url_name(request) == "autocomplete":
            # Articles in the trash are not offered as related reading.
            in_use = queryset.filter(deleted_at__isnull=True)
            return search_headline_prefix(in_use, search_term), False
        if not search_term.strip():
            return queryset, False
        return search_matching(queryset, search_term), False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        if _url_name(request) == "autocomplete":
            # The autocomplete asks only whether more follow: no count at all, and a page
            # of a common prefix from the newest articles, not a sort of all its matches.
            return NextPagePaginator(
                queryset,
                per_page,
                orphans,
                allow_empty_first_page,
                read_rows=headline_prefix_page,
            )
        unfiltered = not set(request.GET) - {ORDER_VAR, PAGE_VAR}
        return self.paginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            estimate_table=Article._meta.db_table if unfiltered else "",
        )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "media" in context:
            # The author and tag filters use the admin's autocomplete (`AutocompleteListFilter`).
            section = Article._meta.get_field("section")
            context["media"] += AutocompleteSelect(section, self.admin_site).media + forms.Media(
                js=["articles/admin/autocomplete_filter.js"]
            )
        return response

    # --- Permissions ---

    def has_publish_permission(self, request) -> bool:
        return user_can_publish(request.user)

    def has_purge_permission(self, request) -> bool:
        return user_can_publish(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        # Published and scheduled articles are the editors' responsibility, and a writer
        # edits only their own articles: others are read-only (a POST is refused with 403).
        # An article in the trash is read-only for everyone until restored.
        if not super().has_change_permission(request, obj) or self._locked(request, obj):
            return False
        if obj is None:
            return True
        return obj.deleted_at is None and user_can_edit_article(user=request.user, article=obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not self._locked(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # "Delete" moves to the trash (`trash_selected`); purging is its own action.
        actions.pop("delete_selected", None)
        return actions

    @staticmethod
    def _locked(request, obj: Article | None) -> bool:
        """Whether `obj` is public and so out of reach for a user who cannot publish."""
        return (
            obj is not None and obj.status in PUBLIC_STATUSES and not user_can_publish(request.user)
        )

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if not user_can_publish(request.user):
            fields += ("published_at",)
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if user_can_publish(request.user):
            return fieldsets
        # Only editors add corrections.
        return [
            (
                name,
                {**options, "fields": tuple(f for f in options["fields"] if f != "new_correction")},
            )
            for name, options in fieldsets
        ]

    def delete_model(self, request, obj):
        """The admin's delete moves to the trash; purging is a separate action."""
        article_trash(article=obj, user=request.user)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and obj.status in PUBLIC_STATUSES:
            self.message_user(
                request,
                _("Unpublish the article before moving it to the trash."),
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[obj.pk]))
        extra_context = {**(extra_context or {}), "title": _("Move to the trash?")}
        return super().delete_view(request, object_id, extra_context)


def _url_name(request) -> str:
    """The admin view answering `request`, e.g. "autocomplete" (a related-article search)."""
    match = request.resolver_match
    return match.url_name if match is not None else ""
