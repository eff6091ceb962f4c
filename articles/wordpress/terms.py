"""Authors, categories (sections) and tags of an export: what each became here, made or
matched once per run (`TermsMixin`, part of the importer in `importer.py`). What is written
for one is written in a savepoint of its own and stays, with what the run holds of it, even
if the post that brought it in is refused."""

from __future__ import annotations

from urllib.parse import unquote

from django.core.exceptions import ValidationError
from django.db import transaction

from articles.models import Author, Section
from articles.wordpress.body import plain_text
from articles.wordpress.index import hash_of
from articles.wordpress.models import WordPressObject
from articles.wordpress.wxr import WxrAuthor, WxrItem, WxrTerm
from tagging.services import tags_resolve_or_create
from tagging.text import slugify_ascii, tag_display_name, tag_name_key

Kind = WordPressObject.Kind


class TermsMixin:
    def author(self, record: WxrAuthor) -> None:
        login = record.login
        if not login:
            self.summary.skip("author", "no login")
            return
        self.authors[login] = self._author_for(login, record)

    def _author_for(self, login: str, record: WxrAuthor | None) -> Author:
        if login in self.authors:
            return self.authors[login]
        mapped_slug = self.options.author_map.get(login)
        if mapped_slug:
            author = Author.objects.get(slug=mapped_slug)
            self.summary.count("author", "mapped")
            self.authors[login] = author
            return author
        name = (
            (record.display_name if record else "")
            or " ".join(filter(None, [record and record.first_name, record and record.last_name]))
            or login
        )[:150]
        email = record.email if record else ""
        row = self._row(Kind.AUTHOR, login)
        author = Author.objects.filter(pk=row.object_id).first() if row else None
        if author is None:
            author = Author(
                name=name, slug=self._free_slug(Author, slugify_ascii(login) or "author")
            )
            author.email = email
            try:
                author.full_clean()
            except ValidationError:
                author.email = ""
                self._warn(f"author {login}: e-mail {email!r} is not valid, left out")
            with transaction.atomic():
                author.save()
                self._remember(Kind.AUTHOR, login, author.pk, content_hash=hash_of([name, email]))
            self.summary.count("author", "created")
        elif row.content_hash != hash_of([name, email]):
            author.name = name
            author.email = email
            with transaction.atomic():
                author.save(update_fields=["name", "email"])
                self._remember(Kind.AUTHOR, login, author.pk, content_hash=hash_of([name, email]))
            self.summary.count("author", "updated")
        else:
            self.summary.count("author", "unchanged")
        self.authors[login] = author
        return author

    def _free_slug(self, model, slug: str) -> str:
        candidate, number = slug[:140], 1
        while model.objects.filter(slug=candidate).exists():
            number += 1
            candidate = f"{slug[:140]}-{number}"
        return candidate

    def term(self, record: WxrTerm) -> None:
        if record.taxonomy == "category":
            self.category_ids[record.term_id] = record.slug
            self._section_for(record.slug, record.name, count=True)
        elif record.taxonomy == "post_tag":
            self._tag_for(record.slug, record.name, count=True)
        else:
            self.summary.skip("term", f"taxonomy {record.taxonomy or 'unknown'}")

    def _section_for(self, slug: str, name: str, *, count: bool = False) -> Section:
        slug = unquote(slug)
        if slug in self.sections:
            return self.sections[slug]
        mapped = self.options.section_map.get(slug)
        if mapped:
            section = Section.objects.get(slug=mapped)
            if count:
                self.summary.count("category", "mapped")
            self.sections[slug] = section
            return section
        row = self._row(Kind.CATEGORY, slug)
        section = Section.objects.filter(pk=row.object_id).first() if row else None
        outcome = "unchanged"
        if section is None:
            ours = slugify_ascii(slug, max_length=100) or slugify_ascii(name, max_length=100)
            name = (plain_text(name) or slug)[:100]
            section = Section.objects.filter(slug=ours).first()
            with transaction.atomic():
                if section is None:
                    if Section.objects.filter(name=name).exists():
                        name = f"{name[:90]} ({ours[:6]})"
                    section = Section.objects.create(name=name, slug=ours or "section")
                    outcome = "created"
                else:
                    outcome = "matched"
                self._remember(Kind.CATEGORY, slug, section.pk)
        if count:
            self.summary.count("category", outcome)
        self.sections[slug] = section
        return section

    def tag_names(self, records: list[WxrItem]) -> dict[str, str]:
        """The tags `records` name that this run has not met: their names by slug."""
        names: dict[str, str] = {}
        for record in records:
            for domain, slug, name in record.terms:
                slug = unquote(slug)
                if domain == "post_tag" and slug not in self.tags and slug not in names:
                    names[slug] = plain_text(name) or slug
        return names

    def tags_prefetch(self, names: dict[str, str]) -> None:
        """Resolve a batch's new tag names (`tag_names`) at once through the tag normaliser
        (aliases and merges apply; missing tags are created, race-safe, in key order):
        two queries for the batch instead of two per tag. With a name too long, each is
        left to `_tag_for`, which reports it."""
        try:
            self.tags_resolved = tags_resolve_or_create(names=list(names.values()))
        except ValidationError:
            self.tags_resolved = {}

    def _tag_for(self, slug: str, name: str, *, count: bool = False):
        slug = unquote(slug)
        if slug in self.tags:
            return self.tags[slug]
        display = plain_text(name) or slug
        key = tag_name_key(tag_display_name(display))
        try:
            if key in self.tags_resolved:
                tags = {key: self.tags_resolved[key]}
            else:
                tags = tags_resolve_or_create(names=[display])
        except ValidationError as exc:
            self.summary.skip("tag", "name too long")
            self._warn(f"tag {slug}: {exc.messages[0]}")
            self.tags[slug] = None
            return None
        tag = next(iter(tags.values()), None)
        if tag is None:
            self.summary.skip("tag", "empty name")
            self.tags[slug] = None
            return None
        row = self._row(Kind.TAG, slug)
        if count:
            self.summary.count("tag", "unchanged" if row and row.object_id == tag.pk else "mapped")
        if not row or row.object_id != tag.pk:
            with transaction.atomic():
                self._remember(Kind.TAG, slug, tag.pk)
        self.tags[slug] = tag
        return tag
