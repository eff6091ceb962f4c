"""Writes on tags: resolving typed names, aliases, merging; and tag suggestions from text.

Nothing here imports `articles`: the tagged-item tables are found through `TopicTag`'s
reverse relations (every through model is a taggit `ItemBase` with a `tag` FK and a real
`content_object` FK, taggit's custom-FK recipe), so the same code serves any tagged model.
"""

from __future__ import annotations

from typing import TypedDict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from taggit.models import ItemBase

from tagging.models import TagAlias, TopicTag
from tagging.signals import tag_merged
from tagging.text import name_stems, tag_display_name, tag_name_key, text_stems

NAME_MAX_LENGTH = TopicTag._meta.get_field("name").max_length


class TagMergePreview(TypedDict):
    items_moved: int  # taggings that go from the source to the target
    items_dropped: int  # taggings of items that already carry the target
    aliases: list[str]  # names the target gains as aliases


def tag_through_models() -> list[type[models.Model]]:
    """Through models that tag things with `TopicTag` (e.g. `articles.TaggedArticle`)."""
    return [
        rel.related_model
        for rel in TopicTag._meta.related_objects
        if issubclass(rel.related_model, ItemBase) and rel.field.name == "tag"
    ]


def tag_resolve(*, name: str) -> TopicTag | None:
    """The tag a typed name means: a tag of the same key, or the tag of such an alias.

    At most two queries.
    """
    key = tag_name_key(name)
    if not key:
        return None
    tag = TopicTag.objects.filter(name_key=key).first()
    if tag is None:
        alias = TagAlias.objects.filter(name_key=key).select_related("tag").first()
        tag = alias.tag if alias else None
    return tag


def tags_resolve_or_create(*, names: list[str]) -> dict[str, TopicTag]:
    """Tags for typed names, keyed by `tag_name_key`; missing tags are created.

    "Rusia", " rusia ", "RÚSIA" and an alias of Rusia all give the one tag under the key
    "rusia". Empty names are skipped; a name longer than the tag name field is a
    `ValidationError`. Two queries for the lookups, plus five per created tag (its INSERT
    in two savepoints, ours and taggit's).
    """
    wanted: dict[str, str] = {}
    for raw in names:
        display = tag_display_name(raw)
        if len(display) > NAME_MAX_LENGTH:
            raise ValidationError(
                _("A tag name may have at most %(limit)d characters.") % {"limit": NAME_MAX_LENGTH},
                code="tag_name_too_long",
            )
        key = tag_name_key(display)
        if key:
            wanted.setdefault(key, display)
    if not wanted:
        return {}
    by_key = {tag.name_key: tag for tag in TopicTag.objects.filter(name_key__in=wanted)}
    missing = [key for key in wanted if key not in by_key]
    if missing:
        for alias in TagAlias.objects.filter(name_key__in=missing).select_related("tag"):
            by_key[alias.name_key] = alias.tag
    # New tags are created in key order. A save holds the tags it created until its
    # transaction ends; two saves creating the same new tags in different orders would each
    # wait for one the other holds (a deadlock). In one order, the second waits at the
    # first shared tag for the first save to finish, then finds the tag made.
    for key in sorted(wanted.keys() - by_key.keys()):
        by_key[key] = _tag_get_or_create(key=key, name=wanted[key])
    return by_key


# Tries at creating one tag: each failed one means a concurrent creator committed a row in
# the way, which the next try reads (or, for a slug only, steps around).
TAG_CREATE_ATTEMPTS = 5


def _tag_get_or_create(*, key: str, name: str) -> TopicTag:
    """The tag with `key`, which the caller did not find, created with `name`; race-safe.

    The unique `name_key` settles concurrent creators: the INSERT of the later one waits for
    the earlier transaction and then fails (IntegrityError), and the tag it made is read.
    A clash on the slug alone (a name in another script that transliterates alike) is
    retried: `TagBase.save` picks the next free slug then.
    """
    for _attempt in range(TAG_CREATE_ATTEMPTS):
        try:
            with transaction.atomic():
                return TopicTag.objects.create(name=name)
        except IntegrityError:
            tag = TopicTag.objects.filter(name_key=key).first()
            if tag is not None:
                return tag
    return TopicTag.objects.get(name_key=key)


def tag_alias_add(*, tag: TopicTag, name: str) -> TagAlias:
    """Make `name` resolve to `tag`. Raises `ValidationError` if it names a tag or an alias.

    The alias gets the slug of its name when no tag or alias uses it, so it can be linked.
    """
    alias = TagAlias(tag=tag, name=tag_display_name(name))
    alias.full_clean(exclude=["slug"])
    slug = tag.slugify(alias.name)
    taken = (
        TopicTag.objects.filter(slug=slug).exists() or TagAlias.objects.filter(slug=slug).exists()
    )
    alias.slug = None if taken else slug
    try:
        with transaction.atomic():
            alias.save()
    except IntegrityError:
        # A concurrent add committed a clashing row after the checks above. The same name is
        # refused as a second add after it would be; a clash on the slug alone leaves this
        # alias without a URL of its own.
        alias.full_clean(exclude=["slug"])
        alias.slug = None
        with transaction.atomic():
            alias.save()
    return alias


def tag_merge_preview(*, source: TopicTag, target: TopicTag) -> TagMergePreview:
    """What `tag_merge` would do; two queries per through model, plus one for the aliases."""
    moved = dropped = 0
    for through in tag_through_models():
        items = through.objects.filter(tag=source)
        on_target = through.objects.filter(tag=target).values("content_object")
        both = items.filter(content_object__in=on_target).count()
        dropped += both
        moved += items.count() - both
    aliases = [source.name, *source.aliases.values_list("name", flat=True)]
    return {"items_moved": moved, "items_dropped": dropped, "aliases": aliases}


def tag_merge(*, source: TopicTag, target: TopicTag) -> TagMergePreview:
    """Merge `source` into `target`: its taggings, aliases, name and slug go to `target`.

    Everything tagged `source` ends up tagged `target` once (an item carrying both keeps one
    tagging); `source`'s aliases move; `source`'s name and slug become aliases of `target`,
    so typed input and the old URL both lead to `target`; then `source` is deleted, and
    `tagging.signals.tag_merged` tells the tagged apps which items changed. One
    transaction: a failure anywhere leaves both tags as they were. Returns what moved.
    """
    if source.pk == target.pk:
        raise ValidationError(_("A tag cannot be merged into itself."), code="merge_into_self")
    with transaction.atomic():
        # An item's save locks the item, then its new taggings lock their tags (key share).
        # The merge takes the items tagged `source` first, in id order, then the tags, so a
        # merge and a save of one of those items wait for each other instead of deadlocking.
        for through in tag_through_models():
            items_model = through._meta.get_field("content_object").related_model
            tagged = through.objects.filter(tag=source).values("content_object")
            list(
                items_model._default_manager.select_for_update()
                .filter(pk__in=tagged)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        # Locked in pk order so two merges of the same pair cannot deadlock.
        locked = {
            tag.pk: tag
            for tag in TopicTag.objects.select_for_update()
            .filter(pk__in=[source.pk, target.pk])
            .order_by("pk")
        }
        if len(locked) != 2:
            raise ValidationError(_("One of the tags no longer exists."), code="tag_gone")
        source, target = locked[source.pk], locked[target.pk]
        preview = tag_merge_preview(source=source, target=target)
        items = {
            through: list(
                through.objects.filter(tag=source).values_list("content_object_id", flat=True)
            )
            for through in tag_through_models()
        }
        for through in tag_through_models():
            on_target = through.objects.filter(tag=target).values("content_object")
            through.objects.filter(tag=source, content_object__in=on_target).delete()
            through.objects.filter(tag=source).update(tag=target)
        source.aliases.update(tag=target)
        old_name, old_slug = source.name, source.slug
        source.delete()
        _alias_from_merged_tag(tag=target, name=old_name, slug=old_slug)
        tag_merged.send(sender=TopicTag, target=target, items=items)
    return preview


def _alias_from_merged_tag(*, tag: TopicTag, name: str, slug: str | None) -> TagAlias:
    # The source row is gone, so its key and slug are free for the alias (an alias holding
    # the same slug already leads somewhere; it keeps it).
    if TagAlias.objects.filter(slug=slug).exists():
        slug = None
    return TagAlias.objects.create(tag=tag, name=name, slug=slug)


# --- Suggestions from text -----------------------------------------------------------------


def tags_suggest_for_text(
    *, text: str, language: str, exclude_ids: set[int] | frozenset[int] = frozenset(), limit=10
) -> list[TopicTag]:
    """Existing tags whose name or an alias occurs in `text`, most mentioned first.

    Words are compared stemmed for the article's language (Indonesian or English), so
    "korupsinya" finds the tag "Korupsi" and "elections" finds "Election". A multi-word name
    must occur as consecutive words. Two queries (tags, aliases); the matching is in Python
    over every name, fine for tens of thousands of tags.
    """
    words = text_stems(text, language=language)
    if not words:
        return []
    positions: dict[str, list[int]] = {}
    for index, word in enumerate(words):
        positions.setdefault(word, []).append(index)

    def occurrences(name: str) -> int:
        stems = list(name_stems(name, language=language))
        if not stems:
            return 0
        count = 0
        for start in positions.get(stems[0], []):
            if words[start : start + len(stems)] == stems:
                count += 1
        return count

    # Rows as tuples: a model instance for each of thousands of tags costs more than the
    # matching; only the tags found become instances.
    tag_fields = ("id", "name", "slug", "kind")
    hits: dict[int, int] = {}
    rows: dict[int, tuple] = {}
    tags = TopicTag.objects.exclude(pk__in=exclude_ids).order_by()
    for row in tags.values_list(*tag_fields):
        found = occurrences(row[1])
        if found:
            hits[row[0]] = hits.get(row[0], 0) + found
            rows[row[0]] = row
    # An alias without a key spells its own tag's name (see `TagAlias`): counted there already.
    aliases = (
        TagAlias.objects.exclude(tag_id__in=exclude_ids).filter(name_key__isnull=False).order_by()
    )
    for name, *row in aliases.values_list("name", *(f"tag__{field}" for field in tag_fields)):
        found = occurrences(name)
        if found:
            hits[row[0]] = hits.get(row[0], 0) + found
            rows[row[0]] = tuple(row)
    found_tags = {pk: TopicTag.from_db(tags.db, tag_fields, row) for pk, row in rows.items()}
    ranked = sorted(hits, key=lambda pk: (-hits[pk], found_tags[pk].name))
    return [found_tags[pk] for pk in ranked[:limit]]
