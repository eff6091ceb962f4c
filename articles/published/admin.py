"""Webhook subscriptions and deliveries in the admin. Operators find failed deliveries here
(list filters by status) and send them again with the "retry" action, which calls the same
service the workers use."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.published.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from articles.published.webhooks import webhook_delivery_retry, webhook_secret_rotate
from newsroom.admin import ConcurrentSaveAdminMixin, status_badge

# --- Webhooks -----------------------------------------------------------------------------


class WebhookSubscriptionForm(forms.ModelForm):
    # The model field's validator refuses private and reserved addresses (a form error).
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"size": 80}),
        help_text=WebhookSubscription._meta.get_field("url").help_text,
    )
    events = forms.MultipleChoiceField(
        label=_("events"),
        choices=WebhookSubscription.Event.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: every event."),
    )

    class Meta:
        model = WebhookSubscription
        fields = ("name", "url", "secret", "events", "is_active")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ConcurrentSaveAdminMixin, admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ("name", "url", "event_list", "is_active", "disabled_reason", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "url")
    readonly_fields = ("secret_rotated_at",)
    actions = ["rotate_secrets"]

    @admin.display(description=_("events"))
    def event_list(self, obj: WebhookSubscription) -> str:
        return ", ".join(obj.events) or _("all")

    @admin.action(
        description=_("Rotate the signing secret (the old one still signs for 24 hours)"),
        permissions=["change"],
    )
    def rotate_secrets(self, request, queryset) -> None:
        with transaction.atomic():
            subscriptions = list(queryset.select_for_update())
            for subscription in subscriptions:
                webhook_secret_rotate(subscription=subscription)
        self.message_user(
            request,
            ngettext(
                "%(count)d secret rotated: give the receiver the new one within 24 hours.",
                "%(count)d secrets rotated: give the receivers the new ones within 24 hours.",
                len(subscriptions),
            )
            % {"count": len(subscriptions)},
            messages.SUCCESS,
        )


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ("number", "attempted_at", "response_code", "error", "response_body", "duration_ms")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "event_type",
        "subscription",
        "status_label",
        "attempts",
        "response_code",
        "next_attempt_at",
        "created_at",
    )
    list_filter = ("status", "event_type", "subscription")
    list_select_related = ("subscription",)
    search_fields = ("event_id",)
    inlines = [WebhookAttemptInline]
    actions = ["retry_deliveries"]
    readonly_fields = (
        *[field.name for field in WebhookDelivery._meta.fields if field.name != "payload"],
        "payload_json",
    )

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj: WebhookDelivery) -> str:
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description=_("payload"))
    def payload_json(self, obj: WebhookDelivery) -> str:
        rows = sorted((obj.payload.get("data") or {}).items())
        return format_html(
            "<b>{}</b><br>{}",
            obj.payload.get("type", ""),
            format_html_join("", "{}: {}<br>", rows),
        )

    @admin.action(description=_("Send the selected deliveries again"))
    def retry_deliveries(self, request, queryset) -> None:
        with transaction.atomic():
            deliveries = list(queryset.exclude(status=WebhookDelivery.Status.SENDING))
            for delivery in deliveries:
                webhook_delivery_retry(delivery=delivery)
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery sent again.",
                "%(count)d deliveries sent again.",
                len(deliveries),
            )
            % {"count": len(deliveries)},
            messages.SUCCESS,
        )
