"""The editing world's models, one module per concept; every model is importable from here.

`search`: languages and full-text search; `sections`: desks and sections; `people`: authors
and bylines; `article`: the article, its inline photos, tags and old slugs; `related`:
related reading and suggestions; `revisions`: revisions, audit log, corrections; `locks`:
who has an article open.
"""

from articles.models.article import (
    RELATED_LINK_DEFAULT_LABELS,
    Article,
    ArticlePhoto,
    ArticleQuerySet,
    ArticleSlugHistory,
    TaggedArticle,
    article_times_check,
    validate_embargo_until,
    validate_schedule_horizon,
)
from articles.models.locks import ArticleEditor
from articles.models.people import Author, Byline, author_photo_upload_to
from articles.models.related import RelatedLink, RelatedSuggestion
from articles.models.revisions import ArticleRevision, ArticleTransition, Correction
from articles.models.search import (
    SEARCH_CONFIGS,
    Language,
    LanguageMatch,
    LanguageRank,
    search_articles,
    search_matching,
    search_ranked,
)
from articles.models.sections import Desk, Section

__all__ = [
    "RELATED_LINK_DEFAULT_LABELS", "SEARCH_CONFIGS", "Article", "ArticleEditor", "ArticlePhoto",
    "ArticleQuerySet", "ArticleRevision", "ArticleSlugHistory", "ArticleTransition", "Author",
    "Byline", "Correction", "Desk", "Language", "LanguageMatch", "LanguageRank", "RelatedLink",
    "RelatedSuggestion", "Section", "TaggedArticle", "article_times_check",
    "author_photo_upload_to", "search_articles", "search_matching", "search_ranked",
    "validate_embargo_until", "validate_schedule_horizon",
]  # fmt: skip
