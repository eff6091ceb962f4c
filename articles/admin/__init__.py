"""The editors' admin of the editing world: articles (`articles`, with its inlines, form,
save, workflow pages, actions and columns in sibling modules), and authors, sections, desks
and old slugs (`people`). Importing the package registers them, and the photo desk's
list of the articles using a photo; photos register theirs in `articles.photos.admin`."""

from articles.admin import articles, people  # noqa: F401 (registers the admins)
from articles.admin.photo_usage import article_photo_usage
from articles.photos.admin import photo_usage_register

# The photo desk lists the articles using a photo (photos know nothing of articles). Here,
# not in `ArticlesConfig.ready`: the admins load with the admin's URLs (`newsroom.admin_urls`).
photo_usage_register(article_photo_usage)
