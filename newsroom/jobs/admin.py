"""The background jobs in the admin: operators find failed and pending work (filters by
status and kind) and send it again with the "retry" action, which calls the same service the
sweeper uses."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from newsroom.admin import status_badge
from newsroom.jobs.models import BackgroundJob
from newsroom.jobs.registry import job_kind
from newsroom.jobs.services import job_retry, jobs_in_progress


class BackgroundWorkAdminMixin:
    """After a save, tells the editor what it left to background work in batches (the
    articles showing a renamed tag, say), with a link to the jobs and their progress."""

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change:
            background_work_message(self, request, obj)


def background_work_message(model_admin, request, obj) -> None:
    """The message of `BackgroundWorkAdminMixin`, for views that save in other ways (a tag
    merge). One query."""
    left = jobs_in_progress(model=obj._meta.label, object_id=obj.pk)
    if not left:
        return
    url = reverse("admin:jobs_backgroundjob_changelist") + f"?object_id={obj.pk}"
    text = ngettext(
        "%(count)d article showing it is being updated in the background.",
        "%(count)d articles showing it are being updated in the background.",
        left,
    ) % {"count": left}
    model_admin.message_user(
        request,
        format_html('{} <a href="{}">{}</a>', text, url, _("See the progress.")),
        messages.INFO,
    )


@admin.register(BackgroundJob)
class BackgroundJobAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "kind_label",
        "object_link",
        "status_label",
        "progress",
        "attempts",
        "short_error",
        "claimed_by",
        "updated_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("object_id", "last_error")
    actions = ["retry_jobs"]
    readonly_fields = [field.name for field in BackgroundJob._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj: BackgroundJob) -> str:
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description=_("progress"))
    def progress(self, obj: BackgroundJob) -> str:
        return obj.progress

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, obj: BackgroundJob) -> str:
        return obj.kind_label

    @admin.display(description=_("object"))
    def object_link(self, obj: BackgroundJob) -> str:
        """A link to the job's object in the admin, where its kind names a model."""
        try:
            model = job_kind(obj.kind).model
        except LookupError:
            model = ""
        if not model:
            return str(obj.object_id)
        app_label, model_name = model.lower().split(".")
        try:
            url = reverse(f"admin:{app_label}_{model_name}_change", args=[obj.object_id])
        except NoReverseMatch:
            return str(obj.object_id)
        return format_html('<a href="{}">{}</a>', url, obj.object_id)

    @admin.display(description=_("last error"))
    def short_error(self, obj: BackgroundJob) -> str:
        return obj.last_error[:120]

    @admin.action(description=_("Retry the selected jobs"))
    def retry_jobs(self, request, queryset) -> None:
        with transaction.atomic():
            jobs = list(queryset)
            for job in jobs:
                job_retry(job=job)
        self.message_user(
            request,
            ngettext("%(count)d job sent again.", "%(count)d jobs sent again.", len(jobs))
            % {"count": len(jobs)},
            messages.SUCCESS,
        )
