"""The newsroom's own rules: publishing, tags, related reading, the WordPress import."""

from __future__ import annotations

import os
from pathlib import Path

from newsroom.settings.environment import VAR_DIR, envint

# --- Publishing ---------------------------------------------------------------------------

# How far ahead a publish time or an embargo end may lie (a mistyped year is refused).
SCHEDULE_HORIZON_DAYS = envint("SCHEDULE_HORIZON_DAYS", 730)

# --- Tags (django-taggit) -----------------------------------------------------------------

TAGGIT_CASE_INSENSITIVE = True
# Related reading: suggestions are offered in the API when editors picked fewer links than
# this; how many suggestions are computed and stored per article on publish.
RELATED_SUGGESTIONS_MIN_LINKS = envint("RELATED_SUGGESTIONS_MIN_LINKS", 3)
RELATED_SUGGESTIONS_COUNT = envint("RELATED_SUGGESTIONS_COUNT", 5)

# --- WordPress import (articles/wordpress) ------------------------------------------------
# The largest export read at once; a bigger site is exported and imported in date ranges.
WORDPRESS_IMPORT_MAX_BYTES = envint("WORDPRESS_IMPORT_MAX_MB", 512) * 1024 * 1024
# An attachment fetched with --fetch-media: at most this many bytes, within this many seconds.
WORDPRESS_MEDIA_MAX_BYTES = envint("WORDPRESS_MEDIA_MAX_MB", 25) * 1024 * 1024
WORDPRESS_MEDIA_TIMEOUT_SECONDS = envint("WORDPRESS_MEDIA_TIMEOUT_SECONDS", 20)
# Exports uploaded in the admin wait here for their job: never under MEDIA_ROOT (they hold
# drafts and e-mail addresses); each is deleted when its import has run.
WORDPRESS_IMPORT_DIR = Path(os.environ.get("WORDPRESS_IMPORT_DIR", VAR_DIR / "wordpress"))
