"""System checks of settings that must be right; `manage.py check` (and every start) runs them.

Registered by `newsroom.apps.NewsroomConfig.ready`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register


def _absolute_url_errors(name: str, check_id: str) -> list[Error]:
    value = getattr(settings, name)
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.hostname and not (parts.query or parts.fragment):
        return []
    return [
        Error(
            f"{name} must be an absolute http or https URL without query or fragment, "
            f"not {value!r}.",
            hint="For example https://news.example.com",
            id=check_id,
        )
    ]


@register()
def check_absolute_urls(app_configs, **kwargs) -> list[Error]:
    """newsroom.E001 SITE_URL, newsroom.E002 API_BASE_URL: every absolute URL newsroom
    builds starts with one of them."""
    return _absolute_url_errors("SITE_URL", "newsroom.E001") + _absolute_url_errors(
        "API_BASE_URL", "newsroom.E002"
    )


@register()
def check_schedule_horizon(app_configs, **kwargs) -> list[Error]:
    """newsroom.E003: SCHEDULE_HORIZON_DAYS lets something be scheduled."""
    if settings.SCHEDULE_HORIZON_DAYS >= 1:
        return []
    return [
        Error(
            f"SCHEDULE_HORIZON_DAYS must be at least 1, not {settings.SCHEDULE_HORIZON_DAYS}.",
            hint="The default is 730 (two years).",
            id="newsroom.E003",
        )
    ]


@register()
def check_fanout(app_configs, **kwargs) -> list[Error]:
    """newsroom.E004: PUBLISHED_FANOUT_BATCH rebuilds something per batch;
    PUBLISHED_FANOUT_INLINE_LIMIT is not negative."""
    errors = []
    if settings.PUBLISHED_FANOUT_BATCH < 1:
        errors.append(
            Error(
                "PUBLISHED_FANOUT_BATCH must be at least 1, "
                f"not {settings.PUBLISHED_FANOUT_BATCH}.",
                hint="The default is 500.",
                id="newsroom.E004",
            )
        )
    if settings.PUBLISHED_FANOUT_INLINE_LIMIT < 0:
        errors.append(
            Error(
                "PUBLISHED_FANOUT_INLINE_LIMIT must be 0 or more, "
                f"not {settings.PUBLISHED_FANOUT_INLINE_LIMIT}.",
                hint="The default is 50; 0 rebuilds every rename in the background.",
                id="newsroom.E004",
            )
        )
    return errors


@register()
def check_trusted_proxies(app_configs, **kwargs) -> list[Error]:
    """newsroom.E005: API_TRUSTED_PROXIES (REST_FRAMEWORK's NUM_PROXIES) is not negative."""
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES")
    if proxies is not None and proxies >= 0:
        return []
    return [
        Error(
            f"API_TRUSTED_PROXIES must be 0 or more, not {proxies}.",
            hint="0 (the default) counts clients by REMOTE_ADDR; N trusts N proxies in front.",
            id="newsroom.E005",
        )
    ]


@register()
def check_editorial_middleware(app_configs, **kwargs) -> list[Error]:
    """newsroom.E006: MIDDLEWARE has `EditorialMiddleware`, which gives the admin its
    sessions, users and messages (Django's own checks for those, admin.E408-E410, are
    silenced because they look for Django's classes in MIDDLEWARE)."""
    if "newsroom.http.middleware.EditorialMiddleware" in settings.MIDDLEWARE:
        return []
    return [
        Error(
            "MIDDLEWARE must include 'newsroom.http.middleware.EditorialMiddleware': the admin "
            "needs its sessions, users and messages.",
            hint="Put it after WhiteNoiseMiddleware, as newsroom/settings/core.py does.",
            id="newsroom.E006",
        )
    ]
