"""Preview links: signed tokens for one revision, bound to the user who asked."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from articles.models import (
    Article,
    ArticleRevision,
)
from articles.services.permissions import user_can_publish

PREVIEW_SALT = "articles.preview"


PREVIEW_MAX_AGE = timedelta(minutes=15)


def article_preview_token(*, article: Article, revision: ArticleRevision, user) -> str:
    """A signed link token for `revision` of `article`, valid for `PREVIEW_MAX_AGE`.

    Editors only. Bound to the article, the revision and the user: it stops working when
    the user loses the right to publish.
    """
    if not user_can_publish(user):
        raise PermissionDenied(_("Only editors can create preview links."))
    if revision.article_id != article.pk:
        raise ValidationError(_("That revision belongs to another article."), code="mixed")
    signer = signing.TimestampSigner(salt=PREVIEW_SALT)
    return signer.sign_object({"a": article.pk, "r": revision.pk, "u": user.pk})


def article_preview_resolve(*, token: str) -> ArticleRevision | None:
    """The revision a preview token grants, or None when expired, tampered or revoked."""
    from django.contrib.auth import get_user_model

    signer = signing.TimestampSigner(salt=PREVIEW_SALT)
    try:
        payload = signer.unsign_object(token, max_age=PREVIEW_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(payload, dict) or not all(
        isinstance(payload.get(key), int) for key in ("a", "r", "u")
    ):
        return None
    user = get_user_model().objects.filter(pk=payload["u"], is_active=True).first()
    if not user_can_publish(user):
        return None
    return (
        ArticleRevision.objects.select_related("article")
        .filter(pk=payload["r"], article_id=payload["a"], article__deleted_at__isnull=True)
        .first()
    )
