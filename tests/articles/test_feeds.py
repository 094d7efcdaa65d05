import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_article, make_draft

pytestmark = pytest.mark.django_db

ATOM = {"a": "http://www.w3.org/2005/Atom"}


def test_atom_feed_lists_published_articles_newest_first_with_absolute_links(client, settings):
    settings.SITE_URL = "https://clinic.example.org"
    older = make_article(title="Older", published_at=timezone.now() - timezone.timedelta(days=10))
    newer = make_article(title="Newer", lede="What is new.")
    make_draft(title="Hidden draft")

    response = client.get(reverse("articles:feed"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - our own output
    assert feed.findtext("a:title", namespaces=ATOM) == "Lakeside Recovery Clinic: articles"
    assert feed.find("a:author/a:name", ATOM).text == "Lakeside Recovery Clinic"
    self_link = feed.find("a:link[@rel='self']", ATOM).get("href")
    assert self_link == "https://clinic.example.org/articles/feed/"
    entries = feed.findall("a:entry", ATOM)
    assert [entry.findtext("a:title", namespaces=ATOM) for entry in entries] == ["Newer", "Older"]
    first = entries[0]
    assert first.find("a:link", ATOM).get("href") == f"https://clinic.example.org{newer.get_absolute_url()}"
    assert first.findtext("a:summary", namespaces=ATOM) == "What is new."
    assert first.findtext("a:id", namespaces=ATOM)
    assert first.findtext("a:updated", namespaces=ATOM)
    assert older.get_absolute_url() in entries[1].find("a:link", ATOM).get("href")


def test_every_page_links_to_the_feed(client):
    article = make_article()

    for url in ["/", "/articles/", article.get_absolute_url()]:
        body = client.get(url).content.decode()
        assert '<link rel="alternate" type="application/atom+xml"' in body
        assert f'href="{reverse("articles:feed")}"' in body
