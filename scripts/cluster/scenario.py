"""The cluster run's scenario, step by step, against a started `Cluster` (servers.py).

The editor works over HTTP on node A's write API (`/api/v1/manage/`); the front end reads the
public API through Varnish. Each step records its figures and targets in a `Report`.
"""

from __future__ import annotations

import io
import re
import statistics
import threading
import time

import psycopg

from scripts.cluster.clients import Editor, ReadLoad, varnish_get
from scripts.cluster.report import Report
from scripts.cluster.servers import BUCKET, DATABASE, Cluster
from scripts.faults.stack import wait_until

# PHOTO_RENDITIONS (7 specs) x PHOTO_RENDITION_FORMATS (2), newsroom/settings/jobs.py
RENDITIONS = 14
CORRECTIONS = 50
READ_RATE = 80  # front-end requests a second through Varnish, in all
HIT_RATE_SECONDS = 20
KILL_PHASE_SECONDS = 8


def photo_bytes(label: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1600, 1000), (40, 90, 140))
    ImageDraw.Draw(image).text((60, 60), label, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def headline_of(base: str, slug: str) -> tuple[int, str, dict]:
    import json

    status, headers, body = varnish_get(base, f"/api/v1/articles/{slug}/")
    return status, json.loads(body).get("headline", "") if status == 200 else "", headers


class Scenario:
    def __init__(self, cluster: Cluster, report: Report) -> None:
        self.cluster = cluster
        self.report = report
        self.varnish = cluster.varnish.url
        self.section = ""
        self.author = ""
        self.detail_slugs: list[str] = []
        self.tag = ""
        # Every article the run published, with the headline it must show at the end, and
        # those it unpublished.
        self.expected: dict[str, str] = {}
        self.gone: list[str] = []
        self.lock = threading.Lock()

    # --- Set-up -----------------------------------------------------------------------------

    def seed(self) -> Editor:
        t0 = time.monotonic()
        self.cluster.manage(["seed_demo", "--force"])
        token = self.cluster.manage(["api_token_create", "editor", "--name", "cluster"]).strip()
        nodes = {name: f"http://127.0.0.1:{port}" for name, port in self.cluster.web_ports.items()}
        editor = Editor(nodes=nodes, token=token)
        articles = requests_json(f"{nodes['node_b']}/api/v1/articles/?page_size=50")["results"]
        self.detail_slugs = [article["slug"] for article in articles]
        self.section = articles[0]["section"]["slug"]
        self.author = next(b["slug"] for a in articles for b in a["bylines"] if b.get("slug"))
        tags = requests_json(f"{nodes['node_b']}/api/v1/tags/")
        self.tag = sorted(tags, key=lambda tag: tag["article_count"])[len(tags) // 2]["slug"]
        # The demo photos' renditions are done before the run's own photo is timed.
        if not wait_until(lambda: not self.unfinished_jobs()[1], timeout=180, interval=0.5):
            raise RuntimeError(f"the demo content's jobs did not finish: {self.unfinished_jobs()}")
        self.report.note(
            f"seeded demo content in {time.monotonic() - t0:.1f} s: {len(self.detail_slugs)} "
            f"published articles, E2 tag {self.tag!r}"
        )
        return editor

    def publish_new(self, editor: Editor, headline: str, **fields) -> dict:
        article = editor.create(headline=headline, section=self.section,
                                bylines=[self.author], body="<p>Dari klaster.</p>",
                                tags=["Cluster run"], **fields)  # fmt: skip
        published = editor.action(article["id"], "publish")
        with self.lock:
            self.expected[published["slug"]] = headline
        return published

    # --- Steps ------------------------------------------------------------------------------

    def publish_with_photo(self, editor: Editor) -> dict:
        r = self.report
        made_before = self.renditions_made()
        t0 = time.monotonic()
        photo_id = editor.upload_photo(photo_bytes("cluster"), name="cluster.jpg", alt="Cluster")
        article = self.publish_new(editor, "Klaster terbit dengan foto baru", lead_photo=photo_id)
        saved = time.monotonic()
        r.note(f"photo {photo_id} uploaded and article {article['id']} published on "
               f"{editor.node} in {saved - t0:.2f} s")  # fmt: skip

        def seen_on_b():
            answer = varnish_get(
                self.varnish, f"/api/v1/articles/{article['slug']}/", node="node_b"
            )
            return answer if answer[0] == 200 else None

        answer = wait_until(seen_on_b, timeout=10, interval=0.02)
        built_by = answer[1].get("X-Newsroom-Node") if answer else None
        seen = f"{time.monotonic() - saved:.2f} s after the publish, built by {built_by}"
        r.check("article seen through Varnish from node B", built_by == "node_b", seen)

        prefix = f"renditions/{photo_id}/"
        keys = wait_until(
            lambda: len(k := {x for x in self.cluster.s3.keys(BUCKET) if x.startswith(prefix)})
            >= RENDITIONS and k,
            timeout=90, interval=0.2,
        )  # fmt: skip
        r.check("renditions in object storage", bool(keys),
                f"{len(keys or [])} of {RENDITIONS} objects under s3://{BUCKET}/{prefix} "
                f"{time.monotonic() - saved:.2f} s after the publish")  # fmt: skip
        made = {host: count - made_before.get(host, 0)
                for host, count in self.renditions_made().items()}  # fmt: skip
        r.check("renditions made on a worker host", any(made.values()),
                f"rendition jobs finished per host: {made}")  # fmt: skip

        # The public answer, rebuilt with the renditions, names objects that exist.
        media_url = self.cluster.env["MEDIA_PUBLIC_URL"] + "/"

        def photo_keys():
            body = varnish_get(self.varnish, f"/api/v1/articles/{article['slug']}/")[2].decode()
            found = {part.split('"')[0] for part in body.split(f'"{media_url}')[1:]}
            return found if any(key.startswith(prefix) for key in found) else None

        named = wait_until(photo_keys, timeout=10, interval=0.1) or set()
        stored = self.cluster.s3.keys(BUCKET)
        evidence = f"{len(named)} URLs under {media_url}, {len(named - stored)} not in the bucket"
        r.check("photo URLs at MEDIA_PUBLIC_URL name stored objects",
                bool(named) and named <= stored, evidence)  # fmt: skip
        return article

    def unfinished_jobs(self) -> tuple[list, list]:
        """Purge and rendition jobs by status, and those not done."""
        with psycopg.connect(self.cluster.pg.primary.url(DATABASE), autocommit=True) as conn:
            rows = conn.execute(JOBS_SQL).fetchall()
        return rows, [row for row in rows if row[2] and row[1] != "done"]

    def renditions_made(self) -> dict[str, int]:
        """Rendition tasks each worker host has finished so far (Celery's log)."""
        pattern = re.compile(r"photo_renditions_generate_task\[[0-9a-f-]+\] succeeded")
        return {host: len(pattern.findall(process.output()))
                for host, process in self.cluster.workers.items()}  # fmt: skip

    def corrections(self, editor: Editor, article: dict) -> None:
        slug = article["slug"]
        current = editor.get(article["id"])
        delays = []
        stale_hits = 0
        for number in range(1, CORRECTIONS + 1):
            headline_of(self.varnish, slug)  # the old answer is in the cache
            headline = f"Klaster terbit dengan foto baru (koreksi {number})"
            current = editor.update(current, headline=headline)
            saved = time.monotonic()
            while True:
                status, seen, headers = headline_of(self.varnish, slug)
                if seen == headline:
                    delays.append(time.monotonic() - saved)
                    break
                stale_hits += headers.get("X-Cache") == "HIT"
                if time.monotonic() - saved > 10:
                    delays.append(float("inf"))
                    break
                time.sleep(0.02)
        with self.lock:
            self.expected[slug] = current["headline"]
        p50, worst = statistics.median(delays), max(delays)
        self.report.note(f"{CORRECTIONS} corrections: the old answer was a cache HIT "
                         f"{stale_hits} times while the purge was on its way")  # fmt: skip
        self.report.target("correction visible through Varnish, p50", p50, "s", maximum=1.0)
        self.report.target("correction visible through Varnish, max", worst, "s", maximum=2.0)

    def unpublish(self, editor: Editor) -> None:
        article = self.publish_new(editor, "Klaster: artikel yang akan ditarik")
        slug = article["slug"]
        wait_until(lambda: headline_of(self.varnish, slug)[2].get("X-Cache") == "HIT", timeout=10)
        editor.action(article["id"], "unpublish")
        saved = time.monotonic()
        with self.lock:
            self.expected.pop(slug)
            self.gone.append(slug)
        gone = wait_until(lambda: headline_of(self.varnish, slug)[0] == 404, timeout=10,
                          interval=0.02)  # fmt: skip
        delay = time.monotonic() - saved if gone else float("inf")
        self.report.target("unpublished article 404 through Varnish", delay, "s", maximum=2.0)

    def read_mix(self, rng) -> str:
        kind = rng.randrange(3)
        if kind == 0:
            return "/api/v1/articles/?page_size=20"
        if kind == 1:
            return f"/api/v1/articles/?tag={self.tag}&page_size=20"
        return f"/api/v1/articles/{rng.choice(self.detail_slugs)}/"

    def publisher(self, editor: Editor, stop: threading.Event, failures: list[str]) -> None:
        """One new article a second, as long as the run goes on."""
        number = 0
        while not stop.is_set():
            started = time.monotonic()
            number += 1
            try:
                self.publish_new(editor, f"Klaster: berita {number}")
            except Exception as exc:  # noqa: BLE001 - recorded, and fails the run
                failures.append(f"publish {number}: {exc}")
            stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))

    def load_and_faults(self, editor: Editor) -> None:
        r = self.report
        counters = ("MAIN.cache_hit", "MAIN.cache_miss")
        load = ReadLoad(base=self.varnish, paths=self.read_mix, rate=READ_RATE).start()
        stop, failures = threading.Event(), []
        publisher = threading.Thread(target=self.publisher, args=(editor, stop, failures))
        publisher.start()
        try:
            time.sleep(3)  # warm-up, not counted
            load.take()
            before = self.cluster.varnish.counters(*counters)
            time.sleep(HIT_RATE_SECONDS)
            stats = load.take()
            after = self.cluster.varnish.counters(*counters)
            hits = after[counters[0]] - before[counters[0]]
            misses = after[counters[1]] - before[counters[1]]
            r.note(f"read mix E1-E3 for {HIT_RATE_SECONDS} s at ~{READ_RATE} req/s with a publish "
                   f"a second: {stats.total} reads, X-Cache {dict(stats.cache)}, answers built by "
                   f"{dict(stats.nodes)}; varnishstat hits {hits}, misses {misses}")  # fmt: skip
            r.target("cache hit rate (X-Cache) with publishing at 1/s", stats.hit_rate * 100, "%",
                     minimum=95.0)  # fmt: skip
            r.target("read errors, steady", len(stats.errors), "", maximum=0, detail=stats.errors)

            for name, kill in (
                ("node A killed", lambda: self.cluster.kill_web("node_a")),
                ("worker host 'worker-media' killed",
                 lambda: self.cluster.kill_worker("worker-media")),
                ("replica killed", self.cluster.kill_replica),
            ):  # fmt: skip
                kill()
                time.sleep(KILL_PHASE_SECONDS)
                stats = load.take()
                r.note(f"{name}: {stats.total} reads, statuses {dict(stats.statuses)}, "
                       f"answers built by {dict(stats.nodes)}")  # fmt: skip
                r.target(f"read errors, {name}", len(stats.errors), "", maximum=0,
                         detail=stats.errors)  # fmt: skip
        finally:
            stop.set()
            publisher.join(timeout=60)
            stats = load.stop()
        r.target("read errors, wind-down", len(stats.errors), "", maximum=0, detail=stats.errors)
        r.target("publishes that failed", len(failures), "", maximum=0, detail=failures)
        r.note(f"the editor moved nodes: {editor.failovers or 'never'}")

    def nothing_lost(self) -> None:
        """Every article the run published shows its last headline through Varnish, and every
        rendition and purge job finished."""
        r = self.report
        t0 = time.monotonic()

        def missing() -> dict[str, str]:
            return {slug: headline for slug, headline in self.expected.items()
                    if headline_of(self.varnish, slug)[1] != headline}  # fmt: skip

        wait_until(lambda: not missing(), timeout=60, interval=1)
        left = missing()
        r.target("published changes not seen through Varnish", len(left), "", maximum=0,
                 detail=[f"{slug}: {headline}" for slug, headline in left.items()])  # fmt: skip
        back = [slug for slug in self.gone if headline_of(self.varnish, slug)[0] != 404]
        r.target("unpublished articles answering again", len(back), "", maximum=0, detail=back)
        r.note(f"{len(self.expected)} published articles checked in {time.monotonic() - t0:.1f} s")
        wait_until(lambda: not self.unfinished_jobs()[1], timeout=60, interval=1)
        rows, left_jobs = self.unfinished_jobs()
        r.note(f"jobs: {rows}")
        r.target("purge and rendition jobs not done", len(left_jobs), "", maximum=0,
                 detail=left_jobs)  # fmt: skip


JOBS_SQL = """
SELECT kind, status, count(*) FROM articles_backgroundjob
WHERE kind IN ('cache_purge', 'photo_renditions') GROUP BY 1, 2 ORDER BY 1, 2
"""


def requests_json(url: str):
    import requests

    answer = requests.get(url, timeout=10)
    answer.raise_for_status()
    return answer.json()
