"""Related reading: the links editors place between paragraphs ("Baca juga"), and the
suggestions ranked for readers in the background."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models.article import Article


class RelatedLink(models.Model):
    """A "Baca juga" / "Read also" link shown between body paragraphs.

    It points either to another article or to an outside URL with a title, never both and
    never neither (enforced by a database constraint).
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_links")
    target_article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="linked_from",
        verbose_name=_("related article"),
    )
    url = models.URLField(_("outside URL"), max_length=500, blank=True)
    title = models.CharField(
        _("title"), max_length=255, blank=True, help_text=_("Required for an outside URL.")
    )
    label = models.CharField(
        _("label"),
        max_length=50,
        blank=True,
        help_text=_('Empty: "Baca juga" for Indonesian articles, "Read also" for English.'),
    )
    after_paragraph = models.PositiveSmallIntegerField(
        _("after paragraph"),
        default=1,
        help_text=_("Shown after this body paragraph (1 = after the first)."),
    )
    position = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Order among links after the same paragraph.")
    )

    class Meta:
        verbose_name = _("related reading link")
        verbose_name_plural = _("related reading")
        ordering = ["after_paragraph", "position", "id"]
        constraints = [
            models.CheckConstraint(
                name="articles_relatedlink_one_target",
                condition=(Q(target_article__isnull=False) & Q(url=""))
                | (Q(target_article__isnull=True) & ~Q(url="")),
            ),
            models.CheckConstraint(
                name="articles_relatedlink_url_has_title",
                condition=Q(url="") | ~Q(title=""),
            ),
            models.CheckConstraint(
                name="articles_relatedlink_not_self",
                condition=~Q(target_article=models.F("article")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_label}: {self.display_title}"

    @property
    def display_label(self) -> str:
        return self.label or self.article.related_link_default_label

    @property
    def display_title(self) -> str:
        if self.target_article_id:
            return self.title or self.target_article.headline
        return self.title


class RelatedSuggestion(models.Model):
    """A related-reading suggestion for an article, computed in the background on publish.

    Ranked by `articles.published.suggestions`; the API shows them (still live ones only)
    when editors picked fewer links than `RELATED_SUGGESTIONS_MIN_LINKS`.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="related_suggestions"
    )
    target = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="suggested_from",
        verbose_name=_("suggested article"),
    )
    score = models.FloatField(_("score"))
    position = models.PositiveSmallIntegerField(_("rank"))
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("related-reading suggestion")
        verbose_name_plural = _("related-reading suggestions")
        ordering = ["article", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "target"], name="articles_relatedsuggestion_once"
            ),
            models.CheckConstraint(
                name="articles_relatedsuggestion_not_self",
                condition=~Q(target=models.F("article")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} for {self.article_id} (#{self.position})"
