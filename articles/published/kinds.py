"""The kinds of background job of the published world (registered in `PublishedConfig.ready`).

Names only, so that registering them at start imports none of the modules doing the work.
"""

from __future__ import annotations

FANOUT_TAG = "published_tag"
FANOUT_TAG_MERGE = "published_tag_merge"
FANOUT_AUTHOR = "published_author"
FANOUT_SECTION = "published_section"
FANOUT_PHOTO = "published_photo"
FANOUT_LINKS = "published_links"
RELATED_SUGGESTIONS = "related_suggestions"
CACHE_PURGE = "cache_purge"
