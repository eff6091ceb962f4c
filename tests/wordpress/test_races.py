"""Two imports of one export at once (PostgreSQL, real threads): each post is imported
once, whole; the loser of a race reports it and a later run finds nothing left to do."""

from __future__ import annotations

import pytest

from articles.models import Article, RelatedLink
from articles.wordpress.models import WordPressObject, WordPressSite
from tests.support.concurrency import postgresql_only, run_together
from tests.support.wordpress import PORTAL, run_import

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]


def test_two_imports_of_one_export_at_once(editor, sent_tasks):
    outcomes = run_together(lambda: run_import(PORTAL, editor), lambda: run_import(PORTAL, editor))

    assert [o.error for o in outcomes] == [None, None]
    assert WordPressSite.objects.count() == 1
    assert Article.objects.count() == 4
    assert WordPressObject.objects.filter(kind="post").count() == 4
    again = run_import(PORTAL, editor)
    assert again.as_dict()["kinds"]["post"] == {"unchanged": 4}
    assert RelatedLink.objects.filter(target_article__isnull=False).count() == 3
