from django.conf import settings
from django.contrib import admin
from django.urls import path
from django.views.static import serve

admin.site.site_header = "Newsroom"
admin.site.site_title = "Newsroom admin"
admin.site.index_title = "Editorial desk"

urlpatterns = [
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    # Local development only; production serves media from its own origin (README).
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
