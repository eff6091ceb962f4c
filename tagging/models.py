from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.models import TagBase

from tagging.text import slugify_ascii


class TopicTag(TagBase):
    """A topic tag: a person, place, organisation, event or plain topic.

    Articles are tagged through `articles.TaggedArticle`; this app knows nothing about them.
    """

    class Kind(models.TextChoices):
        TOPIC = "topic", _("Topic")
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")
        PLACE = "place", _("Place")
        EVENT = "event", _("Event")

    kind = models.CharField(
        _("type"), max_length=20, choices=Kind.choices, default=Kind.TOPIC, db_index=True
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def slugify(self, tag: str, i: int | None = None) -> str:
        # taggit's default keeps non-ASCII letters; newsroom slugs are plain ASCII everywhere.
        slug = slugify_ascii(tag, max_length=90) or "tag"
        if i is not None:
            slug += f"-{i}"
        return slug
