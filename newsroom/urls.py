from django.conf import settings
from django.urls import URLResolver, include, path
from django.urls.resolvers import RoutePattern

from articles.wordpress.api import RedirectView
from newsroom.http.media import serve_media

handler400 = "newsroom.http.errors.api_bad_request"
handler404 = "newsroom.http.errors.api_not_found"
handler500 = "newsroom.http.errors.api_server_error"


def api_schema(request, *args, **kwargs):
    # The schema generator is imported when the schema is first asked for: public requests
    # never need it, and it costs a web worker megabytes (docs/performance.md).
    from drf_spectacular.views import SpectacularAPIView

    return SpectacularAPIView.as_view()(request, *args, **kwargs)


def api_docs(request, *args, **kwargs):
    from drf_spectacular.views import SpectacularSwaggerView

    return SpectacularSwaggerView.as_view(url_name="api-schema")(request, *args, **kwargs)


def sitemap(request, *args, **kwargs):
    # The sitemaps (Django's sitemaps framework, `xml.etree`) are imported with the first one
    # asked for, as the schema's generator is.
    from articles.published import sitemaps

    return sitemaps.sitemap(request, *args, **kwargs)


def news_sitemap(request, *args, **kwargs):
    from articles.published import sitemaps

    return sitemaps.news_sitemap(request, *args, **kwargs)


# The public API first: Django tries the patterns in order for every request, and nearly all
# requests are the API's (no two groups share a prefix, so the order changes no match).
urlpatterns = [
    # The write API (token authentication); the rest of api/v1/ is public and read-only.
    # Named by its module like the admin below: its views and the editing services they call
    # are imported when a path under api/v1/manage/ is first resolved or a URL reversed.
    URLResolver(
        RoutePattern("api/v1/manage/", is_endpoint=False),
        "articles.api.manage_urls",
        app_name="manage",
        namespace="manage",
    ),
    # Old addresses of imported WordPress sites (`articles.wordpress`), public like api/v1/.
    path("api/v1/redirects/", RedirectView.as_view(), name="redirects"),
    path("api/v1/", include("articles.published.api.urls", namespace="api")),
    # The feeds (Django's syndication framework, `xml.sax`, `urllib.request`), by module name
    # too: imported with the first feed, or the first URL reversed.
    URLResolver(RoutePattern("feeds/", is_endpoint=False), "articles.published.feeds"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("news-sitemap.xml", news_sitemap, name="news-sitemap"),
    path("api/schema/", api_schema, name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    # The admin, its dashboard and its password reset. Named by its module, not included:
    # Django imports it (and with it every app's admin) when a path under admin/ is first
    # resolved or a URL first reversed, not in a worker that only serves the public API.
    URLResolver(RoutePattern("admin/", is_endpoint=False), "newsroom.admin_urls"),
]

if settings.DEBUG:
    # Local development only; production serves media from its own origin (docs/operations.md).
    urlpatterns += [path("media/<path:path>", serve_media, name="media")]
