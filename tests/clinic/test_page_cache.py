"""Whole pages from the cache for anonymous readers: their own CSRF token, nothing of anyone else's."""

import re

import pytest
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from articles.cache import release_stamp
from articles.services import article_publish
from clinic.page_cache import ENTRY_FORMAT
from contacts.abuse import SIGNING_SALT
from contacts.models import Comment, Message
from tests.clinic.test_security_headers import assert_page_headers
from tests.factories import make_article, make_draft, make_editor, make_entry, message_post_data

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STARTED = re.compile(r'name="started" value="([^"]+)"')


def page_key(path: str, query: str = "") -> str:
    return f"page:{ENTRY_FORMAT}:{release_stamp()}:{path}?{query}"


def visitor() -> Client:
    """A browser of its own, with CSRF checks enforced as in production."""
    return Client(enforce_csrf_checks=True)


def tokens(response) -> list[str]:
    return TOKEN.findall(response.content.decode())


@pytest.fixture
def cached_home(django_assert_num_queries):
    """The home page, rendered once by a first visitor, then served from the page cache."""
    make_article(title="Listed article")
    visitor().get("/")
    assert cache.get(page_key("/")) is not None
    return "/"


def test_a_message_sent_with_the_token_of_a_cached_page_passes_csrf_and_is_stored(cached_home, settings):
    settings.MIN_FORM_FILL_SECONDS = 0
    browser = visitor()
    response = browser.get("/")
    assert response.cookies[settings.CSRF_COOKIE_NAME].value  # a new visitor gets their own secret

    data = message_post_data(csrfmiddlewaretoken=tokens(response)[0], started=STARTED.search(response.text)[1])
    sent = browser.post(reverse("contacts:message-create"), data)

    assert sent.status_code == 302
    assert Message.objects.get().status == Message.Status.NEW  # the spliced start time is valid, not spam


def test_a_token_from_another_visitors_cached_page_is_refused(cached_home):
    alice, mallory = visitor(), visitor()
    alices_token = tokens(alice.get("/"))[0]
    mallory.get("/")  # Mallory has a CSRF cookie (secret) of her own

    refused = mallory.post(reverse("contacts:message-create"), message_post_data(csrfmiddlewaretoken=alices_token))

    assert refused.status_code == 403
    assert not Message.objects.exists()


def test_each_visitor_gets_their_own_secret_and_nothing_of_anyone_elses(cached_home):
    alice, bob = visitor(), visitor()
    alice_page, bob_page = alice.get("/"), bob.get("/")
    alice_secret = alice_page.cookies[settings.CSRF_COOKIE_NAME].value
    bob_secret = bob_page.cookies[settings.CSRF_COOKIE_NAME].value

    assert alice_secret != bob_secret
    assert set(tokens(alice_page)).isdisjoint(tokens(bob_page))
    stored = str(cache.get(page_key("/")))
    for value in [alice_secret, bob_secret, *tokens(alice_page), *tokens(bob_page)]:
        assert value not in stored
    assert "csrftoken" not in stored.lower().replace("csrfmiddlewaretoken", "")


def test_a_returning_visitor_keeps_their_secret_and_gets_a_fresh_token_each_time(cached_home):
    browser = visitor()
    secret = browser.get("/").cookies[settings.CSRF_COOKIE_NAME].value

    again = browser.get("/")
    once_more = browser.get("/")

    assert again.cookies[settings.CSRF_COOKIE_NAME].value == secret  # refreshed, as Django does
    assert tokens(again) != tokens(once_more)
    started = signing.loads(STARTED.search(once_more.text)[1], salt=SIGNING_SALT, max_age=60)
    assert isinstance(started, float)


def test_the_csrf_cookie_of_a_cached_page_has_the_flags_django_gives_it(cached_home):
    from_cache = visitor().get("/").cookies[settings.CSRF_COOKIE_NAME]
    from_django = visitor().get(reverse("contacts:message-create")).cookies[settings.CSRF_COOKIE_NAME]

    for flag in ("max-age", "path", "samesite", "secure", "httponly", "domain"):
        assert from_cache[flag] == from_django[flag], flag


def test_a_cached_page_carries_the_same_headers_as_a_rendered_one(client):
    article = make_article()
    rendered = client.get(article.get_absolute_url(), secure=True)
    cached = client.get(article.get_absolute_url(), secure=True)

    assert cache.get(page_key(article.get_absolute_url())) is not None
    assert_page_headers(cached)
    for name in ("Content-Type", "Cache-Control", "Vary", "X-Frame-Options", "Content-Security-Policy"):
        assert cached.headers[name] == rendered.headers[name], name
    assert cached.headers["Cache-Control"] == "private, no-cache"


def test_staff_are_never_served_a_cached_page(client, cached_home):
    entry = cache.get(page_key("/"))
    entry["parts"] = [
        part.replace(b"Listed article", b"Planted in the cache") if isinstance(part, bytes) else part
        for part in entry["parts"]
    ]
    cache.set(page_key("/"), entry)
    assert "Planted in the cache" in visitor().get("/").text  # anonymous readers get the cached bytes

    client.force_login(make_editor())

    assert "Planted in the cache" not in client.get("/").text
    assert "Listed article" in client.get("/").text


def test_a_draft_is_never_cached_and_shows_once_published(client):
    draft = make_draft(title="Coming soon")
    make_entry(draft, question="Draft question?")
    client.force_login(make_editor())
    assert "Draft question?" in client.get(draft.get_absolute_url()).text
    assert visitor().get(draft.get_absolute_url()).status_code == 404

    assert cache.get(page_key(draft.get_absolute_url())) is None
    article_publish(article=draft)
    assert "Draft question?" in visitor().get(draft.get_absolute_url()).text


def test_a_flash_message_after_a_comment_is_shown_not_replaced_by_the_cached_page():
    article = make_article()
    browser = Client(REMOTE_ADDR="203.0.113.9")
    page = browser.get(article.get_absolute_url())
    assert cache.get(page_key(article.get_absolute_url())) is not None

    sent = browser.post(
        reverse("contacts:comment-create", args=[article.slug]),
        {"name": "Ana", "email": "ana@example.com", "comment": "Thank you.", "started": STARTED.search(page.text)[1]},
        follow=True,
    )

    assert Comment.objects.count() == 1
    assert "Your comment is awaiting moderation" in sent.content.decode()


def test_an_edit_through_the_services_is_shown_to_readers_of_the_cached_page(django_capture_on_commit_callbacks):
    article = make_article(title="Before")
    assert "Before" in visitor().get("/").text
    assert "Before" in visitor().get(article.get_absolute_url()).text

    article.title = "After"
    with django_capture_on_commit_callbacks(execute=True):
        article.save()
        from articles.services import article_content_invalidate

        article_content_invalidate(article_id=article.pk)

    assert "After" in visitor().get("/").text
    assert "After" in visitor().get(article.get_absolute_url()).text


def test_a_scheduled_article_appears_on_the_cached_home_page_when_its_time_comes(
    cached_home, monkeypatch, django_capture_on_commit_callbacks
):
    import time

    from django.core.cache.backends import locmem
    from django.utils import timezone

    scheduled = make_article(title="Scheduled piece", published_at=timezone.now() + timezone.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=scheduled)  # saved now: the home page is rendered and cached again
    assert "Scheduled piece" not in visitor().get("/").text

    # An hour later, with no edit to announce it: the cached home page has expired by then.
    later = time.time() + 3601
    monkeypatch.setattr(locmem.time, "time", lambda: later)
    type(scheduled).objects.filter(pk=scheduled.pk).update(published_at=timezone.now())

    assert "Scheduled piece" in visitor().get("/").text


@pytest.mark.parametrize("query", ["replyto=1", "cpage=9", "cpage=abc", "utm_source=x"])
def test_only_the_canonical_address_of_a_page_is_cached(query):
    article = make_article()

    assert visitor().get(f"{article.get_absolute_url()}?{query}").status_code == 200

    assert cache.get(page_key(article.get_absolute_url(), query)) is None


def test_a_conditional_get_of_a_cached_page_answers_304_with_its_headers():
    browser = visitor()
    make_article()
    browser.get("/")
    etag = browser.get("/")["ETag"]

    response = browser.get("/", headers={"if-none-match": etag})

    assert response.status_code == 304
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "Content-Security-Policy" in response.headers


def test_a_request_for_another_host_is_refused_before_any_cached_page(cached_home):
    assert Client(HTTP_HOST="evil.example").get("/").status_code == 400


def test_a_cached_page_is_never_served_over_plain_http_when_https_is_required(cached_home, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = visitor().get("/")

    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_a_page_that_may_not_be_cached_is_rendered_once_for_a_reader_without_cookies(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # the article lookup, not twice
        response = client.get("/articles/no-such-article/")

    assert response.status_code == 404
