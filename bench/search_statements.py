# ruff: noqa: T201 - a developer script that prints its figures
"""A search's two statements, built by the ORM or written in SQL, timed alone in a loop.

Prints the CPU time this process spends per search on E4's statements, the publish time of the
window's oldest match and then the ranked page, each way: through the ORM
(`visible().search(q).search_ranked(q)`, what a search with filters runs) and written in SQL
(`visible_search(q)`, `VisibleSearch`, what `?q=` alone runs); then, with `--wait`, what a
statement that only waits on the server costs the client (`SELECT pg_sleep(0.005)` against
`SELECT 1`). The wait on PostgreSQL is not in the figures. docs/performance.md, "Eighth round".
Run it against a database that `make bench` seeded:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench \\
        .venv/bin/python bench/search_statements.py [--query nyapim] [--runs 200] [--wait]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")


def cpu_per_call(function, runs: int) -> float:
    """Thread CPU µs per call of `function`, after one call to warm it."""
    function()
    started = time.thread_time()
    for _ in range(runs):
        function()
    return (time.thread_time() - started) / runs * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--query", default="nyapim", help="E4's word in the bench database")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--wait", action="store_true", help="also time a statement that waits")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from articles.published.api.views import planned_per_query
    from articles.published.models import PublishedArticle

    window = settings.API_SEARCH_RANK_WINDOW
    fields = ("published_at", "updated_at", "teaser")
    page = slice(0, 21)  # E4's page of 20 and the row that tells whether there is a next

    def by_orm():
        matches = PublishedArticle.objects.visible().search(args.query)
        return list(matches.search_ranked(args.query, window=window).values(*fields)[page])

    def in_sql():
        return list(PublishedArticle.objects.visible_search(args.query, window=window)[page])

    def statement(sql):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()

        return run

    with planned_per_query("default"):  # as SearchView runs them
        if by_orm() != in_sql():
            sys.exit("the two ways gave different rows")
        timed = {"ORM": by_orm, "SQL (VisibleSearch)": in_sql}
        if args.wait:
            timed |= {
                "SELECT 1": statement("SELECT 1"),
                "SELECT pg_sleep(0.005)": statement("SELECT pg_sleep(0.005)"),
            }
        for round_ in range(1, args.rounds + 1):
            for label, function in timed.items():
                cpu = cpu_per_call(function, args.runs)
                print(f"round {round_}  {label:<24} {cpu:8.0f} µs CPU")


if __name__ == "__main__":
    main()
