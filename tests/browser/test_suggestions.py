"""The change form's suggestions, read after the page has loaded (issue 18): a tag named in the
text is offered once the JSON view answers, and clicking it adds a tag row holding it (the
article already has a tag, so the form opens without an empty tag row) that is kept on save."""

from __future__ import annotations

import pytest

from articles.models import TaggedArticle
from tests.browser.test_editor_cards import _click
from tests.browser.test_editor_day import Desk, _user
from tests.support.factories import ArticleFactory, AuthorFactory, TopicTagFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_suggested_tag_loads_after_the_page_and_fills_a_new_row(
    browser, live_server, editorial_roles
):
    _user("edna.editor", "Editor")
    chosen = TopicTagFactory(name="Jawa Barat")
    korupsi = TopicTagFactory(name="Korupsi")
    article = ArticleFactory(
        headline="Korupsinya terbongkar",
        body="<p>Di Jawa Barat, korupsi lagi.</p>",
        authors=[AuthorFactory()],
        tags=[chosen],
    )
    desk = Desk(browser, live_server.url)
    desk.log_in("edna.editor")
    desk.open(f"/admin/articles/article/{article.pk}/change/")

    assert desk.find("#id_tagged_items-TOTAL_FORMS").get_attribute("value") == "1"
    _click(desk, f'.inline-suggestion[data-prefix="tagged_items"][data-id="{korupsi.pk}"]')
    desk.wait().until(
        lambda driver: (
            driver.find_element("css selector", "#id_tagged_items-1-tag").get_attribute("value")
            == str(korupsi.pk)
        )
    )
    related = desk.find("[data-suggestions=related]").text
    assert related.startswith("None yet")  # a draft: computed when it is published
    desk.save()

    assert "was changed successfully" in desk.success_message()
    tags = TaggedArticle.objects.filter(content_object=article).values_list("tag_id", flat=True)
    assert sorted(tags) == sorted([chosen.pk, korupsi.pk])
