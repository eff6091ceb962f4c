from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    # Throttle counters live in the cache; every test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


# --- Write API personas (tests/articles/api/test_manage_*.py) ------------------------------
# Besides tests/conftest.py's `writer` (own drafts, submits, never publishes), `editor`
# (everything) and `outsider` (staff without a role: 403 everywhere):
# - `other_writer`: another writer; `writer`'s drafts do not exist for them (404);
# - `deactivated`: a writer whose account was switched off; their token answers 401.


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Several personas per test: the default password hasher would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def other_writer(db):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(username="wulan.writer", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Writer"))
    return user


@pytest.fixture
def deactivated(db):
    from django.contrib.auth.models import Group, User

    from newsroom.accounts.services import api_token_create

    user = User.objects.create_user(username="dodi.gone", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Writer"))
    api_token_create(user=user, name="before leaving")
    user.is_active = False
    user.save()
    return user


@pytest.fixture
def manage_clients(editor, writer, other_writer, outsider, deactivated) -> dict[str, APIClient]:
    """A token client per persona of the write API's permission matrix."""
    from tests.articles.api.manage_helpers import token_client

    return {
        "anonymous": token_client(None),
        "writer": token_client(writer),
        "other_writer": token_client(other_writer),
        "editor": token_client(editor),
        "outsider": token_client(outsider),
        "deactivated": token_client(deactivated),
    }
