"""Helpers for the WordPress import tests: the fixture exports, a `wp-content/uploads` copy
made of small generated images, and a snapshot of what an import writes."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image

from articles.models import (
    Article,
    ArticlePhoto,
    ArticleRevision,
    Author,
    Byline,
    RelatedLink,
    Section,
    TaggedArticle,
)
from articles.photos.models import Photo
from articles.published.models import PublishedArticle
from articles.wordpress.importer import wordpress_import
from articles.wordpress.index import wordpress_validate
from articles.wordpress.models import WordPressObject, WordPressPermalink, WordPressSite
from articles.wordpress.options import ImportOptions
from tagging.models import TopicTag

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "wxr"
THEME = str(FIXTURES / "themeunittestdata.wordpress.xml")
PORTAL = str(FIXTURES / "portal.wordpress.xml")

SNAPSHOT = (Article, Byline, TaggedArticle, RelatedLink, ArticlePhoto, ArticleRevision, Photo,
            Author, Section, TopicTag, PublishedArticle, WordPressSite, WordPressObject,
            WordPressPermalink)  # fmt: skip
IGNORED = {"search_vector", "updated_at", "created_at", "computed_at", "built_at"}


def media_dir_for(path: str, directory: Path) -> str:
    """A copy of `wp-content/uploads` for the export at `path`: a small image per image
    attachment, at the path its URL names."""
    index = wordpress_validate(path)
    for attachment in index.attachments.values():
        url_path = urlsplit(attachment.url).path
        relative = attachment.attached_file or url_path.split("/wp-content/uploads/")[-1]
        target = directory / relative.split("/files/")[-1].lstrip("/")
        suffix = target.suffix.lower()
        formats = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".gif": "GIF"}
        if suffix not in formats:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        Image.new("RGB", (64, 48), "green").save(buffer, formats[suffix])
        target.write_bytes(buffer.getvalue())
    return str(directory)


def run_import(paths, user, **options):
    return wordpress_import(
        paths=[paths] if isinstance(paths, str) else paths,
        user=user,
        options=ImportOptions(**options),
    )


def import_state() -> dict[str, list[tuple]]:
    """Every row an import writes (times left out), to compare one import with two."""
    state = {}
    for model in SNAPSHOT:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in IGNORED]
        state[model.__name__] = list(model.objects.order_by("pk").values_list(*fields))
    return state
