"""Helpers for admin tests: admin URLs, the article change form's POST data (with its
inline formsets), the errors and messages a response shows, and the files a page loads."""

from __future__ import annotations

import html
import json
import re

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Section

Status = Article.Status
# Typed into a text field, and how every admin page must show it.
XSS = '"><script>alert(1)</script>'
XSS_ESCAPED = "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"


# A file a stylesheet loads: `url(...)`, quoted or not.
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def page_asset_urls(page: str) -> set[str]:
    """Every asset URL the page loads by itself or through its scripts' import map and the
    body editor's configuration."""
    urls = set(re.findall(r'<script[^>]+src="([^"]+)"', page))
    urls |= set(re.findall(r'<link[^>]+href="([^"]+)"[^>]*rel="stylesheet"', page))
    urls |= set(re.findall(r'<link[^>]+rel="stylesheet"[^>]*href="([^"]+)"', page))
    for importmap in re.findall(r'<script type="importmap"[^>]*>(.*?)</script>', page, re.S):
        urls |= set(json.loads(importmap)["imports"].values())
    for config in re.findall(r'data-django-prose-editor-configurable="([^"]*)"', page):
        urls |= set(json.loads(html.unescape(config)).get("js_modules", []))
    return urls


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def management(prefix: str, *, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def split_datetime(value) -> dict[str, str]:
    if value is None:
        return {"published_at_0": "", "published_at_1": ""}
    local = timezone.localtime(value)
    return {
        "published_at_0": local.strftime("%Y-%m-%d"),
        "published_at_1": local.strftime("%H:%M:%S"),
    }


def article_form_data(
    article: Article | None = None,
    *,
    section: Section | None = None,
    new_authors=(),
    keep_bylines: bool = True,
    related_links=(),
    tags=(),
    **fields,
) -> dict[str, str]:
    """POST data for the article add/change form, starting from the stored article."""
    data = {
        "headline": article.headline if article else "Gubernur resmikan jembatan baru",
        "slug": (article.slug or "") if article else "",
        "dek": article.dek if article else "Jembatan menghubungkan dua kecamatan.",
        "dateline": article.dateline if article else "BANDUNG",
        "body": article.body if article else "<p>Paragraf pertama.</p><p>Kedua.</p>",
        "section": str(article.section_id if article else section.pk),
        "language": article.language if article else "id",
        "lead_photo": str(article.lead_photo_id or "") if article else "",
        "status": article.status if article else Status.DRAFT,
        "seo_title": "",
        "seo_description": "",
        "canonical_url": "",
        **split_datetime(article.published_at if article else None),
        "embargo_until_0": "",
        "embargo_until_1": "",
        "loaded_version": str(article.version) if article else "",
    }
    bylines = list(article.bylines.all()) if article else []
    data.update(management("bylines", total=len(bylines) + len(new_authors), initial=len(bylines)))
    for index, byline in enumerate(bylines):
        data[f"bylines-{index}-id"] = str(byline.pk)
        data[f"bylines-{index}-article"] = str(article.pk)
        data[f"bylines-{index}-author"] = str(byline.author_id)
        data[f"bylines-{index}-position"] = str(byline.position)
        if not keep_bylines:
            data[f"bylines-{index}-DELETE"] = "on"
    for offset, author in enumerate(new_authors):
        index = len(bylines) + offset
        data[f"bylines-{index}-author"] = str(author.pk)
        data[f"bylines-{index}-position"] = str(index)
    data.update(management("tagged_items", total=len(tags)))
    for index, tag in enumerate(tags):
        data[f"tagged_items-{index}-tag"] = str(tag.pk)
    data.update(management("article_photos", total=0))
    data.update(management("related_links", total=len(related_links)))
    for index, link in enumerate(related_links):
        for name in ("target_article", "url", "title", "label"):
            data[f"related_links-{index}-{name}"] = link.get(name, "")
        data[f"related_links-{index}-after_paragraph"] = str(link.get("after_paragraph", 1))
        data[f"related_links-{index}-position"] = str(link.get("position", 0))
    for name, value in fields.items():
        if name == "published_at":
            data.update(split_datetime(value))
        else:
            data[name] = value
    return data


def error_messages(response) -> list[str]:
    """Every error shown on an admin change form: the form's, the inlines' and their rows'."""
    assert response.status_code == 200, response.status_code
    messages = []
    # AdminErrorList holds the form's error lists and the inlines' non-form errors as strings.
    for item in response.context["errors"]:
        messages.extend([item] if isinstance(item, str) else [str(error) for error in item])
    return messages


def action_choices(response) -> set[str]:
    return {name for name, _label in response.context["action_form"].fields["action"].choices}


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]
