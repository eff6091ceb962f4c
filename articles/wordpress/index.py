"""The first reading of an export (`wordpress_validate`): the channel, its attachments and
how its posts are addressed; and the small keys and values the import compares by."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from django.utils import timezone

from articles.wordpress.body import plain_text
from articles.wordpress.models import permalink_key
from articles.wordpress.wxr import Channel, WxrItem, wxr_read

_SIZE_SUFFIX = re.compile(r"-\d+x\d+(?=\.\w+$)")


@dataclass
class Attachment:
    post_id: str
    url: str
    title: str
    caption: str
    alt: str
    attached_file: str


@dataclass
class ExportIndex:
    """What the first reading learns: the channel, attachments, and how the file's own
    posts are addressed (for related reading)."""

    channel: Channel | None = None
    items: int = 0
    attachments: dict[str, Attachment] = field(default_factory=dict)
    attachment_by_url: dict[str, str] = field(default_factory=dict)
    attachments_by_parent: dict[str, list[str]] = field(default_factory=dict)
    post_by_path: dict[str, str] = field(default_factory=dict)
    post_by_title: dict[str, str] = field(default_factory=dict)


def wordpress_validate(path: str) -> ExportIndex:
    """Read the export at `path` to its end; raises `WxrError`. The index it returns holds
    only attachments and post addresses, never content."""
    index = ExportIndex()
    for record in wxr_read(path):
        if isinstance(record, Channel):
            index.channel = record
        elif isinstance(record, WxrItem):
            index.items += 1
            if record.post_type == "attachment":
                url = record.attachment_url or record.guid
                index.attachments[record.post_id] = Attachment(
                    post_id=record.post_id,
                    url=url,
                    title=record.title,
                    caption=record.excerpt,
                    alt=record.meta.get("_wp_attachment_image_alt", ""),
                    attached_file=record.meta.get("_wp_attached_file", ""),
                )
                index.attachment_by_url[url_key(url)] = record.post_id
                index.attachments_by_parent.setdefault(record.post_parent, []).append(
                    record.post_id
                )
            elif record.post_type == "post":
                for address in (record.link, record.guid):
                    if address:
                        index.post_by_path[permalink_key(address)] = record.post_id
                index.post_by_path[f"/?p={record.post_id}"] = record.post_id
                title = title_key(record.title)
                if title:
                    index.post_by_title.setdefault(title, record.post_id)
    return index


def url_key(url: str) -> str:
    parts = urlsplit(url.strip())
    return _SIZE_SUFFIX.sub("", unquote(parts.path)).lower()


def title_key(title: str) -> str:
    return " ".join(plain_text(title).lower().split())


def wp_date(value: str, local: str) -> datetime | None:
    for text, zone in ((value, UTC), (local, timezone.get_default_timezone())):
        if text and not text.startswith("0000"):
            try:
                return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone)
            except ValueError:
                continue
    return None


def hash_of(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
