"""Helpers for webhook tests: a receiver on 127.0.0.1 that answers as told, a delivery to
send, and a subscription added through the admin."""

from __future__ import annotations

import http.server
import threading

from articles.published.models import WebhookDelivery, WebhookSubscription
from tests.support.admin import admin_url


class Receiver:
    """A webhook receiver on 127.0.0.1: it answers each POST with the next of `answers`
    (status, headers, body), then 200 "ok", and keeps every request it got."""

    def __init__(self, answers: list[tuple[int, dict[str, str], bytes]]) -> None:
        self.answers = list(answers)
        self.requests: list[dict] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                status, headers, content = (
                    receiver.answers.pop(0) if receiver.answers else (200, {}, b"ok")
                )
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if status in (301, 302):
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def make_delivery(url: str, **kwargs) -> WebhookDelivery:
    subscription = WebhookSubscription.objects.create(name="front", url=url)
    return WebhookDelivery.objects.create(
        subscription=subscription,
        event_id="evt_1",
        event_type="article.published",
        payload={"type": "article.published", "data": {"id": 1}},
        **kwargs,
    )


def add_subscription(admin_client, address: str):
    return admin_client.post(
        admin_url(WebhookSubscription, "add"),
        {
            "name": "Front end",
            "url": address,
            "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "events": ["article.published", "article.unpublished"],
            "is_active": "on",
        },
    )
