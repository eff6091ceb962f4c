"""Article languages and full-text search: PostgreSQL's stemming per language, words
matched anywhere on SQLite."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connections, models
from django.db.models import BooleanField, Case, Expression, F, FloatField, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Lower, StrIndex
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    INDONESIAN = "id", _("Indonesian")
    ENGLISH = "en", _("English")


# PostgreSQL text-search configuration per article language.


SEARCH_CONFIGS = {
    Language.INDONESIAN: "indonesian",
    Language.ENGLISH: "english",
}

# The headline's words as written (no stemming), for matching what an editor types; the
# expression of the GIN index `articles_headline_words_idx` (migration 0022).
HEADLINE_WORDS = SearchVector("headline", config="simple")

# The admin's order of articles in use (`ArticleAdmin.ordering`, index
# `articles_admin_updated_idx`), and how many of the newest the related-article
# autocomplete looks among first (`headline_prefix_page`).
IN_USE_ORDER = ("-updated_at", "-id")
PREFIX_WINDOW = 2_000
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def search_articles(queryset, query: str, *, prefix: str = "", id_field: str = "id"):
    """`queryset` (of articles, or of rows whose article is reached by `prefix`) matching
    `query`, most relevant first, then newest (`search_matching`, `search_ranked`)."""
    matching = search_matching(queryset, query, prefix=prefix)
    return search_ranked(matching, query, prefix=prefix, id_field=id_field)


def search_matching(queryset, query: str, *, prefix: str = "", vector: str = ""):
    """`queryset` (of articles, or of rows whose article is reached by `prefix`) less the
    rows that do not match `query`.

    PostgreSQL: a stored search vector (`vector`, by default the article's `search_vector`:
    headline A, dek B, body C, kept current by a trigger, see migration 0004) matched with
    the stemming of each article's language. Elsewhere (SQLite): every word must occur in
    headline, dek or body. No stemming there.
    """
    if connections[queryset.db].vendor == "postgresql":
        return queryset.filter(LanguageMatch(vector or f"{prefix}search_vector", query))
    for word in query.split()[:10]:
        queryset = queryset.filter(
            Q(**{f"{prefix}headline__icontains": word})
            | Q(**{f"{prefix}dek__icontains": word})
            | Q(**{f"{prefix}body__icontains": word})
        )
    return queryset


def search_ranked(queryset, query: str, *, prefix: str = "", vector: str = "", id_field="id"):
    """Matches of `query` (`search_matching`) most relevant first, then newest.

    PostgreSQL ranks with `ts_rank` over the search vector; SQLite puts headline matches
    first.
    """
    ordering = ("-rank", "-published_at", f"-{id_field}")
    if connections[queryset.db].vendor == "postgresql":
        rank = LanguageRank(vector or f"{prefix}search_vector", query)
        return queryset.annotate(rank=rank).order_by(*ordering)
    headline_hits = Q()
    for word in query.split()[:10]:
        headline_hits &= Q(**{f"{prefix}headline__icontains": word})
    rank = Case(When(headline_hits, then=Value(1.0)), default=Value(0.0), output_field=FloatField())
    return queryset.annotate(rank=rank).order_by(*ordering)


def search_headline_prefix(queryset, term: str):
    """Articles whose headline holds every word of `term`, the last one as a prefix (what an
    editor has typed so far: "banj" finds "Banjir di Bandung").

    PostgreSQL: the headline's words as written, without stemming (`HEADLINE_WORDS`, with a
    GIN index of its own, migration 0022): a stemmer would turn "Pemerintah" into
    "perintah", and what an editor types ("peme") is not the start of the stem. Each word
    must also occur in the lower-cased headline (`strpos(lower(headline), lower(word)) >
    0`): true of every match (a headline's words are pieces of it, lower-cased), and a test
    PostgreSQL makes first, being cheaper than building the headline's words
    (`to_tsvector`, 10–25 µs a headline): the walk of the newest articles in
    `headline_prefix_page` builds them only for the few headlines that hold the letters.
    `strpos`, not `LIKE '%word%'`: the planner gives a comparison of a function's result a
    third of the rows, and a LIKE a few thousandths, which made the walk look long enough
    at a million articles to start parallel workers (some 15 ms) for a page it finds in a
    few hundred rows. Elsewhere (SQLite): each word occurs anywhere in the headline. An
    empty term leaves `queryset` as it is.
    """
    words = re.findall(r"\w+", term)[:10]
    if not words:
        return queryset
    if connections[queryset.db].vendor == "postgresql":
        # Only word characters reach to_tsquery, so its operators cannot be injected.
        raw = " & ".join([*words[:-1], f"{words[-1]}:*"])
        for index, word in enumerate(words):
            at = f"headline_word_{index}_at"
            queryset = queryset.alias(
                **{at: StrIndex(Lower("headline"), Lower(Value(word)))}
            ).filter(**{f"{at}__gt": 0})
        return queryset.alias(headline_words=HEADLINE_WORDS).filter(
            headline_words=SearchQuery(raw, config="simple", search_type="raw")
        )
    for word in words:
        queryset = queryset.filter(headline__icontains=word)
    return queryset


def headline_prefix_page(queryset, *, offset: int, limit: int, window: int | None = None):
    """Rows `offset` to `offset + limit` of `queryset` (articles in use, filtered by
    `search_headline_prefix`, ordered as `IN_USE_ORDER`), read in a time bounded whatever
    the prefix.

    PostgreSQL: first among the `window` articles in use updated last: those updated at or
    after the `window`-th (an index-only walk of `window` entries of
    `articles_admin_updated_idx`, an InitPlan of the query). The query then walks that index
    from the newest, testing each headline, and stops at the page's last row: a common
    prefix ("p", "peme", tens of thousands of headlines at a million articles) reads a few
    hundred rows, as at ten thousand articles, where sorting all its matches costs hundreds
    of milliseconds (and joining the window's ids, as before, tested all 2,000 headlines).
    Only when it does not are all matches read,
    through the GIN index of headline words, and sorted: the few of a rare prefix. That
    read is fenced (`_sorted_after_matching`): given an ORDER BY and a LIMIT, the planner
    may walk the ordered index hoping to meet matches soon, which for a rare prefix reads
    the whole table (seconds). Both reads give the same rows: the window is the start of
    that same order. Elsewhere (SQLite): a slice of `queryset`.
    """
    if connections[queryset.db].vendor != "postgresql":
        return list(queryset[offset : offset + limit])
    window = window or PREFIX_WINDOW
    # IN_USE_ORDER starts with `-updated_at`: its first `window` rows are those updated at or
    # after the `window`-th (ties included), every row when there are fewer.
    last_in_window = (
        queryset.model._default_manager.filter(deleted_at__isnull=True)
        .order_by(*IN_USE_ORDER)
        .values("updated_at")[window - 1 : window]
    )
    since = Coalesce(Subquery(last_in_window), Value(EARLIEST))
    rows = list(queryset.filter(updated_at__gte=since)[offset : offset + limit])
    if len(rows) == limit:
        return rows
    return _sorted_after_matching(queryset, offset=offset, limit=limit)


def _sorted_after_matching(queryset, *, offset: int, limit: int) -> list:
    """`queryset[offset:offset + limit]` with its matching rows found first (a MATERIALIZED
    common table expression: the planner cannot push the ORDER BY and LIMIT into it), then
    sorted by `IN_USE_ORDER`."""
    connection = connections[queryset.db]
    sql, params = queryset.order_by().query.sql_with_params()
    order = ", ".join(
        f"{connection.ops.quote_name(queryset.model._meta.get_field(name.lstrip('-')).column)}"
        f" {'DESC' if name.startswith('-') else 'ASC'}"
        for name in IN_USE_ORDER
    )
    # Django's own SQL of the queryset and quoted column names; values are parameters.
    fenced = (
        f"WITH matching AS MATERIALIZED ({sql}) "  # noqa: S608
        f"SELECT * FROM matching ORDER BY {order} LIMIT %s OFFSET %s"
    )
    manager = queryset.model._default_manager.db_manager(queryset.db)
    return list(manager.raw(fenced, [*params, limit, offset]))


class LanguageMatch(Expression):
    """PostgreSQL: the row's search vector (`vector`, a field path) matches `query`, read as
    a web search (`websearch_to_tsquery`) with the stemming of the row's language.

    One expression for what a `Q` of a `SearchQuery` per language would say: the same SQL,
    with one node to resolve and compile instead of a tree of lookups, `SearchQuery` and
    `Value` nodes per language (docs/performance.md, "Search: fewer expressions, still two
    statements"). `query` is always a parameter.
    """

    conditional = True
    output_field = BooleanField()
    # Per language: the SQL of one language's test, given the row's language and vector.
    clause = "({language} = %s AND {vector} @@ websearch_to_tsquery(%s::regconfig, %s))"
    opening, joiner, closing = "(", " OR ", ")"

    def __init__(self, vector: str, query: str):
        super().__init__()
        self.language = F("language")
        self.vector = F(vector)
        self.query = query

    def get_source_expressions(self):
        return [self.language, self.vector]

    def set_source_expressions(self, expressions):
        self.language, self.vector = expressions

    def as_sql(self, compiler, connection):
        language, language_params = compiler.compile(self.language)
        vector, vector_params = compiler.compile(self.vector)
        return self.written(language, vector, self.query, language_params, vector_params)

    @classmethod
    def written(
        cls, language: str, vector: str, query: str, language_params=(), vector_params=()
    ) -> tuple[str, list]:
        """The SQL and its parameters, given the SQL of the row's language and search vector
        (and their parameters): for statements written by hand too (`VisibleSearch`)."""
        clause = cls.clause.format(language=language, vector=vector)
        params = []
        for code, config in SEARCH_CONFIGS.items():
            params += [*language_params, code, *vector_params, config, query]
        clauses = cls.joiner.join([clause] * len(SEARCH_CONFIGS))
        return f"{cls.opening}{clauses}{cls.closing}", params


class LanguageRank(LanguageMatch):
    """PostgreSQL: `ts_rank` of the row's search vector for `query` with the stemming of the
    row's language (0 for another language), as `LanguageMatch` matches it."""

    conditional = False
    output_field = FloatField()
    clause = "WHEN {language} = %s THEN ts_rank({vector}, websearch_to_tsquery(%s::regconfig, %s))"
    opening, joiner, closing = "(CASE ", " ", " ELSE 0.0 END)"
