"""Shared fixtures: personas, clients and test settings.

Personas:
- `editor`: in the Editor group; may do everything to content, including publish.
- `writer`: in the Writer group; writes drafts and submits them, may never publish.
- `outsider`: a user with no role; may do nothing.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Keep uploads of every test in a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _user_in_group(username: str, group_name: str | None) -> User:
    user = User.objects.create_user(
        username=username, password="correct horse battery staple", is_staff=True
    )
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def editor(db) -> User:
    return _user_in_group("edna.editor", "Editor")


@pytest.fixture
def writer(db) -> User:
    return _user_in_group("wira.writer", "Writer")


@pytest.fixture
def outsider(db) -> User:
    return _user_in_group("otto.outsider", None)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def writer_client(client, writer):
    client.force_login(writer)
    return client
