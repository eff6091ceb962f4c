"""The editors' admin of the editing world: articles (`articles`, with its inlines, form,
save, workflow pages, actions and columns in sibling modules), and authors, sections, desks
and old slugs (`people`). Importing the package registers them; photos register theirs in
`articles.photos.admin`."""

from articles.admin import articles, people  # noqa: F401 (registers the admins)
