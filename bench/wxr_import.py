# ruff: noqa: S311, SIM905 - a developer script: seeded sampling, a word list
"""`make bench-wxr`: time the WordPress import of a generated export on PostgreSQL.

Generates a portal-style export of BENCH_WXR_POSTS posts (default 10,000; 12 categories,
300 tags, 25 authors, a "BACA JUGA" line in every third post, no attachments), recreates
BENCH_WXR_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/newsroom_bench_wxr),
migrates it, and imports the export with `wordpress_import` as an editor, without media,
in batches of BENCH_WXR_BATCH_SIZE posts (default: `ImportOptions`'s, 500).
Celery messages are not sent (the outbox rows are written as usual; a worker would do them
later). Prints posts per second, the second run's time (everything unchanged) and the peak
resident memory of the process, the importer's CPU time for each run and the load average;
writes bench/results/wxr-import-*.json.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import resource
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape

from servers import REPO, RESULTS, recreate_database

WORDS = (
    "warga pemerintah kota bandung jalan banjir pasar harga beras cabai sekolah guru siswa "
    "rumah sakit pasien dinas bupati wali camat desa petani panen hujan sungai jembatan tol "
    "kereta stasiun bandara polisi kecelakaan motor mobil anggaran proyek pembangunan taman"
).split()


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def generate(path: Path, posts: int, seed: int = 20) -> None:
    rng = random.Random(seed)
    categories = [f"kategori-{n}" for n in range(12)]
    tags = [f"topik {n}" for n in range(300)]
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
            "<title>Bench</title><link>https://bench.test</link><language>id</language>\n"
            "<wp:wxr_version>1.2</wp:wxr_version>"
            "<wp:base_blog_url>https://bench.test</wp:base_blog_url>\n"
        )
        for n in range(25):
            out.write(
                f"<wp:author><wp:author_login>penulis{n}</wp:author_login>"
                f"<wp:author_email>penulis{n}@bench.test</wp:author_email>"
                f"<wp:author_display_name>Penulis {n}</wp:author_display_name></wp:author>\n"
            )
        for n, slug in enumerate(categories):
            out.write(
                f"<wp:category><wp:term_id>{n + 1}</wp:term_id><wp:category_nicename>{slug}"
                f"</wp:category_nicename><wp:cat_name>Kategori {n}</wp:cat_name></wp:category>\n"
            )
        start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
        for post_id in range(1, posts + 1):
            date = start + dt.timedelta(minutes=90 * post_id)
            paragraphs = [f"BANDUNG - {sentence(rng, 30)}"] + [
                sentence(rng, rng.randint(20, 45)) for _ in range(rng.randint(4, 9))
            ]
            if post_id % 3 == 0 and post_id > 1:
                target = rng.randint(1, post_id - 1)
                paragraphs.insert(
                    2,
                    f'BACA JUGA: <a href="https://bench.test/?p={target}">Berita {target}</a>',
                )
            body = "\n\n".join(paragraphs)
            chosen = rng.sample(tags, 3)
            terms = f'<category domain="category" nicename="{rng.choice(categories)}">K</category>'
            terms += "".join(
                f'<category domain="post_tag" nicename="{t.replace(" ", "-")}">{t}</category>'
                for t in chosen
            )
            out.write(
                f"<item><title>Berita {post_id}: {escape(sentence(rng, 8))}</title>"
                f"<link>https://bench.test/{date:%Y/%m/%d}/berita-{post_id}/</link>"
                f"<dc:creator>penulis{post_id % 25}</dc:creator>"
                f"<guid>https://bench.test/?p={post_id}</guid>"
                f"<content:encoded><![CDATA[{body}]]></content:encoded>"
                f"<excerpt:encoded><![CDATA[{sentence(rng, 15)}]]></excerpt:encoded>"
                f"<wp:post_id>{post_id}</wp:post_id>"
                f"<wp:post_date>{date:%Y-%m-%d %H:%M:%S}</wp:post_date>"
                f"<wp:post_date_gmt>{date:%Y-%m-%d %H:%M:%S}</wp:post_date_gmt>"
                f"<wp:post_name>berita-{post_id}</wp:post_name><wp:status>publish</wp:status>"
                f"<wp:post_type>post</wp:post_type>{terms}</item>\n"
            )
        out.write("</channel>\n</rss>\n")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    posts = int(os.environ.get("BENCH_WXR_POSTS", "10000"))
    url = os.environ.get(
        "BENCH_WXR_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_bench_wxr"
    )
    export = REPO / "var" / f"bench-wxr-{posts}.xml"
    export.parent.mkdir(exist_ok=True)
    generate(export, posts)
    print(f"export: {export} ({export.stat().st_size / 1e6:.1f} MB, {posts} posts)")
    recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from celery.app.task import Task
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    from articles.roles import roles_sync
    from articles.wordpress.importer import wordpress_import
    from articles.wordpress.options import ImportOptions

    call_command("migrate", verbosity=0)
    roles_sync()
    user = User.objects.create_user("bench.editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    Task.apply_async = lambda *args, **kwargs: None
    Task.delay = lambda *args, **kwargs: None
    before = peak_rss_mb()

    options = ImportOptions()
    options.batch_size = int(os.environ.get("BENCH_WXR_BATCH_SIZE", options.batch_size))

    started, cpu = time.perf_counter(), time.process_time()
    summary = wordpress_import(paths=[str(export)], user=user, options=options)
    first, first_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    again = wordpress_import(paths=[str(export)], user=user, options=options)
    second, second_cpu = time.perf_counter() - started, time.process_time() - cpu

    result = {
        "posts": posts,
        "batch_size": options.batch_size,
        "export_mb": round(export.stat().st_size / 1e6, 1),
        "first_run_s": round(first, 1),
        "posts_per_s": round(posts / first, 1),
        # The importer's own CPU (PostgreSQL's work is in the wall time only): on a shared
        # machine the wall time is the load's as much as the code's.
        "first_run_cpu_s": round(first_cpu, 1),
        "load_average": os.getloadavg(),
        "second_run_s": round(second, 1),
        "second_posts_per_s": round(posts / second, 1),
        "second_run_cpu_s": round(second_cpu, 1),
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "first": summary.as_dict()["kinds"],
        "second": again.as_dict()["kinds"],
    }
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"wxr-import-{stamp}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
