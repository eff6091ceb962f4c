"""What a WordPress import remembers: the site, which of our objects each WordPress object
became, the old permalinks, and each run with its progress and summary."""

from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.models import Article


def permalink_key(url: str) -> str:
    """An old address as stored and looked up: the path (with a `?p=`/`?page_id=` query,
    which WordPress's plain permalinks use), percent-decoded, lower case, ending in a slash;
    a full URL gives its path."""
    parts = urlsplit(url.strip())
    path = unquote(parts.path or "/").lower()
    query = parts.query
    if query.startswith(("p=", "page_id=")):
        return f"{path.rstrip('/')}/?{query.split('&')[0]}"
    if not path.endswith("/"):
        path += "/"
    return path


class WordPressSite(models.Model):
    """One WordPress site, known by its `wp:base_blog_url` (e.g. https://portal.example)."""

    base_url = models.CharField(_("base URL"), max_length=255, unique=True)
    title = models.CharField(_("title"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("WordPress site")
        verbose_name_plural = _("WordPress sites")
        ordering = ["base_url"]

    def __str__(self) -> str:
        return self.base_url


class WordPressObject(models.Model):
    """A WordPress object (post, author, category, tag, attachment) and the id of what it
    became here; `content_hash` is the mapped content at the last import, `imported_version`
    the article's version right after it (a higher version: an editor changed it since)."""

    class Kind(models.TextChoices):
        POST = "post", _("post")
        AUTHOR = "author", _("author")
        CATEGORY = "category", _("category")
        TAG = "tag", _("tag")
        ATTACHMENT = "attachment", _("attachment")

    site = models.ForeignKey(WordPressSite, on_delete=models.CASCADE, related_name="objects_map")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # A post's or attachment's ID, or a term's or author's id (for an author: its login).
    wp_id = models.CharField(_("WordPress id"), max_length=150)
    object_id = models.PositiveBigIntegerField(_("our id"))
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    imported_version = models.PositiveIntegerField(_("version after import"), null=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("imported WordPress object")
        verbose_name_plural = _("imported WordPress objects")
        ordering = ["site", "kind", "wp_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "kind", "wp_id"], name="wordpress_object_once_per_site"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.wp_id} -> {self.object_id}"


class WordPressPermalink(models.Model):
    """An old address of an imported article (`/2024/05/06/slug/`, `/?p=123`,
    `/category/slug/`), answered with a 301 by the front end (`/api/v1/redirects/`)."""

    path = models.CharField(_("path"), max_length=500, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="wordpress_paths")
    site = models.ForeignKey(WordPressSite, on_delete=models.CASCADE, related_name="permalinks")

    class Meta:
        verbose_name = _("old WordPress address")
        verbose_name_plural = _("old WordPress addresses")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.path


class ImportStorage(FileSystemStorage):
    """Uploaded exports: a private directory, not MEDIA_ROOT (`WORDPRESS_IMPORT_DIR`), read
    when used so a changed setting applies."""

    @property
    def base_location(self) -> str:
        return str(settings.WORDPRESS_IMPORT_DIR)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def import_storage() -> FileSystemStorage:
    return ImportStorage()


class ImportRun(models.Model):
    """One import of one or more WXR files: by whom, how far it got, what it did."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    file = models.FileField(
        _("export file"), upload_to="exports/", storage=import_storage, blank=True
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    is_dry_run = models.BooleanField(_("dry run"), default=False)
    overwrite_edited = models.BooleanField(_("overwrite edited articles"), default=False)
    total = models.PositiveIntegerField(_("items"), default=0)
    processed = models.PositiveIntegerField(_("items done"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="wordpress_imports",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("WordPress import")
        verbose_name_plural = _("WordPress imports")
        ordering = ["-created_at", "-id"]
        permissions = [("run_import", _("Can import WordPress exports"))]

    def __str__(self) -> str:
        return f"{self.file_name or 'import'} ({self.get_status_display()})"
