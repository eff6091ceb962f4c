"""Signing in to the admin: where `next` may send the user afterwards."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests/conftest.py's personas


@pytest.mark.parametrize(
    "hostile",
    [
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "http:///evil.example",
        "javascript:alert(1)",
    ],
)
def test_a_hostile_next_after_login_lands_on_the_admin_index(editor, hostile):
    response = Client().post(
        f"/admin/login/?next={hostile}",
        {"username": editor.username, "password": PASSWORD, "next": hostile},
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_a_safe_next_after_login_is_followed(editor):
    response = Client().post(
        "/admin/login/",
        {"username": editor.username, "password": PASSWORD, "next": "/admin/articles/article/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/articles/article/"


def test_login_without_next_lands_on_the_admin_index(editor):
    response = Client().post("/admin/login/", {"username": editor.username, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
