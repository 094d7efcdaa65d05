import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_article, make_draft

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_entries(client) -> dict[str, str | None]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    return {
        url.findtext("sm:loc", namespaces=NS): url.findtext("sm:lastmod", namespaces=NS)
        for url in root.findall("sm:url", NS)
    }


def test_sitemap_lists_home_articles_contact_and_published_articles_with_lastmod(client, settings):
    settings.SITE_URL = "https://clinic.example.org"
    article = make_article()
    draft = make_draft()

    entries = sitemap_entries(client)

    base = "https://clinic.example.org"
    assert f"{base}/" in entries
    assert f"{base}{reverse('articles:list')}" in entries
    assert f"{base}{reverse('contacts:message-create')}" in entries
    assert entries[f"{base}{article.get_absolute_url()}"] == timezone.localtime(article.updated_at).date().isoformat()
    assert f"{base}{draft.get_absolute_url()}" not in entries
    assert len(entries) == 4


def test_sitemap_addresses_come_from_site_url_not_from_the_host_header(client, settings):
    settings.SITE_URL = "https://clinic.example.org"
    settings.ALLOWED_HOSTS = ["internal-proxy", "testserver"]
    make_article()

    response = client.get("/sitemap.xml", HTTP_HOST="internal-proxy")

    assert b"internal-proxy" not in response.content
    assert all(loc.startswith("https://clinic.example.org/") for loc in sitemap_entries(client))


def test_robots_txt_points_to_the_sitemap_and_disallows_the_admin(client, settings):
    settings.SITE_URL = "https://clinic.example.org"

    body = client.get("/robots.txt").content.decode()

    assert "Sitemap: https://clinic.example.org/sitemap.xml" in body.splitlines()
    assert "Disallow: /admin/" in body.splitlines()
