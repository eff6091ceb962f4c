"""`make bench`'s admin step: the editors' pages as a logged-in editor, with Django's test client.

Run inside Django (bench/run.py runs `admin_pages_measure` in `manage.py shell` against the
benchmark database; tests/bench/test_admin_pages.py against the test database). Each page is
requested once to warm up, then `runs` times; the best, the median (p50) and the p99 time
(nearest rank: the slowest of fewer than 100 runs) are reported with the SQL queries of one
request.
"""

from __future__ import annotations

import math
import statistics
import time

from django.contrib.auth.models import Group, User
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.urls import reverse

EDITOR = "bench.admin-editor"


def admin_pages(word: str) -> dict[str, str]:
    """The pages of issue 18 item 5, by name, for the benchmark's content."""
    from articles.models import Article, Section

    changelist = reverse("admin:articles_article_changelist")
    section = (
        Section.objects.annotate(n=Count("articles")).order_by("-n", "id").values("pk").first()
    )
    article = Article.objects.live().order_by("-published_at", "-id").only("pk").first()
    return {
        "A1 list": changelist,
        "A2 list by section+status": (
            f"{changelist}?section__id__exact={section['pk'] if section else 0}"
            "&status__exact=published"
        ),
        "A3 list by status": f"{changelist}?status__exact=published",
        "A4 list search": f"{changelist}?q={word}",
        "A5 change form": reverse(
            "admin:articles_article_change", args=[article.pk if article else 0]
        ),
        "A6 related autocomplete": reverse("admin:autocomplete")
        + f"?app_label=articles&model_name=relatedlink&field_name=target_article&term={word[:4]}",
        "A7 dashboard": reverse("admin:index"),
        # Fetched by the change form (A5) once it has loaded: its tag and related suggestions.
        "A8 change form's suggestions": reverse(
            "admin:articles_article_suggestions", args=[article.pk if article else 0]
        ),
    }


def admin_editor() -> User:
    """A staff user in the Editor group (the roles of `manage.py roles_sync`)."""
    user, _ = User.objects.get_or_create(username=EDITOR)
    user.is_staff = True
    user.is_active = True
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def admin_pages_measure(*, word: str, runs: int = 4) -> list[dict]:
    client = Client()
    client.force_login(admin_editor())
    rows = []
    for name, url in admin_pages(word).items():
        first = client.get(url)
        queries = []
        with connection.execute_wrapper(_recorder(queries)):
            client.get(url)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        rows.append(
            {
                "page": name,
                "path": url,
                "status": response.status_code if first.status_code == 200 else first.status_code,
                "best_ms": min(timings),
                "median_ms": statistics.median(timings),
                "p99_ms": sorted(timings)[math.ceil(0.99 * len(timings)) - 1],
                "queries": len(queries),
            }
        )
    return rows


def _recorder(queries: list):
    """An execute wrapper that appends each statement to `queries` (with DEBUG off too)."""

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    return record
