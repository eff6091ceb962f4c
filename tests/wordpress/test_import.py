"""The WordPress import's mapping, on WordPress's theme test data and on a portal-style export."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, ArticlePhoto, ArticleRevision, Author, RelatedLink, Section
from articles.photos.models import Photo
from articles.published.models import PublishedArticle
from articles.services import article_save
from articles.wordpress import importer as importer_module
from articles.wordpress.models import WordPressObject, WordPressPermalink
from articles.wordpress.options import ImportOptionsError, load_map
from tagging.models import TopicTag
from tests.support.wordpress import PORTAL, THEME, import_state, media_dir_for, run_import

pytestmark = pytest.mark.django_db


def kinds(summary) -> dict:
    return summary.as_dict()["kinds"]


def test_theme_data_mapping(editor, sent_tasks, tmp_path):
    summary = run_import(THEME, editor, media_dir=media_dir_for(THEME, tmp_path / "uploads"))

    assert kinds(summary) == {
        "attachment": {"created": 35, "skipped": 2},
        "author": {"created": 2},
        "category": {"created": 68},
        "comment": {"skipped": 33},
        "nav_menu_item": {"skipped": 70},
        "page": {"skipped": 21},
        "post": {"created": 58},
        "post term": {"skipped": 13},
        "tag": {"mapped": 110},
        "term": {"skipped": 6},
    }
    assert dict(summary.skipped) == {
        ("attachment", "not an image"): 2,
        ("comment", "not imported"): 33,
        ("nav_menu_item", "menu item"): 70,
        ("page", "page"): 21,
        ("post term", "taxonomy post_format"): 13,
        ("term", "taxonomy nav_menu"): 6,
    }
    statuses = Counter(Article.objects.values_list("status", flat=True))
    # 56 published posts, but one is protected by a password (a draft here); the draft; the
    # post scheduled for 2030, beyond the scheduling horizon (a draft, with a warning).
    assert statuses == {"published": 55, "draft": 3}
    assert PublishedArticle.objects.count() == 55
    assert Section.objects.count() == 68
    assert Author.objects.count() == 2
    assert Photo.objects.count() == 35
    assert Article.objects.exclude(lead_photo=None).count() == 6
    assert ArticlePhoto.objects.count() == 275
    # The 110 tags of the channel and 4 that only posts name; two names are one tag here.
    assert TopicTag.objects.count() == 110 + 4 - 1
    assert WordPressObject.objects.filter(kind="post").count() == 58
    author = Author.objects.get(name="Theme Reviewer")
    assert author.email == "themereviewteam@gmail.com"
    assert "scheduled beyond the horizon" in " ".join(summary.warnings)
    assert "protected by a password" in " ".join(summary.warnings)
    # The creators "themereviewteam>" and ">themereviewteam" are that author.
    assert Author.objects.get(name="Theme Reviewer").bylines.count() == 19


def test_theme_data_twice_is_once(editor, sent_tasks, tmp_path):
    media = media_dir_for(THEME, tmp_path / "uploads")
    run_import(THEME, editor, media_dir=media)
    once = import_state()

    summary = run_import(THEME, editor, media_dir=media)

    assert import_state() == once
    assert kinds(summary)["post"] == {"unchanged": 58}
    assert kinds(summary)["attachment"] == {"unchanged": 35, "skipped": 2}
    assert kinds(summary)["category"] == {"unchanged": 68}
    assert kinds(summary)["author"] == {"unchanged": 2}


def test_dry_run_writes_nothing(editor, sent_tasks):
    before = import_state()

    summary = run_import(PORTAL, editor, dry_run=True)

    assert import_state() == before
    assert kinds(summary)["post"] == {"created": 4}
    assert sent_tasks == []


def test_portal_round_trip_into_the_public_api(editor, sent_tasks, portal_media, client):
    summary = run_import(PORTAL, editor, media_dir=portal_media)

    assert kinds(summary)["post"] == {"created": 4}
    assert summary.warnings == []
    banjir = Article.objects.get(slug="banjir-rendam-dayeuhkolot")
    assert banjir.dateline == "BANDUNG"
    assert banjir.section.slug == "bandung-raya"
    assert banjir.lead_photo.credit == "Foto: Asep Rahmat/Kabar Priangan"
    assert banjir.lead_photo.alt_text == "Warga mengungsi membawa kasur"

    data = client.get("/api/v1/articles/banjir-rendam-dayeuhkolot/").json()
    blocks = [(b["type"], b.get("html") or b.get("title") or b.get("caption") or b.get("url"))
              for b in data["blocks"]]  # fmt: skip
    assert blocks == [
        ("paragraph", "Hujan deras sejak Minggu malam membuat Sungai Citarum meluap. Ratusan "
                      "rumah warga di Kecamatan Dayeuhkolot terendam air setinggi satu meter."),
        ("photo", "Warga menyelamatkan barang dari rumah yang terendam."),
        ("paragraph", 'Camat Dayeuhkolot, Yayan Supriatna, mengatakan warga mulai mengungsi ke '
                      'masjid dan balai desa.<br>\n"Kami sudah menyiapkan dapur umum," katanya.'),
        ("related", "Harga Cabai Rawit di Pasar Kosambi Naik Dua Kali Lipat"),
        ("paragraph", "Petugas BPBD terus memantau ketinggian air di sejumlah titik."),
        ("embed", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
    ]  # fmt: skip
    related = data["blocks"][3]
    assert related["article"] == {"slug": "harga-cabai-naik"}
    assert related["label"] == "Baca juga"
    assert data["dateline"] == "BANDUNG"

    cabai = client.get("/api/v1/articles/harga-cabai-naik/").json()
    types = [b["type"] for b in cabai["blocks"]]
    assert types == ["paragraph", "photo", "paragraph", "related", "paragraph", "related", "embed"]
    photo = cabai["blocks"][1]
    assert photo["caption"] == "Pedagang cabai di Pasar Kosambi."
    assert photo["photo"]["credit"] == "Foto: Dedi Mulyadi/Antara"
    unlinked, outside = cabai["blocks"][3], cabai["blocks"][5]
    assert unlinked["article"] == {"slug": "banjir-rendam-dayeuhkolot"}
    assert outside["article"] is None
    assert outside["url"] == "https://ekonomi.example.com/2024/05/inflasi-jabar"
    assert outside["title"] == "Inflasi Jawa Barat Terkendali"
    # "pemkot  bandung" on the post is the channel's "Pemkot Bandung" (the tag normaliser).
    assert sorted(t["name"] for t in cabai["tags"]) == ["Harga Pangan", "Pemkot Bandung"]

    taman = client.get("/api/v1/articles/taman-baru-cicendo/").json()
    assert taman["dateline"] == "CIMAHI"
    assert [b["type"] for b in taman["blocks"]] == ["paragraph", "photo", "related", "paragraph"]
    assert taman["blocks"][1]["photo"]["credit"] == "Foto: Humas Pemkot -Kabarpriangan.test"

    pending = Article.objects.get(headline="Rencana Kenaikan Tarif Parkir Dibahas DPRD")
    assert pending.status == Article.Status.IN_REVIEW
    assert not PublishedArticle.objects.filter(article_id=pending.pk).exists()
    assert set(banjir.wordpress_paths.values_list("path", flat=True)) == {
        "/2024/05/06/banjir-rendam-dayeuhkolot/",
        "/?p=101",
        "/bandung-raya/banjir-rendam-dayeuhkolot/",
    }


def test_second_run_updates_only_what_changed(editor, sent_tasks, portal_media, tmp_path):
    run_import(PORTAL, editor, media_dir=portal_media)
    changed = tmp_path / "changed.xml"
    text = Path(PORTAL).read_text(encoding="utf-8")
    changed.write_text(text.replace("Dua Kali Lipat", "Tiga Kali Lipat"), encoding="utf-8")
    versions = dict(Article.objects.values_list("slug", "version"))

    summary = run_import(str(changed), editor, media_dir=portal_media)

    # The headline changed, and the related reading naming it in post 101 follows.
    assert kinds(summary)["post"] == {"unchanged": 3, "updated": 1}
    cabai = Article.objects.get(slug="harga-cabai-naik")
    assert cabai.headline == "Harga Cabai Rawit di Pasar Kosambi Naik Tiga Kali Lipat"
    assert cabai.version == versions["harga-cabai-naik"] + 1
    assert (
        Article.objects.get(slug="banjir-rendam-dayeuhkolot").version
        == (versions["banjir-rendam-dayeuhkolot"])
    )


def test_a_date_changed_in_wordpress_corrects_the_published_date(
    editor, sent_tasks, portal_media, tmp_path
):
    run_import(PORTAL, editor, media_dir=portal_media)
    banjir = Article.objects.get(slug="banjir-rendam-dayeuhkolot")
    assert banjir.published_at == datetime(2024, 5, 6, 1, 15, tzinfo=UTC)
    changed = tmp_path / "changed.xml"
    text = Path(PORTAL).read_text(encoding="utf-8")
    changed.write_text(
        text.replace("2024-05-06 08:15:00", "2024-05-05 20:30:00").replace(
            "2024-05-06 01:15:00", "2024-05-05 13:30:00"
        ),
        encoding="utf-8",
    )

    summary = run_import(str(changed), editor, media_dir=portal_media)

    assert kinds(summary)["post"] == {"unchanged": 3, "updated": 1}
    corrected = Article.objects.get(pk=banjir.pk)
    assert corrected.status == Article.Status.PUBLISHED
    assert corrected.published_at == datetime(2024, 5, 5, 13, 30, tzinfo=UTC)
    assert corrected.first_published_at == corrected.published_at
    assert corrected.version == banjir.version + 1
    revision = ArticleRevision.objects.get(article=corrected, number=corrected.version)
    assert revision.data["fields"]["published_at"] == "2024-05-05T13:30:00+00:00"
    assert corrected.live_revision_id == revision.pk
    published = PublishedArticle.objects.get(article=corrected)
    assert published.published_at == corrected.published_at
    # Once is enough: the next run finds it unchanged.
    again = run_import(str(changed), editor, media_dir=portal_media)
    assert kinds(again)["post"] == {"unchanged": 4}


def test_an_article_edited_here_is_reported_not_overwritten(
    editor, sent_tasks, portal_media, tmp_path
):
    run_import(PORTAL, editor, media_dir=portal_media)
    cabai = Article.objects.get(slug="harga-cabai-naik")
    article_save(
        article=cabai, user=editor, expected_version=cabai.version, data={"dek": "Disunting."}
    )
    changed = tmp_path / "changed.xml"
    text = Path(PORTAL).read_text(encoding="utf-8")
    changed.write_text(text.replace("Dua Kali Lipat", "Tiga Kali Lipat"), encoding="utf-8")

    summary = run_import(str(changed), editor, media_dir=portal_media)

    assert ("post", "edited here since the import") in summary.skipped
    assert Article.objects.get(pk=cabai.pk).dek == "Disunting."

    summary = run_import(str(changed), editor, media_dir=portal_media, overwrite_edited=True)

    assert kinds(summary)["post"] == {"unchanged": 3, "updated": 1}
    cabai.refresh_from_db()
    assert cabai.dek == ""
    assert "Tiga" in cabai.headline


def test_an_interrupted_run_finishes_when_run_again(editor, sent_tasks, portal_media, monkeypatch):
    calls = []
    original = importer_module._Importer.post

    def failing_post(self, record, **kwargs):
        calls.append(record.post_id)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(self, record, **kwargs)

    monkeypatch.setattr(importer_module._Importer, "post", failing_post)
    with pytest.raises(KeyboardInterrupt):
        run_import(PORTAL, editor, media_dir=portal_media, batch_size=2)
    # Posts are written in batches (each post in its own savepoint): the first batch of
    # two is in, whole; nothing of the interrupted one is.
    assert Article.objects.count() == 2
    assert WordPressObject.objects.filter(kind="post").count() == 2
    assert ArticleRevision.objects.count() == 4
    assert PublishedArticle.objects.count() == 2
    monkeypatch.setattr(importer_module._Importer, "post", original)

    summary = run_import(PORTAL, editor, media_dir=portal_media)

    # Post 101 was saved before 102 existed, its "BACA JUGA" pointing at the old site;
    # now it points at 102.
    assert kinds(summary)["post"] == {"created": 2, "unchanged": 1, "updated": 1}
    assert Article.objects.count() == 4
    assert RelatedLink.objects.filter(target_article__isnull=False).count() == 3
    assert RelatedLink.objects.filter(target_article__isnull=True).count() == 1


def test_without_media_photos_are_skipped_and_reported(editor, sent_tasks):
    summary = run_import(PORTAL, editor)

    assert kinds(summary)["attachment"] == {"skipped": 3}
    assert summary.skipped[("attachment", "no media source (--media-dir or --fetch-media)")] == 3
    assert Photo.objects.count() == 0
    assert Article.objects.filter(status="published").count() == 3


def test_a_missing_media_file_is_skipped(editor, sent_tasks, portal_media):
    (Path(portal_media) / "2024/05/pasar-kosambi.jpg").unlink()
    summary = run_import(PORTAL, editor, media_dir=portal_media)

    assert summary.skipped[("attachment", "file missing from the media directory")] == 1
    assert Photo.objects.count() == 2


def test_an_attachment_path_cannot_leave_the_media_dir(editor, sent_tasks, portal_media, tmp_path):
    evil = tmp_path / "evil.xml"
    text = Path(PORTAL).read_text(encoding="utf-8")
    evil.write_text(text.replace("2024/05/pasar-kosambi.jpg]]", "../../../etc/passwd.jpg]]"))

    summary = run_import(str(evil), editor, media_dir=portal_media)

    assert summary.skipped[("attachment", "path outside the media directory")] == 1


def test_section_and_author_maps(editor, sent_tasks, tmp_path, section, author):
    section_map = tmp_path / "sections.csv"
    section_map.write_text(f"wordpress,newsroom\nbandung-raya,{section.slug}\n")
    author_map = tmp_path / "authors.json"
    author_map.write_text(json.dumps({"rina": author.slug}))

    call_command(
        "import_wxr", PORTAL, "--user", editor.username, "--no-progress",
        "--section-map", str(section_map), "--author-map", str(author_map),
    )  # fmt: skip

    banjir = Article.objects.get(slug="banjir-rendam-dayeuhkolot")
    assert banjir.section == section
    assert list(banjir.authors.all()) == [author]
    assert not Section.objects.filter(slug="bandung-raya").exists()
    assert Author.objects.filter(name="Dadang Sutisna").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("sections.csv", "a,b,c\n", "expected two columns"),
        ("sections.json", "[1, 2]", "expected an object of strings"),
        ("sections.json", "{", "not JSON"),
        ("sections.csv", "bandung-raya,no-such-section\n", "Unknown sections"),
    ],
)
def test_a_bad_map_is_refused_before_anything_is_written(editor, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    before = import_state()

    with pytest.raises(CommandError, match=message):
        call_command(
            "import_wxr", PORTAL, "--user", editor.username, "--no-progress",
            "--section-map", str(path),
        )  # fmt: skip

    assert import_state() == before


def test_the_command_reports_a_summary(editor, sent_tasks, capsys):
    call_command("import_wxr", PORTAL, "--user", editor.username, "--dry-run", "--no-progress")

    out = capsys.readouterr().out
    assert "Dry run: nothing was written." in out
    assert "post: created 4" in out
    assert Article.objects.count() == 0


def test_the_command_takes_a_batch_size(editor, sent_tasks, capsys):
    call_command("import_wxr", PORTAL, "--user", editor.username, "--batch-size", "1",
                 "--no-progress")  # fmt: skip

    assert "post: created 4" in capsys.readouterr().out
    with pytest.raises(CommandError, match="1 or more"):
        call_command("import_wxr", PORTAL, "--user", editor.username, "--batch-size", "0")


def test_the_command_needs_a_user_who_may_import(writer, outsider):
    with pytest.raises(CommandError, match="No active user"):
        call_command("import_wxr", PORTAL, "--user", "nobody", "--no-progress")
    with pytest.raises(CommandError, match="may not import"):
        call_command("import_wxr", PORTAL, "--user", outsider.username, "--no-progress")


def test_two_files_of_two_sites(editor, sent_tasks, tmp_path):
    copy = tmp_path / "other.xml"
    text = Path(PORTAL).read_text(encoding="utf-8")
    copy.write_text(text.replace("kabarpriangan.test", "kabarcirebon.test"), encoding="utf-8")
    shutil.copy(PORTAL, tmp_path / "portal.xml")

    summary = run_import([str(tmp_path / "portal.xml"), str(copy)], editor)

    assert kinds(summary)["post"] == {"created": 8}
    assert WordPressPermalink.objects.filter(path="/?p=101").count() == 1
    assert "belongs to another" in " ".join(summary.warnings)


def test_load_map_rejects_an_unreadable_file(tmp_path):
    with pytest.raises(ImportOptionsError):
        load_map(str(tmp_path / "missing.csv"))
