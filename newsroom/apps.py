from __future__ import annotations

from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    """The project's own app: it has no models; it registers the settings checks."""

    name = "newsroom"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from newsroom import checks  # noqa: F401 (registers the settings checks)
