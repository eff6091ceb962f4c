"""Uploaded media as newsroom serves them itself: in development only (with `DEBUG`).

Production serves media from a separate, cookie-less origin (docs/operations.md, "Serving
media in production"), whose server sends the same headers as this view.
"""

from __future__ import annotations

from django.conf import settings
from django.views.decorators.http import require_safe
from django.views.static import serve

# Sent with every media file: a browser never guesses another type than the name's, and a
# file opened on its own runs nothing and reaches nothing, whatever it holds.
MEDIA_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


@require_safe
def serve_media(request, path: str):
    """A file under `MEDIA_ROOT`, with `MEDIA_HEADERS`; anything but an image is a download."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    for name, value in MEDIA_HEADERS.items():
        response[name] = value
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    if response.status_code == 200 and content_type not in IMAGE_TYPES:
        # FileResponse says "inline; filename=…": keep the name, never display it.
        disposition = response.get("Content-Disposition", "inline")
        response["Content-Disposition"] = disposition.replace("inline", "attachment", 1)
    return response
