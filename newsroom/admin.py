"""Admin plumbing shared by every app: a save that loses a race is validated again, and
status badges."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.db import IntegrityError, OperationalError, models
from django.http import HttpResponseRedirect
from django.utils.html import format_html
from django.utils.translation import gettext as _

from newsroom.conflicts import WRITE_ATTEMPTS, is_transient_conflict

logger = logging.getLogger(__name__)

# Typed addresses without a scheme become https:// (Django 6's default, without the warning).
URL_FIELD_OVERRIDES = {models.URLField: {"assume_scheme": "https"}}


class ConcurrentSaveAdminMixin:
    """Runs the add or change view again when its save lost a race to another session.

    The admin validates a form, then saves it; in between, another session may save the same
    unique value (a slug, a tag name). PostgreSQL makes the second write wait for the first
    transaction and then refuses it (IntegrityError), or breaks a deadlock by rolling one
    back. The view's transaction is rolled back and the view runs again: its validation now
    sees the other session's row and shows the form error a sequential save gets. After
    `WRITE_ATTEMPTS` tries the editor gets an error message instead of a 500; nothing of the
    failed save is kept.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                return super().changeform_view(request, object_id, form_url, extra_context)
            except (IntegrityError, OperationalError) as exc:
                if isinstance(exc, OperationalError) and not is_transient_conflict(exc):
                    raise
                if request.method != "POST":
                    raise
                if attempt < WRITE_ATTEMPTS:
                    logger.warning("Admin save of %s lost a race, validating again: %s",
                                   self.opts.label, exc)  # fmt: skip
                    continue
                logger.error("Admin save of %s failed %d times", self.opts.label, attempt,
                             exc_info=exc)  # fmt: skip
        self.message_user(
            request,
            _("Nothing was saved: the change clashed with one saved at the same moment. "
              "Check the page and save again."),
            messages.ERROR,
        )  # fmt: skip
        return HttpResponseRedirect(request.get_full_path())


STATUS_COLOURS = {
    "pending": "#6c757d",
    "running": "#0d6efd",
    "sending": "#0d6efd",
    "done": "#198754",
    "delivered": "#198754",
    "failed": "#dc3545",
}


def status_badge(value: str, label: str) -> str:
    return format_html(
        '<span style="padding:2px 8px;border-radius:10px;color:#fff;background:{}">{}</span>',
        STATUS_COLOURS.get(value, "#6c757d"),
        label,
    )
