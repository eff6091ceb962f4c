"""`GET /api/v1/redirects/?path=…`: where an old address of an imported site now lives.

A front end that took over a WordPress site's domain asks this for a path it does not know
and answers the reader with a 301 to `location`. Only articles readers may see now are
answered; any other path (never imported, or its article not published) is a 404 like any
unknown address, so nothing about unpublished articles is told.
"""

from __future__ import annotations

import orjson
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.response import Response

from articles.published.api.views import PublicAPIView
from articles.published.models import PublishedArticle
from articles.wordpress.models import WordPressPermalink, permalink_key
from newsroom.api.params import InvalidParameter
from newsroom.api.schema import extend_schema

# Characters of `path`. Percent-encoded, each may take 12 bytes of the URL: 300 keep the whole
# request under `REQUEST_URI_MAX_LENGTH` (4,096), so a long path is a 400 naming it, not a 414.
PATH_MAX_LENGTH = 300


class RedirectSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="The old path, as it is matched.")
    status = serializers.IntegerField(help_text="Always 301: the move is permanent.")
    location = serializers.CharField(help_text="The article's address now.")
    slug = serializers.CharField(help_text="The article's slug (`/api/v1/articles/{slug}/`).")


@extend_schema(
    tags=["redirects"],
    summary="Where an old address of an imported site moved",
    parameters=[
        OpenApiParameter(
            "path",
            {
                "type": "string",
                "minLength": 1,
                "maxLength": PATH_MAX_LENGTH,
                # Something to look up, and no NUL byte (as `q` of the search).
                "pattern": r"^[^\u0000]*\S[^\u0000]*$",
            },
            required=True,
            description=(
                "The old path, e.g. `/2024/05/06/slug/`, `/?p=123` or a full URL, "
                "percent-encoded or not."
            ),
        )
    ],
    responses=RedirectSerializer,
)
class RedirectView(PublicAPIView):
    serializer_class = RedirectSerializer
    allowed_query_params = frozenset({"path"})

    def get(self, request):
        path = request.query_params.get("path", "").strip()
        if not path:
            raise InvalidParameter("path", "Give the old path, e.g. /2024/05/06/slug/.")
        if len(path) > PATH_MAX_LENGTH:
            raise InvalidParameter("path", f"At most {PATH_MAX_LENGTH} characters.")
        key = permalink_key(path)
        visible = PublishedArticle.objects.visible()
        article_id = (
            WordPressPermalink.objects.filter(path=key, article_id__in=visible.values("article_id"))
            .values_list("article_id", flat=True)
            .first()
        )
        if article_id is None:
            raise Http404
        teaser = orjson.loads(visible.values_list("teaser", flat=True).get(article_id=article_id))
        return Response(
            {"path": key, "status": 301, "location": teaser["url"], "slug": teaser["slug"]}
        )
