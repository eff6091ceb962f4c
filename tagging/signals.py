"""Signals `tagging` sends, so apps that tag things can react without `tagging` knowing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by `tag_merge` inside its transaction, after the taggings moved. Arguments:
# `target` (the tag that stays) and `items`, a dict {through model: [content object ids]}
# of everything that was tagged with the merged tag. Receivers that write (e.g. webhook
# deliveries) commit or roll back with the merge.
tag_merged = Signal()
