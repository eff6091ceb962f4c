from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.models import TagBase

from tagging.text import slugify_ascii, tag_display_name, tag_name_key, tag_slug_source


class TopicTag(TagBase):
    """A topic tag: a person, place, organisation, event or plain topic.

    Articles are tagged through `articles.TaggedArticle`; this app knows nothing about them.
    Names are compared by `name_key` (case, accents and separators ignored, see
    `tag_name_key`), which is unique, so "Rusia" and " rúsia", or "Pilkada-2026" and
    "pilkada 2026", can never be two tags; aliases (`TagAlias`) share that space.
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
    name_key = models.CharField(_("normalised name"), max_length=100, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def save(self, *args, **kwargs):
        # Every path that creates a tag (admin, taggit's string input, services, scripts)
        # ends here, so the key can never be missing or stale.
        self.name = tag_display_name(self.name)
        self.name_key = tag_name_key(self.name)
        if "update_fields" in kwargs and kwargs["update_fields"] is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """Refuse a name that is, once normalised, another tag's name or an alias. Two queries."""
        super().clean()
        self.name = tag_display_name(self.name)
        key = tag_name_key(self.name)
        if not key:
            raise ValidationError({"name": _("A tag needs a name.")}, code="blank")
        clash = TopicTag.objects.filter(name_key=key).exclude(pk=self.pk).first()
        if clash:
            raise ValidationError(
                {
                    "name": ValidationError(
                        _("The tag “%(name)s” exists already.") % {"name": clash.name},
                        code="duplicate_tag",
                    )
                }
            )
        alias = TagAlias.objects.filter(name_key=key).select_related("tag").first()
        if alias and alias.tag_id != self.pk:
            raise ValidationError(
                {
                    "name": ValidationError(
                        _("“%(alias)s” is an alias of the tag “%(tag)s”.")
                        % {"alias": alias.name, "tag": alias.tag.name},
                        code="alias_of_other_tag",
                    )
                }
            )

    def slugify(self, tag: str, i: int | None = None) -> str:
        # taggit's default keeps non-ASCII letters; newsroom slugs are plain ASCII everywhere.
        slug = slugify_ascii(tag_slug_source(tag), max_length=90) or "tag"
        if i is not None:
            slug += f"-{i}"
        return slug


class TagAlias(models.Model):
    """Another spelling of a tag ("Russia" for "Rusia"), or a tag merged into it.

    Tag input resolves an alias to its tag. An alias with a slug keeps that old tag URL
    working: the API redirects it to the tag. An alias whose name is, once normalised, its
    own tag's name (a merged duplicate that differed only in separators) has no `name_key`:
    typed input finds the tag itself, and the alias is kept for its URL.
    """

    tag = models.ForeignKey(
        TopicTag, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("tag")
    )
    name = models.CharField(_("name"), max_length=100)
    # NULL for an alias of its own tag's name (see above): NULLs never clash in the index.
    name_key = models.CharField(  # noqa: DJ001 - optional and unique
        _("normalised name"), max_length=100, unique=True, null=True, editable=False
    )
    # NULL when the alias has no URL of its own (typed by an editor, slug taken).
    slug = models.SlugField(_("old slug"), max_length=100, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = tag_display_name(self.name)
        key = tag_name_key(self.name)
        self.name_key = None if key == self.tag.name_key else key
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """Refuse an alias that is, once normalised, a tag's name or another alias. An
        existing alias of its own tag's name (see the class) stays valid. Two queries."""
        super().clean()
        key = tag_name_key(self.name)
        if not key:
            raise ValidationError({"name": _("An alias needs a name.")}, code="blank")
        tag = TopicTag.objects.filter(name_key=key).first()
        if tag and not (self.pk and tag.pk == self.tag_id):
            raise ValidationError(
                {
                    "name": ValidationError(
                        _("“%(name)s” is the name of a tag.") % {"name": tag.name},
                        code="duplicate_tag",
                    )
                }
            )
        if TagAlias.objects.filter(name_key=key).exclude(pk=self.pk).exists():
            raise ValidationError(
                {"name": ValidationError(_("This alias exists already."), code="duplicate_alias")}
            )
