from tests.factories import ArticleFactory, PhotoFactory


def test_factories_build_a_live_article_with_a_photo(db):
    article = ArticleFactory(published=True, lead_photo=PhotoFactory())
    assert article.is_live
    assert article.lead_photo.width == 64
    assert list(article.bylines.all())
