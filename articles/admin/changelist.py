"""The article list at a million rows: a paginator that counts at most `COUNT_LIMIT` rows,
sidebar filters that list only the chosen author or tag (the others are found with the
admin's autocomplete), and search through the search vector (`articles.models.search`).

Django's admin counts every row of the list (and, by default, of the whole table) on each
page view, lists every author and tag in the sidebar and searches with `LIKE` on each
search field; each of those grows with the archive. docs/performance.md has the figures.
"""

from __future__ import annotations

from functools import cached_property

from django.contrib import admin
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connections

# Rows counted at most for the list's paginator: 20 pages of 50 (`ArticleAdmin.list_per_page`).
# Counting them reads as many index entries or rows, spread over the table in a large archive
# (docs/performance.md); past them an editor filters or searches.
COUNT_LIMIT = 1_000


class CappedCountPaginator(Paginator):
    """Counts the matching rows up to `COUNT_LIMIT` (a `LIMIT` subquery), never all of them.

    Past the limit the list shows "more than 1000" (or, for the unfiltered list on
    PostgreSQL, the planner's estimate of the table's rows: `estimate_table`) and pages past
    the 20th are not offered.
    """

    def __init__(self, *args, estimate_table: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.estimate_table = estimate_table

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by().values("pk")[: COUNT_LIMIT + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > COUNT_LIMIT

    @cached_property
    def estimate(self) -> int | None:
        """The planner's row estimate of `estimate_table` (PostgreSQL, after ANALYZE)."""
        connection = connections[self.object_list.db]
        if not self.estimate_table or connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [self.estimate_table],
            )
            row = cursor.fetchone()
        return row[0] if row and row[0] > COUNT_LIMIT else None


class NextPagePaginator(Paginator):
    """Pages without any count, for the admin's autocomplete, which asks only whether more
    follow: a page reads one row more than it shows, with `read_rows(object_list, offset=,
    limit=)` when given (e.g. `articles.models.search.headline_prefix_page`), else a slice."""

    def __init__(self, *args, read_rows=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.read_rows = read_rows or _slice

    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger("That page number is not an integer") from error
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = self.read_rows(self.object_list, offset=bottom, limit=self.per_page + 1)
        self.__dict__["count"] = bottom + len(rows)  # one past this page when more follow
        return self._get_page(rows[: self.per_page], number, self)


def _slice(object_list, *, offset: int, limit: int) -> list:
    return list(object_list[offset : offset + limit])


class AutocompleteListFilter(admin.RelatedFieldListFilter):
    """A related filter that lists only the chosen value; a select searching with the admin's
    autocomplete (`autocomplete_source`: the app label, model and field whose autocomplete
    it asks) picks another. Without JavaScript it is a plain form with the chosen value."""

    template = "admin/articles/autocomplete_filter.html"
    autocomplete_source: tuple[str, str, str] = ("", "", "")

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.autocomplete_app_label, self.autocomplete_model_name, self.autocomplete_field_name = (
            self.autocomplete_source
        )
        # The list's other parameters, kept by the filter's form.
        self.kept_parameters = [
            (name, value)
            for name, values in request.GET.lists()
            if name not in (self.lookup_kwarg, self.lookup_kwarg_isnull, "p")
            for value in values
        ]

    def has_output(self) -> bool:
        return True

    def field_choices(self, field, request, model_admin):
        """Only the chosen value, by primary key: one query, none when nothing is chosen."""
        chosen = [value for value in self.lookup_val or [] if str(value).isdigit()]
        if not chosen:
            return []
        remote = field.remote_field.model
        return [(obj.pk, str(obj)) for obj in remote._default_manager.filter(pk__in=chosen)]


class AuthorFilter(AutocompleteListFilter):
    autocomplete_source = ("articles", "byline", "author")


class TagFilter(AutocompleteListFilter):
    autocomplete_source = ("articles", "taggedarticle", "tag")
