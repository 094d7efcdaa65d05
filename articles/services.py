from django.utils import timezone

from articles.models import Article


def article_publish(*, article: Article) -> Article:
    """Make the article public now; an article published before keeps its original date."""
    article.status = Article.Status.PUBLISHED
    if article.published_at is None:
        article.published_at = timezone.now()
    article.save(update_fields=["status", "published_at", "updated_at"])
    return article


def article_unpublish(*, article: Article) -> Article:
    """Take the article off the public site; it stays available to staff as a draft preview."""
    article.status = Article.Status.DRAFT
    article.save(update_fields=["status", "updated_at"])
    return article
