"""Benchmark content: `python manage.py seed_bench --articles N [--seed S] [--flush]`.

Deterministic for a given seed and size, and shaped like a newsroom archive: 200 authors,
2,000 tags with Zipf-like popularity, 10 sections, 10 % drafts/scheduled articles that must never
be public, ~600-word bodies in Indonesian and English, 1-2 bylines, 3-6 tags, a lead photo with
renditions (every photo row points at one shared small JPEG) and 2 "Baca juga" links.

`--base N` (PostgreSQL) writes N articles so, moves them to end an hour ago and makes the rest of
`--articles` as copies of them in SQL (`articles.published.management.bench_copies`):
1,000,000 articles in minutes.

`--from-jsonl DIR` loads the JSON Lines of `../shared/bench/gen_dataset.py` instead, so our API
and the ceiling app serve the same content.

Rows are streamed in batches with `bulk_create` (constant memory; 1,000,000 articles work), with
explicit primary keys taken from the generator, so related links can name their target before it
is written (foreign keys are deferred to commit on PostgreSQL). `search_vector` is written by the
PostgreSQL trigger on INSERT, which fires for bulk inserts too.

Then the tables are analysed and the published world is built as publishing would build it
(`articles.published`); on PostgreSQL by `--workers` processes (2 by default), each with its own
connection and its own chunks of article ids.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import multiprocessing
import random
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.color import no_style
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from articles.models import Article, Author, Byline, RelatedLink, Section, TaggedArticle
from articles.photos.models import Photo, PhotoRendition
from articles.published.build import published_rebuild, published_refresh
from articles.published.management.bench_copies import copy_articles
from articles.published.models import (
    PublishedArticle,
    PublishedArticleAuthor,
    PublishedArticleTag,
    PublishedSectionDay,
    PublishedTagDay,
)
from tagging.models import TopicTag
from tagging.text import tag_display_name, tag_name_key

BATCH = 1000
PUBLISH_CHUNK = 1000  # articles a build worker takes at a time
LEAD_FILE = "bench/lead.jpg"
SECTIONS = [
    "Nasional",
    "Internasional",
    "Ekonomi",
    "Olahraga",
    "Teknologi",
    "Hiburan",
    "Gaya Hidup",
    "Otomotif",
    "Kesehatan",
    "Jawa Barat",
]
CITIES = ["JAKARTA", "BANDUNG", "SURABAYA", "MEDAN", "MAKASSAR", "SEMARANG", "DENPASAR", "BOGOR"]
AGENCIES = ["Antara", "Reuters", "AP", "AFP", "Newsroom"]
WORDS = {
    "id": (  # noqa: SIM905 - a word list reads better as prose
        "yang dan di ke dari ini itu dengan untuk pada adalah dalam tidak akan juga sudah "
        "pemerintah warga kota jalan banjir harga beras pasar presiden menteri sekolah rumah "
        "sakit polisi pemilu partai desa petani nelayan pelabuhan kereta bandara gempa hujan "
        "musim kemarau listrik air bersih anggaran daerah gubernur bupati wali kebijakan "
        "ekonomi investasi pekerja buruh upah mahasiswa kampus penelitian teknologi digital "
        "internet aplikasi pengguna data keamanan sepak bola pertandingan pemain pelatih "
        "liga juara tim nasional festival budaya musik film penonton wisata pantai gunung "
        "hutan sungai lingkungan sampah udara kesehatan dokter pasien vaksin program bantuan "
        "sosial keluarga anak perempuan masyarakat pembangunan infrastruktur tol jembatan"
    ).split(),
    "en": (  # noqa: SIM905
        "the and of to in a is that for on with as was by at from it are this be has "
        "government residents city road flood price rice market president minister school "
        "hospital police election party village farmers fishermen port train airport "
        "earthquake rain season drought electricity water budget region governor mayor policy "
        "economy investment workers wages students campus research technology digital "
        "internet application users data security football match players coach league "
        "champion national team festival culture music film audience tourism beach mountain "
        "forest river environment waste air health doctor patients vaccine program aid "
        "social family children women community development infrastructure toll bridge"
    ).split(),
}


def _zipf_cumulative(size: int, s: float = 1.1) -> list[float]:
    total, cum = 0.0, []
    for rank in range(1, size + 1):
        total += 1.0 / rank**s
        cum.append(total)
    return cum


def _pick_distinct(rng: random.Random, cum: list[float], k: int) -> list[int]:
    """k distinct 1-based ids drawn with the weights whose cumulative sums are `cum`."""
    chosen: list[int] = []
    while len(chosen) < k:
        (pick,) = rng.choices(range(1, len(cum) + 1), cum_weights=cum)
        if pick not in chosen:
            chosen.append(pick)
    return chosen


def _sentence(rng: random.Random, vocab: list[str], lo: int, hi: int) -> str:
    return " ".join(rng.choices(vocab, k=rng.randint(lo, hi))).capitalize() + "."


def _paragraph(rng: random.Random, vocab: list[str], words: int) -> str:
    """About `words` words as sentences of 8-18 words."""
    sentences, count = [], 0
    while count < words:
        size = min(rng.randint(8, 18), max(words - count, 3))
        sentences.append(" ".join(rng.choices(vocab, k=size)).capitalize() + ".")
        count += size
    return " ".join(sentences)


class Generated:
    """The synthetic dataset, in the same shape as gen_dataset.py's JSON Lines."""

    def __init__(self, *, articles: int, seed: int) -> None:
        self.articles = articles
        self.seed = seed
        rng = random.Random(seed)  # noqa: S311 - deterministic test data
        self.sections = [{"id": i + 1, "name": n} for i, n in enumerate(SECTIONS)]
        self.authors = []
        for i in range(200):
            first = rng.choice(["Andi", "Budi", "Citra", "Dewi", "Eka", "Fajar", "Gita", "Hadi"])
            last = rng.choice(["Saputra", "Wijaya", "Lestari", "Pratama", "Nugroho", "Siregar"])
            name = f"{first} {last} {i + 1}"
            self.authors.append({"id": i + 1, "name": name, "bio": f"Wartawan {name}."})
        vocab = WORDS["id"][15:] + WORDS["en"][20:]
        self.tags = []
        for i in range(2000):
            name = f"{rng.choice(vocab).capitalize()} {rng.choice(vocab)} {i + 1}"
            self.tags.append({"id": i + 1, "name": name})

    def iter_articles(self) -> Iterator[dict[str, Any]]:
        rng = random.Random(self.seed + 1)  # noqa: S311
        author_cum = _zipf_cumulative(len(self.authors), 0.8)
        tag_cum = _zipf_cumulative(len(self.tags), 1.1)
        end = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        span = 730 * 86400
        step = span / max(self.articles, 1)
        published_ids: deque[int] = deque(maxlen=2000)  # recent ones; constant memory
        for pos in range(self.articles):
            aid = pos + 1
            lang = "id" if rng.random() < 0.7 else "en"
            vocab = WORDS[lang]
            roll = rng.random()
            status = "published"
            published_at = end - dt.timedelta(seconds=span - pos * step - rng.random() * step)
            if roll < 0.05:
                status, published_at = "draft", None
            elif roll < 0.10:
                status = "scheduled"
                published_at = dt.datetime(2099, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=pos)
            headline = _sentence(rng, vocab, 7, 11)[:-1]
            n_par = rng.randint(6, 10)
            per_paragraph = rng.randint(540, 660) // n_par
            body = [_paragraph(rng, vocab, per_paragraph) for _ in range(n_par)]
            related = []
            pool = published_ids
            while pool and len(related) < min(2, len(pool)):
                target = rng.choice(pool)
                if target not in related:
                    related.append(target)
            if not related:  # the oldest articles link to later ones (ids past this one)
                related = [aid + 1, aid + 2][: 2 if aid + 2 <= self.articles else 0]
            if status == "published":
                published_ids.append(aid)
            yield {
                "id": aid,
                "status": status,
                "language": lang,
                "slug": f"{slugify(headline)[:60].rstrip('-')}-{aid}",
                "headline": headline,
                "dek": _sentence(rng, vocab, 20, 28),
                "dateline": rng.choice(CITIES),
                "body": body,
                "section": rng.randint(1, len(self.sections)),
                "authors": _pick_distinct(rng, author_cum, 1 if rng.random() < 0.7 else 2),
                "tags": _pick_distinct(rng, tag_cum, rng.randint(3, 6)),
                "published_at": published_at,
                "lead_image": {
                    "caption": _sentence(rng, vocab, 8, 14),
                    "credit": f"{rng.choice(self.authors)['name']}/{rng.choice(AGENCIES)}",
                    "alt": _sentence(rng, vocab, 5, 9),
                    "width": 1600,
                    "height": 900,
                },
                "related": related,
            }


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


class JsonlDataset:
    """gen_dataset.py's output directory, mapped to the shape `Generated` yields."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        for name in ("sections", "authors", "tags", "articles"):
            if not (directory / f"{name}.jsonl").is_file():
                raise CommandError(f"{directory} has no {name}.jsonl (run gen_dataset.py --out)")
        self.sections = list(_read_jsonl(directory / "sections.jsonl"))
        self.authors = list(_read_jsonl(directory / "authors.jsonl"))
        self.tags = list(_read_jsonl(directory / "tags.jsonl"))
        with (directory / "articles.jsonl").open(encoding="utf-8") as handle:
            self.articles = sum(1 for line in handle if line.strip())

    def iter_articles(self) -> Iterator[dict[str, Any]]:
        for row in _read_jsonl(self.directory / "articles.jsonl"):
            published = row["status"] == "published"
            published_at = None
            if published and row.get("published_at"):
                published_at = dt.datetime.fromisoformat(row["published_at"].replace("Z", "+00:00"))
            yield {
                **row,
                "status": "published" if published else "draft",
                "language": row.get("language", "id"),
                "dateline": row.get("dateline", ""),
                "published_at": published_at,
                "lead_image": row.get("lead_image"),
            }


def _publish_chunk(chunk: tuple[list[int], dt.datetime]) -> int:
    """Build the published rows of one chunk of ids (in a worker process)."""
    ids, now = chunk
    try:
        return published_refresh(article_ids=ids, now=now)
    finally:
        connections.close_all()


def _lead_jpeg() -> str:
    """Store the one small JPEG every bench photo points at (once); returns its name."""
    if not default_storage.exists(LEAD_FILE):
        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (160, 90), (40, 90, 140)).save(buffer, "JPEG", quality=70)
        default_storage.save(LEAD_FILE, ContentFile(buffer.getvalue()))
    return LEAD_FILE


class Command(BaseCommand):
    help = "Create benchmark content (deterministic, bulk inserts). See the module docstring."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--articles", type=int, default=10000)
        parser.add_argument("--seed", type=int, default=20261125)
        parser.add_argument(
            "--base",
            type=int,
            default=0,
            help="write this many articles, then copy them in SQL up to --articles (PostgreSQL)",
        )
        parser.add_argument("--from-jsonl", dest="from_jsonl", help="gen_dataset.py output dir")
        parser.add_argument("--flush", action="store_true", help="empty content tables first")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--workers",
            type=int,
            default=2,
            help="processes building the published world (PostgreSQL, outside a transaction)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["articles"] < 1:
            raise CommandError("--articles must be at least 1.")
        base = options["base"]
        copies = None
        if base:
            if connection.vendor != "postgresql" or options["from_jsonl"]:
                raise CommandError("--base needs PostgreSQL and the generator (no --from-jsonl).")
            if base < 1 or options["articles"] % base:
                raise CommandError("--articles must be a multiple of --base.")
            copies = options["articles"] // base - 1
            options["articles"] = base
        if options["from_jsonl"]:
            dataset: Generated | JsonlDataset = JsonlDataset(Path(options["from_jsonl"]))
        else:
            dataset = Generated(articles=options["articles"], seed=options["seed"])
        if options["flush"]:
            self.flush()
        elif Article.objects.exists() or Author.objects.exists() or TopicTag.objects.exists():
            raise CommandError("Content exists already; pass --flush to replace it.")
        self.load(
            dataset, progress=not options["no_progress"], workers=options["workers"], copies=copies
        )
        self.stdout.write(
            f"seed_bench: {Article.objects.count()} articles "
            f"({Article.objects.live().count()} live), {Author.objects.count()} authors, "
            f"{TopicTag.objects.count()} tags, {Section.objects.count()} sections."
        )

    def flush(self) -> None:
        models = [
            PublishedSectionDay,
            PublishedTagDay,
            PublishedArticleTag,
            PublishedArticleAuthor,
            PublishedArticle,
            RelatedLink,
            TaggedArticle,
            Byline,
            Article,
            PhotoRendition,
            Photo,
            Author,
            TopicTag,
            Section,
        ]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                tables = ", ".join(m._meta.db_table for m in models)
                # Inside an outer transaction (tests) deferred FK checks would block TRUNCATE.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
            else:
                for model in models:
                    model.objects.all()._raw_delete(model.objects.db)

    def load(
        self,
        dataset: Generated | JsonlDataset,
        *,
        progress: bool,
        workers: int,
        copies: int | None = None,
    ) -> None:
        with transaction.atomic():
            Section.objects.bulk_create(
                Section(id=s["id"], name=s["name"], slug=slugify(s["name"]), position=s["id"])
                for s in dataset.sections
            )
            Author.objects.bulk_create(
                Author(
                    id=a["id"],
                    name=a["name"],
                    slug=a.get("slug") or slugify(a["name"]),
                    bio=a.get("bio", ""),
                )
                for a in dataset.authors
            )
            tags = []
            for t in dataset.tags:
                name = tag_display_name(t["name"])
                tags.append(
                    TopicTag(
                        id=t["id"],
                        name=name,
                        name_key=tag_name_key(name),
                        slug=t.get("slug") or slugify(name),
                    )
                )
            TopicTag.objects.bulk_create(tags, batch_size=BATCH)
        lead = _lead_jpeg()
        self.pending_links: list[RelatedLink] = []
        batch: list[dict[str, Any]] = []
        bar = tqdm(total=dataset.articles, unit="art", disable=not progress)
        for row in dataset.iter_articles():
            batch.append(row)
            if len(batch) == BATCH:
                self.write_batch(batch, lead, max_id=dataset.articles)
                bar.update(len(batch))
                batch = []
        if batch:
            self.write_batch(batch, lead, max_id=dataset.articles)
            bar.update(len(batch))
        bar.close()
        RelatedLink.objects.bulk_create(self.pending_links, batch_size=BATCH)
        if copies is not None:
            copied = tqdm(
                total=dataset.articles * copies, desc="copies", unit="art", disable=not progress
            )
            copy_articles(copies=copies, progress=copied.update)
            copied.close()
        models = [Section, Author, TopicTag, Photo, PhotoRendition, Article]
        models += [Byline, TaggedArticle, RelatedLink]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
            if connection.vendor == "postgresql":
                # Statistics of the new rows, so that the build's queries use the indexes
                # (autovacuum has not analysed them yet).
                cursor.execute("ANALYZE " + ", ".join(m._meta.db_table for m in models))
        self.publish(progress=progress, workers=workers)

    def publish(self, *, progress: bool, workers: int) -> None:
        """The published world, built as a publish would (articles.published).

        On PostgreSQL, `workers` processes build disjoint chunks of ids, each with its own
        connection; inside a transaction (tests) they could not see the rows, so one builds.
        """
        bar = tqdm(desc="publish", unit="art", disable=not progress)
        if workers < 2 or connection.vendor != "postgresql" or connection.in_atomic_block:

            def advance(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            published_rebuild(progress=advance)
            bar.close()
            return
        now = timezone.now()
        ids = list(
            Article.objects.filter(status=Article.Status.PUBLISHED, deleted_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        bar.total = len(ids)
        chunks = [(ids[i : i + PUBLISH_CHUNK], now) for i in range(0, len(ids), PUBLISH_CHUNK)]
        connections.close_all()  # the forked workers must not share this connection
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for built in pool.imap_unordered(_publish_chunk, chunks):
                bar.update(built)
        bar.close()

    @transaction.atomic
    def write_batch(self, rows: list[dict[str, Any]], lead: str, *, max_id: int) -> None:
        photos = []
        for row in rows:
            image = row.get("lead_image") or {}
            photos.append(
                Photo(
                    id=row["id"],
                    image=lead,
                    width=image.get("width", 1600),
                    height=image.get("height", 900),
                    caption=image.get("caption", ""),
                    credit=image.get("credit", ""),
                    alt_text=image.get("alt", "")[:255],
                )
            )
        Photo.objects.bulk_create(photos)
        renditions = []
        for photo in photos:
            for spec, width in (("w640.jpeg", 640), ("w1024.jpeg", 1024)):
                height = round(photo.height * width / max(photo.width, 1))
                renditions.append(
                    PhotoRendition(
                        photo_id=photo.id,
                        spec=spec,
                        file=lead,
                        width=width,
                        height=height,
                        format="jpeg",
                        source_key="bench",
                    )
                )
        PhotoRendition.objects.bulk_create(renditions)
        articles = []
        for row in rows:
            published_at = row["published_at"]
            articles.append(
                Article(
                    id=row["id"],
                    headline=row["headline"][:255],
                    slug=row["slug"][:120],
                    dek=row["dek"],
                    body="".join(f"<p>{paragraph}</p>" for paragraph in row["body"]),
                    dateline=row["dateline"],
                    section_id=row["section"],
                    language=row["language"],
                    lead_photo_id=row["id"],
                    status=row["status"],
                    published_at=published_at,
                    first_published_at=published_at if row["status"] == "published" else None,
                    last_published_at=published_at if row["status"] == "published" else None,
                )
            )
        Article.objects.bulk_create(articles)
        Byline.objects.bulk_create(
            Byline(article_id=row["id"], author_id=author, position=i)
            for row in rows
            for i, author in enumerate(row["authors"])
        )
        TaggedArticle.objects.bulk_create(
            TaggedArticle(content_object_id=row["id"], tag_id=tag)
            for row in rows
            for tag in row["tags"]
        )
        batch_max = max(row["id"] for row in rows)
        links = []
        for row in rows:
            for i, target in enumerate(row["related"]):
                if target == row["id"] or not 1 <= target <= max_id:
                    continue
                link = RelatedLink(
                    article_id=row["id"], target_article_id=target, after_paragraph=2, position=i
                )
                # A target not written yet waits for the end of the load.
                (links if target <= batch_max else self.pending_links).append(link)
        RelatedLink.objects.bulk_create(links)
