"""WSGI entry point: `gunicorn newsroom.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

django_application = get_wsgi_application()

from newsroom.http.not_modified import NotModifiedCache  # noqa: E402 - needs Django set up

# Repeated revalidations of an article answered before Django (newsroom/http/not_modified.py).
application = NotModifiedCache.wrap(django_application)
