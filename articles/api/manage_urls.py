"""Routes of the write API, mounted at /api/v1/manage/ (token authentication)."""

from django.urls import path

from articles.api import article_views as views
from articles.api.photo_views import PhotoUploadView

app_name = "manage"

urlpatterns = [
    path("articles/", views.ArticleManageListView.as_view(), name="article-list"),
    path("articles/<int:pk>/", views.ArticleManageDetailView.as_view(), name="article-detail"),
    path("articles/<int:pk>/submit/", views.ArticleSubmitView.as_view(), name="article-submit"),
    path(
        "articles/<int:pk>/schedule/", views.ArticleScheduleView.as_view(), name="article-schedule"
    ),
    path("articles/<int:pk>/publish/", views.ArticlePublishView.as_view(), name="article-publish"),
    path(
        "articles/<int:pk>/unpublish/",
        views.ArticleUnpublishView.as_view(),
        name="article-unpublish",
    ),
    path(
        "articles/<int:pk>/preview/",
        views.ArticlePreviewLinkView.as_view(),
        name="article-preview-link",
    ),
    path("articles/<int:pk>/lock/", views.ArticleLockView.as_view(), name="article-lock"),
    path("photos/", PhotoUploadView.as_view(), name="photo-upload"),
]
