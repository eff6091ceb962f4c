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


class TopicTagManager(_TaggableManager):
    def _to_tag_model_instances(self, tags, tag_kwargs):
        # Names become tag objects here, so taggit's own exact-name lookup never runs.
        by_key = tags_resolve_or_create(names=[tag for tag in tags if isinstance(tag, str)])
        objects = [by_key.get(tag_name_key(tag)) if isinstance(tag, str) else tag for tag in tags]
        return super()._to_tag_model_instances([t for t in objects if t], tag_kwargs)

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
