"""The password-reset mail, sent by a worker so the request's answer and timing are the same
for known and unknown addresses (docs/reliability.md F3)."""

from __future__ import annotations

from newsroom.accounts.password_reset import staff_password_reset_send
from newsroom.celery import app


@app.task
def staff_password_reset_mail_task(email: str) -> None:
    """The mail of the admin's password reset; nothing is sent for an unknown address."""
    staff_password_reset_send(email=email)
