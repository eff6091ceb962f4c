from __future__ import annotations

from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from django.contrib.admin import apps as admin_apps
from django.contrib.admin.checks import check_admin_app, check_dependencies
from django.contrib.staticfiles import apps as staticfiles_apps
from django.core import checks
from django.utils import translation

SELECT2_TRANSLATIONS_DIR = "admin/js/vendor/select2/i18n"


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


class StaticFilesConfig(staticfiles_apps.StaticFilesConfig):
    """Django's static files, where `collectstatic` leaves out the admin's select2
    translations for languages the admin does not offer (`LANGUAGES`): two of 59 are asked
    for, and WhiteNoise keeps an entry for every collected file in each web worker
    (docs/performance.md, "Worker memory")."""

    default = False

    @property
    def ignore_patterns(self) -> list[str]:
        return [*super().ignore_patterns, *select2_translations_not_offered()]


def select2_translations_not_offered() -> list[str]:
    """The select2 translations, as paths under the static root, that the admin's
    autocomplete (`AutocompleteMixin.media`) asks for in none of `LANGUAGES`."""
    import django.contrib.admin
    from django.contrib.admin.widgets import get_select2_language

    offered = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            offered.add(f"{get_select2_language()}.js")
    directory = Path(django.contrib.admin.__file__).parent / "static" / SELECT2_TRANSLATIONS_DIR
    return sorted(
        f"{SELECT2_TRANSLATIONS_DIR}/{path.name}"
        for path in directory.glob("*.js")
        if path.name not in offered
    )


class NewsroomConfig(AppConfig):
    """The project's own app: it has no models; it registers the settings checks."""

    name = "newsroom"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from newsroom import checks  # noqa: F401 (registers the settings checks)
