"""Attachments: photos made from the export's attachments when a post needs them or the
file lists them, their file from `--media-dir` or `--fetch-media` (`AttachmentsMixin`,
part of the importer in `importer.py`)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from articles.photos.models import Photo
from articles.photos.services import photo_create
from articles.wordpress.body import caption_credit, plain_text
from articles.wordpress.index import Attachment, hash_of, url_key
from articles.wordpress.media import MediaFetchError, media_fetch
from articles.wordpress.models import WordPressObject

Kind = WordPressObject.Kind
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp"}


class AttachmentsMixin:
    def photo(self, attachment_id: str, *, count: bool = False) -> Photo | None:
        if attachment_id in self.photos:
            return self.photos[attachment_id]
        info = self.index.attachments.get(attachment_id)
        self.photos[attachment_id] = None
        if info is None:
            if count:
                self.summary.skip("attachment", "not in the export")
            return None
        caption, credit = caption_credit(plain_text(info.caption))
        alt = plain_text(info.alt or info.title)[:300]
        wanted = hash_of([caption, credit, alt])
        row = self._row(Kind.ATTACHMENT, attachment_id)
        photo = Photo.objects.filter(pk=row.object_id).first() if row else None
        if photo is not None:
            if row.content_hash != wanted:
                photo.caption, photo.credit, photo.alt_text = caption, credit[:255], alt
                with transaction.atomic():
                    photo.save(update_fields=["caption", "credit", "alt_text", "updated_at"])
                    self._remember(Kind.ATTACHMENT, attachment_id, photo.pk, content_hash=wanted)
                self.summary.count("attachment", "updated")
            else:
                self.summary.count("attachment", "unchanged")
            self.photos[attachment_id] = photo
            return photo
        name = Path(urlsplit(info.url).path).name
        if Path(name).suffix.lower() not in IMAGE_SUFFIXES:
            self.summary.skip("attachment", "not an image")
            return None
        data, reason = self._media(info)
        if data is None:
            self.summary.skip("attachment", reason)
            return None
        if self.options.dry_run:
            self.summary.count("attachment", "created")
            return None
        try:
            with transaction.atomic():
                photo = photo_create(
                    user=self.user,
                    image=ContentFile(data, name=name),
                    caption=caption,
                    credit=credit[:255],
                    alt_text=alt,
                )
                self._remember(Kind.ATTACHMENT, attachment_id, photo.pk, content_hash=wanted)
        except ValidationError as exc:
            self.summary.skip("attachment", "not a valid image")
            self._warn(f"attachment {attachment_id}: {'; '.join(exc.messages)}")
            return None
        self.summary.count("attachment", "created")
        self.photos[attachment_id] = photo
        return photo

    def _media(self, info: Attachment) -> tuple[bytes | None, str]:
        if self.media_dir is not None:
            relative = info.attached_file or ""
            if not relative:
                path = urlsplit(info.url).path
                for marker in ("/wp-content/uploads/", "/files/"):
                    if marker in path:
                        relative = path.split(marker, 1)[1]
                        break
                else:
                    relative = path.lstrip("/")
            candidate = (self.media_dir / unquote(relative).lstrip("/")).resolve()
            if not candidate.is_relative_to(self.media_dir):
                return None, "path outside the media directory"
            if not candidate.is_file():
                return None, "file missing from the media directory"
            if candidate.stat().st_size > settings.PHOTO_MAX_UPLOAD_BYTES:
                return None, "file too large"
            return candidate.read_bytes(), ""
        if self.options.fetch_media:
            try:
                return media_fetch(info.url), ""
            except MediaFetchError as exc:
                self._warn(f"attachment {info.post_id}: {exc}")
                return None, "download refused or failed"
        return None, "no media source (--media-dir or --fetch-media)"

    def _photo_by_ref(self, attachment_id: str, url: str) -> Photo | None:
        if not attachment_id and url:
            attachment_id = self.index.attachment_by_url.get(url_key(url), "")
        return self.photo(attachment_id) if attachment_id else None
