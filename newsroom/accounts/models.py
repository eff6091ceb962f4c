"""Tokens of the write API (`/api/v1/manage/`), stored as a SHA-256 digest only.

A key is `nr_` and 40 random URL-safe characters (240 bits): shown once when it is made,
never stored. The row keeps the key's first 12 characters (`prefix`, unique: how a request's
key finds its row, and how people tell their tokens apart) and the digest of the whole key,
compared in constant time (`newsroom.accounts.services.api_token_find`). A high-entropy key needs no
slow password hash: one SHA-256 cannot be reversed, and guessing 240 bits is hopeless.

Keys converted from Django REST framework's plain-text tokens (migration 0002) are 40 hex
digits and work the same way.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "nr_"
PREFIX_LENGTH = 12
# A new key, or a converted DRF key (40 lowercase hex digits, `Token.generate_key`).
KEY_FORMAT = re.compile(r"nr_[A-Za-z0-9_-]{40}|[0-9a-f]{40}")


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(30)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("What uses it, e.g. “wire importer”; yours must differ from each other."),
    )
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, unique=True, editable=False)
    digest = models.CharField(_("SHA-256 of the key"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    # Written at most once a minute (`newsroom.accounts.services.api_token_record_use`).
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"], name="tokens_apitoken_unique_name_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())
