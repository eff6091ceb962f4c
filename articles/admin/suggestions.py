"""Suggestions on the article change form: tags from the text, related reading from tags.

A mixin for `ArticleAdmin`, so the suggestions live apart from the workflow code: it adds a
"Suggestions" fieldset (shown just above the inlines, next to the related-reading inline)
with one-click buttons that fill the tag and related-reading inlines in the page; nothing
is saved until the editor saves the article.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.html import format_html_join, strip_tags
from django.utils.translation import gettext_lazy as _

from articles.models import Article, RelatedSuggestion
from articles.published.suggestions import REFRESH_WINDOW_DAYS, RELATED_SUGGESTIONS
from newsroom.jobs.models import BackgroundJob
from tagging.services import tags_suggest_for_text

SUGGESTION_FIELDS = ("tag_suggestions", "related_suggestions")


def _add_buttons(*, prefix: str, field: str, choices) -> str:
    """Buttons that put (id, label) into an empty row of the inline `prefix` (see the JS)."""
    return format_html_join(
        " ",
        '<button type="button" class="button inline-suggestion" data-prefix="{}" '
        'data-field="{}" data-id="{}" data-label="{}">+ {}</button>',
        ((prefix, field, pk, label, label) for pk, label in choices),
    )


class ArticleSuggestionsAdminMixin:
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
        """Existing tags named in the headline, dek or body. Three queries."""
        chosen = set(obj.tagged_items.values_list("tag_id", flat=True))
        text = " ".join([obj.headline, obj.dek, strip_tags(obj.body)])
        tags = tags_suggest_for_text(text=text, language=obj.language, exclude_ids=chosen)
        if not tags:
            return "-"
        return _add_buttons(
            prefix="tagged_items", field="tag", choices=((t.pk, t.name) for t in tags)
        )

    @admin.display(description=_("suggested related reading"))
    def related_suggestions(self, obj: Article) -> str:
        """The stored suggestions that are still live, or why there are none. One query (two
        or three when there are none)."""
        suggestions = (
            RelatedSuggestion.objects.filter(
                article=obj, target__in=Article.objects.live().values("pk")
            )
            .exclude(
                # Already picked by an editor; NULL targets (outside URLs) must not reach
                # the NOT IN, where one NULL would exclude everything.
                target__in=obj.related_links.filter(target_article__isnull=False).values(
                    "target_article"
                )
            )
            .select_related("target")
            .order_by("position")
        )
        choices = [(s.target_id, s.target.headline) for s in suggestions]
        if not choices:
            return _no_suggestions_reason(obj)
        return _add_buttons(prefix="related_links", field="target_article", choices=choices)


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
