"""The admins are registered when the admin is first needed (`newsroom.admin_urls`), not at
start; `manage.py check` must still check every one of them."""

from django.contrib import admin

from articles.models import Article
from articles.photos.models import Photo
from newsroom.apps import check_admins
from tagging.models import TopicTag


def test_the_admin_checks_register_and_check_every_admin():
    assert check_admins(None) == []

    assert {Article, Photo, TopicTag} <= set(admin.site._registry)
