"""The admin step of `make bench` (bench/admin_pages.py) measures every page it names, as an
editor, and each answers 200."""

import importlib.util
from pathlib import Path

import pytest

from tests.support.factories import ArticleFactory

_spec = importlib.util.spec_from_file_location(
    "bench_admin_pages", Path(__file__).resolve().parents[2] / "bench" / "admin_pages.py"
)
admin_pages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(admin_pages)


@pytest.mark.django_db
def test_the_admin_step_measures_each_page_as_an_editor(roles):
    ArticleFactory(headline="Pemerintah umumkan anggaran", published=True)
    rows = admin_pages.admin_pages_measure(word="pemerintah", runs=1)
    assert [row["page"] for row in rows] == list(admin_pages.admin_pages("pemerintah"))
    for row in rows:
        assert row["status"] == 200, rows
        assert row["queries"] > 0, [(r["page"], r["queries"]) for r in rows]
        assert 0 < row["best_ms"] <= row["median_ms"] <= row["p99_ms"]
