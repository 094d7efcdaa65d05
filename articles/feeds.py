"""The Atom feed of published articles, linked from every page's <head>."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from articles.models import Article

FEED_SIZE = 20


class ArticleFeed(Feed):
    # Absolute links from DJANGO_SITE_URL: feed readers keep them, so they must not depend on
    # the Host header a proxy sent.
    feed_type = Atom1Feed

    def title(self) -> str:
        return f"{settings.CLINIC_NAME}: articles"

    def subtitle(self) -> str:
        return f"Questions and answers about addiction and recovery from {settings.CLINIC_NAME}."

    def link(self) -> str:
        return settings.SITE_URL + reverse("articles:list")

    def feed_url(self) -> str:
        return settings.SITE_URL + reverse("articles:feed")

    def author_name(self) -> str:
        return settings.CLINIC_NAME

    def items(self):
        return Article.objects.published()[:FEED_SIZE]

    def item_title(self, article: Article) -> str:
        return article.title

    def item_description(self, article: Article) -> str:
        return article.description

    def item_link(self, article: Article) -> str:
        return settings.SITE_URL + article.get_absolute_url()

    def item_pubdate(self, article: Article):
        return article.published_at

    def item_updateddate(self, article: Article):
        return article.updated_at
