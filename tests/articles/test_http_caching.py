"""Public pages an HTTP cache may keep: the same bytes for every reader, no cookie, honest headers.

Nothing is cached inside Django any more: every page is read from the database, so every change
(an admin edit, a raw `QuerySet.update()`, a shell) shows on the next request that reaches Django,
and the proxy in front keeps a page at most `SHARED_CACHE_SECONDS` (tests/deploy/ checks nginx).
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from articles.models import Article, FaqEntry
from articles.services import article_unpublish
from tests.factories import (
    make_article,
    make_comment,
    make_draft,
    make_editor,
    make_entry,
    make_source,
    message_post_data,
)

pytestmark = pytest.mark.django_db

PUBLIC = "public, max-age=0, s-maxage=5"


def article_with_entries(count: int, **overrides) -> Article:
    article = make_article(**overrides)
    for n in range(count):
        make_entry(article, question=f"Question number {n}?", answer=f"Answer **{n}**.", anchor=f"q{n}")
    make_source(article, citation="Roe R. Pain. 2021.")
    make_source(article, citation="Poe P. More pain. 2022.", position=2)
    return article


def admin_change_data(article: Article, *, entries: list[dict] | None = None, sources: list[dict] | None = None):
    """The admin change form as the editor's browser would post it, with the given inline rows.

    By default every existing entry and source is sent unchanged; pass rows (dicts with model
    field names, `id` for an existing row, `DELETE` to delete it) to change them.
    """
    data = {
        "title": article.title, "slug": article.slug, "lede": article.lede, "status": article.status,
        "meta_description": article.meta_description, "last_reviewed": "", "reviewed_by": "",
        "comments_open": "on",
    }  # fmt: skip
    if entries is None:
        entries = list(article.entries.values("id", "position", "question", "anchor", "answer"))
    if sources is None:
        sources = list(article.sources.values("id", "position", "citation", "url"))
    for prefix, rows in (("entries", entries), ("sources", sources)):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(sum(1 for row in rows if row.get("id")))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        # Existing rows first, as the admin renders them.
        rows = sorted(rows, key=lambda row: not row.get("id"))
        for index, row in enumerate(rows):
            data[f"{prefix}-{index}-article"] = str(article.pk)
            for field, value in row.items():
                if field == "DELETE":
                    if value:
                        data[f"{prefix}-{index}-DELETE"] = "on"
                else:
                    data[f"{prefix}-{index}-{field}"] = "" if value is None else str(value)
    return data


def existing_entries(article: Article) -> list[dict]:
    return list(article.entries.values("id", "position", "question", "anchor", "answer"))


def existing_sources(article: Article) -> list[dict]:
    return list(article.sources.values("id", "position", "citation", "url"))


@pytest.fixture
def editor_post(client):
    """Post the article's admin change form as an editor."""

    def post(article: Article, **rows) -> None:
        client.force_login(make_editor())
        response = client.post(
            reverse("admin:articles_article_change", args=[article.pk]), admin_change_data(article, **rows)
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        client.logout()

    return post


def page(client, article: Article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def public_urls(article: Article) -> list[str]:
    return ["/", reverse("articles:list"), article.get_absolute_url(), reverse("contacts:message-create")]


# What a shared cache may keep


def test_public_pages_are_the_same_bytes_for_every_reader_and_set_no_cookie():
    article = article_with_entries(2)
    make_comment(article, body="A kind word.")
    for url in public_urls(article):
        first, second = Client().get(url), Client().get(url)

        assert first.status_code == 200, url
        assert first.content == second.content, url
        assert not first.cookies, url
        assert "Set-Cookie" not in first, url
        assert 'name="csrfmiddlewaretoken"' not in first.content.decode(), url
        assert first["Cache-Control"] == PUBLIC, url
        assert first["ETag"], url


def test_the_shared_cache_lifetime_comes_from_the_setting(client, settings):
    settings.SHARED_CACHE_SECONDS = 2

    assert client.get("/")["Cache-Control"] == "public, max-age=0, s-maxage=2"


def test_a_browser_revalidating_an_unchanged_page_gets_304_with_the_same_cache_headers(client):
    article = article_with_entries(1)
    first = client.get(article.get_absolute_url())

    again = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again["Cache-Control"] == PUBLIC
    assert again["ETag"] == first["ETag"]


def test_a_changed_page_gets_a_new_etag_and_200(client):
    article = article_with_entries(1)
    first = client.get(article.get_absolute_url())
    FaqEntry.objects.filter(article=article).update(answer="Changed behind the admin's back.")

    again = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert "Changed behind the admin" in again.content.decode()


def test_staff_pages_are_never_public(client):
    article = article_with_entries(1)
    client.force_login(make_editor())

    for url in [*public_urls(article), reverse("admin:index"), reverse("admin:articles_article_changelist")]:
        response = client.get(url)
        assert "public" not in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_a_draft_preview_is_private(client):
    draft = make_draft()
    client.force_login(make_editor())

    response = client.get(draft.get_absolute_url())

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_errors_and_answers_to_a_post_are_never_public(client):
    article = make_article()
    missing = client.get("/articles/no-such-article/")
    post = client.post(reverse("contacts:message-create"), {"name": ""})
    comment = client.post(reverse("contacts:comment-create", args=[article.slug]), {"name": ""})

    assert missing.status_code == 404
    for response in (missing, post, comment):
        assert "public" not in response["Cache-Control"]
        assert "private" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_the_page_showing_a_commenters_flash_message_is_private(client):
    article = make_article()
    response = client.post(
        reverse("contacts:comment-create", args=[article.slug]),
        {"name": "Robin", "email": "robin@example.com", "comment": "Is tapering safe?", "elapsed": "60000"},
    )
    assert response.status_code == 302
    assert "messages" in client.cookies

    shown = client.get(article.get_absolute_url())

    assert "awaiting moderation" in shown.content.decode()
    assert "public" not in shown["Cache-Control"]


def test_the_confirmation_page_is_never_stored(client):
    sent = client.post(reverse("contacts:message-create"), message_post_data())
    assert sent["Location"] == reverse("contacts:message-sent")

    response = client.get(reverse("contacts:message-sent"))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


# Queries per page


@pytest.mark.parametrize(("entry_count", "comment_count"), [(1, 1), (40, 120)])
def test_article_page_takes_five_queries_whatever_the_number_of_entries_and_comments(
    client, django_assert_num_queries, entry_count, comment_count
):
    article = article_with_entries(entry_count)
    for n in range(comment_count):
        make_comment(article, body=f"Comment number {n}.")

    # The article, its entries, its sources, the comment counts and the page of comments.
    with django_assert_num_queries(5):
        body = page(client, article)

    assert body.count('class="faq-entry"') == entry_count
    assert body.count('class="comment"') == min(comment_count, 50)


@pytest.mark.parametrize("article_count", [1, 12])
def test_home_page_takes_one_query_whatever_the_number_of_articles(client, django_assert_num_queries, article_count):
    for n in range(article_count):
        make_article(title=f"Article {n}")

    with django_assert_num_queries(1):
        response = client.get("/")

    assert response.content.decode().count('<li><a href="/articles/') == min(article_count, 10)


# Every change shows on the next request


def test_editing_an_answer_in_the_admin_inline_shows_at_once(client, editor_post):
    article = article_with_entries(3)
    page(client, article)
    entries = existing_entries(article)
    entries[1]["answer"] = "A *fresh* answer."

    editor_post(article, entries=entries)

    assert "A <em>fresh</em> answer." in page(client, article)


def test_adding_deleting_and_reordering_entries_in_the_admin_shows_at_once(client, editor_post):
    article = article_with_entries(3)
    page(client, article)
    entries = existing_entries(article)
    entries[1]["DELETE"] = True
    entries[0]["position"] = 100_000
    entries.append({"position": 100_001, "question": "A brand new question?", "anchor": "new", "answer": "Yes."})

    editor_post(article, entries=entries)

    body = page(client, article)
    assert "Question number 1?" not in body
    assert '<h2 id="new">A brand new question?</h2>' in body
    assert body.index('id="q2"') < body.index('id="q0"')


def test_sources_edited_in_the_admin_show_at_once(client, editor_post):
    article = article_with_entries(1)
    sources = existing_sources(article)
    sources[0]["citation"] = "Roe R. Pain, revised edition. 2024."
    sources[1]["DELETE"] = True

    editor_post(article, sources=sources)

    body = page(client, article)
    assert "Roe R. Pain, revised edition. 2024." in body
    assert "Poe P. More pain. 2022." not in body


def test_a_raw_queryset_update_from_a_shell_shows_at_once(client):
    article = article_with_entries(2)
    page(client, article)

    FaqEntry.objects.filter(article=article).update(answer="Rewritten in a shell.")
    Article.objects.filter(pk=article.pk).update(title="Retitled in a shell")

    body = page(client, article)
    assert "Rewritten in a shell." in body
    assert "Answer <strong>0</strong>." not in body
    assert "<h1>Retitled in a shell</h1>" in body


def test_unpublished_and_deleted_articles_are_gone_at_once(client):
    kept, deleted = article_with_entries(1), article_with_entries(1, slug="to-delete")
    page(client, kept)
    page(client, deleted)

    article_unpublish(article=kept)
    deleted.delete()

    assert client.get(kept.get_absolute_url()).status_code == 404
    assert client.get("/articles/to-delete/").status_code == 404
    assert kept.title not in client.get("/").content.decode()


def test_reloading_the_seed_with_force_shows_the_seed_text_at_once(client):
    call_command("load_faq", stdout=StringIO())
    article = Article.objects.get()
    FaqEntry.objects.filter(article=article).update(answer="Vandalised.")
    assert "Vandalised." in page(client, article)

    call_command("load_faq", "--force", stdout=StringIO())

    body = page(client, article)
    assert "Vandalised." not in body
    assert "What is opioid rotation?" in body
