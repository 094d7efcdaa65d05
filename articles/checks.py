"""`manage.py check --deploy` warns when search engines would be handed the wrong address."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs):
    """Canonical links, the sitemap, the feed and JSON-LD all use DJANGO_SITE_URL."""
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme == "https" and parts.hostname not in {None, "localhost", "127.0.0.1", "::1"}:
        return []
    return [
        Warning(
            f"DJANGO_SITE_URL is {settings.SITE_URL!r}: canonical links, sitemap.xml, the feed and "
            "structured data will point search engines there.",
            hint="Set DJANGO_SITE_URL to the site's public address, e.g. https://clinic.example.org.",
            id="articles.W001",
        )
    ]
