"""The editors' admin for articles, photos, authors and sections.

Roles are enforced here and in `articles.services`: every status change (form save or list
action) goes through `article_set_status`, and a writer is never offered a way to publish.
User text is only ever rendered through `format_html` or auto-escaping templates.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from articles.admin_suggestions import ArticleSuggestionsAdminMixin
from articles.forms import (
    PUBLIC_STATUSES,
    ArticleAdminForm,
    BylineInlineFormSet,
    RelatedLinkInlineForm,
)
from articles.models import (
    Article,
    ArticlePhoto,
    ArticleRevision,
    ArticleSlugHistory,
    Author,
    Byline,
    Desk,
    RelatedLink,
    Section,
    TaggedArticle,
)
from articles.photos.admin import thumbnail_html
from articles.photos.models import Photo
from articles.services import (
    HARD_LOCK_SECONDS,
    SOFT_LOCK_SECONDS,
    UNLOCK_PERMISSION,
    article_add_correction,
    article_editor_seen,
    article_lock_acquire,
    article_lock_holder,
    article_lock_refresh,
    article_lock_release,
    article_notify_updated,
    article_preview_token,
    article_publish,
    article_purge,
    article_record_ignored_fields,
    article_record_old_slug,
    article_restore_from_trash,
    article_revision_baseline,
    article_revision_record,
    article_revision_restore,
    article_revisions_diff,
    article_set_status,
    article_submit_for_review,
    article_trash,
    article_unpublish,
    user_can_edit_article,
    user_can_publish,
    user_can_see_revisions,
)
from articles.signals import article_changes
from newsroom.admin import URL_FIELD_OVERRIDES, ConcurrentSaveAdminMixin
from newsroom.http.links import api_absolute_url

Status = Article.Status

STATUS_COLOURS = {
    Status.DRAFT: "#6c757d",
    Status.IN_REVIEW: "#b35900",
    Status.SCHEDULED: "#0b5cad",
    Status.PUBLISHED: "#1e7e34",
    Status.UNPUBLISHED: "#b02a37",
}

# Fields only `article_set_status` writes once an article exists.
STATUS_FIELDS = frozenset({"status", "published_at", "first_published_at", "last_published_at"})
# Fields only the workflow services write; a form save never does (its copy may be stale).
WORKFLOW_FIELDS = frozenset(
    {"version", "live_revision", "deleted_at", "created_by", "locked_by", "locked_at"}
)


# A form field's widget may post its value in parts: `published_at_0`, `published_at_1`.
WIDGET_PART = re.compile(r"_\d+$")


def posted_fields_not_offered(model: type[models.Model], data, form) -> list[str]:
    """Names of `model`'s fields whose values `data` (a POST) holds but `form` does not offer:
    hidden from this user or read-only for them. The form ignores them; the caller audits."""
    names = {}
    for field in (*model._meta.concrete_fields, *model._meta.many_to_many):
        names[field.name] = names[field.attname] = field.name
    posted = {names.get(key) or names.get(WIDGET_PART.sub("", key)) for key in data}
    return sorted(name for name in posted if name and name not in form.fields)


def _refusal_reason(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


# --- Inlines ------------------------------------------------------------------------------


class BylineInline(admin.TabularInline):
    model = Byline
    formset = BylineInlineFormSet
    fields = ("author", "position")
    autocomplete_fields = ("author",)
    ordering = ("position", "id")
    extra = 1
    verbose_name = _("byline")
    verbose_name_plural = _("bylines (in the order readers see them)")


class ArticlePhotoInline(admin.TabularInline):
    model = ArticlePhoto
    fields = ("photo", "thumbnail", "photo_caption", "after_paragraph", "position")
    readonly_fields = ("thumbnail", "photo_caption")
    autocomplete_fields = ("photo",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("photo")

    @admin.display(description=_("preview"))
    def thumbnail(self, obj: ArticlePhoto) -> str:
        if obj is None or not obj.photo_id:
            return "-"
        return thumbnail_html(obj.photo.image, alt=obj.photo.alt_text)

    @admin.display(description=_("caption and credit"))
    def photo_caption(self, obj: ArticlePhoto) -> str:
        if obj is None or not obj.photo_id:
            return "-"
        caption = obj.caption_override or obj.photo.caption
        return format_html("{}<br><small>{}</small>", caption, obj.photo.credit)


class RelatedLinkInline(admin.TabularInline):
    formfield_overrides = URL_FIELD_OVERRIDES
    model = RelatedLink
    fk_name = "article"
    form = RelatedLinkInlineForm
    fields = ("target_article", "url", "title", "label", "after_paragraph", "position")
    autocomplete_fields = ("target_article",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("target_article")


class TaggedArticleInline(admin.TabularInline):
    """Tags as rows with autocomplete, instead of taggit's comma-separated text field."""

    model = TaggedArticle
    fk_name = "content_object"
    fields = ("tag",)
    autocomplete_fields = ("tag",)
    extra = 1
    verbose_name = _("tag")
    verbose_name_plural = _("tags")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tag")


class TrashFilter(admin.SimpleListFilter):
    """Articles in use by default; the trash on request."""

    title = _("trash")
    parameter_name = "trash"

    def lookups(self, request, model_admin):
        return [("yes", _("In the trash"))]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Articles in use"),
        }
        yield from list(super().choices(changelist))[1:]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        return queryset.filter(deleted_at__isnull=True)


# --- Articles -----------------------------------------------------------------------------


@admin.register(Article)
class ArticleAdmin(ConcurrentSaveAdminMixin, ArticleSuggestionsAdminMixin, admin.ModelAdmin):
    formfield_overrides = URL_FIELD_OVERRIDES
    form = ArticleAdminForm
    list_display = (
        "headline",
        "status_badge",
        "section",
        "byline_names",
        "lead_photo_thumbnail",
        "language",
        "published_at",
        "updated_at",
    )
    list_filter = (
        TrashFilter,
        "status",
        "section",
        "authors",
        "tags",
        "language",
        "published_at",
        "created_at",
    )
    list_select_related = ("section", "lead_photo")
    search_fields = ("headline", "dek", "body")
    prepopulated_fields = {"slug": ("headline",)}
    autocomplete_fields = ("section", "lead_photo")
    readonly_fields = (
        "api_link",
        "first_published_at",
        "last_published_at",
        "created_by",
        "created_at",
        "updated_at",
        "corrections_list",
        "live_revision_link",
        "audit_log",
    )
    fieldsets = (
        (
            _("Content"),
            {"fields": ("loaded_version", "headline", "slug", "dek", "dateline", "body")},
        ),
        (_("Placement"), {"fields": ("section", "language", "lead_photo")}),
        (
            _("Publishing"),
            {
                "fields": (
                    "status",
                    "published_at",
                    "embargo_until",
                    "first_published_at",
                    "last_published_at",
                    "live_revision_link",
                    "api_link",
                ),
                "description": _(
                    "Choose Published to publish now, or Published with a future time to "
                    "schedule. Only editors can publish, schedule or unpublish. Before the "
                    "embargo time no public surface shows the article, whatever its status."
                ),
            },
        ),
        (_("Corrections"), {"fields": ("corrections_list", "new_correction")}),
        (
            _("Search engines"),
            {"fields": ("seo_title", "seo_description", "canonical_url"), "classes": ("collapse",)},
        ),
        (
            _("History"),
            {"fields": ("created_by", "created_at", "updated_at", "audit_log")},
        ),
    )
    inlines = (
        BylineInline,
        TaggedArticleInline,
        ArticlePhotoInline,
        RelatedLinkInline,
    )
    actions = (
        "submit_for_review_selected",
        "publish_selected",
        "unpublish_selected",
        "trash_selected",
        "restore_selected",
        "purge_selected",
    )
    ordering = ("-updated_at", "-id")
    change_form_template = "admin/articles/article/change_form.html"
    delete_confirmation_template = "admin/articles/article/delete_confirmation.html"

    def get_queryset(self, request):
        # One query for all bylines of the page instead of one per row.
        bylines = Byline.objects.select_related("author").order_by("position", "id")
        # Desk scoping before any lookup: another desk's article is neither listed nor found.
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .prefetch_related(Prefetch("bylines", queryset=bylines))
        )

    # --- Permissions ---

    def has_publish_permission(self, request) -> bool:
        return user_can_publish(request.user)

    def has_purge_permission(self, request) -> bool:
        return user_can_publish(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        # Published and scheduled articles are the editors' responsibility, and a writer
        # edits only their own articles: others are read-only (a POST is refused with 403).
        # An article in the trash is read-only for everyone until restored.
        if not super().has_change_permission(request, obj) or self._locked(request, obj):
            return False
        if obj is None:
            return True
        return obj.deleted_at is None and user_can_edit_article(user=request.user, article=obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not self._locked(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # "Delete" moves to the trash (`trash_selected`); purging is its own action.
        actions.pop("delete_selected", None)
        return actions

    @staticmethod
    def _locked(request, obj: Article | None) -> bool:
        """Whether `obj` is public and so out of reach for a user who cannot publish."""
        return (
            obj is not None and obj.status in PUBLIC_STATUSES and not user_can_publish(request.user)
        )

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if not user_can_publish(request.user):
            fields += ("published_at",)
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if user_can_publish(request.user):
            return fieldsets
        # Only editors add corrections.
        return [
            (
                name,
                {**options, "fields": tuple(f for f in options["fields"] if f != "new_correction")},
            )
            for name, options in fieldsets
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # modelform_factory builds a new class per call, so this never leaks between users.
        form.user = request.user
        return form

    # --- Saving ---

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The article, its inlines and its status change rebuild what readers see once, at
        # the end of the save and in its transaction (articles.published).
        with transaction.atomic(using=router.db_for_write(self.model)), article_changes():
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        status_change = getattr(form, "status_change_needed", False)
        if status_change:
            # Save the content with the stored status; the status change itself is made by
            # the service in save_related, after bylines and tags are saved.
            obj.status = form.original_status
            obj.published_at = form.original_published_at
        if not change:
            obj.created_by = request.user
            obj.version = 1
            obj.save()
            return
        article_revision_baseline(article=obj)
        skipped = WORKFLOW_FIELDS | (STATUS_FIELDS if status_change else frozenset())
        obj.save(
            update_fields=[
                field.attname
                for field in obj._meta.concrete_fields
                if not field.primary_key and field.name not in skipped
            ]
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        ignored = posted_fields_not_offered(Article, request.POST, form)
        if ignored:
            article_record_ignored_fields(article=article, user=request.user, fields=ignored)
        article.refresh_from_db(fields=["version"])
        correction = form.cleaned_data.get("new_correction")
        if correction:
            article_add_correction(article=article, text=correction, user=request.user)
        if not getattr(form, "status_change_needed", False):
            # Every save stores a revision; a new article's is revision 1.
            article_revision_record(article=article, user=request.user, bump=change)
            if change:
                loaded_slug = form.initial.get("slug")
                if loaded_slug and article.first_published_at and loaded_slug != article.slug:
                    article_record_old_slug(article=article, old_slug=loaded_slug)
                # Front ends purge their caches when a live article changes.
                article_notify_updated(article=article)
            return
        if not change:
            article_revision_record(article=article, user=request.user, bump=False)
        try:
            with transaction.atomic():
                # Stores the revision (content and new status) and the audit log entry.
                article_set_status(
                    article=article,
                    status=form.status_target,
                    user=request.user,
                    publish_at=form.cleaned_data.get("published_at", form.original_published_at),
                )
        except (ValidationError, PermissionDenied) as exc:
            # The form checked the move against the status it loaded; someone else may have
            # changed it since. The service rolled back its part; the content edits stay.
            article.refresh_from_db(fields=sorted(STATUS_FIELDS | {"slug", "version"}))
            if change:
                article_revision_record(article=article, user=request.user)
                article_notify_updated(article=article)
            self.message_user(
                request,
                _("Your changes were saved, but the status was not changed: %(reason)s")
                % {"reason": _refusal_reason(exc)},
                messages.ERROR,
            )

    def delete_model(self, request, obj):
        """The admin's delete moves to the trash; purging is a separate action."""
        article_trash(article=obj, user=request.user)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and obj.status in PUBLIC_STATUSES:
            self.message_user(
                request,
                _("Unpublish the article before moving it to the trash."),
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[obj.pk]))
        extra_context = {**(extra_context or {}), "title": _("Move to the trash?")}
        return super().delete_view(request, object_id, extra_context)

    # --- Workflow pages: history, restore, soft lock, preview ---

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/revisions/<int:number>/restore/",
                wrap(require_POST(self.restore_revision_view)),
                name="articles_article_restore_revision",
            ),
            path(
                "<path:object_id>/ping/",
                wrap(require_POST(self.ping_view)),
                name="articles_article_ping",
            ),
            path(
                "<path:object_id>/lock/",
                wrap(require_POST(self.lock_view)),
                name="articles_article_lock",
            ),
            path(
                "<path:object_id>/unlock/",
                wrap(require_POST(self.unlock_view)),
                name="articles_article_unlock",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, unquote(object_id))
        visible = obj is not None and self.has_view_or_change_permission(request, obj)
        if visible and request.method == "GET":
            extra_context["others_editing"] = article_editor_seen(article=obj, user=request.user)
            extra_context["soft_lock_seconds"] = SOFT_LOCK_SECONDS
            extra_context["lock_holder"] = article_lock_holder(article=obj)
            extra_context["can_unlock"] = request.user.has_perm(UNLOCK_PERMISSION)
            extra_context["hard_lock_minutes"] = HARD_LOCK_SECONDS / 60
            latest = obj.revisions.order_by("-number").first()
            if latest and user_can_publish(request.user) and obj.deleted_at is None:
                token = article_preview_token(article=obj, revision=latest, user=request.user)
                extra_context["preview_url"] = api_absolute_url(
                    reverse("api:article-preview", kwargs={"token": token})
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def ping_view(self, request, object_id):
        """Heartbeat of an open change page: keeps the soft lock, lists the others."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404
        others = article_editor_seen(article=obj, user=request.user)
        # The page being open keeps its user's hard lock, if they hold one.
        article_lock_refresh(article=obj, user=request.user)
        return JsonResponse({"others": [user.get_username() for user in others]})

    def lock_view(self, request, object_id):
        """Take the hard lock (or keep it): others' saves and status changes are refused."""
        return self._lock_action(request, object_id, article_lock_acquire, _("Article locked."))

    def unlock_view(self, request, object_id):
        """Remove the hard lock: the holder's own, or anyone's with `unlock_article` (audited)."""
        return self._lock_action(request, object_id, article_lock_release, _("Article unlocked."))

    def _lock_action(self, request, object_id, service, done: str):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404
        try:
            service(article=obj, user=request.user)  # PermissionDenied: 403
        except ValidationError as exc:
            self.message_user(request, _refusal_reason(exc), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[obj.pk]))

    def history_view(self, request, object_id, extra_context=None):
        """The article's revisions with who and when, a diff of any two and restore buttons.

        Earlier revisions may hold text its writer since removed, so they take what reading
        the article in the write API takes (`user_can_see_revisions`: editors, and writers for
        their own), not only the admin's view right. Another desk's article is not found
        (404); one the user may only view is 403, the admin's answer for no permission.
        """
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not user_can_see_revisions(user=request.user, article=obj):
            raise PermissionDenied
        revisions = list(obj.revisions.select_related("created_by").order_by("-number"))
        by_number = {revision.number: revision for revision in revisions}
        diff, old, new, error = None, None, None, ""
        if "a" in request.GET or "b" in request.GET:
            try:
                old = by_number[int(request.GET.get("a", ""))]
                new = by_number[int(request.GET.get("b", ""))]
            except (KeyError, ValueError):
                error = _("Choose two revisions of this article to compare.")
            else:
                diff = article_revisions_diff(old=old, new=new)
        elif len(revisions) >= 2:
            old, new = revisions[1], revisions[0]
            diff = article_revisions_diff(old=old, new=new)
        context = {
            **self.admin_site.each_context(request),
            "title": _("History of “%(headline)s”") % {"headline": obj.headline},
            "subtitle": None,
            "opts": self.opts,
            "original": obj,
            "object": obj,
            "revisions": revisions,
            "transitions": obj.transitions.select_related("user").order_by("-created_at", "-id"),
            "diff": diff,
            "old": old,
            "new": new,
            "error": error,
            "can_restore": self.has_change_permission(request, obj),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, "admin/articles/article/revisions.html", context, status=400 if error else 200
        )

    def restore_revision_view(self, request, object_id, number):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        revision = get_object_or_404(ArticleRevision, article=obj, number=number)
        try:
            with transaction.atomic():
                new = article_revision_restore(article=obj, revision=revision, user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, _refusal_reason(exc), messages.ERROR)
        else:
            self.message_user(
                request,
                _("Revision %(old)s restored as revision %(new)s.")
                % {"old": revision.number, "new": new.number},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:articles_article_history", args=[obj.pk]))

    # --- List columns ---

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

    # --- Actions ---

    @admin.action(description=_("Submit selected articles for review"), permissions=["change"])
    def submit_for_review_selected(self, request, queryset):
        self._apply_service(
            request,
            queryset,
            article_submit_for_review,
            done=lambda n: ngettext(
                "%(count)d article submitted for review.",
                "%(count)d articles submitted for review.",
                n,
            ),
        )

    @admin.action(description=_("Publish selected articles"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._apply_service(
            request,
            queryset,
            article_publish,
            done=lambda n: ngettext(
                "%(count)d article published.", "%(count)d articles published.", n
            ),
        )

    @admin.action(description=_("Unpublish selected articles"), permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        self._apply_service(
            request,
            queryset,
            article_unpublish,
            done=lambda n: ngettext(
                "%(count)d article unpublished.", "%(count)d articles unpublished.", n
            ),
        )

    @admin.action(description=_("Move selected articles to the trash"), permissions=["delete"])
    def trash_selected(self, request, queryset):
        self._apply_service(
            request,
            queryset,
            article_trash,
            done=lambda n: ngettext(
                "%(count)d article moved to the trash.", "%(count)d articles moved to the trash.", n
            ),
        )

    @admin.action(description=_("Restore selected articles from the trash"), permissions=["delete"])
    def restore_selected(self, request, queryset):
        self._apply_service(
            request,
            queryset,
            article_restore_from_trash,
            done=lambda n: ngettext(
                "%(count)d article restored.", "%(count)d articles restored.", n
            ),
        )

    @admin.action(description=_("Purge selected articles for good"), permissions=["purge"])
    def purge_selected(self, request, queryset):
        self._apply_service(
            request,
            queryset,
            article_purge,
            done=lambda n: ngettext("%(count)d article purged.", "%(count)d articles purged.", n),
        )

    def _apply_service(
        self,
        request,
        queryset,
        service: Callable[..., Article],
        *,
        done: Callable[[int], str],
    ) -> None:
        """Call `service` for each selected article; refusals become messages, not errors.

        Each article is changed in its own transaction, so one refusal does not undo the
        others.
        """
        changed = 0
        for article in queryset.select_related(None).prefetch_related(None).order_by("pk"):
            try:
                with transaction.atomic():
                    service(article=article, user=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(
                    request, f"{article.headline}: {_refusal_reason(exc)}", messages.ERROR
                )
            else:
                changed += 1
        if changed:
            self.message_user(request, done(changed) % {"count": changed}, messages.SUCCESS)


# --- Photos, authors, sections ------------------------------------------------------------

# Articles listed per role on a photo's page; a file photo used for years says "and more".
PHOTO_USAGE_LIMIT = 50


def article_photo_usage(*, photo: Photo, user, limit: int = PHOTO_USAGE_LIMIT) -> dict:
    """Where `photo` is used among the articles `user` may see (desk scoping,
    docs/reliability.md A6): as lead photo and inline, newest first, at most `limit` of each;
    `more` when some were left out. The photo admin's usage provider
    (`articles.photos.admin.photo_usage_register`).

    Two queries: the articles leading with it, its inline placements with their articles.
    """
    articles = Article.objects.visible_to(user)
    fields = ("headline", "status", "deleted_at", "updated_at")
    leads = list(
        articles.filter(lead_photo=photo).only(*fields).order_by("-updated_at", "-pk")[: limit + 1]
    )
    placements = list(
        ArticlePhoto.objects.filter(photo=photo, article__in=articles)
        .select_related("article")
        .only("after_paragraph", "article_id", *(f"article__{name}" for name in fields))
        .order_by("-article__updated_at", "-pk")[: limit + 1]
    )
    uses = [(article, _("Lead photo")) for article in leads[:limit]] + [
        (
            placement.article,
            _("Inline, after paragraph %(n)d") % {"n": placement.after_paragraph},
        )
        for placement in placements[:limit]
    ]
    rows = []
    for article, role in uses:
        status = article.get_status_display()
        if article.deleted_at:
            status = _("%(status)s, in the trash") % {"status": status}
        rows.append(
            {
                "headline": article.headline,
                "url": reverse("admin:articles_article_change", args=[article.pk]),
                "status": status,
                "role": role,
            }
        )
    return {"rows": rows, "more": len(leads) > limit or len(placements) > limit}


@admin.register(Author)
class AuthorAdmin(ConcurrentSaveAdminMixin, admin.ModelAdmin):
    formfield_overrides = URL_FIELD_OVERRIDES
    list_display = ("name", "thumbnail", "slug", "user")
    list_select_related = ("user",)
    search_fields = ("name", "slug", "bio")
    prepopulated_fields = {"slug": ("name",)}
    raw_id_fields = ("user",)
    readonly_fields = ("preview", "created_at")
    fieldsets = (
        (None, {"fields": ("name", "slug", "bio")}),
        (_("Photo"), {"fields": ("photo", "preview")}),
        (_("Contact and links"), {"fields": ("email", "website", "x_handle", "instagram_handle")}),
        (_("Account"), {"fields": ("user", "created_at")}),
    )

    @admin.display(description=_("photo"))
    def thumbnail(self, obj: Author) -> str:
        return thumbnail_html(obj.photo, alt=obj.name, size=40)

    @admin.display(description=_("preview"))
    def preview(self, obj: Author) -> str:
        if obj is None or not obj.pk:
            return "-"
        return thumbnail_html(obj.photo, alt=obj.name, size=160)


@admin.register(Section)
class SectionAdmin(ConcurrentSaveAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "desk", "position")
    list_editable = ("position",)
    list_filter = ("desk",)
    list_select_related = ("desk",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Desk)
class DeskAdmin(ConcurrentSaveAdminMixin, admin.ModelAdmin):
    """Desks scope what their members see (`ArticleQuerySet.visible_to`); superusers only."""

    list_display = ("name", "slug", "section_names")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("members",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sections")

    @admin.display(description=_("sections"))
    def section_names(self, obj: Desk) -> str:
        return ", ".join(section.name for section in obj.sections.all()) or "-"


# Background jobs, renditions and webhooks (issue 4) register their admins there.


@admin.register(ArticleSlugHistory)
class ArticleSlugHistoryAdmin(ConcurrentSaveAdminMixin, admin.ModelAdmin):
    list_display = ("slug", "article", "created_at")
    list_select_related = ("article",)
    search_fields = ("slug", "article__headline")
    raw_id_fields = ("article",)
