"""The admin's WordPress import page: upload, background job, progress and summary."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from articles.models import Article
from articles.wordpress.models import ImportRun
from articles.wordpress.services import WORDPRESS_IMPORT, import_run_execute
from newsroom.jobs.models import BackgroundJob
from newsroom.jobs.registry import job_kind
from tests.support.wordpress import PORTAL

pytestmark = pytest.mark.django_db
ADD_URL = "/admin/wordpress/importrun/add/"


@pytest.fixture
def importer(editor):
    editor.user_permissions.add(Permission.objects.get(codename="run_import"))
    editor.is_staff = True
    editor.save()
    return editor


def upload(name="portal.xml", content=None):
    data = Path(PORTAL).read_bytes() if content is None else content
    return SimpleUploadedFile(name, data, content_type="text/xml")


def test_the_page_needs_the_import_permission(client, editor, writer):
    for user in (editor, writer):
        client.force_login(user)
        assert client.get(ADD_URL).status_code == 403
        assert client.post(ADD_URL, {"upload": upload()}).status_code == 403
    assert not ImportRun.objects.exists()


def test_upload_runs_in_the_background_and_shows_the_summary(
    client, importer, sent_tasks, settings, tmp_path
):
    settings.WORDPRESS_IMPORT_DIR = tmp_path / "imports"
    client.force_login(importer)

    response = client.post(ADD_URL, {"upload": upload()})

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/wordpress/importrun/{run.pk}/change/"
    assert run.status == ImportRun.Status.QUEUED
    assert BackgroundJob.objects.filter(kind=WORDPRESS_IMPORT, object_id=run.pk).exists()
    assert Path(run.file.path).is_relative_to(tmp_path / "imports")
    assert job_kind(WORDPRESS_IMPORT).model == "wordpress.ImportRun"

    run = import_run_execute(run_id=run.pk, worker="test")

    assert run.status == ImportRun.Status.DONE
    assert (run.processed, run.total) == (8, 8)
    assert run.summary["kinds"]["post"] == {"created": 4}
    assert Article.objects.count() == 4
    assert not run.file  # the upload is gone once imported
    page = client.get(f"/admin/wordpress/importrun/{run.pk}/change/").content.decode()
    assert "8 / 8 (100%)" in page
    assert "created 4" in page


def test_a_broken_export_fails_the_run_with_its_line(
    client, importer, sent_tasks, settings, tmp_path
):
    settings.WORDPRESS_IMPORT_DIR = tmp_path / "imports"
    client.force_login(importer)
    client.post(ADD_URL, {"upload": upload(content=b"<?xml version='1.0'?>\n<rss><channel>")})

    run = import_run_execute(run_id=ImportRun.objects.get().pk, worker="test")

    assert run.status == ImportRun.Status.FAILED
    assert run.error.startswith("Line 2: Not well-formed XML")
    assert BackgroundJob.objects.get(kind=WORDPRESS_IMPORT).status == "done"
    assert Article.objects.count() == 0


def test_only_xml_files_are_taken(client, importer, settings, tmp_path):
    settings.WORDPRESS_IMPORT_DIR = tmp_path / "imports"
    client.force_login(importer)

    response = client.post(ADD_URL, {"upload": upload(name="export.zip")})

    assert response.status_code == 200
    assert "Upload the .xml file WordPress exported." in response.content.decode()
    assert not ImportRun.objects.exists()
