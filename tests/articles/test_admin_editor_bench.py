"""The API's blocks of a bench-like sample of articles are the same before and after the body
editor's load and save (issue 18); the sample is `tests.support.editor_sample`'s.

Here the server's part (rows to cards and back); tests/browser/test_editor_round_trip.py adds
the browser's, the editor reading and writing the HTML.
"""

from __future__ import annotations

import pytest

from articles.models import ArticlePhoto, RelatedLink
from tests.support.editor_sample import changed_by_round_trip, make_sample

SAMPLE_SIZE = 200


@pytest.mark.django_db
def test_bench_sample_keeps_its_blocks_through_the_editor(client):
    articles = make_sample(SAMPLE_SIZE)
    assert ArticlePhoto.objects.count() > SAMPLE_SIZE / 2
    assert RelatedLink.objects.count() > SAMPLE_SIZE
    assert changed_by_round_trip(client, articles, lambda bodies: bodies) == {}
