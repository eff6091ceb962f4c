"""API tokens in the admin: staff make, list and revoke their own; superusers see all.

A key is shown once, on the page that answers its creation, and never stored (only its
digest is). Tokens cannot be edited: revoke one and make another.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from newsroom.accounts.models import ApiToken
from newsroom.accounts.services import api_token_create


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("name"),
        max_length=100,
        help_text=_("What will use it, e.g. “wire importer”."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        max_days = settings.API_TOKEN_MAX_AGE_DAYS  # read per request: tests change it
        self.fields["days"] = forms.IntegerField(
            label=_("valid for (days)"), min_value=1, max_value=max_days, initial=max_days
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix_shown", "user", "created_at", "last_used_at", "expires_at",
                    "state")  # fmt: skip
    list_select_related = ("user",)
    fields = ("name", "user", "prefix_shown", "created_at", "last_used_at", "expires_at")
    readonly_fields = fields
    actions = ("revoke_selected",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(user=request.user)

    # --- Permissions: any active staff member, for their own tokens ---

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return self._own(request, obj)

    def has_add_permission(self, request) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._own(request, obj)

    def _own(self, request, obj: ApiToken | None) -> bool:
        return self.has_module_permission(request) and (
            obj is None or request.user.is_superuser or obj.user_id == request.user.pk
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # `revoke_selected` says what it means
        return actions

    # --- Making a token: its key is on the answer to the POST, and nowhere else ---

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ApiTokenCreateForm(request.POST if request.method == "POST" else None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Make an API token"),
            "subtitle": None,
            **(extra_context or {}),
        }
        if form.is_bound and form.is_valid():
            try:
                token, key = api_token_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    days=form.cleaned_data["days"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.log_addition(request, token, [{"added": {}}])
                context.update(title=_("Your new API token"), token=token, key=key)
                return TemplateResponse(request, "admin/tokens/apitoken/created.html", context)
        context["form"] = form
        status = 400 if form.is_bound else 200
        return TemplateResponse(request, "admin/tokens/apitoken/add.html", context, status=status)

    # --- Revoking ---

    @admin.action(description=_("Revoke selected tokens"), permissions=["delete"])
    def revoke_selected(self, request, queryset):
        tokens = list(queryset)
        self.log_deletions(request, tokens)
        queryset.delete()
        self.message_user(
            request,
            ngettext(
                "%(count)d token revoked: requests with it now answer 401.",
                "%(count)d tokens revoked: requests with them now answer 401.",
                len(tokens),
            )
            % {"count": len(tokens)},
            messages.SUCCESS,
        )

    # --- Columns ---

    @admin.display(description=_("key starts with"), ordering="prefix")
    def prefix_shown(self, obj: ApiToken) -> str:
        return f"{obj.prefix}…"

    @admin.display(description=_("state"))
    def state(self, obj: ApiToken) -> str:
        return _("expired") if obj.is_expired(timezone.now()) else _("active")
