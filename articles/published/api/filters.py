"""Filters of the public article lists (django-filter)."""

from __future__ import annotations

import copy
from collections import OrderedDict
from datetime import UTC

import django_filters
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet
from drf_spectacular.utils import extend_schema_field

from articles.models import Language
from articles.published.models import PublishedArticle, PublishedArticleAuthor, PublishedArticleTag
from newsroom.api.params import InvalidParameter

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"


class ShallowCopyMixin:
    """django-filter deep-copies every filter of a FilterSet for every request, validators,
    choices and help texts included (half a millisecond per list request here). Our filters
    keep no state of their own during a request except the `model` and `parent` the FilterSet
    then sets on its copy, so a shallow copy is enough: a new instance sharing the original's
    attributes, as `copy.copy` makes it without its generic protocol.
    """

    def __deepcopy__(self, memo):
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.method = self.method  # binds a `method=` filter to the copy, not to the original
        return clone


class Filters(OrderedDict):
    """A FilterSet's `base_filters`, which it deep-copies for every request: a new dict of
    the filters' own copies, without `copy.deepcopy`'s generic walk of the dict."""

    def __deepcopy__(self, memo):
        return OrderedDict((name, copy.deepcopy(filter_, memo)) for name, filter_ in self.items())


class ChoiceFilter(ShallowCopyMixin, django_filters.ChoiceFilter):
    pass


@extend_schema_field({"type": "string", "pattern": SLUG_PATTERN})
class SlugFilter(ShallowCopyMixin, django_filters.CharFilter):
    """One slug; anything else is a 400 naming the parameter."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [validate_slug])
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "string", "pattern": r"^[-a-zA-Z0-9_]+(,[-a-zA-Z0-9_]+){0,9}$"})
class SlugListFilter(ShallowCopyMixin, django_filters.CharFilter):
    """One to ten comma-separated slugs, e.g. `?tag=banjir,bandung`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [validate_slug_list])
        super().__init__(*args, **kwargs)


def validate_slug_list(value: str) -> None:
    slugs = value.split(",")
    if len(slugs) > 10:
        raise ValidationError("Give at most 10 slugs.", code="invalid_parameter")
    for slug in slugs:
        validate_slug(slug)


class UTCDateTimeFilter(ShallowCopyMixin, django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time, compared in UTC.

    ISO 8601 allows offsets (e.g. +16:18) that PostgreSQL refuses, so the value is converted
    to UTC first; one that leaves the representable range is a 400, not a database error.
    """

    def __init__(self, *args, param: str, **kwargs):
        self.param = param
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value):
        if value is not None:
            try:
                value = value.astimezone(UTC)
            except OverflowError as exc:
                raise InvalidParameter(self.param, "This date-time is out of range.") from exc
        return super().filter(qs, value)


class ArticleFilter(django_filters.FilterSet):
    section = SlugFilter(field_name="section__slug", help_text="Section slug, e.g. `daerah`.")
    tag = SlugListFilter(
        method="filter_tags",
        help_text="One or several tag slugs, comma-separated; see `tag_match`.",
    )
    tag_match = ChoiceFilter(
        choices=[("any", "any"), ("all", "all")],
        method="filter_noop",
        empty_label=None,
        help_text="With several tags: `any` (default) or `all` of them.",
    )
    author = SlugFilter(method="filter_author", help_text="Author slug.")
    language = ChoiceFilter(choices=Language.choices)
    published_after = UTCDateTimeFilter(
        param="published_after",
        field_name="published_at",
        lookup_expr="gte",
        help_text="ISO 8601 date-time, inclusive.",
    )
    published_before = UTCDateTimeFilter(
        param="published_before",
        field_name="published_at",
        lookup_expr="lt",
        help_text="ISO 8601 date-time, exclusive.",
    )

    class Meta:
        model = PublishedArticle
        fields: list[str] = []

    @classmethod
    def get_filters(cls):
        return Filters(super().get_filters())

    def get_form_class(self):
        # A form of only the filters the request gives, built once per class and set of
        # parameters (at most 2**7): django-filter builds a form class of every filter for
        # every request, and its form then copies and cleans every field, given or not.
        names = frozenset(self.data.keys() & self.filters.keys())
        form_classes = type(self).__dict__.get("_form_classes")
        if form_classes is None:
            form_classes = type(self)._form_classes = {}
        form_class = form_classes.get(names)
        if form_class is None:
            fields = {name: self.filters[name].field for name in self.filters if name in names}
            form_class = type(f"{type(self).__name__}Form", (self._meta.form,), fields)
            form_classes[names] = form_class
        return form_class

    # One tag, or one author, reads its rows of the published world in list order (see
    # `PublishedListingQuerySet.rows_of`): a page costs the same whatever the tag's size. Off
    # for lists in another order (search ranks its matches).
    list_by_rows = True

    @classmethod
    def listed_alone(cls, params) -> tuple[type[models.Model], str] | None:
        """`(PublishedArticleTag, slug)` or `(PublishedArticleAuthor, slug)` when the query
        `params` filter by one tag or one author and by nothing else, read without building
        the filter set: a view listing every visible article then reads that tag's or
        author's rows among them (`rows_of` without `articles`) and builds neither. None
        otherwise, and for a value the filters would change or refuse, so that they answer
        it.
        """
        if not cls.list_by_rows:
            return None
        given = {name: params[name] for name in cls.base_filters.keys() & params.keys()}
        if given.get("tag_match") in ("any", "all"):
            del given["tag_match"]  # with one tag, either gives the same rows
        if len(given) != 1:
            return None
        ((name, slug),) = given.items()
        model = {"tag": PublishedArticleTag, "author": PublishedArticleAuthor}.get(name)
        if model is None:
            return None
        try:
            validate_slug(slug)  # as both filters validate a slug; a list of tags has commas
        except ValidationError:
            return None
        return model, slug

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        self.listed_by = None
        filtered = super().filter_queryset(queryset)
        if self.listed_by is None:
            return filtered
        model, slug = self.listed_by
        return model.objects.rows_of(slug=slug, articles=filtered)

    def filter_noop(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset

    def filter_tags(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        slugs = value.split(",")
        if len(slugs) == 1 and self.list_by_rows and self.listed_by is None:
            self.listed_by = (PublishedArticleTag, slugs[0])
            return queryset
        # EXISTS rather than a join: no duplicate rows, no DISTINCT.
        if self.form.cleaned_data.get("tag_match") == "all":
            for slug in slugs:
                queryset = queryset.filter(
                    Exists(
                        PublishedArticleTag.objects.filter(article=OuterRef("pk"), tag__slug=slug)
                    )
                )
            return queryset
        return queryset.filter(
            Exists(PublishedArticleTag.objects.filter(article=OuterRef("pk"), tag__slug__in=slugs))
        )

    def filter_author(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if self.list_by_rows and self.listed_by is None:
            self.listed_by = (PublishedArticleAuthor, value)
            return queryset
        return queryset.filter(
            Exists(
                PublishedArticleAuthor.objects.filter(article=OuterRef("pk"), author__slug=value)
            )
        )


class SearchFilter(ArticleFilter):
    """`ArticleFilter` for search results, which keep their order by relevance."""

    list_by_rows = False


def article_filter_without(*names: str, list_by_rows: bool = True) -> type[ArticleFilter]:
    """`ArticleFilter` less the filters a nested list already fixes (e.g. its section).

    A list that reads tag or author rows itself takes `list_by_rows=False`.
    """
    filterset = type(
        f"ArticleFilterWithout{''.join(n.title() for n in names)}",
        (ArticleFilter,),
        {"list_by_rows": list_by_rows},
    )
    for name in names:
        del filterset.base_filters[name]
    return filterset
