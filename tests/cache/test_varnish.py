"""A real Varnish with deploy/varnish/newsroom.vcl in front of a live server: answers are
cached (MISS, then HIT), and a correction or an unpublish purges them by cache tag
(`make test-cache`)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from articles.published.cache import cache_purge_run
from articles.services import article_publish, article_unpublish
from tests.support.factories import ArticleFactory
from tests.support.varnish import Varnish

pytestmark = [pytest.mark.cache, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def varnish(live_server, tmp_path, settings):
    server = Varnish(backend_port=urlsplit(live_server.url).port, workdir=tmp_path)
    settings.HTTP_CACHE_PURGE_BACKEND = "varnish"
    settings.HTTP_CACHE_PURGE_VARNISH_URLS = [server.url + "/"]
    yield server
    server.stop()


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (local Varnish)
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def purge_sent(sent_tasks) -> None:
    """Carry out the purges the changes recorded (what the `delivery` worker does)."""
    for name, (ids,) in sent_tasks:
        assert name == "cache_purge_task"
        cache_purge_run(object_ids=ids)
    sent_tasks.clear()


def test_varnish_caches_and_a_correction_or_unpublish_purges(varnish, editor, sent_tasks):
    article = ArticleFactory(headline="First headline")
    article_publish(article=article, user=editor)
    purge_sent(sent_tasks)
    detail = f"{varnish.url}/api/v1/articles/{article.slug}/"
    latest = f"{varnish.url}/api/v1/articles/"

    status, headers, body = get(detail)
    assert (status, headers["X-Cache"]) == (200, "MISS")
    assert "Surrogate-Key" not in headers  # the tags stay between newsroom and Varnish
    assert get(detail)[1]["X-Cache"] == "HIT"
    assert get(latest)[1]["X-Cache"] == "MISS"
    assert get(latest)[1]["X-Cache"] == "HIT"

    article.headline = "Corrected headline"
    article_publish(article=article, user=editor)
    assert get(detail)[1]["X-Cache"] == "HIT"  # still the old answer: no purge sent yet
    purge_sent(sent_tasks)

    status, headers, body = get(detail)
    assert (status, headers["X-Cache"]) == (200, "MISS")
    assert json.loads(body)["headline"] == "Corrected headline"
    status, headers, body = get(latest)
    assert headers["X-Cache"] == "MISS"
    assert json.loads(body)["results"][0]["headline"] == "Corrected headline"

    article_unpublish(article=article, user=editor)
    purge_sent(sent_tasks)
    assert get(detail)[0] == 404
    assert json.loads(get(latest)[2])["results"] == []


def test_a_purge_without_tags_is_refused_and_other_paths_pass(varnish):
    request = urllib.request.Request(varnish.url + "/", method="PURGE")  # noqa: S310
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310 (local Varnish)
    assert refused.value.code == 400
    status, headers, _ = get(f"{varnish.url}/admin/login/")
    assert headers["X-Cache"] == "MISS"
    assert get(f"{varnish.url}/admin/login/")[1]["X-Cache"] == "MISS"
