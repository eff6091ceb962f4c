from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Staff accounts: write-API tokens and the admin's password reset."""

    name = "newsroom.accounts"
    # The label its tables, permissions and migrations were made under (as `tokens`).
    label = "tokens"
    verbose_name = _("API tokens")
