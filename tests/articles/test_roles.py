"""The editorial roles: the groups the migrations made hold exactly the role's permissions
(`articles.roles`), also for models that moved to another app since (photos)."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from articles.roles import EDITOR_PERMISSIONS, WRITER_PERMISSIONS

pytestmark = pytest.mark.django_db


def group_permissions(name: str) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_the_migrated_groups_hold_their_roles_permissions():
    assert group_permissions("Writer") == set(WRITER_PERMISSIONS)
    assert group_permissions("Editor") == set(EDITOR_PERMISSIONS)


def test_roles_sync_makes_missing_groups_and_adds_missing_permissions():
    Group.objects.filter(name="Writer").delete()
    editor = Group.objects.get(name="Editor")
    editor.permissions.remove(*editor.permissions.filter(codename="publish_article"))
    out = io.StringIO()

    call_command("roles_sync", stdout=out)

    assert group_permissions("Writer") == set(WRITER_PERMISSIONS)
    assert group_permissions("Editor") == set(EDITOR_PERMISSIONS)
    assert out.getvalue().splitlines() == [
        f"Writer: {len(WRITER_PERMISSIONS)} permission(s) added.",
        "Editor: 1 permission(s) added.",
    ]
