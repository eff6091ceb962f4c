"""The admin's WordPress imports: upload an export (staff with "Can import WordPress
exports" who may publish); it is imported in the background and its page shows the
progress and, when done, the summary."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from articles.wordpress.models import ImportRun
from articles.wordpress.services import import_run_start, user_can_import


class ImportUploadForm(forms.ModelForm):
    upload = forms.FileField(label=_("WXR file"), help_text=_("WordPress: Tools, Export."))

    class Meta:
        model = ImportRun
        fields = ["is_dry_run", "overwrite_edited"]

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if not upload.name.lower().endswith(".xml"):
            raise forms.ValidationError(_("Upload the .xml file WordPress exported."))
        limit = settings.WORDPRESS_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("At most %(mb)d MB; export the site in date ranges.")
                % {"mb": limit // (1024 * 1024)}
            )
        return upload


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("id", "file_name", "status", "progress", "is_dry_run", "created_by",
                    "created_at", "finished_at")  # fmt: skip
    list_filter = ("status",)
    readonly_fields = ("file_name", "status", "progress", "is_dry_run", "overwrite_edited",
                       "created_by", "created_at", "finished_at", "error",
                       "summary_table")  # fmt: skip
    fields = readonly_fields

    def has_module_permission(self, request) -> bool:
        return user_can_import(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return user_can_import(request.user)

    def has_add_permission(self, request) -> bool:
        return user_can_import(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            return ImportUploadForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["upload", "is_dry_run", "overwrite_edited"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def add_view(self, request, form_url="", extra_context=None):
        if request.method == "POST":
            if not self.has_add_permission(request):
                raise PermissionDenied
            form = ImportUploadForm(request.POST, request.FILES)
            if form.is_valid():
                run = import_run_start(
                    user=request.user,
                    upload=form.cleaned_data["upload"],
                    dry_run=form.cleaned_data["is_dry_run"],
                    overwrite_edited=form.cleaned_data["overwrite_edited"],
                )
                messages.success(request, _("The import runs in the background."))
                return HttpResponseRedirect(
                    reverse("admin:wordpress_importrun_change", args=[run.pk])
                )
        return super().add_view(request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if run is not None and run.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING):
            extra_context["subtitle"] = _("Importing… reload this page to follow.")
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("progress"))
    def progress(self, run: ImportRun) -> str:
        if not run.total:
            return "–"
        return f"{run.processed} / {run.total} ({100 * run.processed // run.total}%)"

    @admin.display(description=_("summary"))
    def summary_table(self, run: ImportRun) -> str:
        summary = run.summary or {}
        rows = [
            (kind, ", ".join(f"{outcome} {n}" for outcome, n in outcomes.items()))
            for kind, outcomes in summary.get("kinds", {}).items()
        ]
        rows += [
            (f"skipped {s['kind']}", f"{s['reason']}: {s['count']}")
            for s in summary.get("skipped", [])
        ]
        rows += [(_("warning"), warning) for warning in summary.get("warnings", [])]
        if not rows:
            return "–"
        return format_html(
            "<table>{}</table>",
            format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows),
        )
