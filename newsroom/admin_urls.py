"""The admin's URLs, under /admin/: imported the first time a path under /admin/ is resolved,
or any URL is reversed, never by a web worker that serves only the public API
(docs/performance.md, "Worker memory").

Importing this module loads every app's `admin` module (`autodiscover`; the admin app is
installed as `SimpleAdminConfig`, which does not do it at start), registering their admins.
"""

from django.contrib import admin
from django.urls import path

from newsroom.accounts import password_reset

admin.autodiscover()

# Imported after `autodiscover`, as part of the articles admin it loads.
from articles.admin.dashboard import dashboard_index  # noqa: E402

admin.site.site_header = "Newsroom"
admin.site.site_title = "Newsroom admin"
admin.site.index_title = "Editorial desk"
admin.site.index_template = "admin/articles/dashboard.html"

urlpatterns = [
    *password_reset.urlpatterns,  # the admin's password reset (staff), before the admin's URLs
    # The admin's index is the editors' dashboard (`articles.admin.dashboard`).
    path("", admin.site.admin_view(dashboard_index), name="admin-dashboard"),
    path("", admin.site.urls),
]
