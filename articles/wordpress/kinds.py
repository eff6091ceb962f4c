"""The kind of the import jobs (registered in `WordPressConfig.ready`).

A name only, so that registering it at start imports neither the import's services nor the
editing services they call."""

from __future__ import annotations

WORDPRESS_IMPORT = "wordpress_import"
