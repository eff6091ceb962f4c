"""`collectstatic` leaves out what no page asks for: the admin's select2 translations for
the languages it does not offer (`newsroom.apps.StaticFilesConfig`)."""

from pathlib import Path

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.management import call_command
from django.utils import translation

from articles.models import Article
from newsroom.apps import SELECT2_TRANSLATIONS_DIR


def test_collectstatic_keeps_the_select2_translations_the_admin_asks_for(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    call_command("collectstatic", interactive=False, verbosity=0)

    asked = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            widget = AutocompleteSelect(Article._meta.get_field("section"), admin.site)
            asked |= {Path(js).name for js in widget.media._js if SELECT2_TRANSLATIONS_DIR in js}
    collected = {path.name for path in (tmp_path / SELECT2_TRANSLATIONS_DIR).iterdir()}
    assert asked == collected == {"en.js", "id.js"}
    # The rest of the admin's files are there.
    assert (tmp_path / "admin/js/vendor/select2/select2.full.min.js").is_file()
    assert (tmp_path / "admin/js/autocomplete.js").is_file()
    assert (tmp_path / "admin/css/base.css").is_file()
