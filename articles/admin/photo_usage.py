"""Where a photo is used among articles: the photo desk's usage list
(`articles.photos.admin.photo_usage_register`, registered in `articles.admin`)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles.models import Article, ArticlePhoto
from articles.photos.models import Photo

# Articles listed per role on a photo's page; a file photo used for years says "and more".
PHOTO_USAGE_LIMIT = 50


def article_photo_usage(*, photo: Photo, user, limit: int = PHOTO_USAGE_LIMIT) -> dict:
    """Where `photo` is used among the articles `user` may see (desk scoping,
    docs/reliability.md A6): as lead photo and inline, newest first, at most `limit` of each;
    `more` when some were left out. The photo admin's usage provider
    (`articles.photos.admin.photo_usage_register`).

    Two queries: the articles leading with it, its inline placements with their articles.
    """
    articles = Article.objects.visible_to(user)
    fields = ("headline", "status", "deleted_at", "updated_at")
    leads = list(
        articles.filter(lead_photo=photo).only(*fields).order_by("-updated_at", "-pk")[: limit + 1]
    )
    placements = list(
        ArticlePhoto.objects.filter(photo=photo, article__in=articles)
        .select_related("article")
        .only("after_paragraph", "article_id", *(f"article__{name}" for name in fields))
        .order_by("-article__updated_at", "-pk")[: limit + 1]
    )
    uses = [(article, _("Lead photo")) for article in leads[:limit]] + [
        (
            placement.article,
            _("Inline, after paragraph %(n)d") % {"n": placement.after_paragraph},
        )
        for placement in placements[:limit]
    ]
    rows = []
    for article, role in uses:
        status = article.get_status_display()
        if article.deleted_at:
            status = _("%(status)s, in the trash") % {"status": status}
        rows.append(
            {
                "headline": article.headline,
                "url": reverse("admin:articles_article_change", args=[article.pk]),
                "status": status,
                "role": role,
            }
        )
    return {"rows": rows, "more": len(leads) > limit or len(placements) > limit}
