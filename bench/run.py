# ruff: noqa: S603, S607, S310, S311 - a developer script: fixed local commands, seeded sampling
"""`make bench`: seed a PostgreSQL benchmark database, serve it with gunicorn, measure with wrk.

Environment:
    BENCH_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/newsroom_bench (recreated)
    BENCH_ARTICLES      articles for seed_bench (default 10000)
    BENCH_SEED_BASE     seed_bench writes this many articles (default 10000; 0: all of them,
                        dates as generated) and copies them in SQL up to BENCH_ARTICLES, a
                        multiple of it; the archive then ends an hour ago (`--base`)
    BENCH_JSONL         a gen_dataset.py output directory: load it instead (`--from-jsonl`)
    BENCH_PORT          gunicorn port (default 8031)
    BENCH_WORKER_CLASS  gunicorn's worker class for every server: sync (default, as the
                        anchors) or gthread (keep-alive; BENCH_THREADS per worker, default 4)
    BENCH_DURATION      seconds per wrk run (default 10); BENCH_RUNS runs per endpoint (default 2)
    BENCH_SKIP_SEED=1   reuse the database (no drop or seed; migrations still run)
    BENCH_DEV_SERVER=1  serve our app and the floor from the development virtualenv instead of
                        var/bench/venv-production (requirements.txt alone, made on first use)
    BENCH_ADMIN_RUNS    timed requests per admin page (default 20; bench/admin_pages.py)
    BENCH_FANOUT_ONLY=1 only the rename step (bench/fanout.py) after the seed: no wrk, no load
    BENCH_LOAD_MINUTES  then the L-tier load test of bench/load.py (default 10; 0 skips it)
    BENCH_CEILING=1     also serve the same content with ../shared/bench/ceiling (one SQL
                        statement per request, the practical ceiling) and measure it in the
                        same run; without BENCH_JSONL the data set comes from gen_dataset.py

The load generator is `../shared/bench/harness/api_bench.py` (wrk underneath) for E1-E4; E5
(a conditional GET answered 304) is one more wrk run with an If-None-Match header, and the
same wrk run against bench/floor.py (a bare WSGI app answering 304 at once) gives its floor.
SQL queries per request are counted in-process with Django's CaptureQueriesContext.
Everything started here is stopped at the end. Results: a table on stdout and JSON under
bench/results/.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from load import django_json, run_load_test  # bench/load.py: the L-tier load test
from servers import (
    API_BENCH,
    ENDPOINTS,
    PYTHON,
    REPO,
    RESULTS,
    SEARCH_WORD,
    bench_ceiling,
    bench_floor,
    children,
    dataset_for_ceiling,
    etag_status,
    log,
    measure,
    production_python,
    recreate_database,
    run,
    start_gunicorn,
    wait_ready,
    worker_args,
    wrk_conditional,
)

ADMIN_RUNS = int(os.environ.get("BENCH_ADMIN_RUNS", "20"))


def bench_params(env: dict[str, str], jsonl: str | None, workdir: Path) -> dict[str, str]:
    """The E2 tag (mid-popularity), the E4 word and 1,000 live slugs for E3, from the database."""
    if jsonl:
        params = json.loads((Path(jsonl) / "bench.json").read_text())
        word = params["search_word"]["word"]
        # The ceiling's E2 tag, by slug: both servers then list the same articles.
        pick_tag = f"tags.get(slug={params['mid_tag']['slug']!r})"
    else:
        word, pick_tag = SEARCH_WORD, "tags[49]"  # the 50th most used tag
    script = (
        "import json; from django.db.models import Count, Q;"
        "from articles.models import Article; from tagging.models import TopicTag;"
        "live = Article.objects.live();"
        "tags = TopicTag.objects.annotate(n=Count('tagged_articles')).order_by('-n', 'id');"
        f"tag = {pick_tag};"
        "slugs = list(live.order_by('id').values_list('slug', flat=True));"
        "print(json.dumps({'tag': tag.slug, 'tag_articles': tag.n, 'slugs': slugs}))"
    )
    data = django_json(script, env)
    shared_slugs = Path(jsonl) / "slugs.txt" if jsonl else None
    if shared_slugs and shared_slugs.is_file():
        # gen_dataset.py's own 1,000 slugs: E3 asks both servers for the same articles, even
        # when the load test has published more since (BENCH_SKIP_SEED).
        slugs = shared_slugs.read_text().split()
    else:
        slugs = random.Random(1).sample(data["slugs"], min(1000, len(data["slugs"])))
    slugs_file = workdir / "slugs.txt"
    slugs_file.write_text("\n".join(slugs) + "\n")
    return {
        "tag": data["tag"],
        "tag_articles": str(data["tag_articles"]),
        "word": word,
        "slugs_file": str(slugs_file),
        "first_slug": slugs[0],
    }


def count_queries(env: dict[str, str], params: dict[str, str]) -> dict[str, float]:
    """Mean SQL queries per request, in-process (warm: one request first, then five)."""
    script = f"""
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
slugs = open({params["slugs_file"]!r}).read().split()
client = Client()
paths = {{
    "E1": ["/api/v1/articles/?page_size=20"] * 6,
    "E2": ["/api/v1/articles/?tag={params["tag"]}&page_size=20"] * 6,
    "E3": [f"/api/v1/articles/{{s}}/" for s in slugs[:6]],
    "E4": ["/api/v1/search/?q={params["word"]}&page_size=20"] * 6,
}}
etag = client.get(f"/api/v1/articles/{{slugs[0]}}/").headers.get("ETag", "")
out = {{}}
for name, urls in paths.items():
    client.get(urls[0])
    total = 0
    for url in urls[1:]:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        total += len(ctx.captured_queries)
    out[name] = total / (len(urls) - 1)
# E5 as gunicorn serves it: through newsroom.wsgi, whose first answer to a revalidation is
# Django's and is kept for the ones after it (newsroom/http/not_modified.py).
from django.test import RequestFactory
from newsroom.wsgi import application
def wsgi_get(path, **headers):
    answer = {{}}
    environ = RequestFactory().get(path, headers=headers).environ
    body = application(environ, lambda status, headers, exc_info=None: answer.update(s=status))
    b"".join(body)
    if hasattr(body, "close"):
        body.close()
    return int(answer["s"][:3])
wsgi_get(f"/api/v1/articles/{{slugs[0]}}/", if_none_match=etag)
with CaptureQueriesContext(connection) as ctx:
    status = wsgi_get(f"/api/v1/articles/{{slugs[0]}}/", if_none_match=etag)
out["E5"] = len(ctx.captured_queries)
out["E5_status"] = status
print(json.dumps(out))
"""
    return django_json(script, env)


def measure_admin(env: dict[str, str], params: dict[str, str]) -> list[dict]:
    """The admin step (bench/admin_pages.py): the article list, filtered and searched, the
    change form, the related-article autocomplete and the admin index, as an editor."""
    script = (
        "import json, sys; sys.path.insert(0, 'bench');"
        "from admin_pages import admin_pages_measure;"
        f"print(json.dumps(admin_pages_measure(word={params['word']!r}, runs={ADMIN_RUNS})))"
    )
    return django_json(script, env)


def measure_fanout(env: dict[str, str]) -> list[dict]:
    """The rename step (bench/fanout.py): the most-used tag, the largest section and the
    author of most bylines renamed through the admin; the answer, and the time until every
    document shows the new name."""
    script = (
        "import json, sys; sys.path.insert(0, 'bench');"
        "from fanout import fanout_measure;"
        "print(json.dumps(fanout_measure()))"
    )
    return django_json(script, env)


def measure_renditions(env: dict[str, str]) -> dict:
    """The renditions step (bench/renditions.py): the Wagtail-style path, a single-decode
    Pillow pipeline and newsroom's, on one generated 24-MP JPEG, in one process."""
    script = (
        "import json, sys; sys.path.insert(0, 'bench');"
        "from renditions import renditions_measure;"
        "print(json.dumps(renditions_measure()))"
    )
    return django_json(script, env)


def print_fanout(rows: list[dict]) -> None:
    print()
    print("renames through the admin, then the background job run in one process")
    print(
        f"{'rename':<9}{'documents':>10}{'answer ms':>11}{'converged s':>13}{'docs/s':>8}"
        f"{'batch full ms':>15}{'patched ms':>12}{'ratio':>7}"
    )
    for row in rows:
        ratio = row["batch_full_ms"] / max(row["batch_patch_ms"], 1)
        print(
            f"{row['rename']:<9}{row['documents']:>10}{row['answer_ms']:>11.1f}"
            f"{row['converged_s']:>13.2f}{row['documents_per_s']:>8}"
            f"{row['batch_full_ms']:>15}{row['batch_patch_ms']:>12}{ratio:>7.1f}"
            + ("" if row["stale"] == 0 else f"  {row['stale']} documents still stale")
        )
    print(f"load average: {Path('/proc/loadavg').read_text().split()[:3]}")


def best_rows(raw: dict, queries: dict[str, float]) -> list[dict]:
    rows = []
    for endpoint in raw["endpoints"].values():
        measured = endpoint["runs"]
        best = max(measured, key=lambda r: r["rps"])
        rows.append(
            {
                "endpoint": endpoint["name"],
                "path": endpoint["path"],
                "rps": best["rps"],
                "p50_ms": best["lat_p50"] / 1000,
                "p99_ms": best["lat_p99"] / 1000,
                "errors": sum(
                    r["non2xx"]
                    + r["err_connect"]
                    + r["err_read"]
                    + r["err_write"]
                    + r["err_timeout"]
                    for r in measured
                ),
                "queries": queries.get(endpoint["name"]),
            }
        )
    return rows


def main() -> int:
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_bench")
    articles = os.environ.get("BENCH_ARTICLES", "10000")
    jsonl = os.environ.get("BENCH_JSONL") or None
    port = int(os.environ.get("BENCH_PORT", "8031"))
    duration = int(os.environ.get("BENCH_DURATION", "10"))
    runs = os.environ.get("BENCH_RUNS", "2")
    with_ceiling = os.environ.get("BENCH_CEILING") == "1"
    if with_ceiling and not jsonl:
        jsonl = dataset_for_ceiling(articles)
    if not shutil.which("wrk") and shutil.which("apt-get"):
        log("wrk is missing; installing Debian's package")
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    if not API_BENCH.is_file():
        raise SystemExit(f"{API_BENCH} is missing (the shared benchmark harness)")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    workdir = REPO / "var" / "bench" / stamp
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "API_ANON_THROTTLE_RATE": "100000000/min",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    }

    started = time.monotonic()
    seeding = os.environ.get("BENCH_SKIP_SEED") != "1"
    if seeding:
        recreate_database(url)
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    # The static files a production worker indexes (WhiteNoise), exactly those of this code:
    # the servers below hold them, and DEBUG=0 serves the admin's through the manifest.
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "--clear", "-v0"], env)
    if seeding:
        seed = [PYTHON, "manage.py", "seed_bench", "--flush"]
        seed += ["--from-jsonl", jsonl] if jsonl else ["--articles", articles]
        base = int(os.environ.get("BENCH_SEED_BASE", "10000"))
        if not jsonl and 0 < base <= int(articles):
            seed += ["--base", str(base)]
        run(seed, env)
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    seed_seconds = time.monotonic() - started
    if os.environ.get("BENCH_FANOUT_ONLY") == "1":
        fanout_rows = measure_fanout(env)
        print_fanout(fanout_rows)
        RESULTS.mkdir(parents=True, exist_ok=True)
        target = RESULTS / f"{stamp}-renames.json"
        summary = {
            "when": stamp,
            "articles": jsonl or articles,
            "loadavg": Path("/proc/loadavg").read_text().split()[:3],
            "nproc": os.cpu_count(),
            "fanout_rows": fanout_rows,
        }
        target.write_text(json.dumps(summary, indent=1))
        print(f"written: {target.relative_to(REPO)}")
        return 0
    params = bench_params(env, jsonl, workdir)
    log(f"E2 tag {params['tag']} ({params['tag_articles']} articles), E4 word {params['word']}")

    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn("newsroom.wsgi:application", port, env, python=production_python(env))
    raw_json = workdir / "api_bench.json"
    try:
        wait_ready(base + "/api/v1/articles/?page_size=1", server)
        measure(
            base,
            ENDPOINTS,
            params,
            server,
            runs=runs,
            duration=duration,
            label=f"newsroom {stamp}",
            raw_json=raw_json,
            env=env,
        )
        detail = f"/api/v1/articles/{params['first_slug']}/"
        etag, status_304 = etag_status(base + detail)
        e5 = wrk_conditional(base, detail, etag, duration)
        e5["status"] = status_304
        memory = [
            int(line.split()[1])
            for pid in [server.pid, *children(server.pid)]
            for line in Path(f"/proc/{pid}/status").read_text().splitlines()
            if line.startswith("VmHWM:")
        ]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    floor = bench_floor(base_port=port + 2, path=detail, duration=duration, env=env)
    queries = count_queries(env, params)
    rows = best_rows(json.loads(raw_json.read_text()), queries)
    admin_rows = measure_admin(env, params)
    renditions = measure_renditions(env)
    # Last before the ceiling and the load test: it renames things the other steps read.
    fanout_rows = measure_fanout(env)
    ceiling_rows = []
    if with_ceiling:
        ceiling_raw = bench_ceiling(
            url=url,
            jsonl=jsonl,
            params=params,
            port=port + 1,
            runs=runs,
            duration=duration,
            workdir=workdir,
            env=env,
        )
        ceiling_rows = best_rows(ceiling_raw, {name: 1 for name in ("E1", "E2", "E3", "E4")})
    rows.append(
        {
            "endpoint": "E5",
            "path": f"{detail} If-None-Match (HTTP {e5['status']})",
            "rps": e5["rps"],
            "p50_ms": e5["p50"],
            "p99_ms": e5["p99"],
            "errors": e5["errors"],
            "queries": queries.get("E5"),
        }
    )
    rows.append(
        {
            "endpoint": "E5 floor",
            "path": "bench/floor.py: bare WSGI, 304 at once (no Django, no database)",
            "rps": floor["rps"],
            "p50_ms": floor["p50"],
            "p99_ms": floor["p99"],
            "errors": floor["errors"],
            "queries": 0,
        }
    )
    summary = {
        "when": stamp,
        "articles": jsonl or articles,
        "database": url,
        "seed_seconds": round(seed_seconds, 1),
        "wrk": f"-t2 -c8 -d{duration}s, best of {runs} runs",
        "gunicorn": f"-w 2 {' '.join(worker_args())}",
        "peak_rss_kib": {"max_worker": max(memory[1:] or memory), "all": memory},
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
        "nproc": os.cpu_count(),
        "rows": rows,
        "ceiling_rows": ceiling_rows,
        "admin": f"Django's test client as an editor, {ADMIN_RUNS} runs after one warm-up",
        "admin_rows": admin_rows,
        "fanout_rows": fanout_rows,
        "renditions": renditions,
        "params": {k: v for k, v in params.items() if k != "slugs_file"},
        "raw": str(raw_json.relative_to(REPO)),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"{stamp}.json"
    target.write_text(json.dumps(summary, indent=1))
    print()
    print(f"newsroom API, {summary['articles']} articles, {summary['wrk']}, {stamp}")
    print(f"{'endpoint':<9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'SQL/req':>9}")
    for row in rows:
        sql = "?" if row["queries"] is None else f"{row['queries']:.1f}"
        print(
            f"{row['endpoint']:<9}{row['rps']:>9.1f}{row['p50_ms']:>9.2f}{row['p99_ms']:>9.2f}"
            f"{row['errors']:>8}{sql:>9}"
        )
    print(
        "peak RSS of a gunicorn worker (VmHWM): "
        f"{summary['peak_rss_kib']['max_worker'] / 1024:.1f} MiB"
    )
    print(
        f"E5 answered HTTP {e5['status']}; gunicorn {summary['gunicorn']}; "
        f"load average at the end: {summary['loadavg']}"
    )
    by_name = {row["endpoint"]: row["rps"] for row in rows}
    if by_name.get("E3"):
        print(
            f"E5 = {by_name['E5'] / by_name['E3']:.2f} x E3; "
            f"the floor (bare WSGI, no database) = {by_name['E5 floor'] / by_name['E3']:.2f} x E3"
        )
    if ceiling_rows:
        print()
        print("ceiling app (../shared/bench/ceiling), same content, same run")
        print(f"{'endpoint':<9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'ours %':>9}")
        ours = {row["endpoint"]: row for row in rows}
        for row in ceiling_rows:
            share = 100 * ours[row["endpoint"]]["rps"] / row["rps"] if row["rps"] else 0
            print(
                f"{row['endpoint']:<9}{row['rps']:>9.1f}{row['p50_ms']:>9.2f}"
                f"{row['p99_ms']:>9.2f}{row['errors']:>8}{share:>8.0f}%"
            )
    print()
    print(f"admin pages, {summary['admin']}")
    print(f"{'page':<28}{'best ms':>9}{'p50 ms':>9}{'p99 ms':>9}{'SQL':>5}{'HTTP':>6}")
    for row in admin_rows:
        print(
            f"{row['page']:<28}{row['best_ms']:>9.1f}{row['median_ms']:>9.1f}"
            f"{row['p99_ms']:>9.1f}{row['queries']:>5}{row['status']:>6}"
        )
    print()
    print(f"renditions, {renditions['photo']}, best of {renditions['rounds']}")
    for name, label in (
        ("wagtail", "Wagtail-style (a full decode per rendition)"),
        ("single_decode", "single-decode Pillow pipeline (draft)"),
        ("newsroom", "newsroom (renditions_encode)"),
    ):
        print(
            f"  {label:<46}{renditions['seconds'][name]:>8.3f} s"
            f"{renditions['bytes'][name]:>11} bytes"
        )
    print(
        f"  newsroom = {renditions['vs_wagtail']:.2f} x the Wagtail-style path, "
        f"{100 * renditions['vs_single_decode']:.0f} % of the single-decode pipeline's speed"
    )
    print_fanout(fanout_rows)
    print(f"written: {target.relative_to(REPO)}")
    if os.environ.get("BENCH_LOAD_MINUTES", "10") != "0":
        return run_load_test(env=env, params=params, port=port, results=target, workdir=workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
