"""Filters of the public article lists (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, QuerySet

from articles.models import Article, Byline, Language, TaggedArticle


class SlugListFilter(django_filters.BaseCSVFilter, django_filters.CharFilter):
    """Comma-separated slugs, e.g. `?tag=banjir,bandung`."""


class ArticleFilter(django_filters.FilterSet):
    section = django_filters.CharFilter(
        field_name="section__slug", help_text="Section slug, e.g. `daerah`."
    )
    tag = SlugListFilter(
        method="filter_tags",
        help_text="One or several tag slugs, comma-separated; see `tag_match`.",
    )
    tag_match = django_filters.ChoiceFilter(
        choices=[("any", "any"), ("all", "all")],
        method="filter_noop",
        empty_label=None,
        help_text="With several tags: `any` (default) or `all` of them.",
    )
    author = django_filters.CharFilter(method="filter_author", help_text="Author slug.")
    language = django_filters.ChoiceFilter(choices=Language.choices)
    published_after = django_filters.IsoDateTimeFilter(
        field_name="published_at", lookup_expr="gte", help_text="ISO 8601 date-time, inclusive."
    )
    published_before = django_filters.IsoDateTimeFilter(
        field_name="published_at", lookup_expr="lt", help_text="ISO 8601 date-time, exclusive."
    )

    class Meta:
        model = Article
        fields: list[str] = []

    def filter_noop(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset

    def filter_tags(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        slugs = [slug.strip() for slug in value if slug.strip()]
        if not slugs:
            return queryset
        # EXISTS rather than a join: no duplicate rows, no DISTINCT, index on (tag, article).
        if self.form.cleaned_data.get("tag_match") == "all":
            for slug in slugs:
                queryset = queryset.filter(
                    Exists(
                        TaggedArticle.objects.filter(content_object=OuterRef("pk"), tag__slug=slug)
                    )
                )
            return queryset
        return queryset.filter(
            Exists(TaggedArticle.objects.filter(content_object=OuterRef("pk"), tag__slug__in=slugs))
        )

    def filter_author(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Exists(Byline.objects.filter(article=OuterRef("pk"), author__slug=value))
        )
