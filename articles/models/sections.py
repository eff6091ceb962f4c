"""Desks (groups of the newsroom) and the sections they own."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Desk(models.Model):
    """A group of the newsroom (Nasional, Daerah, Olahraga) owning some sections.

    A member sees only the articles of their desks' sections, of sections without a desk,
    and their own (`ArticleQuerySet.visible_to`); users in no desk are not desk-scoped.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="desks", blank=True, verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("desk")
        verbose_name_plural = _("desks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Section(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    desk = models.ForeignKey(
        Desk,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sections",
        verbose_name=_("desk"),
        help_text=_("Members of the desk see and work on its sections' articles."),
    )
    position = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Sections are listed in ascending order.")
    )

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name
