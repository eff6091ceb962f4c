"""WSGI entry point: `gunicorn newsroom.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

from newsroom.deferred_imports import defer_imports

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

# DRF imports these only to learn whether they are installed; the schema uses them
# (newsroom/deferred_imports.py).
defer_imports("yaml", "uritemplate", "inflection")

django_application = get_wsgi_application()

from newsroom.http.not_modified import NotModifiedCache  # noqa: E402 - needs Django set up

# Repeated revalidations of an article answered before Django (newsroom/http/not_modified.py).
application = NotModifiedCache.wrap(django_application)
