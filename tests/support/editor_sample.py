"""A bench-like sample of articles for the body editor's round trip (issue 18): the bench
generator's words (`seed_bench`), every element the sanitiser allows, embeds, lists and quotes
with and without paragraphs inside, and photos and related links after varied paragraphs (0,
in between, past the end), several after one paragraph.

The load and save are `ArticleAdmin`'s (articles/admin/editor.py): the rows become cards in
the body, the cards become rows again.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from articles.admin.editor import (
    PHOTOS_PREFIX,
    RELATED_LINKS_PREFIX,
    _row_card,
    body_split_cards,
    body_with_cards,
)
from articles.models import Article
from articles.published.management.commands.seed_bench import WORDS, _paragraph
from tests.support.factories import (
    ArticleFactory,
    ArticlePhotoFactory,
    PhotoFactory,
    RelatedLinkFactory,
)

INLINE = [
    ("<strong>", "</strong>"), ("<b>", "</b>"), ("<em>", "</em>"), ("<i>", "</i>"),
    ("<u>", "</u>"), ("<s>", "</s>"), ("<sub>", "</sub>"), ("<sup>", "</sup>"),
    ('<a href="https://example.org/a">', "</a>"),
    ('<a href="https://example.org/b" title="Sumber">', "</a>"),
    ('<a href="mailto:redaksi@example.org">', "</a>"),
]  # fmt: skip


def _marked_up(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    # One mark on a word: the editor writes nested marks in its own order (docs/editors.md).
    for at in rng.sample(range(len(words)), min(len(words), rng.randint(0, 3))):
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
            wrap = rng.choice([("", ""), ("<p>", "</p>")])
            items = "".join(
                f"<li>{wrap[0]}{_paragraph(rng, vocab, 6)}{wrap[1]}</li>" for _ in range(3)
            )
            parts.append(f"<{tag}>{items}</{tag}>")
        elif roll < 0.9:
            wrap = rng.choice([("", ""), ("<p>", "</p>")])
            parts.append(f"<blockquote>{wrap[0]}{text}{wrap[1]}</blockquote>")
        else:
            parts.append("<p>https://www.youtube.com/watch?v=dQw4w9WgXcQ</p>")
    return "".join(parts)


def make_sample(size: int, seed: int = 18) -> list[Article]:
    """`size` published articles with varied bodies, inline photos and related links."""
    rng = random.Random(seed)  # noqa: S311 - a fixed sample
    photos = [PhotoFactory() for _ in range(3)]
    articles = []
    for _ in range(size):
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
    return articles


def _rows(article: Article) -> dict[str, list]:
    return {
        PHOTOS_PREFIX: list(article.article_photos.order_by("after_paragraph", "position", "id")),
        RELATED_LINKS_PREFIX: list(
            article.related_links.order_by("after_paragraph", "position", "id")
        ),
    }


def loaded_body(article: Article) -> str:
    """The body as the change form gives it to the editor: the rows as cards in it."""
    cards = [
        _row_card(prefix, index, row)
        for prefix, rows in _rows(article).items()
        for index, row in enumerate(rows)
    ]
    cards.sort(key=lambda card: (card[0], card[1]))
    return body_with_cards(article.body, [(after, html) for after, _rank, html in cards])


def save_from_editor(article: Article, posted: str) -> None:
    """Save `posted` (the body with its cards, as the editor sends it) as the change form does."""
    rows = _rows(article)
    body, places = body_split_cards(posted)
    for place in places:
        row = rows[place.prefix][place.index]
        row.after_paragraph, row.position = place.after_paragraph, place.position
        row.save(update_fields=["after_paragraph", "position"])
    article.body = body
    article.save()


def api_blocks(client, article: Article) -> list:
    response = client.get(f"/api/v1/articles/{article.slug}/")
    assert response.status_code == 200, article.slug
    return response.json()["blocks"]


def changed_by_round_trip(
    client, articles: list[Article], edit: Callable[[list[str]], list[str]]
) -> dict:
    """The articles whose API blocks differ after loading into the editor, `edit` (what the
    browser does to the loaded bodies) and saving; with body, blocks before and after."""
    before = {article.pk: api_blocks(client, article) for article in articles}
    loaded = [loaded_body(article) for article in articles]
    for article, posted in zip(articles, edit(loaded), strict=True):
        save_from_editor(article, posted)
    changed = {}
    for article in articles:
        after = api_blocks(client, article)
        if after != before[article.pk]:
            changed[article.slug] = (article.body, before[article.pk], after)
    return changed
