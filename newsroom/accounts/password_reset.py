"""Staff password reset: the admin's "Forgotten your password?" link, with Django's own views.

The request does the same work for a known and an unknown address (docs/reliability.md F3): it
validates the form, enqueues one task with the address and redirects to the same page. The
task looks the address up and mails only active staff accounts with a usable password, so
neither the answer nor its timing tells whether an account exists. Links in the mail point
at `SITE_URL`, never at the request's Host header.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.urls import path, reverse_lazy
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class StaffPasswordResetForm(PasswordResetForm):
    def get_users(self, email: str):
        return (user for user in super().get_users(email) if user.is_staff)

    def save(self, **kwargs) -> None:
        """Called by the view: hand the address to the task, whatever it is."""
        from newsroom.accounts.tasks import staff_password_reset_mail_task

        staff_password_reset_mail_task.delay(self.cleaned_data["email"])

    def send_mails(self) -> None:
        """Mail a reset link to each active staff account with this address."""
        site = urlsplit(settings.SITE_URL)
        super().save(domain_override=site.netloc, use_https=site.scheme == "https")


def staff_password_reset_send(*, email: str) -> None:
    form = StaffPasswordResetForm({"email": email})
    if form.is_valid():
        form.send_mails()


class AdminPageMixin:
    """The admin's header and title on Django's registration pages."""

    def get_context_data(self, **kwargs):
        return {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}


class StaffPasswordResetView(AdminPageMixin, auth_views.PasswordResetView):
    form_class = StaffPasswordResetForm

    def form_valid(self, form):
        # Imported here: kombu comes with Celery, which a web process loads only to send work.
        from kombu.exceptions import OperationalError as KombuOperationalError

        try:
            return super().form_valid(form)
        except KombuOperationalError:
            # The broker is unreachable: say so on the form (the same for every address)
            # instead of an error page; the person can ask again in a moment.
            logger.warning("Password reset not queued: the broker is unreachable.", exc_info=True)
            # On the field: the admin's reset template shows no form-wide errors.
            form.add_error(
                "email", _("E-mail cannot be sent right now. Please try again in a few minutes.")
            )
            return self.form_invalid(form)


class StaffPasswordResetDoneView(AdminPageMixin, auth_views.PasswordResetDoneView):
    pass


class StaffPasswordResetConfirmView(AdminPageMixin, auth_views.PasswordResetConfirmView):
    pass


class StaffPasswordResetCompleteView(AdminPageMixin, auth_views.PasswordResetCompleteView):
    extra_context = {"login_url": reverse_lazy("admin:index")}


# Django's URL names, which its views and mail template reverse; under /admin/, before the
# admin's URLs (`newsroom.admin_urls`).
urlpatterns = [
    path(
        "password_reset/",
        StaffPasswordResetView.as_view(),
        name="admin_password_reset",
    ),
    path(
        "password_reset/done/",
        StaffPasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        StaffPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        StaffPasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
