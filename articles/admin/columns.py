"""The article list's and change page's display columns: status badge, bylines, lead photo,
API link, corrections, audit log, live revision."""

from __future__ import annotations

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from articles.photos.admin import thumbnail_html

Status = Article.Status

STATUS_COLOURS = {
    Status.DRAFT: "#6c757d",
    Status.IN_REVIEW: "#b35900",
    Status.SCHEDULED: "#0b5cad",
    Status.PUBLISHED: "#1e7e34",
    Status.UNPUBLISHED: "#b02a37",
}


class ArticleColumnsMixin:
    """Read-only columns of `ArticleAdmin`; each costs no query per row or says what it costs."""

    @admin.display(description=_("corrections"))
    def corrections_list(self, obj: Article) -> str:
        if obj is None or not obj.pk:
            return "-"
        rows = [(c.created_at.strftime("%Y-%m-%d %H:%M"), c.text) for c in obj.corrections.all()]
        if not rows:
            return "-"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {}</li>", rows))

    @admin.display(description=_("status changes (audit log)"))
    def audit_log(self, obj: Article) -> str:
        """Newest first: when, who, from, to and the note. One query."""
        if obj is None or not obj.pk:
            return "-"
        rows = [
            (
                entry.created_at.strftime("%Y-%m-%d %H:%M"),
                str(entry.user or _("scheduler")),
                entry.get_from_status_display(),
                entry.get_to_status_display(),
                entry.note,
            )
            for entry in obj.transitions.select_related("user").order_by("-created_at", "-id")
        ]
        if not rows:
            return "-"
        return format_html(
            '<table id="audit-log">{}</table>',
            format_html_join(
                "", "<tr><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td></tr>", rows
            ),
        )

    @admin.display(description=_("live revision"))
    def live_revision_link(self, obj: Article) -> str:
        if obj is None or not obj.live_revision_id:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:articles_article_history", args=[obj.pk]),
            _("revision %(number)s") % {"number": obj.live_revision.number},
        )

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj: Article) -> str:
        return format_html(
            '<span style="display:inline-block;padding:2px 8px;border-radius:10px;'
            'color:#fff;background:{};font-weight:bold;white-space:nowrap">{}</span>',
            STATUS_COLOURS.get(obj.status, "#6c757d"),
            obj.get_status_display(),
        )

    @admin.display(description=_("bylines"))
    def byline_names(self, obj: Article) -> str:
        # Uses the prefetch from get_queryset; no query per row.
        return ", ".join(byline.author.name for byline in obj.bylines.all())

    @admin.display(description=_("lead photo"))
    def lead_photo_thumbnail(self, obj: Article) -> str:
        if obj.lead_photo is None:
            return "-"
        return thumbnail_html(obj.lead_photo.image, alt=obj.lead_photo.alt_text, size=60)

    @admin.display(description=_("API"))
    def api_link(self, obj: Article) -> str:
        if obj is None or not obj.slug:
            return "-"
        try:
            url = reverse("api:article-detail", kwargs={"slug": obj.slug})
        except NoReverseMatch:
            # The public API registers this name; until it exists there is nothing to link.
            return "-"
        return format_html('<a href="{}">{}</a>', url, url)
