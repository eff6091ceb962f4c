from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.contrib.admin.checks import check_admin_app, check_dependencies
from django.core import checks


def check_admins(app_configs, **kwargs):
    """Django's checks of the registered admins, after registering them: the admin's URLconf
    runs `autodiscover` (`manage.py check` runs this; a web worker never does)."""
    import newsroom.admin_urls  # noqa: F401 (registers every app's admins)

    return check_admin_app(app_configs, **kwargs)


class AdminConfig(admin_apps.SimpleAdminConfig):
    """Django's admin without `autodiscover` at start (`newsroom.admin_urls` runs it when the
    admin is first needed), whose checks still see every registered admin."""

    default = False  # named in INSTALLED_APPS; `NewsroomConfig` stays this module's default

    def ready(self) -> None:
        checks.register(check_dependencies, checks.Tags.admin)
        checks.register(check_admins, checks.Tags.admin)


class NewsroomConfig(AppConfig):
    """The project's own app: it has no models; it registers the settings checks."""

    name = "newsroom"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from newsroom import checks  # noqa: F401 (registers the settings checks)
