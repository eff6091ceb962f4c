"""Admin forms for articles: role-aware status choices and clear errors for inline rows.

The forms only validate, reading at most (a slug's availability); they lock and write
nothing. The admin saves through `articles.services` (`articles.admin.saving`), so a save
or status change made in the admin follows the same rules as one made through the API.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.admin.editor import BodyEditorWidget, body_keeping_stored_marks, body_split_cards
from articles.blocks import validate_body_embeds
from articles.models import Article, RelatedLink, article_times_check
from articles.services import (
    CORRECTION_MAX_LENGTH,
    ConflictError,
    article_check_slug_available,
    article_check_transition,
    article_conflict,
    user_can_publish,
)

Status = Article.Status

# What a writer may pick; the article's current status is added when it is one of these too.
WRITER_STATUSES = (Status.DRAFT, Status.IN_REVIEW)
# Statuses that make an article visible (now or later); only editors may touch such articles.
PUBLIC_STATUSES = (Status.PUBLISHED, Status.SCHEDULED)
# The service's name of an error's field where the form calls it otherwise.
REFUSAL_FIELDS = {"text": "new_correction"}


def https_formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """Form fields as Django makes them, with typed URLs defaulting to https (Django 6)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class BodyField(forms.CharField):
    """The body as the editor posts it: cards between paragraphs are the inline rows'
    places (`articles.admin.editor`), and marks nested in the editor's order the same text:
    neither is a change."""

    def has_changed(self, initial, data):
        body = body_keeping_stored_marks(body_split_cards(data or "")[0], initial or "")
        return super().has_changed(initial, body)


class ArticleAdminForm(forms.ModelForm):
    """The article change form; `user` and `refusal` are set by `ArticleAdmin.get_form` for
    each request.

    `refusal` is the service's refusal of this very POST (a stale version, someone else's
    lock, a status move no longer allowed), shown as the form's error when the admin runs
    the view again; `conflict` is it when it is a `ConflictError` (the page lists what
    changed meanwhile). After `is_valid()`, `status_target` is the status the article should
    end up in (a publish with a future time becomes "scheduled") and `status_change_needed`
    whether that is a move, as the service will decide it (`article_save`).
    """

    user = None
    refusal: ValidationError | PermissionDenied | None = None

    # The version the editor loaded; a save based on an older one is refused (no lost edits).
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    new_correction = forms.CharField(
        label=_("add a correction"),
        required=False,
        max_length=CORRECTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A dated note shown to readers with the article; it cannot be edited later."),
    )

    class Meta:
        model = Article
        # Tags are edited in an inline with autocomplete, not taggit's text field.
        fields = (
            "headline",
            "slug",
            "dek",
            "dateline",
            "body",
            "section",
            "language",
            "lead_photo",
            "status",
            "published_at",
            "embargo_until",
            "seo_title",
            "seo_description",
            "canonical_url",
        )
        formfield_callback = https_formfield
        widgets = {"body": BodyEditorWidget}
        field_classes = {"body": BodyField}
        help_texts = {
            "body": _(
                "Paragraphs, headings, bold, italic, links (Ctrl+K), lists and quotes (and "
                "underline, strikethrough, sub- and superscript); pasted text keeps only these. "
                "Related reading and inline photos are cards between paragraphs: deleting a "
                "card deletes its row."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The instance still holds the stored values here; construct_instance runs in clean.
        self.original_status = self.instance.status if self.instance.pk else Status.DRAFT
        self.original_published_at = self.instance.published_at if self.instance.pk else None
        self.original_embargo_until = self.instance.embargo_until if self.instance.pk else None
        self.status_target = self.original_status
        self.status_change_needed = False
        self.conflict: ConflictError | None = None
        if self.instance.pk and "loaded_version" in self.fields:
            self.fields["loaded_version"].initial = self.instance.version
        if not user_can_publish(self.user):
            self.fields.pop("new_correction", None)
        known_choices_from_instance(self)
        status_field = self.fields.get("status")
        if status_field is not None and not user_can_publish(self.user):
            allowed = set(WRITER_STATUSES) | {self.original_status}
            status_field.choices = [
                (value, label) for value, label in Status.choices if value in allowed
            ]

    def _get_validation_exclusions(self):
        # The status constraints (a public article has a slug and a publish time) are checked
        # in clean() against the status the article will really get: the publish service
        # fills in both, so the form's raw values would raise false errors.
        exclude = super()._get_validation_exclusions()
        exclude.add("status")
        return exclude

    def clean_body(self):
        # The cards between paragraphs are the inline rows' places, read by
        # `ArticleBodyEditorMixin.get_formset_kwargs`; the body keeps only the text.
        body, _places = body_split_cards(self.cleaned_data["body"])
        body = body_keeping_stored_marks(body, self.instance.body)
        validate_body_embeds(body)  # an embed paragraph must name an allowlisted provider
        return body

    def clean_published_at(self):
        value = self.cleaned_data["published_at"]
        original = self.original_published_at
        # The form shows whole seconds; an unchanged time keeps its stored microseconds.
        if value and original and value == original.replace(microsecond=0):
            return original
        return value

    def clean_embargo_until(self):
        value = self.cleaned_data["embargo_until"]
        original = self.original_embargo_until
        # As for published_at: an unchanged end keeps its stored microseconds.
        if value and original and value == original.replace(microsecond=0):
            return original
        return value

    def clean(self):
        cleaned = super().clean()
        slug = cleaned.get("slug")
        if slug and slug != self.instance.slug:
            # `article_change_slug`'s rule: another article's slug, current or old (whose
            # redirect must keep working), is taken.
            try:
                article_check_slug_available(slug=slug, article=self.instance)
            except ValidationError as exc:
                self.add_error(None, exc)
        self._check_version(cleaned)
        self._check_times(cleaned)
        status = cleaned.get("status")
        if not status:
            return cleaned
        now = timezone.now()
        publish_at = (
            cleaned.get("published_at")
            if "published_at" in self.fields
            else self.original_published_at
        )
        target = status
        if status == Status.PUBLISHED and publish_at and publish_at > now:
            target = Status.SCHEDULED
        try:
            article_check_transition(
                user=self.user, from_status=self.original_status, to_status=target
            )
        except PermissionDenied as exc:
            self.add_error("status", str(exc))
            return cleaned
        except ValidationError as exc:
            self.add_error("status", exc)
            return cleaned

        publish_time_changed = publish_at != self.original_published_at
        self.status_target = target
        self.status_change_needed = target != self.original_status or (
            target == Status.SCHEDULED and publish_time_changed
        )
        time_field = "published_at" if "published_at" in self.fields else "status"
        if target == Status.SCHEDULED and (publish_at is None or publish_at <= now):
            self.add_error(time_field, _("A scheduled article needs a publish time in the future."))
        if not self.status_change_needed and target in PUBLIC_STATUSES:
            # An edit of a live article: nothing fills these in, so they must stay set.
            if publish_at is None:
                self.add_error(time_field, _("A published article needs a publish time."))
            if "slug" in self.fields and not cleaned.get("slug") and "slug" not in self.errors:
                self.add_error("slug", _("A published article needs a slug."))
        return cleaned

    def _check_times(self, cleaned) -> None:
        """The publish-time and embargo rules of the services (`article_times_check`), as
        form errors."""
        fields = {
            name: cleaned.get(name) if name in self.fields else original
            for name, original in (
                ("published_at", self.original_published_at),
                ("embargo_until", self.original_embargo_until),
            )
        }
        try:
            article_times_check(
                **fields,
                stored_published_at=self.original_published_at,
                stored_embargo_until=self.original_embargo_until,
            )
        except ValidationError as exc:
            for name, errors in exc.error_dict.items():
                if name not in self.errors:
                    self.add_error(name, errors)

    def _check_version(self, cleaned) -> None:
        """A form loaded from an older version than the one this request read is stale: say
        so now, with what changed (read-only, like the write API's If-Match check). The
        service checks again under a row lock when it saves."""
        loaded = cleaned.get("loaded_version")
        if not self.instance.pk or not loaded or loaded == self.instance.version:
            return
        self.conflict = article_conflict(article=self.instance, expected_version=loaded)
        self.add_error(None, self.conflict)

    def _post_clean(self):
        super()._post_clean()
        # Last, after every check of the input, so that a message is not shown twice.
        if self.refusal is not None:
            self._add_refusal(self.refusal)

    def _add_refusal(self, error: ValidationError | PermissionDenied) -> None:
        """The service's refusal as form errors: on the field it names when the form offers
        it, else above the form; a message the form found itself is not repeated."""
        if isinstance(error, ConflictError):
            self.conflict = error
        if isinstance(error, PermissionDenied):
            self.add_error(None, str(error))
            return
        by_field = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
        for name, errors in by_field.items():
            field = REFUSAL_FIELDS.get(name, name)
            if field not in self.fields:
                field = None
            shown = self.errors.get(field or NON_FIELD_ERRORS, [])
            for message in ValidationError(errors).messages:
                if message not in shown:
                    self.add_error(field, message)


class KnownChoiceAutocompleteSelect(AutocompleteSelect):
    """The admin's autocomplete select, which shows its chosen object without a query when
    the row already holds it (`RowsLoadedFormSet`); `known` maps its pk (text) to it."""

    known: dict[str, object] | None = None

    def optgroups(self, name, value, attr=None):
        field = self.choices.field
        chosen = {str(v) for v in value if str(v) not in field.empty_values}
        known = self.known or {}
        if not chosen or not chosen <= known.keys() or self.field.get_limit_choices_to():
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        for pk in sorted(chosen):
            label = field.label_from_instance(known[pk])
            options.append(self.create_option(name, pk, label, chosen, len(options)))
        return [(None, options, 0)]


class RowsLoadedFormSet(forms.BaseInlineFormSet):
    """An inline formset whose rows cost no query each: a row holds the article it belongs
    to (its label names it) and shows the objects its autocomplete fields chose from what
    the inline's queryset loaded with it (`select_related`).

    The inline's empty `extra` rows are offered only while the article has no rows: an
    article with bylines or tags opens with those, and "Add another" (or a suggestion)
    adds a row. Each empty row is a dozen widgets to render on every page view."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.initial_form_count():
            self.extra = 0

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.instance.pk is not None and form.instance.pk is not None:
            setattr(form.instance, self.fk.name, self.instance)
        known_choices_from_instance(form)
        return form


def known_choices_from_instance(form: forms.ModelForm) -> None:
    """Let each `KnownChoiceAutocompleteSelect` of `form` show the object its instance
    already holds (loaded with it, e.g. by `select_related`) without a query."""
    for name, formfield in form.fields.items():
        widget = getattr(formfield.widget, "widget", formfield.widget)
        if not isinstance(widget, KnownChoiceAutocompleteSelect):
            continue
        relation = form.instance._meta.get_field(name)
        if relation.is_cached(form.instance) and getattr(form.instance, name) is not None:
            chosen = getattr(form.instance, name)
            widget.known = {str(chosen.pk): chosen}


class KnownChoiceAutocompleteAdminMixin:
    """A model admin or inline whose autocomplete fields use `KnownChoiceAutocompleteSelect`."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        db = kwargs.get("using")
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = KnownChoiceAutocompleteSelect(db_field, self.admin_site, using=db)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class BylineInlineFormSet(RowsLoadedFormSet):
    """Bylines of an article: at least one author must remain."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        authors = [
            form.cleaned_data["author"]
            for form in self.forms
            if form.cleaned_data.get("author") and not self._should_delete_form(form)
        ]
        if not authors:
            raise ValidationError(
                _("An article needs at least one byline: add an author."), code="no_byline"
            )


class RelatedLinkInlineForm(forms.ModelForm):
    """A related-reading row: exactly one of a related article or an outside URL with title.

    The database refuses the other combinations too; these checks turn them into errors on the
    row instead of an IntegrityError.
    """

    class Meta:
        model = RelatedLink
        formfield_callback = https_formfield
        fields = ("target_article", "url", "title", "label", "after_paragraph", "position")

    def _get_validation_exclusions(self):
        # clean() covers the target constraints with specific messages; the generic
        # "constraint violated" errors would only repeat them.
        exclude = super()._get_validation_exclusions()
        exclude.update({"target_article", "url", "title"})
        return exclude

    def clean(self):
        cleaned = super().clean()
        target = cleaned.get("target_article")
        url = cleaned.get("url")
        if "url" in self.errors or "target_article" in self.errors:
            return cleaned
        if target and url:
            raise ValidationError(
                _("Choose either a related article or an outside URL, not both."),
                code="both_targets",
            )
        if not target and not url:
            raise ValidationError(
                _("Choose a related article or enter an outside URL."), code="no_target"
            )
        if url and not cleaned.get("title"):
            self.add_error("title", _("An outside link needs a title."))
        article_id = self.instance.article_id
        if target and article_id and target.pk == article_id:
            self.add_error("target_article", _("An article cannot link to itself."))
        return cleaned
