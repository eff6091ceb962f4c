"""`make bench`'s rename step: rename the most-used tag, the largest section and the author
with the most bylines through the admin, as an editor, and time the answer and the time until
every published document shows the new name.

Run inside Django (bench/run.py runs `fanout_measure` in `manage.py shell` against the
benchmark database; tests/bench/test_fanout.py against the test database). The admin's save
answers once the rename and its job are committed; the job is then run in this process, as a
worker runs it (articles/published/fanout.py), until it is done: "converged" is the time from
the POST to the last document showing the new name, and documents/s the documents rebuilt
over the job's run. Each rename appends a stamp to the name, so runs on a reused database
do not clash. Then one batch of each is built in full (as the job did before it patched)
and patched, alternately in one process: their ratio holds on a loaded machine.
"""

from __future__ import annotations

import contextlib
import json
import time

from django.core.files import File
from django.db.models import Count
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import reverse


def _change_form_data(client: Client, url: str) -> dict:
    """The POST the change form at `url` sends when saved as it is (inlines included)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    data: dict = {}

    def add(form, name: str) -> None:
        value = form[name].value()
        if value is None or isinstance(value, File):
            return  # nothing, or a file: left as it is
        if isinstance(value, bool):
            if value:
                data[form.add_prefix(name)] = "on"
            return
        data[form.add_prefix(name)] = value

    form = response.context["adminform"].form
    for name in form.fields:
        add(form, name)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            add(formset.management_form, name)
        for item in formset.forms:
            for name in item.fields:
                add(item, name)
    return data


def fanout_targets() -> list[tuple[str, object, str, str]]:
    """(label, object, its admin change URL, the published ids query's kind) of each
    rename: the tag on most articles, the section with most, the author of most bylines."""
    from articles.models import Author, Section
    from articles.published.fanout import FANOUT_AUTHOR, FANOUT_SECTION, FANOUT_TAG
    from tagging.models import TopicTag

    tag = TopicTag.objects.annotate(n=Count("tagged_articles")).order_by("-n", "id").first()
    section = Section.objects.annotate(n=Count("articles")).order_by("-n", "id").first()
    author = Author.objects.annotate(n=Count("bylines")).order_by("-n", "id").first()
    return [
        ("tag", tag, reverse("admin:tagging_topictag_change", args=[tag.pk]), FANOUT_TAG),
        (
            "section",
            section,
            reverse("admin:articles_section_change", args=[section.pk]),
            FANOUT_SECTION,
        ),
        (
            "author",
            author,
            reverse("admin:articles_author_change", args=[author.pk]),
            FANOUT_AUTHOR,
        ),
    ]


def _batch_seconds(kind: str, obj, name: str, *, runs: int = 2) -> tuple[float, float]:
    """The first batch of the job's articles, built in full as the job did before
    (`published_refresh`, `published_sync` for a section) and patched
    (`published_patch`), each after renaming the object again in SQL; best of `runs`. In
    one process, alternating, so the ratio holds on a loaded machine. Leaves the object
    named `name` and the batch showing it."""
    from django.conf import settings

    from articles.published.build import published_refresh, published_sync
    from articles.published.fanout import FANOUTS
    from articles.published.patch import published_patch

    fanout = FANOUTS[kind]
    ids = list(fanout.ids(obj.pk).order_by("article_id")[: settings.PUBLISHED_FANOUT_BATCH])
    model = type(obj)
    full, patched = [], []
    for run in range(runs):
        model.objects.filter(pk=obj.pk).update(name=f"{name[:90]} f{run}")
        started = time.perf_counter()
        (published_sync if fanout.links else published_refresh)(article_ids=ids)
        full.append(time.perf_counter() - started)
        model.objects.filter(pk=obj.pk).update(name=f"{name[:90]} p{run}")
        started = time.perf_counter()
        published_patch(patch=fanout.patch, article_ids=ids)
        patched.append(time.perf_counter() - started)
    model.objects.filter(pk=obj.pk).update(name=name)
    published_patch(patch=fanout.patch, article_ids=ids)
    return min(full), min(patched)


def fanout_measure() -> list[dict]:
    from admin_pages import admin_editor  # bench/admin_pages.py: bench/ is on sys.path

    from articles.published.fanout import FANOUTS, published_fanout_run
    from articles.published.models import PublishedArticle
    from newsroom.jobs.models import BackgroundJob

    # The test client records the change forms' context (already set up under pytest).
    with contextlib.suppress(RuntimeError):
        setup_test_environment()
    client = Client()
    client.force_login(admin_editor())
    stamp = time.strftime("%H%M%S")
    rows = []
    for label, obj, url, kind in fanout_targets():
        data = _change_form_data(client, url)
        new_name = f"{obj.name} {stamp}"[:100]
        data["name"] = new_name
        started = time.perf_counter()
        response = client.post(url, data)
        answered = time.perf_counter() - started
        assert response.status_code == 302, (label, response.status_code)
        job = BackgroundJob.objects.filter(kind=kind, object_id=obj.pk).first()
        in_background = job is not None and job.status == BackgroundJob.Status.PENDING
        run_started = time.perf_counter()
        while published_fanout_run(kind=kind, object_id=obj.pk) is not None:
            job = BackgroundJob.objects.get(pk=job.pk)
            if job.status == BackgroundJob.Status.DONE:
                break
        finished = time.perf_counter()
        ids = FANOUTS[kind].ids(obj.pk)
        documents = ids.count()
        stale = (
            PublishedArticle.objects.filter(article_id__in=ids)
            .exclude(document__contains=json.dumps(new_name)[1:-1])
            .count()
        )
        full, patched = _batch_seconds(kind, obj, new_name)
        rows.append(
            {
                "rename": label,
                "documents": documents,
                "background": in_background,
                "answer_ms": round(answered * 1000, 1),
                "converged_s": round(finished - started, 2),
                "documents_per_s": round(documents / max(finished - run_started, 1e-9)),
                "stale": stale,
                "batch_full_ms": round(full * 1000),
                "batch_patch_ms": round(patched * 1000),
            }
        )
    return rows
