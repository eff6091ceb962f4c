"""Log filters, apart from the middleware: the logging configuration loads them with the
settings, before Django's apps are ready."""

from __future__ import annotations

import logging
from contextvars import ContextVar

# Set by `newsroom.http.middleware.RequestIdMiddleware` while a request runs.
current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")


class RequestIdLogFilter(logging.Filter):
    """Adds `record.request_id`: the id of the request being served, or "-" outside one."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True
