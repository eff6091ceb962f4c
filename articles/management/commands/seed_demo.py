"""Fill the database with demo content: users for both roles, sections, authors, photos, tags,
articles in Indonesian and English with related reading, in every workflow state.

Idempotent: everything is keyed on usernames, slugs and photo captions, so a second run finds
what the first created and adds nothing. An existing demo article is left as it is (an editor
may have changed it); photos are generated only when missing.
"""

from __future__ import annotations

import io
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from articles import demo_content
from articles.demo_content import DemoArticle, DemoPhoto
from articles.models import Article, ArticlePhoto, Author, Byline, RelatedLink, Section
from articles.photos.models import Photo
from articles.services import article_publish, article_submit_for_review
from tagging.models import TopicTag

PHOTO_SIZE = (1200, 675)


class Command(BaseCommand):
    help = "Create demo users, sections, authors, photos and articles (safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. The demo users have published passwords.",
        )
        parser.add_argument(
            "--admin-url",
            default="http://127.0.0.1:8000/admin/",
            help="The admin URL printed with the demo logins.",
        )

    def handle(self, *args, force: bool = False, admin_url: str = "", **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates users with published passwords; it runs only with DEBUG=1 "
                "(or pass --force on a throw-away database)."
            )
        with transaction.atomic():
            users = self.seed_users()
            sections = self.seed_sections()
            authors = self.seed_authors(users)
            created = self.seed_articles(users=users, sections=sections, authors=authors)
        existing = len(demo_content.ARTICLES) - len(created)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {len(created)} articles created, {existing} already present."
            )
        )
        self.print_logins(admin_url=admin_url or "/admin/")

    # --- users, sections, authors ---------------------------------------------------------

    def seed_users(self) -> dict[str, User]:
        users = {}
        for spec in demo_content.DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=spec["username"],
                defaults={
                    "first_name": spec["first_name"],
                    "last_name": spec["last_name"],
                    "email": f"{spec['username']}@newsroom.invalid",
                },
            )
            if created:
                # A password someone changed later is kept; only new users get the demo one.
                user.set_password(spec["password"])
            user.is_staff = True
            user.is_superuser = spec["is_superuser"]
            user.save()
            if spec["group"]:
                user.groups.add(Group.objects.get(name=spec["group"]))
            users[user.username] = user
        return users

    def seed_sections(self) -> dict[str, Section]:
        sections = {}
        for position, (slug, name, description) in enumerate(demo_content.SECTIONS):
            sections[slug], _ = Section.objects.get_or_create(
                slug=slug,
                defaults={"name": name, "description": description, "position": position},
            )
        return sections

    def seed_authors(self, users: dict[str, User]) -> dict[str, Author]:
        authors = {}
        for slug, name, bio, username in demo_content.AUTHORS:
            author, created = Author.objects.get_or_create(
                slug=slug, defaults={"name": name, "bio": bio}
            )
            user = users.get(username) if username else None
            if created and user and not Author.objects.filter(user=user).exists():
                author.user = user
                author.save(update_fields=["user"])
            authors[slug] = author
        return authors

    # --- articles -------------------------------------------------------------------------

    def seed_articles(
        self, *, users: dict[str, User], sections: dict[str, Section], authors: dict[str, Author]
    ) -> list[Article]:
        """Create the demo articles that are missing, then their related reading.

        Related links are added in a second pass because they point at other demo articles,
        which must exist first.
        """
        now = timezone.now()
        created: list[tuple[Article, DemoArticle]] = []
        for spec in demo_content.ARTICLES:
            if Article.objects.filter(slug=spec["slug"]).exists():
                continue
            article = self.create_article(
                spec, users=users, sections=sections, authors=authors, now=now
            )
            created.append((article, spec))

        slugs = [spec["slug"] for spec in demo_content.ARTICLES]
        by_slug = Article.objects.in_bulk(slugs, field_name="slug")
        for article, spec in created:
            for position, link in enumerate(spec.get("related", [])):
                target = by_slug.get(link.get("target", ""))
                if "target" in link and target is None:
                    continue
                RelatedLink.objects.create(
                    article=article,
                    target_article=target,
                    url=link.get("url", ""),
                    title=link.get("title", ""),
                    after_paragraph=link["after_paragraph"],
                    position=position,
                )
        return [article for article, _ in created]

    def create_article(
        self,
        spec: DemoArticle,
        *,
        users: dict[str, User],
        sections: dict[str, Section],
        authors: dict[str, Author],
        now,
    ) -> Article:
        creator = users[spec["created_by"]]
        article = Article(
            headline=spec["headline"],
            slug=spec["slug"],
            dek=spec["dek"],
            dateline=spec["dateline"],
            section=sections[spec["section"]],
            language=spec["language"],
            body="".join(f"<p>{paragraph}</p>" for paragraph in spec["paragraphs"]),
            lead_photo=self.get_or_create_photo(spec["photo"], uploaded_by=creator),
            created_by=creator,
        )
        article.full_clean()
        article.save()
        for position, author_slug in enumerate(spec["authors"]):
            Byline.objects.create(article=article, author=authors[author_slug], position=position)
        if "inline_photo" in spec:
            ArticlePhoto.objects.create(
                article=article,
                photo=self.get_or_create_photo(spec["inline_photo"], uploaded_by=creator),
                after_paragraph=spec["inline_after"],
            )
        for name in spec["tags"]:
            tag = TopicTag.objects.filter(name__iexact=name).first()
            if tag is None:
                tag = TopicTag(name=name, kind=demo_content.TAG_KINDS.get(name, "topic"))
                tag.save()
            article.tags.add(tag)

        editor = users["editor"]
        status = spec["status"]
        if status == "published":
            article_publish(
                article=article, user=editor, publish_at=now - timedelta(hours=spec["hours_ago"])
            )
        elif status == "scheduled":
            article_publish(
                article=article, user=editor, publish_at=now + timedelta(hours=spec["hours_ahead"])
            )
        elif status == "in_review":
            article_submit_for_review(article=article, user=users["writer"])
        return article

    def get_or_create_photo(self, spec: DemoPhoto, *, uploaded_by: User) -> Photo:
        photo = Photo.objects.filter(caption=spec["caption"]).first()
        if photo is not None:
            return photo
        photo = Photo(
            caption=spec["caption"],
            credit=spec["credit"],
            alt_text=spec["alt_text"],
            uploaded_by=uploaded_by,
        )
        name = spec["label"].lower().replace(" ", "-") + ".jpg"
        photo.image.save(name, ContentFile(render_demo_photo(spec)), save=False)
        photo.full_clean()
        photo.save()
        return photo

    def print_logins(self, *, admin_url: str) -> None:
        self.stdout.write(f"\nLog in to the admin at {admin_url} as:")
        for spec in demo_content.DEMO_USERS:
            role = "superuser" if spec["is_superuser"] else spec["group"]
            self.stdout.write(f"  {spec['username']:<8} password {spec['password']:<18} ({role})")
        self.stdout.write("(Passwords changed since the first run are kept.)\n")


def render_demo_photo(spec: DemoPhoto) -> bytes:
    """A JPEG with a diagonal two-colour gradient, a few shapes and the label drawn on it."""
    width, height = PHOTO_SIZE
    start, end = (Image.new("RGB", PHOTO_SIZE, color) for color in spec["colors"])
    # Pillow's 256x256 linear gradient, stretched and averaged with itself turned a quarter,
    # is a cheap diagonal blend mask.
    vertical = Image.linear_gradient("L").resize(PHOTO_SIZE)
    horizontal = Image.linear_gradient("L").rotate(90).resize(PHOTO_SIZE)
    mask = Image.blend(vertical, horizontal, 0.5)
    image = Image.composite(end, start, mask)

    draw = ImageDraw.Draw(image, "RGBA")
    seed = sum(map(ord, spec["label"]))
    for index in range(6):
        radius = 60 + (seed * (index + 3)) % 180
        x = (seed * (index + 7) * 37) % width
        y = (seed * (index + 5) * 53) % height
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(255, 255, 255, 28))
    draw.rectangle((0, height - 120, width, height), fill=(0, 0, 0, 90))

    label_font = ImageFont.load_default(size=72)
    small_font = ImageFont.load_default(size=28)
    draw.text((60, height - 100), spec["label"], font=label_font, fill=(255, 255, 255, 255))
    draw.text(
        (width - 60, 50),
        "DEMO \u00b7 Newsroom",
        font=small_font,
        fill=(255, 255, 255, 200),
        anchor="ra",
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    return buffer.getvalue()
