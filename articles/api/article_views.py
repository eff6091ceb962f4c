"""The write API for articles under `/api/v1/manage/articles/`: drafts, edits, workflow
actions, preview links and locks.

Every view needs a token (`Authorization: Token <key>`) and a role. The queryset is scoped to
the user before any lookup: an editor sees every article, a writer only the ones they
created, so another writer's article answers 404 exactly like one that does not exist.
Updates are conditional: `If-Match` must carry the article's ETag (`"v<version>"`), so a
save based on an older version is refused (412) instead of overwriting a colleague's edit.
The views validate and translate; the writes are the services' (`articles.services`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from articles.api.base import (
    CONDITIONAL_RESPONSES,
    EMBED_422,
    ERROR_401,
    ERROR_403,
    IF_MATCH,
    IF_MATCH_OPTIONAL,
    LOCKED_409,
    VALIDATION_400,
    WRITE_403,
    ManageAPIView,
    PreconditionRequired,
)
from articles.api.manage_serializers import (
    EDITOR_ONLY_KEYS,
    ArticleLockSerializer,
    ArticleManageSerializer,
    ArticleWriteSerializer,
    EmptyActionSerializer,
    PreviewLinkSerializer,
    ScheduleSerializer,
    article_etag,
)
from articles.api.permissions import (
    CanPublishArticles,
    CanSubmitArticles,
)
from articles.models import Article, Byline, RelatedLink, TaggedArticle
from articles.services import (
    HARD_LOCK_SECONDS,
    PREVIEW_MAX_AGE,
    article_conflict,
    article_create,
    article_lock_acquire,
    article_lock_holder,
    article_lock_release,
    article_preview_token,
    article_save,
    article_set_status,
    user_can_publish,
    user_display_name,
)
from newsroom.api.errors import (
    FieldPermissionDenied,
    retry_transient_conflicts,
)
from newsroom.api.pagination import ArticleCursorPagination
from newsroom.api.schema import extend_schema
from newsroom.http.links import api_absolute_url


def _articles_in_scope(user) -> QuerySet[Article]:
    """Articles `user` may see in the write API; none in the trash.

    Editors: all, within their desks when they belong to any (`ArticleQuerySet.visible_to`,
    docs/reliability.md A6). Writers: their own, i.e. created by them or bylined to their author
    profile (as `services.user_owns_article` says).
    """
    queryset = Article.objects.filter(deleted_at__isnull=True)
    if user_can_publish(user):
        return queryset.visible_to(user)
    bylined = Byline.objects.filter(article=OuterRef("pk"), author__user=user)
    return queryset.filter(Q(created_by=user) | Exists(bylined))


def _manage_articles(user) -> QuerySet[Article]:
    """`_articles_in_scope` prefetched for `ArticleManageSerializer`: five queries for any
    number of articles (articles with section, bylines with authors, tags, related links,
    inline photos).
    """
    return (
        _articles_in_scope(user)
        .select_related("section")
        .prefetch_related(
            Prefetch(
                "bylines", queryset=Byline.objects.select_related("author").order_by("position")
            ),
            Prefetch(
                "tagged_items",
                queryset=TaggedArticle.objects.select_related("tag").order_by("tag__name"),
            ),
            Prefetch(
                "related_links", queryset=RelatedLink.objects.select_related("target_article")
            ),
            "article_photos",
        )
    )


def _parse_if_match(request, *, required: bool) -> int | None:
    """The version named by the If-Match header (`"v3"` gives 3), or None when absent.

    Raises 428 when the header is required and missing, or is `*` (which would match any
    version and so defeat the check). A value that is not one strong ETag like `"v3"` (a
    weak tag, a list, garbage) gives 0, which no article's version matches: 412.
    """
    raw = request.headers.get("If-Match", "").strip()
    if not raw:
        if required:
            raise PreconditionRequired()
        return None
    if raw == "*":
        raise PreconditionRequired(
            'If-Match: * is not accepted; send the article\'s ETag, e.g. "v3".'
        )
    tag = raw[1:-1] if len(raw) > 2 and raw[0] == raw[-1] == '"' else ""
    if tag.startswith("v") and tag[1:].isdigit() and len(tag) < 12:
        return int(tag[1:])
    return 0


def _write_context(request) -> dict[str, Any]:
    """Serializer context: the articles `request.user` may link to as related reading."""
    own = _articles_in_scope(request.user).values("pk")
    live = Article.objects.live().values("pk")
    return {"related_targets": Article.objects.filter(Q(pk__in=own) | Q(pk__in=live))}


def _refuse_editor_only_keys(request) -> None:
    """403 naming the first editor-only key a writer sent (docs/reliability.md B2).

    Checked from the role alone, before the article is looked up or the body validated.
    """
    if user_can_publish(request.user) or not isinstance(request.data, Mapping):
        return
    for key in EDITOR_ONLY_KEYS:
        if key in request.data:
            raise FieldPermissionDenied(
                key,
                f"Writers cannot set '{key}'; editors publish, schedule and unpublish "
                "with the workflow actions.",
            )


def _split_relations(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validated input as the services take it: content fields, and relations to replace."""
    fields = dict(data)
    relations = {
        "bylines": fields.pop("bylines", None),
        "tags": fields.pop("tags", None),
        "related_links": fields.pop("related", None),
        "photos": fields.pop("photos", None),
    }
    return fields, {name: value for name, value in relations.items() if value is not None}


class ArticleResponseMixin:
    def article_response(self, article: Article, *, status_code: int = 200) -> Response:
        """The article re-read with its prefetches (6 queries), with its ETag."""
        fresh = _manage_articles(self.request.user).get(pk=article.pk)
        response = Response(ArticleManageSerializer(fresh).data, status=status_code)
        response["ETag"] = article_etag(fresh)
        return response


class ManagePagination(ArticleCursorPagination):
    # Newest first by id: drafts have no publish time to page by.
    ordering = ("-id",)

    def parse_position(self, position: str) -> int:
        return int(position)


@extend_schema(tags=["manage"])
class ArticleManageListView(ArticleResponseMixin, ManageAPIView):
    """Articles in the user's scope (GET) and new drafts (POST)."""

    serializer_class = ArticleManageSerializer
    pagination_class = ManagePagination
    allowed_query_params = frozenset({"cursor", "page_size", "status"})
    queryset = Article.objects.none()  # for the schema generator; see get_queryset()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        queryset = _manage_articles(self.request.user)
        wanted = self.request.query_params.get("status")
        if wanted is not None:
            if wanted not in Article.Status.values:
                raise exceptions.ValidationError(
                    {
                        "status": [
                            exceptions.ErrorDetail(
                                f"status must be one of {', '.join(Article.Status.values)}.",
                                "invalid_parameter",
                            )
                        ]
                    }
                )
            queryset = queryset.filter(status=wanted)
        return queryset

    @extend_schema(
        summary="Articles I may edit (drafts included)",
        parameters=[OpenApiParameter("status", str, enum=Article.Status.values)],
        responses={200: ArticleManageSerializer(many=True), 401: ERROR_401, 403: ERROR_403},
    )
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ArticleManageSerializer(page, many=True).data)

    @extend_schema(
        summary="Create a draft",
        request=ArticleWriteSerializer,
        responses={
            201: ArticleManageSerializer,
            400: VALIDATION_400,
            401: ERROR_401,
            403: WRITE_403,
            413: OpenApiResponse(description="The body is over 5 MB (`request_too_large`)."),
            422: EMBED_422,
        },
    )
    @retry_transient_conflicts
    def post(self, request, *args, **kwargs):
        _refuse_editor_only_keys(request)
        serializer = ArticleWriteSerializer(data=request.data, context=_write_context(request))
        serializer.is_valid(raise_exception=True)
        fields, relations = _split_relations(serializer.validated_data)
        article = article_create(user=request.user, data=fields, **relations)
        return self.article_response(article, status_code=status.HTTP_201_CREATED)


class ArticleObjectMixin(ArticleResponseMixin):
    """Looks the article up in the user's scope only; anything else is 404."""

    queryset = Article.objects.none()  # for the schema generator; see get_queryset()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return _manage_articles(self.request.user)


@extend_schema(tags=["manage"])
class ArticleManageDetailView(ArticleObjectMixin, ManageAPIView):
    serializer_class = ArticleManageSerializer

    @extend_schema(
        summary="One article I may edit, with its ETag",
        responses={200: ArticleManageSerializer, 401: ERROR_401, 403: ERROR_403},
    )
    def get(self, request, *args, **kwargs):
        article = self.get_object()
        response = Response(ArticleManageSerializer(article).data)
        response["ETag"] = article_etag(article)
        return response

    @extend_schema(
        summary="Update an article (conditional: If-Match required)",
        request=ArticleWriteSerializer,
        parameters=[IF_MATCH],
        responses={
            200: ArticleManageSerializer,
            400: VALIDATION_400,
            401: ERROR_401,
            403: WRITE_403,
            **CONDITIONAL_RESPONSES,
            413: OpenApiResponse(description="The body is over 5 MB (`request_too_large`)."),
            422: EMBED_422,
            428: OpenApiResponse(description="No If-Match header (`precondition_required`)."),
        },
    )
    @retry_transient_conflicts
    def patch(self, request, *args, **kwargs):
        _refuse_editor_only_keys(request)
        article = self.get_object()
        expected = _parse_if_match(request, required=True)
        if expected != article.version:
            raise article_conflict(article=article, expected_version=expected)
        serializer = ArticleWriteSerializer(
            article, data=request.data, partial=True, context=_write_context(request)
        )
        serializer.is_valid(raise_exception=True)
        fields, relations = _split_relations(serializer.validated_data)
        # The service checks the version again under a row lock: the check above only spares
        # validating a body that cannot be saved.
        article = article_save(
            article=article, user=request.user, expected_version=expected, data=fields,
            **relations,
        )  # fmt: skip
        return self.article_response(article)


class ArticleActionView(ArticleObjectMixin, ManageAPIView):
    """POST-only workflow actions; `If-Match` is optional and checked when given."""

    input_serializer_class: type = EmptyActionSerializer
    serializer_class = ArticleManageSerializer
    target_status: str

    @retry_transient_conflicts
    def post(self, request, *args, **kwargs):
        article = self.get_object()
        expected = _parse_if_match(request, required=False)
        if expected is not None and expected != article.version:
            raise article_conflict(article=article, expected_version=expected)
        serializer = self.input_serializer_class(data=request.data or {})
        serializer.is_valid(raise_exception=True)
        article = article_set_status(
            article=article,
            status=self.target_status,
            user=request.user,
            publish_at=serializer.validated_data.get("publish_at"),
            expected_version=expected,
        )
        return self.article_response(article)


def _action_schema(summary: str, request=EmptyActionSerializer):
    return extend_schema(
        tags=["manage"],
        summary=summary,
        request=request,
        parameters=[IF_MATCH_OPTIONAL],
        responses={
            200: ArticleManageSerializer,
            400: VALIDATION_400,
            401: ERROR_401,
            403: ERROR_403,
            **CONDITIONAL_RESPONSES,
        },
    )


@_action_schema("Submit an article for review (writers: their own)")
class ArticleSubmitView(ArticleActionView):
    permission_classes = [CanSubmitArticles]
    target_status = Article.Status.IN_REVIEW


@_action_schema("Publish an article now (editors)")
class ArticlePublishView(ArticleActionView):
    permission_classes = [CanPublishArticles]
    unavailable_code = "publish_failed"
    target_status = Article.Status.PUBLISHED


@_action_schema("Schedule an article (editors)", request=ScheduleSerializer)
class ArticleScheduleView(ArticleActionView):
    permission_classes = [CanPublishArticles]
    unavailable_code = "publish_failed"
    input_serializer_class = ScheduleSerializer
    target_status = Article.Status.SCHEDULED


@_action_schema("Unpublish an article (editors)")
class ArticleUnpublishView(ArticleActionView):
    permission_classes = [CanPublishArticles]
    target_status = Article.Status.UNPUBLISHED


@extend_schema(tags=["manage"])
class ArticlePreviewLinkView(ArticleObjectMixin, ManageAPIView):
    """A signed preview link of the article's latest revision, as the admin's "Preview link".

    Editors only, like the admin's: the role is checked before the article is looked up.
    Writes nothing; the link expires after 15 minutes.
    """

    # The docstring is the OpenAPI description; the case is docs/reliability.md A8.
    permission_classes = [CanPublishArticles]
    serializer_class = PreviewLinkSerializer

    @extend_schema(
        summary="Make a preview link (editors)",
        request=EmptyActionSerializer,
        responses={
            200: PreviewLinkSerializer,
            400: VALIDATION_400,
            401: ERROR_401,
            403: ERROR_403,
        },
    )
    def post(self, request, *args, **kwargs):
        article = self.get_object()
        EmptyActionSerializer(data=request.data or {}).is_valid(raise_exception=True)
        revision = article.revisions.order_by("-number").first()
        if revision is None:
            raise exceptions.ValidationError(
                {"non_field_errors": [exceptions.ErrorDetail(
                    "The article has no saved revision to preview yet.", "no_revision"
                )]}
            )  # fmt: skip
        token = article_preview_token(article=article, revision=revision, user=request.user)
        url = api_absolute_url(reverse("api:article-preview", kwargs={"token": token}))
        return Response(
            PreviewLinkSerializer(
                {"url": url, "revision": revision.number,
                 "expires_at": timezone.now() + PREVIEW_MAX_AGE}
            ).data
        )  # fmt: skip


@extend_schema(tags=["manage"])
class ArticleLockView(ArticleObjectMixin, ManageAPIView):
    """The article's hard lock: POST takes or refreshes it, DELETE removes it.

    A lock expires 150 s after it was taken or last refreshed: POST again to keep it.
    Removing someone else's lock needs the `unlock_article` permission and is audited.
    """

    serializer_class = ArticleLockSerializer

    def lock_response(self, article: Article) -> Response:
        holder = article_lock_holder(article=article)
        state = {"locked": False, "locked_by": None, "locked_at": None, "expires_at": None}
        if holder is not None:
            state = {
                "locked": True,
                "locked_by": user_display_name(holder),
                "locked_at": article.locked_at,
                "expires_at": article.locked_at + timedelta(seconds=HARD_LOCK_SECONDS),
            }
        return Response(ArticleLockSerializer(state).data)

    @extend_schema(
        summary="Lock an article, or keep my lock",
        request=EmptyActionSerializer,
        responses={200: ArticleLockSerializer, 400: VALIDATION_400, 401: ERROR_401,
                   403: ERROR_403, 409: LOCKED_409},
    )  # fmt: skip
    @retry_transient_conflicts
    def post(self, request, *args, **kwargs):
        article = self.get_object()
        EmptyActionSerializer(data=request.data or {}).is_valid(raise_exception=True)
        return self.lock_response(article_lock_acquire(article=article, user=request.user))

    @extend_schema(
        summary="Unlock an article (someone else's: editors, audited)",
        responses={200: ArticleLockSerializer, 401: ERROR_401, 403: ERROR_403},
    )
    @retry_transient_conflicts
    def delete(self, request, *args, **kwargs):
        article = self.get_object()
        return self.lock_response(article_lock_release(article=article, user=request.user))
