"""One factory_boy factory per model, each with valid defaults."""

from __future__ import annotations

import io
from datetime import timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles.models import Article, ArticlePhoto, Author, Byline, Language, RelatedLink, Section
from articles.photos.models import Photo
from tagging.models import TopicTag


def image_bytes(*, width: int = 64, height: int = 48, fmt: str = "JPEG", color="navy") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, fmt)
    return buffer.getvalue()


def image_upload(name: str = "photo.jpg", **kwargs) -> SimpleUploadedFile:
    fmt = {"png": "PNG", "gif": "GIF", "webp": "WEBP"}.get(name.rsplit(".", 1)[-1], "JPEG")
    kwargs.setdefault("fmt", fmt)
    content_type = f"image/{kwargs['fmt'].lower()}"
    return SimpleUploadedFile(name, image_bytes(**kwargs), content_type=content_type)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.Sequence(lambda n: f"section-{n}")


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Faker("name")
    slug = factory.Sequence(lambda n: f"author-{n}")
    bio = factory.Faker("sentence")


class TopicTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TopicTag

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class PhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Photo

    image = factory.LazyFunction(image_upload)
    caption = factory.Faker("sentence")
    credit = "Foto: Test Photographer/Newsroom"
    alt_text = factory.Faker("sentence")


class ArticleFactory(factory.django.DjangoModelFactory):
    """A draft by default; `ArticleFactory(published=True)` gives a live article."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    class Params:
        published = factory.Trait(
            status=Article.Status.PUBLISHED,
            published_at=factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1)),
            first_published_at=factory.SelfAttribute("published_at"),
            last_published_at=factory.SelfAttribute("published_at"),
        )

    headline = factory.Faker("sentence", nb_words=6)
    slug = factory.Sequence(lambda n: f"article-{n}")
    dek = factory.Faker("sentence")
    body = factory.LazyFunction(
        lambda: "".join(f"<p>Paragraph {n} of the story.</p>" for n in range(1, 6))
    )
    dateline = "BANDUNG"
    section = factory.SubFactory(SectionFactory)
    language = Language.INDONESIAN

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if not create:
            return
        for position, author in enumerate(extracted or [AuthorFactory()]):
            Byline.objects.create(article=self, author=author, position=position)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class BylineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Byline

    article = factory.SubFactory(ArticleFactory)
    author = factory.SubFactory(AuthorFactory)


class ArticlePhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArticlePhoto

    article = factory.SubFactory(ArticleFactory)
    photo = factory.SubFactory(PhotoFactory)


class RelatedLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RelatedLink

    article = factory.SubFactory(ArticleFactory)
    url = "https://example.org/background"
    title = "Background reading"


def article_in_status(status: str, *, now, **kwargs) -> Article:
    """A valid article in `status`, as the workflow would have left it at `now`."""
    past = now - timedelta(days=2)
    published = {"published_at": past, "first_published_at": past, "last_published_at": past}
    fields = {
        Article.Status.DRAFT: {},
        Article.Status.IN_REVIEW: {},
        Article.Status.SCHEDULED: {"published_at": now + timedelta(days=1)},
        Article.Status.PUBLISHED: published,
        Article.Status.UNPUBLISHED: published,
    }[status]
    return ArticleFactory(status=status, **{**fields, **kwargs})
