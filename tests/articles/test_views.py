import pytest
from django.urls import reverse

from tests.factories import make_article, make_draft, make_editor, make_entry, make_source, make_staff

pytestmark = pytest.mark.django_db


def test_home_shows_clinic_phone_as_a_tel_link_and_published_articles(client):
    make_article(title="Published one")
    make_draft(title="Secret draft")

    response = client.get(reverse("articles:home"))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'href="tel:+17086134750"' in body
    assert "Published one" in body
    assert "Secret draft" not in body
    assert reverse("contacts:message-create") in body


def test_article_list_shows_only_published_articles(client):
    make_article(title="Live article")
    make_draft(title="Draft article")

    body = client.get(reverse("articles:list")).content.decode()

    assert "Live article" in body
    assert "Draft article" not in body


def test_published_article_shows_toc_questions_answers_and_call_to_action(client):
    article = make_article(title="About pain", lede="What to know.")
    make_entry(article, question="Why does it hurt?", answer="Because **reasons**.", anchor="why")
    make_entry(article, question="What helps?", answer="Tapering.", anchor="helps")

    response = client.get(article.get_absolute_url())

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<h1") == 1
    assert '<a href="#why">Why does it hurt?</a>' in body
    assert '<h2 id="why">Why does it hurt?</h2>' in body
    assert "<strong>reasons</strong>" in body
    assert body.index('id="why"') < body.index('id="helps"')
    assert 'href="tel:+17086134750"' in body
    assert "Sources Cited" not in body


def test_sources_section_appears_only_when_sources_exist(client):
    article = make_article()
    make_source(article, citation="Smith A. Pain study.", url="https://example.org/study")

    body = client.get(article.get_absolute_url()).content.decode()

    assert "Sources Cited" in body
    assert 'href="https://example.org/study"' in body


def test_reviewed_line_shows_reviewer_and_date(client):
    article = make_article(last_reviewed="2026-10-01", reviewed_by="Dr. Jane Doe, MD")

    body = client.get(article.get_absolute_url()).content.decode()

    assert "Medically reviewed by Dr. Jane Doe, MD on" in body
    assert "October 1, 2026" in body


def test_draft_is_404_for_the_public(client):
    draft = make_draft()

    assert client.get(draft.get_absolute_url()).status_code == 404


def test_draft_is_404_for_staff_without_change_permission(client):
    draft = make_draft()
    client.force_login(make_staff("viewer"))

    assert client.get(draft.get_absolute_url()).status_code == 404


def test_editor_previews_a_draft_with_a_visible_banner(client):
    draft = make_draft(title="Coming soon")
    client.force_login(make_editor())

    response = client.get(draft.get_absolute_url())

    assert response.status_code == 200
    assert "Draft preview" in response.content.decode()


def test_published_article_has_no_draft_banner_for_editors(client):
    article = make_article()
    client.force_login(make_editor())

    assert "Draft preview" not in client.get(article.get_absolute_url()).content.decode()


def test_unknown_slug_is_a_branded_404(client):
    response = client.get("/articles/no-such-thing/")

    assert response.status_code == 404
    assert "find that page" in response.content.decode()
    assert "(708) 613-4750" in response.content.decode()


def test_500_page_is_branded_and_shows_the_phone(client):
    from clinic.views import server_error

    response = server_error(None)

    assert response.status_code == 500
    assert "(708) 613-4750" in response.content.decode()


def test_robots_txt_disallows_the_admin(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Disallow: /admin/" in response.content.decode()


def test_pages_reference_no_third_party_hosts(client):
    article = make_article()
    make_entry(article)

    for url in ["/", "/articles/", article.get_absolute_url(), "/contact/"]:
        body = client.get(url).content.decode()
        for attr in ('src="http', 'href="//', 'src="//'):
            assert attr not in body, (url, attr)
        assert 'rel="stylesheet" href="http' not in body


def _head(body: str) -> str:
    return body[: body.index("</head>")]


def test_article_page_has_canonical_url_title_description_and_sharing_tags(client, settings):
    settings.SITE_URL = "https://clinic.example.org"
    article = make_article(title="About pain", meta_description="What opioid pain is.")

    head = _head(client.get(article.get_absolute_url() + "?utm_source=x", HTTP_HOST="127.0.0.1").content.decode())

    url = f"https://clinic.example.org{article.get_absolute_url()}"
    assert f'<link rel="canonical" href="{url}">' in head
    assert "<title>About pain · Lakeside Recovery Clinic</title>" in head
    assert '<meta name="description" content="What opioid pain is.">' in head
    assert '<meta property="og:type" content="article">' in head
    assert '<meta property="og:title" content="About pain">' in head
    assert '<meta property="og:description" content="What opioid pain is.">' in head
    assert f'<meta property="og:url" content="{url}">' in head
    assert '<meta name="twitter:card" content="summary">' in head
    assert "noindex" not in head


def test_list_pages_past_the_first_keep_their_page_number_in_the_canonical_url(client, settings):
    settings.SITE_URL = "https://clinic.example.org"
    for _ in range(21):
        make_article()

    head = _head(client.get("/articles/?page=2&utm_source=x").content.decode())

    assert '<link rel="canonical" href="https://clinic.example.org/articles/?page=2">' in head
    assert '<meta property="og:title" content="Articles · Lakeside Recovery Clinic">' in head


def test_home_page_has_its_own_canonical_url_and_website_sharing_tags(client, settings):
    settings.SITE_URL = "https://clinic.example.org"

    head = _head(client.get("/").content.decode())

    assert '<link rel="canonical" href="https://clinic.example.org/">' in head
    assert '<meta property="og:type" content="website">' in head
    assert "<title>Lakeside Recovery Clinic</title>" in head


def test_404_page_is_not_indexed_and_claims_no_canonical_url(client):
    head = _head(client.get("/articles/no-such-thing/").content.decode())

    assert '<meta name="robots" content="noindex">' in head
    assert 'rel="canonical"' not in head


def test_draft_preview_is_not_indexed(client):
    draft = make_draft()
    client.force_login(make_editor())

    assert '<meta name="robots" content="noindex">' in _head(client.get(draft.get_absolute_url()).content.decode())
