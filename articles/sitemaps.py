"""sitemap.xml sections: published articles and the site's fixed pages."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from articles.models import Article


class SiteUrlSitemap(Sitemap):
    """Addresses built from DJANGO_SITE_URL, not from the Host header a proxy happened to send."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        parts = urlsplit(settings.SITE_URL)
        return parts.netloc + parts.path


class ArticleSitemap(SiteUrlSitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Article.objects.published().order_by("pk")

    def lastmod(self, article: Article):
        return article.updated_at


class PageSitemap(SiteUrlSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return ["articles:home", "articles:list", "contacts:message-create"]

    def location(self, url_name: str) -> str:
        return reverse(url_name)


sitemaps = {"pages": PageSitemap, "articles": ArticleSitemap}
