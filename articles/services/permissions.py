"""Who may do what to an article: roles (the publish permission), ownership, the workflow's
moves and who may make them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from articles.models import (
    Article,
)

Status = Article.Status


PUBLISH_PERMISSION = "articles.publish_article"


CHANGE_PERMISSION = "articles.change_article"


UNLOCK_PERMISSION = "articles.unlock_article"


# (from, to) -> whether the move needs the publish permission. Moves not listed are refused.
TRANSITIONS: dict[tuple[str, str], bool] = {
    (Status.DRAFT, Status.IN_REVIEW): False,
    (Status.UNPUBLISHED, Status.IN_REVIEW): False,
    (Status.IN_REVIEW, Status.DRAFT): False,
    (Status.UNPUBLISHED, Status.DRAFT): False,
    (Status.DRAFT, Status.PUBLISHED): True,
    (Status.IN_REVIEW, Status.PUBLISHED): True,
    (Status.SCHEDULED, Status.PUBLISHED): True,
    (Status.UNPUBLISHED, Status.PUBLISHED): True,
    (Status.DRAFT, Status.SCHEDULED): True,
    (Status.IN_REVIEW, Status.SCHEDULED): True,
    (Status.UNPUBLISHED, Status.SCHEDULED): True,
    (Status.SCHEDULED, Status.SCHEDULED): True,
    # Saving a live article re-publishes it (last_published_at, subscribers notified).
    (Status.PUBLISHED, Status.PUBLISHED): True,
    (Status.SCHEDULED, Status.DRAFT): True,
    (Status.PUBLISHED, Status.UNPUBLISHED): True,
    (Status.SCHEDULED, Status.UNPUBLISHED): True,
}


def user_can_publish(user) -> bool:
    return bool(user and user.has_perm(PUBLISH_PERMISSION))


def user_owns_article(*, user, article: Article) -> bool:
    """Whether `user` created `article` or is credited on it. One query for the bylines."""
    if not user or not user.is_authenticated or not article.pk:
        return False
    if article.created_by_id == user.pk:
        return True
    return article.bylines.filter(author__user=user).exists()


def user_can_edit_article(*, user, article: Article) -> bool:
    """Editors may edit every article; writers their own ones that are not public.

    "Own" means created by them or bylined to their author profile. Published and
    scheduled articles are the editors' responsibility.
    """
    if not user or not user.has_perm(CHANGE_PERMISSION):
        return False
    if user_can_publish(user):
        return True
    if article.status in (Status.PUBLISHED, Status.SCHEDULED):
        return False
    return not article.pk or user_owns_article(user=user, article=article)


def user_can_see_revisions(*, user, article: Article) -> bool:
    """Whether `user` may read `article`'s revisions and their diffs: editors, and writers of
    their own articles (also once public), as the write API lets them read it. Desk scoping
    is the caller's queryset's (`ArticleQuerySet.visible_to`). One query for the bylines at
    most.
    """
    if not user or not user.has_perm(CHANGE_PERMISSION):
        return False
    return user_can_publish(user) or user_owns_article(user=user, article=article)


def article_check_edit(*, user, article: Article) -> None:
    """Raise `PermissionDenied` unless `user` may change `article`'s content."""
    if not user_can_edit_article(user=user, article=article):
        raise PermissionDenied(_("You may only edit your own articles that are not public."))


def article_check_transition(
    *,
    user,
    from_status: str,
    to_status: str,
    system: bool = False,
    article: Article | None = None,
) -> None:
    """Raise if `user` may not move an article from `from_status` to `to_status`.

    `ValidationError` for a move that does not exist, `PermissionDenied` for one the user's
    role does not allow. Staying in the same status is an ordinary edit, open to anyone,
    except for a scheduled or published article: that is a reschedule or a republish.
    `system=True` is the scheduler acting on an editor's earlier decision: the move must
    still exist, but no user's permission is checked. With `article`, a writer must also own
    it (see `user_can_edit_article`).
    """
    if not system and not (user and user.has_perm(CHANGE_PERMISSION)):
        raise PermissionDenied(_("You may not change articles."))
    if (
        article is not None
        and article.pk
        and not system
        and not user_can_publish(user)
        and not user_owns_article(user=user, article=article)
    ):
        raise PermissionDenied(_("You may only move your own articles."))
    if from_status == to_status and (from_status, to_status) not in TRANSITIONS:
        return
    needs_publish = TRANSITIONS.get((from_status, to_status))
    if needs_publish is None:
        raise ValidationError(
            _("An article cannot go from %(from)s to %(to)s.")
            % {"from": Status(from_status).label, "to": Status(to_status).label},
            code="invalid_transition",
        )
    if needs_publish and not system and not user_can_publish(user):
        raise PermissionDenied(_("Only editors can publish, schedule or unpublish articles."))


def user_display_name(user) -> str:
    """A colleague's name for messages: full name, else username (never the e-mail)."""
    return user.get_full_name() or user.get_username()
