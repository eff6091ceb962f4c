"""The article change form's save: one call of the editing service the write API uses.

The form and the inline formsets only validate. On a valid POST, `save_related` turns them
into the arguments of `article_save` (or `article_create`), which checks the loaded version,
the locks and the status move, saves the article row once with its bylines, tags, photos and
related reading, and announces what readers see, all in the view's transaction. A refusal
rolls all of it back and the view runs again on the same POST: the form shows the reason
with the editor's input kept (`ArticleAdminForm.refusal`).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from articles.models import Article, ArticlePhoto, Byline, RelatedLink, TaggedArticle
from articles.services import CONTENT_FIELDS, article_create, article_save

# A form field's widget may post its value in parts: `published_at_0`, `published_at_1`.
WIDGET_PART = re.compile(r"_\d+$")


def posted_fields_not_offered(model: type[models.Model], data, form) -> list[str]:
    """Names of `model`'s fields whose values `data` (a POST) holds but `form` does not offer:
    hidden from this user or read-only for them. The form ignores them; the service audits."""
    names = {}
    for field in (*model._meta.concrete_fields, *model._meta.many_to_many):
        names[field.name] = names[field.attname] = field.name
    posted = {names.get(key) or names.get(WIDGET_PART.sub("", key)) for key in data}
    return sorted(name for name in posted if name and name not in form.fields)


def formset_rows(formset) -> list[models.Model] | None:
    """The rows an inline formset leaves the article with, as its `save()` would: stored rows
    the POST does not mention, then the kept and new rows in form order (unsaved instances
    holding the posted values); None when the editor changed none. Also notes what changed
    on the formset, as `save()` would, for the admin's change message
    (`construct_change_message`)."""
    deleted = {id(form) for form in formset.deleted_forms}
    kept = [form for form in formset.initial_forms if id(form) not in deleted]
    new = [form for form in formset.extra_forms if form.has_changed() and id(form) not in deleted]
    formset.new_objects = [form.instance for form in new]
    formset.changed_objects = [
        (form.instance, form.changed_data) for form in kept if form.has_changed()
    ]
    formset.deleted_objects = [
        form.instance for form in formset.initial_forms if id(form) in deleted
    ]
    if not (formset.new_objects or formset.changed_objects or formset.deleted_objects):
        return None
    posted = {form.instance.pk for form in formset.initial_forms}
    untouched = [row for row in formset.get_queryset() if row.pk not in posted]
    return untouched + [form.instance for form in kept + new]


def relations_from_formsets(formsets) -> dict[str, list[Any]]:
    """The service's relation arguments from the inline formsets; a relation the editor did
    not change (or without a formset) is left alone."""
    relations: dict[str, list[Any]] = {}
    for formset in formsets:
        rows = formset_rows(formset)
        if rows is None:
            continue
        if formset.model is Byline:
            ordered = sorted(enumerate(rows), key=lambda pair: (pair[1].position, pair[0]))
            relations["bylines"] = [byline.author for _, byline in ordered]
        elif formset.model is TaggedArticle:
            relations["tags"] = [row.tag for row in rows]
        elif formset.model is ArticlePhoto:
            relations["photos"] = [
                {
                    "photo": row.photo,
                    "after_paragraph": row.after_paragraph,
                    "position": row.position,
                    "caption_override": row.caption_override,
                }
                for row in rows
            ]
        elif formset.model is RelatedLink:
            relations["related_links"] = [
                {
                    "target_article": row.target_article,
                    "url": row.url,
                    "title": row.title,
                    "label": row.label,
                    "after_paragraph": row.after_paragraph,
                    "position": row.position,
                }
                for row in rows
            ]
    return relations


class ArticleSaveRefused(Exception):
    """The service refused the admin's save (`error`); raised through the view's transaction
    so that nothing of the save is kept."""

    def __init__(self, error: ValidationError | PermissionDenied):
        super().__init__(error)
        self.error = error


class ArticleSaveMixin:
    """`ArticleAdmin`'s save through `article_save` / `article_create` (see the module)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ArticleSaveRefused as refused:
            # The view's transaction was rolled back. Run it again on the same POST: the
            # form adds the refusal to its errors, so the page shows it with the input.
            request.article_save_refusal = refused.error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # modelform_factory builds a new class per call, so these never leak between users.
        form.user = request.user
        form.refusal = getattr(request, "article_save_refusal", None)
        return form

    def save_model(self, request, obj, form, change):
        """Nothing yet: `save_related` saves the article with its inlines, in one call."""

    def save_related(self, request, form, formsets, change):
        cleaned = form.cleaned_data
        data = {name: cleaned[name] for name in CONTENT_FIELDS if name in form.fields}
        arguments = {
            "user": request.user,
            "data": data,
            **relations_from_formsets(formsets),
            "status": cleaned["status"] if "status" in form.fields else None,
            "publish_at": (
                cleaned["published_at"]
                if "published_at" in form.fields
                else form.original_published_at
            ),
            "correction": cleaned.get("new_correction") or "",
            "ignored_fields": posted_fields_not_offered(Article, request.POST, form),
        }
        try:
            if change:
                article = article_save(
                    article=form.instance,
                    expected_version=cleaned.get("loaded_version"),
                    **arguments,
                )
            else:
                article = article_create(**{"bylines": [], **arguments})
        except (ValidationError, PermissionDenied) as exc:
            raise ArticleSaveRefused(exc) from exc
        # The admin goes on with its own copy (the change message, the log, the redirect).
        instance = form.instance
        for field in Article._meta.concrete_fields:
            setattr(instance, field.attname, getattr(article, field.attname))
        instance._state.adding, instance._state.db = False, article._state.db
