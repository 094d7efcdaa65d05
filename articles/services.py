from django.db import transaction
from django.utils import timezone

from articles import cache as article_cache
from articles.models import Article


def article_content_invalidate(*, article_id: int) -> None:
    """Guarantee that every reader sees the article's current content once this transaction commits.

    Call it after any change to what an article page shows: the article, its FAQ entries or
    sources (the admin does), and, for comments, after approving or removing one. It replaces
    the article's content version in the shared cache, on every app server at once. The
    replacement waits for the commit, so no reader can store the old content under the new
    version; outside a transaction it happens at once. If the cache is down it is logged, and
    pages are rendered from the database until it is back.
    """
    transaction.on_commit(lambda: article_cache.replace_content_version(article_id=article_id), robust=True)


def article_publish(*, article: Article) -> Article:
    """Make the article public now; an article published before keeps its original date."""
    article.status = Article.Status.PUBLISHED
    if article.published_at is None:
        article.published_at = timezone.now()
    article.save(update_fields=["status", "published_at", "updated_at"])
    article_content_invalidate(article_id=article.pk)
    return article


def article_unpublish(*, article: Article) -> Article:
    """Take the article off the public site; it stays available to staff as a draft preview."""
    article.status = Article.Status.DRAFT
    article.save(update_fields=["status", "updated_at"])
    article_content_invalidate(article_id=article.pk)
    return article
