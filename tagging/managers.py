"""The taggit manager for `TopicTag`: typed tag names are normalised and aliases resolved.

Use it as `TaggableManager(through=..., manager=TopicTagManager)`; then
`article.tags.add("rúsia")`, `.set([...])` and `.remove(...)` find the tag "Rusia" (or the
tag an alias belongs to) instead of creating a near-duplicate.
"""

from __future__ import annotations

from taggit.managers import _TaggableManager

from tagging.models import TopicTag
from tagging.services import tag_resolve, tags_resolve_or_create
from tagging.text import tag_name_key


def topic_tags_for(tags) -> list[TopicTag]:
    """`tags` (names, tags or both) as tags, in order: names are resolved through their key
    and aliases, and missing ones created, so taggit's own exact-name lookup never runs."""
    by_key = tags_resolve_or_create(names=[tag for tag in tags if isinstance(tag, str)])
    found = [by_key.get(tag_name_key(tag)) if isinstance(tag, str) else tag for tag in tags]
    return [tag for tag in found if tag]


class TopicTagManager(_TaggableManager):
    def add(self, *tags, **kwargs):
        return super().add(*topic_tags_for(tags), **kwargs)

    def set(self, tags, **kwargs):
        return super().set(topic_tags_for(tags), **kwargs)

    def remove(self, *tags):
        names = []
        for tag in tags:
            if isinstance(tag, str):
                found = tag_resolve(name=tag)
                tag = found.name if found else tag
            elif isinstance(tag, TopicTag):
                tag = tag.name
            names.append(tag)
        return super().remove(*names)
