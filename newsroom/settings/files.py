"""Static files, media storage, and the limits on uploads and requests."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from newsroom.settings.core import DEBUG, SITE_URL
from newsroom.settings.environment import VAR_DIR, envint, envsecret

# --- Static and media files ---------------------------------------------------------------
# Media is written through Django's storage API; STORAGES["default"] can be switched to any
# django-storages backend (e.g. S3) by setting MEDIA_STORAGE_BACKEND.

STATIC_URL = os.environ.get("STATIC_URL", "/static/")
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Origin prefixed to media URLs in the API when MEDIA_URL is a path; in production a separate,
# cookie-less media origin (docs/operations.md, "Serving media in production").
MEDIA_PUBLIC_URL = os.environ.get("MEDIA_PUBLIC_URL", SITE_URL).rstrip("/")
STORAGES = {
    "default": {
        "BACKEND": os.environ.get(
            "MEDIA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
        ),
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}
# collectstatic keeps only the hashed copies (the names `{% static %}` gives), not the
# originals as well: WhiteNoise keeps an entry for every file in STATIC_ROOT in each web worker
# (docs/performance.md, "Sixth round"). tests/newsroom/test_static_files.py serves every
# file the admin's pages load from a collected STATIC_ROOT.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True

# MEDIA_STORAGE_BACKEND=s3: django-storages' S3 backend, on AWS or any S3-compatible server
# (MEDIA_S3_ENDPOINT_URL). Keys come from MEDIA_S3_ACCESS_KEY_ID / _SECRET_ACCESS_KEY, else
# from boto3's own chain (an instance role). Objects are public reads through their URL: the
# MEDIA_PUBLIC_URL origin (a CDN in front of the bucket) when it is set, else the bucket's own.
if STORAGES["default"]["BACKEND"] == "s3":
    MEDIA_S3_BUCKET = os.environ.get("MEDIA_S3_BUCKET", "")
    if not MEDIA_S3_BUCKET:
        raise ImproperlyConfigured("MEDIA_STORAGE_BACKEND=s3 needs MEDIA_S3_BUCKET")
    _s3_options = {
        "bucket_name": MEDIA_S3_BUCKET,
        "endpoint_url": os.environ.get("MEDIA_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("MEDIA_S3_REGION") or None,
        "access_key": envsecret("MEDIA_S3_ACCESS_KEY_ID"),
        "secret_key": envsecret("MEDIA_S3_SECRET_ACCESS_KEY"),
        # Unsigned, lasting URLs (the API's), and a new name for a clashing upload, as on disk.
        "querystring_auth": False,
        "file_overwrite": False,
    }
    if os.environ.get("MEDIA_PUBLIC_URL"):
        _scheme, _, _origin = MEDIA_PUBLIC_URL.partition("://")
        _s3_options.update({"custom_domain": _origin, "url_protocol": f"{_scheme}:"})
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}

# --- Uploads and request limits (docs/reliability.md, Figures) ---------------------------

# Longest URL (path and query string, as sent) answered: longer ones get 414 `uri_too_long`,
# JSON under /api/. Below gunicorn's request-line limit (gunicorn.conf.py), so clients meet
# this answer rather than gunicorn's page.
REQUEST_URI_MAX_LENGTH = envint("REQUEST_URI_MAX_LENGTH", 4096)
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# Uploads larger than this are streamed to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o644

PHOTO_MAX_UPLOAD_BYTES = envint("PHOTO_MAX_UPLOAD_BYTES", 25 * 1024 * 1024)
PHOTO_MAX_PIXELS = envint("PHOTO_MAX_PIXELS", 40_000_000)

PHOTO_MAX_GIF_FRAMES = envint("PHOTO_MAX_GIF_FRAMES", 300)

# Article body HTML is capped before sanitising (docs/reliability.md E4).
ARTICLE_BODY_MAX_BYTES = envint("ARTICLE_BODY_MAX_BYTES", 500 * 1024)
