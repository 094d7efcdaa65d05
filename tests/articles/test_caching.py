"""Article pages: constant SQL work, cached content that is never stale, cheap revalidation."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles.cache import content_version
from articles.models import Article, FaqEntry, Source
from articles.services import article_content_invalidate, article_publish
from tests.factories import make_article, make_comment, make_draft, make_editor, make_entry, make_source

pytestmark = pytest.mark.django_db


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
def editor_post(client, django_capture_on_commit_callbacks):
    """Post the article's admin change form as an editor, committing as the real request would."""

    def post(article: Article, **rows) -> None:
        version = content_version(article_id=article.pk)
        client.force_login(make_editor())
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("admin:articles_article_change", args=[article.pk]), admin_change_data(article, **rows)
            )
        assert response.status_code == 302, response.content.decode()[:2000]
        # Not only the article row's updated_at: the content version every server reads is new.
        assert content_version(article_id=article.pk) != version
        client.logout()

    return post


def page(client, article: Article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


# Queries per page


def without_per_request_values(body: str) -> str:
    """The page minus what rightly differs on every request: the CSRF token and the form's start time."""
    return re.sub(r'name="(csrfmiddlewaretoken|started)" value="[^"]*"', "", body)


@pytest.mark.parametrize(("entry_count", "comment_count"), [(1, 0), (40, 120)])
def test_article_page_takes_six_queries_cold_and_none_warm_whatever_the_number_of_entries_and_comments(
    client, django_assert_num_queries, entry_count, comment_count
):
    article = article_with_entries(entry_count)
    for n in range(comment_count):
        make_comment(article, body=f"Comment number {n}.")

    # The article, its entries, its sources, the comment counts, the page of comments, and the
    # article row checked again before the whole page is cached (clinic.page_cache).
    with django_assert_num_queries(6):
        body = page(client, article)
    with django_assert_num_queries(0):  # the whole page comes from the cache
        warm = page(client, article)

    assert body.count('class="faq-entry"') == entry_count
    assert body.count('class="comment"') == min(comment_count, 50)
    assert without_per_request_values(warm) == without_per_request_values(body)


@pytest.mark.parametrize(("entry_count", "comment_count"), [(1, 0), (40, 120)])
def test_article_view_takes_five_queries_cold_and_one_warm_when_the_page_cache_is_bypassed(
    client, django_assert_num_queries, entry_count, comment_count
):
    article = article_with_entries(entry_count)
    for n in range(comment_count):
        make_comment(article, body=f"Comment number {n}.")
    url = article.get_absolute_url() + "?ref=newsletter"  # any other query string skips the page cache

    with django_assert_num_queries(5):
        body = client.get(url).content.decode()
    with django_assert_num_queries(1):  # the article row only; the parts come from the cache
        warm = client.get(url).content.decode()

    assert body.count('class="faq-entry"') == entry_count
    assert without_per_request_values(warm) == without_per_request_values(body)


@pytest.mark.parametrize("article_count", [1, 30])
def test_home_page_takes_two_queries_cold_and_none_warm_whatever_the_number_of_articles(
    client, django_assert_num_queries, article_count
):
    for n in range(article_count):
        make_article(title=f"Listed {n}")

    with django_assert_num_queries(2):  # the list, and when the next scheduled article goes live
        body = client.get(reverse("articles:home")).content.decode()
    with django_assert_num_queries(0):  # the whole page comes from the cache
        warm = client.get(reverse("articles:home")).content.decode()

    assert body.count('<li><a href="/articles/') == min(article_count, 10)
    assert without_per_request_values(warm) == without_per_request_values(body)


def test_conditional_get_of_an_unchanged_article_takes_no_query_and_answers_304(client, django_assert_num_queries):
    article = article_with_entries(40)
    client.get(article.get_absolute_url())  # a first visit sets the CSRF cookie the comment form needs
    etag = client.get(article.get_absolute_url())["ETag"]

    with django_assert_num_queries(0):
        response = client.get(article.get_absolute_url(), headers={"if-none-match": etag})

    assert response.status_code == 304
    assert response.content == b""


# The cache is really used, and every edit path invalidates it


def test_cached_content_is_served_until_the_article_is_invalidated(client, django_capture_on_commit_callbacks):
    article = article_with_entries(2)
    assert "Question number 0?" in page(client, article)
    # A change that bypasses every service: the page keeps the cached rendering...
    FaqEntry.objects.filter(article=article, anchor="q0").update(question="Changed behind the cache?")
    assert "Question number 0?" in page(client, article)

    # ...until the one invalidation service is called, as comment moderation will do.
    with django_capture_on_commit_callbacks(execute=True):
        article_content_invalidate(article_id=article.pk)

    body = page(client, article)
    assert "Changed behind the cache?" in body
    assert "Question number 0?" not in body


def test_invalidation_takes_effect_only_when_the_transaction_commits(django_capture_on_commit_callbacks):
    article = make_article()
    before = content_version(article_id=article.pk)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article_content_invalidate(article_id=article.pk)
        assert content_version(article_id=article.pk) == before
    callbacks[0]()

    assert content_version(article_id=article.pk) not in {"", before}


def test_editing_an_answer_in_the_admin_inline_shows_at_once(client, editor_post):
    article = article_with_entries(3)
    page(client, article)
    entries = existing_entries(article)
    entries[1]["answer"] = "A *fresh* answer."

    editor_post(article, entries=entries)

    assert "A <em>fresh</em> answer." in page(client, article)


def test_adding_an_entry_in_the_admin_inline_shows_at_once(client, editor_post):
    article = article_with_entries(2)
    page(client, article)
    entries = existing_entries(article)
    entries.append({"position": 1, "question": "A brand new question?", "anchor": "new", "answer": "Yes."})

    editor_post(article, entries=entries)

    assert '<h2 id="new">A brand new question?</h2>' in page(client, article)


def test_deleting_an_entry_in_the_admin_inline_removes_it_at_once(client, editor_post):
    article = article_with_entries(3)
    assert "Question number 1?" in page(client, article)
    entries = existing_entries(article)
    entries[1]["DELETE"] = True

    editor_post(article, entries=entries)

    assert "Question number 1?" not in page(client, article)
    assert FaqEntry.objects.filter(article=article).count() == 2


def test_reordering_entries_in_the_admin_inline_shows_the_new_order_at_once(client, editor_post):
    article = article_with_entries(3)
    body = page(client, article)
    assert body.index("Question number 0?") < body.index("Question number 2?")
    entries = existing_entries(article)
    entries[2]["position"] = 0

    editor_post(article, entries=entries)

    body = page(client, article)
    assert body.index('id="q2"') < body.index('id="q0"')


def test_adding_editing_and_deleting_sources_in_the_admin_inline_shows_at_once(client, editor_post):
    article = article_with_entries(1)
    assert "Roe R. Pain. 2021." in page(client, article)
    sources = existing_sources(article)
    sources[0]["citation"] = "Roe R. Pain, revised edition. 2024."
    sources[1]["DELETE"] = True
    sources.append({"position": 3, "citation": "New N. A newer study. 2025.", "url": "https://example.org/new"})

    editor_post(article, sources=sources)

    body = page(client, article)
    assert "Roe R. Pain, revised edition. 2024." in body
    assert "Poe P. More pain. 2022." not in body
    assert '<a href="https://example.org/new" rel="noopener noreferrer">New N. A newer study. 2025.</a>' in body


def test_editing_the_article_fields_in_the_admin_shows_at_once(client, editor_post):
    article = article_with_entries(1, title="Old title", lede="Old lede.")
    page(client, article)
    article.title, article.lede = "New title", "New lede."

    editor_post(article)

    body = page(client, article)
    assert "<h1>New title</h1>" in body
    assert "New lede." in body


def test_deleting_the_article_in_the_admin_takes_the_page_down_and_invalidates(
    client, django_capture_on_commit_callbacks
):
    article = article_with_entries(1)
    page(client, article)
    version = content_version(article_id=article.pk)
    client.force_login(make_editor())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert content_version(article_id=article.pk) != version
    client.logout()
    assert client.get(article.get_absolute_url()).status_code == 404


def test_bulk_delete_action_invalidates_every_deleted_article(client, django_capture_on_commit_callbacks):
    first, second = make_article(), make_article()
    versions = {a.pk: content_version(article_id=a.pk) for a in (first, second)}
    client.force_login(make_editor())

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
        )

    assert not Article.objects.exists()
    assert all(content_version(article_id=pk) != version for pk, version in versions.items())


def test_unpublish_and_publish_actions_invalidate(client, django_capture_on_commit_callbacks):
    article = make_article(slug="toggle")
    client.force_login(make_editor())
    for action in ("unpublish", "publish"):
        version = content_version(article_id=article.pk)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("admin:articles_article_changelist"), {"action": action, "_selected_action": [article.pk]}
            )
        assert content_version(article_id=article.pk) != version
    client.logout()
    assert client.get("/articles/toggle/").status_code == 200


def test_reloading_the_seed_with_force_shows_the_seed_text_at_once(client, django_capture_on_commit_callbacks):
    call_command("load_faq", stdout=StringIO())
    article = Article.objects.get()
    page(client, article)
    FaqEntry.objects.filter(article=article).update(answer="Vandalised.")
    version = content_version(article_id=article.pk)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_faq", "--force", stdout=StringIO())

    assert content_version(article_id=article.pk) != version
    body = page(client, article)
    assert "Vandalised." not in body
    assert "What is opioid rotation?" in body


def test_a_draft_preview_is_never_served_from_the_cache(client):
    draft = make_draft(slug="wip")
    make_entry(draft, question="First draft question?", anchor="d1")
    client.force_login(make_editor())
    assert "First draft question?" in client.get("/articles/wip/").content.decode()

    FaqEntry.objects.filter(article=draft).update(question="Second draft question?")
    response = client.get("/articles/wip/")

    assert "Second draft question?" in response.content.decode()
    assert not response.has_header("ETag")


def test_pages_work_from_the_database_when_the_cache_is_down(client, settings, unused_tcp_port):
    article = article_with_entries(2)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{unused_tcp_port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }

    body = page(client, article)

    assert body.count('class="faq-entry"') == 2
    assert client.get(reverse("articles:home")).status_code == 200


# Revalidation headers


def test_article_page_is_private_revalidated_and_answers_304_while_unchanged(client):
    article = article_with_entries(1)
    client.get(article.get_absolute_url())  # a first visit sets the CSRF cookie the comment form needs

    first = client.get(article.get_absolute_url())
    again = client.get(article.get_absolute_url(), headers={"if-none-match": first["ETag"]})

    assert set(first["Cache-Control"].replace(" ", "").split(",")) == {"private", "no-cache"}
    assert "Cookie" in first["Vary"]
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert "no-cache" in again["Cache-Control"]


def test_article_page_answers_200_with_a_new_etag_after_an_edit(client, editor_post):
    article = article_with_entries(1)
    etag = client.get(article.get_absolute_url())["ETag"]
    entries = existing_entries(article)
    entries[0]["question"] = "Edited question?"

    editor_post(article, entries=entries)
    response = client.get(article.get_absolute_url(), headers={"if-none-match": etag})

    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "Edited question?" in response.content.decode()


def test_article_page_answers_200_after_invalidation_without_a_row_change(client, django_capture_on_commit_callbacks):
    article = article_with_entries(1)
    etag = client.get(article.get_absolute_url())["ETag"]

    with django_capture_on_commit_callbacks(execute=True):
        article_content_invalidate(article_id=article.pk)  # e.g. a comment approved

    assert client.get(article.get_absolute_url(), headers={"if-none-match": etag}).status_code == 200


def test_a_visitor_with_different_cookies_gets_a_fresh_page_not_a_304(client):
    """A page carries the visitor's CSRF token and flash messages, which depend on their cookies."""
    article = article_with_entries(1)
    etag = client.get(article.get_absolute_url())["ETag"]
    client.cookies["csrftoken"] = "x" * 32

    assert client.get(article.get_absolute_url(), headers={"if-none-match": etag}).status_code == 200


def test_home_page_answers_304_while_unchanged_and_200_when_an_article_is_published(
    client, django_capture_on_commit_callbacks
):
    make_article(title="First")
    client.get(reverse("articles:home"))  # a first visit sets the CSRF cookie the message form needs
    etag = client.get(reverse("articles:home"))["ETag"]
    assert client.get(reverse("articles:home"), headers={"if-none-match": etag}).status_code == 304

    second = make_draft(title="Second")
    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=second)
    response = client.get(reverse("articles:home"), headers={"if-none-match": etag})

    assert response.status_code == 200
    assert "Second" in response.content.decode()


def test_home_page_changes_its_etag_when_an_article_title_changes(client, django_capture_on_commit_callbacks):
    article = make_article(title="Before")
    client.get(reverse("articles:home"))  # a first visit sets the CSRF cookie
    etag = client.get(reverse("articles:home"))["ETag"]
    assert client.get(reverse("articles:home"), headers={"if-none-match": etag}).status_code == 304

    article.title = "After"
    with django_capture_on_commit_callbacks(execute=True):
        article.save()
        article_content_invalidate(article_id=article.pk)  # as every edit path does (the admin, services)

    assert client.get(reverse("articles:home"), headers={"if-none-match": etag}).status_code == 200


def test_missing_article_is_404_even_with_an_if_none_match(client):
    assert client.get("/articles/nothing-here/", headers={"if-none-match": '"abc"'}).status_code == 404


def test_sources_deleted_outside_the_admin_show_after_invalidation(client, django_capture_on_commit_callbacks):
    article = article_with_entries(1)
    page(client, article)

    with django_capture_on_commit_callbacks(execute=True):
        Source.objects.filter(article=article).delete()
        article_content_invalidate(article_id=article.pk)

    assert "Sources Cited" not in page(client, article)


def test_a_new_release_changes_the_etag_so_browsers_fetch_the_new_markup(client, monkeypatch):
    article = article_with_entries(1)
    etag = client.get(article.get_absolute_url())["ETag"]

    monkeypatch.setattr("articles.cache.release_stamp", lambda: "next-release")

    assert client.get(article.get_absolute_url(), headers={"if-none-match": etag}).status_code == 200


def test_article_list_answers_304_while_unchanged_and_200_when_an_article_is_unpublished(client):
    first = make_article(title="Kept")
    make_article(title="Withdrawn later")
    etag = client.get(reverse("articles:list"))["ETag"]
    assert client.get(reverse("articles:list"), headers={"if-none-match": etag}).status_code == 304

    Article.objects.filter(title="Withdrawn later").update(status=Article.Status.DRAFT)
    response = client.get(reverse("articles:list"), headers={"if-none-match": etag})

    assert response.status_code == 200
    assert "Withdrawn later" not in response.content.decode()
    assert first.title in response.content.decode()
