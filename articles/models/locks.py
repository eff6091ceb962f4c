"""Who has an article open (soft locks); the hard lock lives on the article row."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models.article import Article


class ArticleEditor(models.Model):
    """A soft lock: who has an article's change page open, refreshed while the page is open.

    Rows older than `services.SOFT_LOCK_SECONDS` are stale and ignored; nothing is refused
    because of them, the admin only warns.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="open_by", verbose_name=_("article")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="open_articles",
        verbose_name=_("user"),
    )
    seen_at = models.DateTimeField(_("last seen at"), default=timezone.now)

    class Meta:
        verbose_name = _("open article")
        verbose_name_plural = _("open articles")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="articles_editor_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.article_id}"
