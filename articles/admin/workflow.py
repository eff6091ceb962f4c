"""The article's workflow pages: history with diffs and restore, soft lock (ping), hard lock
and unlock, and the change page's extras (who else has it open, the preview link)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from articles.admin.actions import refusal_reason
from articles.models import ArticleRevision
from articles.services import (
    HARD_LOCK_SECONDS,
    SOFT_LOCK_SECONDS,
    UNLOCK_PERMISSION,
    article_editor_seen,
    article_lock_acquire,
    article_lock_holder,
    article_lock_refresh,
    article_lock_release,
    article_preview_token,
    article_revision_restore,
    article_revisions_diff,
    user_can_publish,
    user_can_see_revisions,
)
from newsroom.http.links import api_absolute_url


class ArticleWorkflowPagesMixin:
    """The extra URLs and views of `ArticleAdmin` (names `admin:articles_article_*`)."""

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

    def get_object(self, request, object_id, from_field=None):
        # A GET of the change page reads the article once: `change_view` reads it for the
        # locks and the preview link, then Django's view asks for it again.
        read = getattr(request, "_article_read", None)
        if request.method == "GET" and from_field is None and read and read[0] == object_id:
            return read[1]
        return super().get_object(request, object_id, from_field)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, unquote(object_id))
        visible = obj is not None and self.has_view_or_change_permission(request, obj)
        if visible and request.method == "GET":
            request._article_read = (unquote(object_id), obj)
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
            self.message_user(request, refusal_reason(exc), messages.ERROR)
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
            self.message_user(request, refusal_reason(exc), messages.ERROR)
        else:
            self.message_user(
                request,
                _("Revision %(old)s restored as revision %(new)s.")
                % {"old": revision.number, "new": new.number},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:articles_article_history", args=[obj.pk]))
