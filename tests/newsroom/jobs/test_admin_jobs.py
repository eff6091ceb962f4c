"""Admin pages for background work: visible failures, retry actions, webhook URL errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from articles.photos.models import Photo
from articles.photos.services import photo_renditions_run
from articles.published.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from newsroom.jobs.models import BackgroundJob
from tests.support.admin import admin_url
from tests.support.factories import PhotoFactory, image_upload
from tests.support.webhooks import add_subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_photo():
    photo = PhotoFactory(image=image_upload(width=300, height=200))
    path = Path(photo.image.path)
    path.write_bytes(path.read_bytes()[:200])
    photo_renditions_run(photo_id=photo.pk)
    return photo


def test_failed_rendition_is_visible_on_the_photo_page(admin_client, failed_photo):
    response = admin_client.get(admin_url(Photo, "change", failed_photo.pk))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Rendition job" in content
    assert "Failed" in content and "The image file cannot be read" in content


def test_photo_page_lists_its_renditions(admin_client):
    photo = PhotoFactory()
    photo_renditions_run(photo_id=photo.pk)

    content = admin_client.get(admin_url(Photo, "change", photo.pk)).content.decode()

    assert "w1600.webp" in content and "1x1.jpeg" in content


def test_job_list_filters_failed_work_and_retry_sends_it_again(
    admin_client, failed_photo, sent_tasks, django_capture_on_commit_callbacks
):
    job = BackgroundJob.objects.get(object_id=failed_photo.pk)
    listing = admin_client.get(admin_url(BackgroundJob, "changelist"), {"status__exact": "failed"})
    assert listing.status_code == 200
    assert "The image file cannot be read" in listing.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            admin_url(BackgroundJob, "changelist"),
            {"action": "retry_jobs", ACTION_CHECKBOX_NAME: [job.pk]},
            follow=True,
        )

    assert "1 job sent again." in response.content.decode()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.last_error) == ("pending", 0, "")
    assert sent_tasks == [("photo_renditions_generate_task", (failed_photo.pk,))]


def test_every_job_admin_page_renders(admin_client, failed_photo):
    subscription = WebhookSubscription.objects.create(name="front", url="https://1.1.1.1/")
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        event_id="evt_1",
        event_type="article.published",
        payload={"type": "article.published", "data": {"id": 7, "slug": "<b>x</b>"}},
        status="failed",
        attempts=1,
    )
    WebhookAttempt.objects.create(delivery=delivery, number=1, response_code=500, error="boom")
    job = BackgroundJob.objects.get()
    pages = [
        admin_url(BackgroundJob, "changelist"),
        admin_url(BackgroundJob, "change", job.pk),
        admin_url(WebhookSubscription, "changelist"),
        admin_url(WebhookSubscription, "add"),
        admin_url(WebhookSubscription, "change", subscription.pk),
        admin_url(WebhookDelivery, "changelist"),
        admin_url(WebhookDelivery, "change", delivery.pk),
        reverse("admin:photos_photorendition_changelist"),
        reverse("admin:articles_articleslughistory_changelist"),
    ]
    for page in pages:
        assert admin_client.get(page).status_code == 200, page
    detail = admin_client.get(admin_url(WebhookDelivery, "change", delivery.pk)).content.decode()
    assert "boom" in detail and "&lt;b&gt;x&lt;/b&gt;" in detail


@pytest.mark.parametrize(
    "address",
    ["https://127.0.0.1/hook", "https://169.254.169.254/", "https://10.0.0.8/", "ftp://1.1.1.1/"],
)
def test_private_or_odd_webhook_url_is_a_form_error(admin_client, address):
    response = add_subscription(admin_client, address)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["url"]
    assert not WebhookSubscription.objects.exists()


def test_public_webhook_url_is_saved_with_its_events(admin_client):
    response = add_subscription(admin_client, "https://1.1.1.1/hooks/newsroom")

    assert response.status_code == 302
    subscription = WebhookSubscription.objects.get()
    assert subscription.url == "https://1.1.1.1/hooks/newsroom"
    assert subscription.events == ["article.published", "article.unpublished"]


def test_delivery_retry_action_sends_it_again(
    admin_client, sent_tasks, django_capture_on_commit_callbacks
):
    subscription = WebhookSubscription.objects.create(name="front", url="https://1.1.1.1/")
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        event_id="evt_1",
        event_type="article.published",
        payload={},
        status="failed",
        attempts=10,
    )

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            admin_url(WebhookDelivery, "changelist"),
            {"action": "retry_deliveries", ACTION_CHECKBOX_NAME: [delivery.pk]},
        )

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    assert sent_tasks == [("webhook_delivery_attempt_task", (delivery.pk,))]


def test_uploading_an_agency_photo_fills_empty_fields_from_iptc(admin_client):
    from tests.support.images import fixture_photo

    response = admin_client.post(
        admin_url(Photo, "add"),
        {
            "image": fixture_photo("IPTC.jpg"),
            "caption": "",
            "credit": "",
            "copyright": "",
            "source_url": "",
            "alt_text": "A test picture",
            "focal_point_x": "0.5",
            "focal_point_y": "0.5",
            "renditions-TOTAL_FORMS": "0",
            "renditions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    photo = Photo.objects.get()
    assert (photo.caption, photo.credit, photo.copyright, photo.source) == (
        "A witty caption",
        "Phil Harvey/My Credit",
        "Copyright 2004 Phil Harvey",
        "I'm the source",
    )


def test_uploading_keeps_what_the_editor_typed(admin_client):
    from tests.support.images import fixture_photo

    admin_client.post(
        admin_url(Photo, "add"),
        {
            "image": fixture_photo("IPTC.jpg"),
            "caption": "Banjir di Bandung",
            "credit": "Foto: Rina/Newsroom",
            "copyright": "",
            "alt_text": "Flooded street",
            "focal_point_x": "0.5",
            "focal_point_y": "0.5",
            "renditions-TOTAL_FORMS": "0",
            "renditions-INITIAL_FORMS": "0",
        },
    )

    photo = Photo.objects.get()
    assert (photo.caption, photo.credit, photo.copyright) == (
        "Banjir di Bandung",
        "Foto: Rina/Newsroom",
        "Copyright 2004 Phil Harvey",
    )
