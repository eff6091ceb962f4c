"""The public, read-only content API.

Articles are read from the published world only (`PublishedArticle`, built by
`articles.published` when an article is published or changes): lists are one indexed query
over stored teasers, a detail is one lookup of a stored document, both served without being
serialized again. Anything not live answers 404 exactly like a slug that never existed.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta
from functools import cached_property, partial

import orjson
from django.conf import settings
from django.db import connections
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter
from rest_framework import generics, serializers
from rest_framework.response import Response

from articles.models import ArticleSlugHistory, Author, Section
from articles.published.api.filters import (
    ArticleFilter,
    SearchFilter,
    article_filter_without,
)
from articles.published.cache import cache_tag
from articles.published.models import PublishedArticle, PublishedArticleAuthor, PublishedArticleTag
from articles.published.reads import published_tag_merged_slug, published_tags
from articles.published.serializers import (
    ArticleDetailSerializer,
    ArticleTeaserSerializer,
    AuthorSerializer,
    SectionSerializer,
    TagSerializer,
)
from newsroom.api.errors import first_error
from newsroom.api.pagination import ArticleCursorPagination, SearchPagination
from newsroom.api.params import InvalidParameter, StrictQueryParamsMixin
from newsroom.api.schema import extend_schema
from newsroom.http.cache_purge import cache_tags_set
from newsroom.http.not_modified import keep_not_modified
from tagging.models import TopicTag

ARTICLE_FILTER_PARAMS = frozenset(ArticleFilter.base_filters)
LIST_PARAMS = frozenset({"cursor", "page_size"}) | ARTICLE_FILTER_PARAMS
# What a list reads of each `PublishedArticle` row.
LIST_ROW_FIELDS = ("published_at", "updated_at", "teaser")
# `popular_days` on the tag list: at most a year.
POPULAR_DAYS_MAX = 366


def _set_last_modified(response: Response, timestamps) -> Response:
    latest = max((t for t in timestamps if t), default=None)
    if latest and response.status_code == 200:
        response["Last-Modified"] = http_date(latest.timestamp())
    return response


def view_release(view, response) -> None:
    """Drop what ties a served view, its request and its response to each other."""
    request = view.__dict__.get("request")
    if request is not None:
        request.parser_context = None  # DRF's request refers to itself through it
    response.renderer_context = None
    view.__dict__.clear()


class PublicAPIView(StrictQueryParamsMixin, generics.GenericAPIView):
    """Anonymous, read-only, strict about parameters; caching headers set on success."""

    # The answer's cache tags (`articles.published.cache`); a view sets its own once it
    # knows the section, tag, author or article it answers about.
    cache_tags: list[str] = [cache_tag("articles")]

    def filter_queryset(self, queryset):
        try:
            return super().filter_queryset(queryset)
        except serializers.ValidationError as exc:
            # A filter refused its query parameter: one code for every bad parameter.
            field, message, _code = first_error(exc.detail)
            raise InvalidParameter(field or "query", message) from exc

    def rendered(self, data) -> HttpResponse:
        """`data` rendered by the renderer the request negotiated, in a plain Django response:
        the body and Content-Type DRF's `Response` gives it, without the template response
        that `Response` is built on (4 % of a detail's instructions; docs/performance.md,
        "Ninth round")."""
        renderer = self.request.accepted_renderer
        content_type = renderer.media_type
        if renderer.charset:
            content_type = f"{content_type}; charset={renderer.charset}"
        body = renderer.render(data, self.request.accepted_media_type)
        return HttpResponse(body, content_type=content_type)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # A 304 carries the Cache-Control its 200 would have (RFC 9110, 15.4.5).
        if response.status_code in (200, 304) and "Cache-Control" not in response:
            response["Cache-Control"] = settings.API_CACHE_CONTROL
        if response.status_code == 200:
            cache_tags_set(response, self.cache_tags)
        # Break DRF's reference cycles (this view holds the request and the response, whose
        # renderer context holds this view) once the answer is sent: the request's objects,
        # response body included, are then freed at once instead of at the garbage
        # collector's next full pass, which piled up megabytes in a worker
        # (docs/performance.md, "Worker memory"). Django closes a response when the server
        # has sent it, running these closers (`HttpResponseBase.close`).
        response._resource_closers.append(partial(view_release, self, response))
        return response


class PublishedCursorPagination(ArticleCursorPagination):
    ordering = ("-published_at", "-article_id")


class ArticleListBase(PublicAPIView, generics.ListAPIView):
    """A list of published articles: stored teasers, one indexed query, no serializing."""

    queryset = PublishedArticle.objects.none()  # for the schema generator; see get_queryset()
    serializer_class = ArticleTeaserSerializer  # documents `teaser`, which it built
    pagination_class = PublishedCursorPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ArticleFilter
    allowed_query_params = LIST_PARAMS
    # `base_queryset()` is every visible article; False where a view narrows it.
    lists_all_visible = True

    def base_queryset(self):
        return PublishedArticle.objects.visible()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        # Plain rows: the cursor reads `published_at` from them, the page their `teaser`.
        return self.base_queryset().values(*LIST_ROW_FIELDS)

    def filter_queryset(self, queryset):
        if not self.filterset_class.base_filters.keys() & self.request.query_params.keys():
            return queryset  # no filter asked for: skip building the filter form
        return super().filter_queryset(queryset)

    def list(self, request, *args, **kwargs):
        rows = self.paginate_queryset(self.listing())
        response = self.paginator.get_paginated_response(
            [orjson.Fragment(row["teaser"]) for row in rows]
        )
        return _set_last_modified(response, (row["updated_at"] for row in rows))

    def listing(self):
        """What the page is cut from: the view's queryset through the request's filters."""
        return self.filter_queryset(self.get_queryset())


@extend_schema(tags=["articles"], summary="Latest published articles")
class ArticleListView(ArticleListBase):
    """Published articles, newest first, with cursor pagination and filters."""

    def listing(self):
        # One tag's or one author's articles and no other filter (`?tag=` or `?author=`, a
        # topic or byline page): their own rows among every visible article, as the filters
        # would give them, without building the queryset and the filters that those rows do
        # not read (0.3 ms of CPU per request, docs/performance.md, "Seventh round").
        alone = self.filterset_class.listed_alone(self.request.query_params)
        if alone is None:
            return super().listing()
        model, slug = alone
        return model.objects.rows_of(slug=slug)


@extend_schema(tags=["articles"], summary="One published article by slug")
class ArticleDetailView(PublicAPIView, generics.RetrieveAPIView):
    """Everything a page needs: body as HTML and as blocks with related reading in place,
    photos with renditions, bylines, tags and schema.org JSON-LD."""

    queryset = PublishedArticle.objects.none()  # for the schema generator
    serializer_class = ArticleDetailSerializer  # documents `document`, which it built
    lookup_field = "slug"

    def retrieve(self, request, *args, **kwargs):
        slug = kwargs["slug"]
        if request.headers.get("If-None-Match"):
            # A revalidation: the stored ETag alone settles it, without the document.
            head = PublishedArticle.objects.detail_row(slug, with_document=False)
            if head is None:
                return self._redirect_old_slug(slug)
            _, etag, updated_at, _ = head
            not_modified = get_conditional_response(
                request, etag=quote_etag(etag), last_modified=updated_at.timestamp()
            )
            if not_modified is not None:
                not_modified["ETag"] = quote_etag(etag)
                keep_not_modified(request)
                return not_modified
        row = PublishedArticle.objects.detail_row(slug)
        if row is None:
            return self._redirect_old_slug(slug)
        document, etag, updated_at, cache_tags = row
        response = self.rendered(orjson.Fragment(document))
        response["ETag"] = quote_etag(etag)
        self.cache_tags = cache_tags.split()
        return _set_last_modified(response, [updated_at])

    def _redirect_old_slug(self, slug: str):
        """A slug an editor replaced after publishing redirects to the current one."""
        current_slug = (
            ArticleSlugHistory.objects.filter(
                slug=slug, article__published__in=PublishedArticle.objects.visible()
            )
            .values_list("article__published__slug", flat=True)
            .first()
        )
        if current_slug is None:
            raise Http404
        return HttpResponsePermanentRedirect(
            reverse("api:article-detail", kwargs={"slug": current_slug})
        )


@contextmanager
def planned_per_query(using: str):
    """Statements run inside on database `using` are not prepared server-side (PostgreSQL).

    After five runs of one statement PostgreSQL may switch to a generic plan, made without
    the parameters' values; for search, whose best plan depends on how common the words
    are, that plan was twice as slow.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    threshold = connection.connection.prepare_threshold
    connection.connection.prepare_threshold = None
    try:
        yield
    finally:
        if connection.connection is not None:  # None if the request closed it
            connection.connection.prepare_threshold = threshold


@extend_schema(
    tags=["articles"],
    summary="Full-text search",
    parameters=[
        OpenApiParameter(
            "q",
            {
                "type": "string",
                "minLength": 1,
                "maxLength": 200,
                # Something to search for, and no NUL byte (PostgreSQL cannot hold one).
                "pattern": r"^[^\u0000]*\S[^\u0000]*$",
            },
            required=True,
            description="Words to search for.",
        ),
    ],
)
class SearchView(ArticleListBase):
    """Published articles matching `q`, most relevant first, then newest; the newest
    `API_SEARCH_RANK_WINDOW` matches (2,000 by default) are ranked, older ones are found by
    narrowing the search (e.g. with `published_before`).

    PostgreSQL: full-text search with the article language's stemming (Indonesian or
    English), headline weighted above dek above body. SQLite: every word must appear in the
    headline, dek or body; headline matches first.
    """

    lists_all_visible = False  # matches only
    pagination_class = SearchPagination
    filterset_class = SearchFilter
    allowed_query_params = frozenset({"q", "page", "page_size"}) | ARTICLE_FILTER_PARAMS

    def base_queryset(self):
        return PublishedArticle.objects.visible().search(self.search_query)

    @cached_property
    def search_query(self) -> str:
        query = self.request.query_params.get("q", "").strip()
        if not query:
            raise InvalidParameter("q", "Give the words to search for in q.")
        if len(query) > 200:
            raise InvalidParameter("q", "q may be at most 200 characters long.")
        return query

    def list(self, request, *args, **kwargs):
        # The database public reads go to: the primary, or a replica (newsroom/replicas.py).
        with planned_per_query(PublishedArticle.objects.db):
            return super().list(request, *args, **kwargs)

    def listing(self):
        if self.filterset_class.base_filters.keys() & self.request.query_params.keys():
            return super().listing()
        # `q` and no filter (a site's search box): the matches read in SQL, without
        # building and compiling the ORM's two statements (about 2 ms of CPU per search,
        # docs/performance.md, "Eighth round").
        return PublishedArticle.objects.visible_search(
            self.search_query, window=settings.API_SEARCH_RANK_WINDOW
        )

    def filter_queryset(self, queryset):
        matches = super().filter_queryset(queryset)
        window = settings.API_SEARCH_RANK_WINDOW
        return matches.search_ranked(self.search_query, window=window).values(*LIST_ROW_FIELDS)


@extend_schema(tags=["sections"], summary="All sections")
class SectionListView(PublicAPIView, generics.ListAPIView):
    serializer_class = SectionSerializer
    pagination_class = None
    queryset = Section.objects.all()
    cache_tags = [cache_tag("sections")]


@extend_schema(tags=["sections"], summary="One section")
class SectionDetailView(PublicAPIView, generics.RetrieveAPIView):
    serializer_class = SectionSerializer
    lookup_field = "slug"
    queryset = Section.objects.all()

    def get_object(self):
        section = super().get_object()
        self.cache_tags = [cache_tag("section", section.pk)]
        return section


@extend_schema(tags=["sections"], summary="Published articles of a section")
class SectionArticleListView(ArticleListBase):
    filterset_class = article_filter_without("section")
    allowed_query_params = LIST_PARAMS - {"section"}
    lists_all_visible = False

    def base_queryset(self):
        section = get_object_or_404(Section, slug=self.kwargs["slug"])
        self.cache_tags = [
            cache_tag("section", section.pk),
            cache_tag("section-articles", section.pk),
        ]
        return PublishedArticle.objects.visible().filter(section=section)


def _authors_with_live_articles():
    visible = PublishedArticle.objects.visible().values("article_id")
    return Author.objects.filter(
        Exists(PublishedArticleAuthor.objects.filter(author=OuterRef("pk"), article__in=visible))
    )


@extend_schema(tags=["authors"], summary="Authors with published articles")
class AuthorListView(PublicAPIView, generics.ListAPIView):
    """Only authors bylined on a published article; never e-mail or account details."""

    serializer_class = AuthorSerializer
    pagination_class = None

    cache_tags = [cache_tag("articles"), cache_tag("authors")]

    def get_queryset(self):
        return _authors_with_live_articles().order_by("name")


@extend_schema(tags=["authors"], summary="One author")
class AuthorDetailView(PublicAPIView, generics.RetrieveAPIView):
    serializer_class = AuthorSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return _authors_with_live_articles()

    def get_object(self):
        author = super().get_object()
        self.cache_tags = [cache_tag("author", author.pk), cache_tag("author-articles", author.pk)]
        return author


@extend_schema(tags=["authors"], summary="Published articles of an author")
class AuthorArticleListView(ArticleListBase):
    filterset_class = article_filter_without("author", list_by_rows=False)
    allowed_query_params = LIST_PARAMS - {"author"}

    def filter_queryset(self, queryset):
        author = get_object_or_404(_authors_with_live_articles(), slug=self.kwargs["slug"])
        self.cache_tags = [cache_tag("author", author.pk), cache_tag("author-articles", author.pk)]
        articles = super().filter_queryset(queryset)
        every_visible = self.lists_all_visible and articles is queryset  # no filter
        return PublishedArticleAuthor.objects.rows_of(
            pk=author.pk, articles=None if every_visible else articles
        )


def _tags_with_live_counts(*, since=None):
    """Tags on at least one live article, with `article_count` of live ones only.

    `since` counts only articles published from then on (popular tags of the last days).
    """
    live = Q(
        tagged_articles__content_object__in=PublishedArticle.objects.visible().values("article_id")
    )
    if since is not None:
        live &= Q(tagged_articles__content_object__published_at__gte=since)
    return TopicTag.objects.annotate(article_count=Count("tagged_articles", filter=live)).filter(
        article_count__gt=0
    )


def redirect_merged_tag(slug: str, route: str):
    """A 301 to `route` of the tag that `slug` was merged into (or renamed to), if that tag
    is listed; the feeds redirect the same way.

    One query; raises `Http404` when the slug never was a listed tag's.
    """
    current_slug = published_tag_merged_slug(slug=slug)
    if current_slug is None:
        raise Http404
    return HttpResponsePermanentRedirect(reverse(route, kwargs={"slug": current_slug}))


@extend_schema(tags=["tags"], summary="Tags of published articles, with counts")
class TagListView(PublicAPIView, generics.ListAPIView):
    """Tags on at least one published article; `article_count` counts published ones only.

    With `popular_days=N`, only articles published in the last N days count, and tags are
    ordered by that count: the popular tags of the last N days.
    """

    serializer_class = TagSerializer
    pagination_class = None
    allowed_query_params = frozenset({"kind", "popular_days"})
    cache_tags = [cache_tag("articles"), cache_tag("tags")]

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=TopicTag.Kind.values),
            OpenApiParameter(
                "popular_days",
                {"type": "integer", "minimum": 1, "maximum": POPULAR_DAYS_MAX},
                description="Count only articles published in the last N days.",
            ),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        since = None
        days = self.request.query_params.get("popular_days")
        if days is not None:
            if not (days.isascii() and days.isdigit() and 1 <= int(days) <= POPULAR_DAYS_MAX):
                raise InvalidParameter(
                    "popular_days", f"popular_days must be between 1 and {POPULAR_DAYS_MAX}."
                )
            since = timezone.now() - timedelta(days=int(days))
        queryset = _tags_with_live_counts(since=since).order_by("-article_count", "name")
        kind = self.request.query_params.get("kind")
        if kind is not None:
            if kind not in TopicTag.Kind.values:
                raise InvalidParameter(
                    "kind", f"kind must be one of {', '.join(TopicTag.Kind.values)}."
                )
            queryset = queryset.filter(kind=kind)
        return queryset


@extend_schema(tags=["tags"], summary="One tag")
class TagDetailView(PublicAPIView, generics.RetrieveAPIView):
    """A tag merged into another answers 301 with the other tag's address."""

    serializer_class = TagSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return _tags_with_live_counts()

    def get_object(self):
        tag = super().get_object()
        self.cache_tags = [cache_tag("tag", tag.pk), cache_tag("tag-articles", tag.pk)]
        return tag

    def retrieve(self, request, *args, **kwargs):
        try:
            return super().retrieve(request, *args, **kwargs)
        except Http404:
            return redirect_merged_tag(kwargs["slug"], "api:tag-detail")


@extend_schema(tags=["tags"], summary="Published articles with a tag")
class TagArticleListView(ArticleListBase):
    """A tag merged into another answers 301 with the other tag's article list."""

    filterset_class = article_filter_without("tag", "tag_match", list_by_rows=False)
    allowed_query_params = LIST_PARAMS - {"tag", "tag_match"}

    def filter_queryset(self, queryset):
        tag = get_object_or_404(published_tags(), slug=self.kwargs["slug"])
        self.cache_tags = [cache_tag("tag", tag.pk), cache_tag("tag-articles", tag.pk)]
        articles = super().filter_queryset(queryset)
        every_visible = self.lists_all_visible and articles is queryset  # no filter
        return PublishedArticleTag.objects.rows_of(
            pk=tag.pk, articles=None if every_visible else articles
        )

    def list(self, request, *args, **kwargs):
        try:
            return super().list(request, *args, **kwargs)
        except Http404:
            response = redirect_merged_tag(kwargs["slug"], "api:tag-articles")
            if request.META.get("QUERY_STRING"):
                response["Location"] += "?" + request.META["QUERY_STRING"]
            return response
