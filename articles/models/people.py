"""Authors and bylines: who is credited on an article, in order."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.photos.images import PhotoField


def author_photo_upload_to(instance: Author, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()
    return f"authors/{uuid.uuid4().hex}{suffix}"


class Author(models.Model):
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    bio = models.TextField(_("bio"), blank=True)
    photo = PhotoField(_("photo"), upload_to=author_photo_upload_to, blank=True)
    email = models.EmailField(
        _("contact e-mail"), blank=True, help_text=_("For the newsroom only; never published.")
    )
    website = models.URLField(_("website"), blank=True)
    x_handle = models.CharField(_("X (Twitter) handle"), max_length=50, blank=True)
    instagram_handle = models.CharField(_("Instagram handle"), max_length=50, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
        verbose_name=_("user account"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Byline(models.Model):
    """An author credited on an article; `position` keeps the order readers see."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="bylines"
    )
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("byline")
        verbose_name_plural = _("bylines")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "author"], name="articles_byline_author_once"
            ),
        ]
        # Author pages: the articles of one author (the unique constraint leads with article).
        indexes = [models.Index(fields=["author", "article"], name="articles_byline_author_idx")]

    def __str__(self) -> str:
        return f"{self.author} on {self.article}"
