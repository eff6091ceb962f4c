"""Making, finding and revoking write API tokens (`newsroom.accounts.models.ApiToken`)."""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from newsroom.accounts.models import KEY_FORMAT, PREFIX_LENGTH, ApiToken, key_digest, new_key

# `last_used_at` is recorded at most this often per token: a write per request would cost
# more than the request's own reads.
LAST_USED_PRECISION = timedelta(minutes=1)


def api_token_create(*, user, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Make a token for `user`, valid `days` days (`API_TOKEN_MAX_AGE_DAYS` at most and by
    default). Returns the row and the key: the key is not stored, so show it now or never.

    Raises `ValidationError` for a bad name or number of days, and when `user` already has a
    token of that name, also when a concurrent request made it meanwhile (the unique
    constraint; never an `IntegrityError`).
    """
    max_days = settings.API_TOKEN_MAX_AGE_DAYS
    days = max_days if days is None else days
    if not 1 <= days <= max_days:
        raise ValidationError(
            {"days": _("Choose between 1 and %(max)d days.") % {"max": max_days}}, code="days"
        )
    name_taken = ValidationError(
        {"name": _("You already have a token with this name.")}, code="unique"
    )
    now = timezone.now()
    for _attempt in range(3):
        key = new_key()
        token = ApiToken(
            user=user,
            name=name.strip(),
            prefix=key[:PREFIX_LENGTH],
            digest=key_digest(key),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        # The unique name is checked here, with the message on the field; the database's
        # constraints hold the line against a concurrent request (below).
        token.full_clean(validate_unique=False, validate_constraints=False)
        if ApiToken.objects.filter(user=user, name=token.name).exists():
            raise name_taken
        try:
            with transaction.atomic():
                token.save()
        except IntegrityError:
            if ApiToken.objects.filter(user=user, name=token.name).exists():
                raise name_taken from None  # made by a concurrent request since the check
            continue  # the random prefix was taken (about 1 in 2^54): draw another key
        return token, key
    raise RuntimeError("Three random token prefixes in a row were taken.")


def api_token_find(*, key: str) -> ApiToken | None:
    """The token (with its user) whose key is `key`, or None. A malformed key costs no query;
    a well-formed one one query, by its prefix, then a constant-time digest comparison."""
    if not KEY_FORMAT.fullmatch(key):
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=key[:PREFIX_LENGTH]).first()
    if token is None or not hmac.compare_digest(token.digest, key_digest(key)):
        return None
    return token


def api_token_record_use(*, token: ApiToken) -> None:
    """Set `last_used_at` to now, unless it was set less than a minute ago (no query then)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
