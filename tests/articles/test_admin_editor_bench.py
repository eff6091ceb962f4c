"""The API's blocks of a bench-like sample of articles are the same before and after the body
editor's load and save (issue 18): a few hundred articles from the bench generator's words
(`seed_bench`), with every element the sanitiser allows, embeds, and photos and related
links after varied paragraphs (0, in between, past the end), several after one paragraph.

The load and save are `ArticleAdmin`'s (articles/admin/editor.py): the rows become cards in
the body, the cards become rows again. The browser's part, the editor reading and writing the
HTML, is tested on the same kind of sample in tests/browser/test_editor_round_trip.py.
"""

from __future__ import annotations

import random

import pytest

from articles.admin.editor import (
    PHOTOS_PREFIX,
    RELATED_LINKS_PREFIX,
    _row_card,
    body_split_cards,
    body_with_cards,
)
from articles.models import Article, ArticlePhoto, RelatedLink
from articles.published.management.commands.seed_bench import WORDS, _paragraph
from tests.support.factories import (
    ArticleFactory,
    ArticlePhotoFactory,
    PhotoFactory,
    RelatedLinkFactory,
)

SAMPLE_SIZE = 200
INLINE = [
    ("<strong>", "</strong>"), ("<b>", "</b>"), ("<em>", "</em>"), ("<i>", "</i>"),
    ("<u>", "</u>"), ("<s>", "</s>"), ("<sub>", "</sub>"), ("<sup>", "</sup>"),
    ('<a href="https://example.org/a">', "</a>"),
    ('<a href="https://example.org/b" title="Sumber">', "</a>"),
    ('<a href="mailto:redaksi@example.org">', "</a>"),
]  # fmt: skip


def _marked_up(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    for _ in range(rng.randint(0, 3)):
        at = rng.randrange(len(words))
        start, end = rng.choice(INLINE)
        words[at] = f"{start}{words[at]}{end}"
    if rng.random() < 0.1:
        words.insert(rng.randrange(1, len(words)), "<br>")
    return " ".join(words)


def varied_body(rng: random.Random) -> str:
    vocab = WORDS[rng.choice(["id", "en"])]
    parts = []
    for _ in range(rng.randint(3, 10)):
        roll = rng.random()
        text = _marked_up(rng, _paragraph(rng, vocab, rng.randint(8, 40)))
        if roll < 0.6:
            parts.append(f"<p>{text}</p>")
        elif roll < 0.7:
            level = rng.choice([2, 3, 4])
            parts.append(f"<h{level}>{_paragraph(rng, vocab, 5)[:-1]}</h{level}>")
        elif roll < 0.8:
            tag = rng.choice(["ul", "ol"])
            items = "".join(f"<li>{_paragraph(rng, vocab, 6)}</li>" for _ in range(3))
            parts.append(f"<{tag}>{items}</{tag}>")
        elif roll < 0.9:
            parts.append(f"<blockquote><p>{text}</p></blockquote>")
        else:
            parts.append("<p>https://www.youtube.com/watch?v=dQw4w9WgXcQ</p>")
    return "".join(parts)


def _blocks(client, article: Article) -> list:
    response = client.get(f"/api/v1/articles/{article.slug}/")
    assert response.status_code == 200, article.slug
    return response.json()["blocks"]


def _through_the_editor(article: Article) -> None:
    """Load the article into the editor and save it, as `ArticleAdmin` does."""
    photos = list(article.article_photos.order_by("after_paragraph", "position", "id"))
    links = list(article.related_links.order_by("after_paragraph", "position", "id"))
    cards = [_row_card(PHOTOS_PREFIX, i, row) for i, row in enumerate(photos)]
    cards += [_row_card(RELATED_LINKS_PREFIX, i, row) for i, row in enumerate(links)]
    cards.sort(key=lambda card: (card[0], card[1]))
    loaded = body_with_cards(article.body, [(after, html) for after, _rank, html in cards])
    body, places = body_split_cards(loaded)
    rows = {PHOTOS_PREFIX: photos, RELATED_LINKS_PREFIX: links}
    for place in places:
        row = rows[place.prefix][place.index]
        row.after_paragraph, row.position = place.after_paragraph, place.position
        row.save(update_fields=["after_paragraph", "position"])
    article.body = body
    article.save()


@pytest.mark.django_db
def test_bench_sample_keeps_its_blocks_through_the_editor(client):
    rng = random.Random(18)  # noqa: S311 - a fixed sample
    photos = [PhotoFactory() for _ in range(3)]
    articles = []
    for _ in range(SAMPLE_SIZE):
        article = ArticleFactory(body=varied_body(rng), published=True)
        paragraphs = article.body.count("<p>")
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            ArticlePhotoFactory(
                article=article,
                photo=rng.choice(photos),
                after_paragraph=rng.randint(0, paragraphs + 2),
                position=rng.randint(0, 3),
            )
        for _ in range(rng.choice([0, 1, 2, 3])):
            RelatedLinkFactory(
                article=article,
                title=_paragraph(rng, WORDS["id"], 4),
                after_paragraph=rng.randint(0, paragraphs + 2),
                position=rng.randint(0, 3),
            )
        articles.append(article)
    assert ArticlePhoto.objects.count() > SAMPLE_SIZE / 2
    assert RelatedLink.objects.count() > SAMPLE_SIZE
    before = {article.pk: _blocks(client, article) for article in articles}
    for article in articles:
        _through_the_editor(article)
    changed = {}
    for article in articles:
        after = _blocks(client, article)
        if after != before[article.pk]:
            changed[article.slug] = (article.body, before[article.pk], after)
    assert changed == {}
