"""The record of an article: revisions, the audit log of status changes, corrections."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models.article import Article


class ArticleRevision(models.Model):
    """A snapshot of an article after one save: fields, bylines, tags, related reading, photos.

    Numbered per article from 1. `data` is plain JSON (see `services.article_snapshot`), so
    a revision stays readable after the related rows change or disappear.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("article")
    )
    number = models.PositiveIntegerField(_("number"))
    data = models.JSONField(_("snapshot"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="article_revisions",
        verbose_name=_("saved by"),
    )
    created_at = models.DateTimeField(_("saved at"), default=timezone.now)

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="articles_revision_number_once"
            ),
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of {self.article_id}"


class ArticleTransition(models.Model):
    """The audit log: one row per status change of an article (who, when, from, to, why)."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("article")
    )
    # NULL for the scheduler acting on an editor's earlier decision.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="article_transitions",
        verbose_name=_("user"),
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Article.Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Article.Status.choices)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["article", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.from_status} → {self.to_status}"


class Correction(models.Model):
    """A dated correction note appended by an editor; content edits never touch it."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("article")
    )
    text = models.TextField(_("correction"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="article_corrections",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("dated"), default=timezone.now)

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]
