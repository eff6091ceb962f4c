from django.urls import path

from articles.published.api import preview, views

app_name = "api"

urlpatterns = [
    path("articles/", views.ArticleListView.as_view(), name="article-list"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="article-detail"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("preview/<str:token>/", preview.ArticlePreviewView.as_view(), name="article-preview"),
    path("sections/", views.SectionListView.as_view(), name="section-list"),
    path("sections/<slug:slug>/", views.SectionDetailView.as_view(), name="section-detail"),
    path(
        "sections/<slug:slug>/articles/",
        views.SectionArticleListView.as_view(),
        name="section-articles",
    ),
    path("authors/", views.AuthorListView.as_view(), name="author-list"),
    path("authors/<slug:slug>/", views.AuthorDetailView.as_view(), name="author-detail"),
    path(
        "authors/<slug:slug>/articles/",
        views.AuthorArticleListView.as_view(),
        name="author-articles",
    ),
    path("tags/", views.TagListView.as_view(), name="tag-list"),
    path("tags/<slug:slug>/", views.TagDetailView.as_view(), name="tag-detail"),
    path("tags/<slug:slug>/articles/", views.TagArticleListView.as_view(), name="tag-articles"),
]
