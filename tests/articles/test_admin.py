import pytest
from django.urls import reverse

from articles.models import Article
from tests.factories import make_article, make_draft, make_editor, make_entry

pytestmark = pytest.mark.django_db


def article_form(*, slug: str, title: str = "New piece", status: str = "published", **fields) -> dict:
    """The article form as the admin posts it: no FAQ entries, no sources unless `fields` adds them."""
    data = {
        "title": title, "slug": slug, "lede": "", "status": status, "meta_description": "",
        "last_reviewed": "", "reviewed_by": "", "comments_open": "on",
        "entries-TOTAL_FORMS": "0", "entries-INITIAL_FORMS": "0", "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "1000", "sources-TOTAL_FORMS": "0", "sources-INITIAL_FORMS": "0",
        "sources-MIN_NUM_FORMS": "0", "sources-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    return {**data, **fields}


def test_editor_sees_article_list_with_entry_counts(client):
    article = make_article(title="Counted")
    make_entry(article)
    make_entry(article)
    client.force_login(make_editor())

    response = client.get(reverse("admin:articles_article_changelist"))

    assert response.status_code == 200
    assert "Counted" in response.content.decode()
    assert 'class="field-entry_count">2<' in response.content.decode()


def test_editor_edits_an_answer_and_the_page_shows_it_at_once(client):
    article = make_article(slug="live")
    entry = make_entry(article, answer="Old answer.", anchor="a1")
    client.force_login(make_editor())
    url = reverse("admin:articles_article_change", args=[article.pk])
    page = client.get(url)
    assert page.status_code == 200

    data = {
        "title": article.title, "slug": article.slug, "lede": article.lede, "status": "published",
        "meta_description": "", "last_reviewed": "", "reviewed_by": "", "comments_open": "on",
        "entries-TOTAL_FORMS": "2", "entries-INITIAL_FORMS": "1", "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "1000",
        "entries-0-id": entry.pk, "entries-0-article": article.pk, "entries-0-position": "20",
        "entries-0-question": entry.question, "entries-0-anchor": "a1", "entries-0-answer": "New **answer**.",
        "entries-1-position": "10", "entries-1-question": "A new first question?", "entries-1-anchor": "new-first",
        "entries-1-answer": "Added.", "entries-1-article": article.pk,
        "sources-TOTAL_FORMS": "0", "sources-INITIAL_FORMS": "0", "sources-MIN_NUM_FORMS": "0",
        "sources-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    client.logout()
    body = client.get("/articles/live/").content.decode()
    assert "New <strong>answer</strong>." in body
    assert body.index("A new first question?") < body.index(entry.question)


def test_editor_adds_an_article_as_draft_then_publishes_it_with_the_action(client):
    client.force_login(make_editor())
    data = article_form(slug="new-piece", status="draft")
    assert client.post(reverse("admin:articles_article_add"), data).status_code == 302
    article = Article.objects.get(slug="new-piece")
    assert client.get("/articles/new-piece/").status_code == 200  # preview for the editor

    client.post(reverse("admin:articles_article_changelist"), {"action": "publish", "_selected_action": [article.pk]})

    article.refresh_from_db()
    assert article.is_published
    client.logout()
    assert client.get("/articles/new-piece/").status_code == 200


def test_choosing_published_in_the_form_sets_the_publication_date(client):
    article = make_draft(slug="via-form")
    client.force_login(make_editor())
    data = article_form(slug="via-form", title=article.title)

    assert client.post(reverse("admin:articles_article_change", args=[article.pk]), data).status_code == 302

    article.refresh_from_db()
    assert article.published_at is not None


def test_a_source_link_typed_without_a_scheme_is_saved_as_https(client):
    article = make_article(slug="cited")
    client.force_login(make_editor())
    data = article_form(
        slug="cited",
        title=article.title,
        **{
            "sources-TOTAL_FORMS": "1",
            "sources-0-article": article.pk,
            "sources-0-position": "10",
            "sources-0-citation": "NIDA, Pain and opioids.",
            "sources-0-url": "nida.nih.gov/research-topics/opioids",
        },
    )

    response = client.post(reverse("admin:articles_article_change", args=[article.pk]), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert article.sources.get().url == "https://nida.nih.gov/research-topics/opioids"


def test_unpublish_action_hides_the_article(client):
    article = make_article(slug="gone")
    client.force_login(make_editor())

    client.post(reverse("admin:articles_article_changelist"), {"action": "unpublish", "_selected_action": [article.pk]})

    client.logout()
    assert client.get("/articles/gone/").status_code == 404


def test_admin_change_page_links_to_view_on_site(client):
    article = make_article()
    client.force_login(make_editor())

    body = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()

    assert "View on site" in body
    assert client.get(reverse("admin:view_on_site", args=[_ct(article), article.pk])).url.endswith(
        article.get_absolute_url()
    )


def _ct(obj) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk
