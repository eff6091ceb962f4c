"""Suggestions on the article change form: tags from the text, related reading from tags.

A mixin for `ArticleAdmin`, so the suggestions live apart from the workflow code: it adds a
"Suggestions" fieldset (shown just above the inlines, next to the related-reading inline)
with one-click buttons that fill the tag and related-reading inlines in the page; nothing
is saved until the editor saves the article.

The page itself only holds two placeholders: the suggestions are read after it has loaded,
from `suggestions_view` (a small JSON answer, checked like the page), by
`tagging/admin/inline_suggestions.js`. Matching the text against every tag name costs more
than the rest of the page's reads together, and an editor needs it only to click on it.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404, JsonResponse
from django.urls import path, reverse
from django.utils.html import format_html, strip_tags
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from articles.models import Article, RelatedSuggestion
from articles.published.suggestions import REFRESH_WINDOW_DAYS, RELATED_SUGGESTIONS
from newsroom.jobs.models import BackgroundJob
from tagging.services import tags_suggest_for_text

SUGGESTION_FIELDS = ("tag_suggestions", "related_suggestions")


class ArticleSuggestionsAdminMixin:
    def get_urls(self):
        return [
            path(
                "<path:object_id>/suggestions/",
                self.admin_site.admin_view(require_GET(self.suggestions_view)),
                name="articles_article_suggestions",
            ),
            *super().get_urls(),
        ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and obj.pk:
            fieldsets.append(
                (
                    _("Suggestions"),
                    {
                        "fields": SUGGESTION_FIELDS,
                        "description": _(
                            "Click a suggestion to add it to the tags or the related reading "
                            "below; it is kept when you save."
                        ),
                    },
                )
            )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *SUGGESTION_FIELDS)

    @property
    def media(self):
        return super().media + forms.Media(js=["tagging/admin/inline_suggestions.js"])

    @admin.display(description=_("suggested tags"))
    def tag_suggestions(self, obj: Article) -> str:
        return _placeholder(obj, "tags")

    @admin.display(description=_("suggested related reading"))
    def related_suggestions(self, obj: Article) -> str:
        return _placeholder(obj, "related")

    def suggestions_view(self, request, object_id):
        """The change form's suggestions, for `inline_suggestions.js`: for each inline, the
        prefix and field its buttons fill, the (id, label) choices, and the note shown
        when there are none. Only for who may see the article's change page."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404
        tags = article_tag_suggestions(obj)
        related = article_related_suggestions(obj)
        return JsonResponse(
            {
                "tags": {
                    "prefix": "tagged_items",
                    "field": "tag",
                    "choices": [{"id": pk, "label": label} for pk, label in tags],
                    "note": "" if tags else "-",
                },
                "related": {
                    "prefix": "related_links",
                    "field": "target_article",
                    "choices": [{"id": pk, "label": label} for pk, label in related],
                    "note": "" if related else str(_no_suggestions_reason(obj)),
                },
            }
        )


def _placeholder(obj: Article, part: str) -> str:
    return format_html(
        '<div class="inline-suggestions" data-suggestions-url="{}" data-suggestions="{}" '
        'data-failed="{}" aria-live="polite">{}</div>',
        reverse("admin:articles_article_suggestions", args=[obj.pk]),
        part,
        _("The suggestions could not be loaded; reload the page to try again."),
        _("Loading…"),
    )


def article_tag_suggestions(article: Article) -> list[tuple[int, str]]:
    """Existing tags named in the headline, dek or body, not chosen yet. Three queries."""
    chosen = set(article.tagged_items.values_list("tag_id", flat=True))
    text = " ".join([article.headline, article.dek, strip_tags(article.body)])
    tags = tags_suggest_for_text(text=text, language=article.language, exclude_ids=chosen)
    return [(tag.pk, tag.name) for tag in tags]


def article_related_suggestions(article: Article) -> list[tuple[int, str]]:
    """The stored suggestions that are still live and not picked yet. One query."""
    suggestions = (
        RelatedSuggestion.objects.filter(
            article=article, target__in=Article.objects.live().values("pk")
        )
        .exclude(
            # Already picked by an editor; NULL targets (outside URLs) must not reach
            # the NOT IN, where one NULL would exclude everything.
            target__in=article.related_links.filter(target_article__isnull=False).values(
                "target_article"
            )
        )
        .select_related("target")
        .order_by("position")
    )
    return [(s.target_id, s.target.headline) for s in suggestions]


def _no_suggestions_reason(article: Article) -> str:
    """Why an article shows no suggestions, as it stands (see `articles.published.suggestions`)."""
    computing = BackgroundJob.objects.filter(
        kind=RELATED_SUGGESTIONS,
        object_id=article.pk,
        status__in=[BackgroundJob.Status.PENDING, BackgroundJob.Status.RUNNING],
    )
    if computing.exists():
        return _("Being computed; reload the page in a moment.")
    if article.status != Article.Status.PUBLISHED or article.deleted_at:
        return _("None yet: they are computed when the article is published.")
    if not article.is_live:
        return _("None yet: they are computed when the embargo ends.")
    if RelatedSuggestion.objects.filter(article=article).exists():
        return _("None left: the others are in the related reading or no longer published.")
    return _(
        "None: no other published article shares a tag with this one. Articles sharing one "
        "that are published within %(days)d days of it are added when they are published."
    ) % {"days": REFRESH_WINDOW_DAYS}
