"""The editorial roles as groups: what a Writer and an Editor may do.

Writer: writes and edits drafts, uploads photos, submits for review; cannot publish.
Editor: everything on content, including publish, schedule, unpublish and unlocking.

A new database gets the groups from migrations (articles 0002 and 0009); `roles_sync` gives
them (again) every permission listed here, for `manage.py roles_sync` after an upgrade and
for tests whose database was flushed. Permissions are named "app_label.codename".
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

CONTENT_ACTIONS = ("add", "change", "delete", "view")

WRITER_PERMISSIONS = (
    "articles.add_article", "articles.change_article", "articles.view_article",
    "photos.add_photo", "photos.change_photo", "photos.view_photo",
    "articles.view_author", "articles.view_section",
    *(f"articles.{action}_{model}" for model in ("byline", "relatedlink", "articlephoto",
                                                 "taggedarticle") for action in CONTENT_ACTIONS),
    "tagging.add_topictag", "tagging.view_topictag",
)  # fmt: skip

EDITOR_PERMISSIONS = (
    *(
        f"{app_label}.{action}_{model}"
        for app_label, model in (
            ("articles", "article"), ("photos", "photo"), ("articles", "author"),
            ("articles", "section"), ("articles", "byline"), ("articles", "relatedlink"),
            ("articles", "articlephoto"), ("articles", "taggedarticle"),
            ("tagging", "topictag"),
        )
        for action in CONTENT_ACTIONS
    ),
    "articles.publish_article",
    "articles.unlock_article",
)  # fmt: skip

ROLES = {"Writer": WRITER_PERMISSIONS, "Editor": EDITOR_PERMISSIONS}


def roles_sync() -> dict[str, int]:
    """Make the Writer and Editor groups if missing and give each every permission of its
    role; permissions granted beyond those are left alone. Returns the permissions added per
    group. Raises `LookupError` if a listed permission does not exist (a renamed model).
    """
    added = {}
    with transaction.atomic():
        for name, wanted in ROLES.items():
            group, _created = Group.objects.get_or_create(name=name)
            permissions = _permissions(wanted)
            before = group.permissions.count()
            group.permissions.add(*permissions)
            added[name] = group.permissions.count() - before
    return added


def _permissions(names: tuple[str, ...]) -> list[Permission]:
    query = Q()
    for name in names:
        app_label, codename = name.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(query).select_related("content_type"))
    missing = set(names) - {f"{p.content_type.app_label}.{p.codename}" for p in found}
    if missing:
        raise LookupError(f"Missing permissions: {sorted(missing)}")
    return found
