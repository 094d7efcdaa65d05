"""Whole pages from the cache for anonymous readers: their own CSRF token, nothing of anyone else's."""

import re
from collections import Counter

import pytest
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core import signing
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, CsrfViewMiddleware
from django.test import Client, RequestFactory
from django.urls import reverse

from articles.cache import article_version_key, release_stamp
from articles.services import article_content_invalidate, article_publish
from clinic.change_feed import ChangeFeed
from clinic.page_cache import ENTRY_FORMAT, STORE, PageCacheApp, csrf_token, random_csrf_string
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
    # As Django's CommonMiddleware sends it: the page is never sent chunked.
    for response in (rendered, cached):
        assert response.headers["Content-Length"] == str(len(response.content))


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


# With Redis: pages kept in each process's own memory, dropped the moment a change is announced


@pytest.fixture
def warm_copy(shared_cache):
    """A reader's browser whose app server process holds the article page in its own memory."""
    article = make_article(slug="kept")
    make_entry(article, question="What is kept?", anchor="kept")
    browser = visitor()
    browser.get(article.get_absolute_url())  # rendered, stored in Redis
    browser.get(article.get_absolute_url())  # read from Redis, copied into the process
    return browser, article


def count_redis_reads(monkeypatch, shared_cache) -> list[str]:
    """The keys read from the shared cache from now on."""
    reads = []
    get, get_many = shared_cache.get, shared_cache.get_many
    monkeypatch.setattr(shared_cache, "get", lambda key, *args: reads.append(key) or get(key, *args))
    monkeypatch.setattr(shared_cache, "get_many", lambda keys: reads.extend(keys) or get_many(keys))
    return reads


def test_a_warm_page_is_served_from_the_process_memory_without_a_round_trip(
    warm_copy, shared_cache, monkeypatch, django_assert_num_queries
):
    browser, article = warm_copy
    reads = count_redis_reads(monkeypatch, shared_cache)

    with django_assert_num_queries(0):
        first, second = browser.get(article.get_absolute_url()), browser.get(article.get_absolute_url())

    assert reads == []
    assert "What is kept?" in first.text
    assert tokens(first) != tokens(second)  # still a fresh token for every answer
    assert STARTED.search(first.text)[1] != STARTED.search(second.text)[1]


def test_an_edit_saved_anywhere_replaces_the_copy_at_once(warm_copy, django_capture_on_commit_callbacks):
    browser, article = warm_copy

    article.entries.update(question="What changed?")
    with django_capture_on_commit_callbacks(execute=True):
        article_content_invalidate(article_id=article.pk)  # stores a new version, announces it

    body = browser.get(article.get_absolute_url()).text
    assert "What changed?" in body
    assert "What is kept?" not in body


def test_a_copy_is_checked_against_redis_once_it_is_old_even_without_a_notice(warm_copy, shared_cache, monkeypatch):
    browser, article = warm_copy
    article.entries.update(question="Changed, notice lost?")
    shared_cache.set(article_version_key(article.pk), "a-version-whose-notice-was-lost", timeout=None)

    assert "What is kept?" in browser.get(article.get_absolute_url()).text  # the copy, still young
    monkeypatch.setattr("clinic.page_cache.LOCAL_MAX_AGE", 0)

    assert "Changed, notice lost?" in browser.get(article.get_absolute_url()).text


def test_without_the_change_feed_every_page_is_checked_against_redis(warm_copy, shared_cache, monkeypatch):
    browser, article = warm_copy
    monkeypatch.setattr(ChangeFeed, "generation", lambda self: None)  # Redis cannot tell us
    article.entries.update(question="Changed, feed down?")
    shared_cache.set(article_version_key(article.pk), "a-version-nobody-announced", timeout=None)

    assert "Changed, feed down?" in browser.get(article.get_absolute_url()).text


def test_a_process_keeps_a_bounded_number_of_pages(shared_cache, monkeypatch):
    monkeypatch.setattr("clinic.page_cache.LOCAL_PAGES", 2)
    browser = visitor()
    articles = [make_article(slug=f"bounded-{number}") for number in range(3)]
    for article in articles * 2:
        browser.get(article.get_absolute_url())
    reads = count_redis_reads(monkeypatch, shared_cache)

    assert browser.get(articles[2].get_absolute_url()).status_code == 200
    assert reads == []  # among the last two: a copy
    assert browser.get(articles[0].get_absolute_url()).status_code == 200
    assert reads  # the oldest was let go


# Django's CSRF values, drawn faster


def test_csrf_secrets_use_every_allowed_character_evenly():
    drawn = "".join(random_csrf_string() for _ in range(5000))
    counts = Counter(drawn)

    assert all(len(random_csrf_string()) == CSRF_SECRET_LENGTH for _ in range(100))
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    expected = len(drawn) / len(CSRF_ALLOWED_CHARS)  # 2,580 each; a 25% bias on any would show
    assert all(abs(count - expected) < 0.1 * expected for count in counts.values()), counts.most_common(3)


def test_a_token_made_for_a_readers_secret_is_the_one_django_accepts_for_it(rf):
    secret = random_csrf_string()
    request = rf.get("/")
    request.META["CSRF_COOKIE"] = secret
    token = csrf_token(request)
    assert token != csrf_token(request)  # masked afresh each time

    posted = rf.post("/", {"csrfmiddlewaretoken": token})
    posted.COOKIES[settings.CSRF_COOKIE_NAME] = secret
    middleware = CsrfViewMiddleware(lambda request: None)
    middleware.process_request(posted)

    assert middleware.process_view(posted, lambda request: None, (), {}) is None  # accepted
    posted_elsewhere = rf.post("/", {"csrfmiddlewaretoken": token})
    posted_elsewhere.COOKIES[settings.CSRF_COOKIE_NAME] = random_csrf_string()
    middleware.process_request(posted_elsewhere)
    assert middleware.process_view(posted_elsewhere, lambda request: None, (), {}).status_code == 403


# The WSGI front (clinic.wsgi): stored pages answered before Django, exactly as Django would


class CountingDjango:
    """Django's WSGI application, counting the requests it has to answer."""

    def __init__(self):
        self.django = None  # made at the first request, after the test's settings
        self.calls = 0

    def __call__(self, environ, start_response):
        self.django = self.django or WSGIHandler()
        self.calls += 1
        return self.django(environ, start_response)


@pytest.fixture
def front():
    """Call `front(path, **request)` for (status, headers, body) through PageCacheApp; `.django` counts."""
    # As Django's test client does: a request must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    django = CountingDjango()
    apps = []  # made at the first request, as a server would, after the test's settings

    def call(path, method="GET", **request):
        if not apps:
            apps.append(PageCacheApp(django))
        environ = getattr(RequestFactory(), method.lower())(path, **request).environ
        answer = {}
        result = apps[0](environ, lambda status, headers: answer.update(status=int(status[:3]), headers=headers))
        body = b"".join(result)
        if hasattr(result, "close"):
            result.close()
        return answer["status"], answer["headers"], body.decode()

    call.django = django
    try:
        yield call
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def header_dict(headers) -> dict[str, str]:
    return {name.lower(): value for name, value in headers if name.lower() not in ("set-cookie", "content-length")}


def csrf_cookie(headers) -> str:
    prefix = f"{settings.CSRF_COOKIE_NAME}="
    (cookie,) = [value.strip() for name, value in headers if name == "Set-Cookie" and prefix in value]
    return cookie.split(";")[0].removeprefix(prefix)


def test_the_front_answers_a_stored_page_without_django_with_the_same_headers(front, settings):
    settings.SECURE_HSTS_SECONDS = 3600  # HTTPS: SecurityMiddleware's headers are all there
    make_article(title="Answered in front")
    rendered = front("/", secure=True)
    stored = front("/", secure=True)

    assert front.django.calls == 1
    assert stored[0] == 200
    assert "Answered in front" in stored[2]
    assert header_dict(stored[1]) == header_dict(rendered[1])
    assert "strict-transport-security" in header_dict(stored[1])
    assert dict(stored[1])["Content-Length"] == str(len(stored[2].encode()))
    assert csrf_cookie(stored[1]) != csrf_cookie(rendered[1])  # each reader their own secret


def test_a_token_from_the_front_is_accepted_by_django(front, settings):
    settings.MIN_FORM_FILL_SECONDS = 0
    make_article()
    front("/")
    status, headers, body = front("/")
    assert front.django.calls == 1
    browser = visitor()
    browser.cookies[settings.CSRF_COOKIE_NAME] = csrf_cookie(headers)

    data = message_post_data(csrfmiddlewaretoken=TOKEN.search(body)[1], started=STARTED.search(body)[1])
    sent = browser.post(reverse("contacts:message-create"), data)

    assert sent.status_code == 302
    assert Message.objects.get().status == Message.Status.NEW


def test_a_returning_reader_keeps_their_secret_at_the_front(front):
    make_article()
    front("/")
    secret = csrf_cookie(front("/")[1])

    status, headers, body = front("/", HTTP_COOKIE=f"{settings.CSRF_COOKIE_NAME}={secret}")

    assert front.django.calls == 1
    assert csrf_cookie(headers) == secret
    posted = RequestFactory().post("/", {"csrfmiddlewaretoken": TOKEN.search(body)[1]})
    posted.COOKIES[settings.CSRF_COOKIE_NAME] = secret
    middleware = CsrfViewMiddleware(lambda request: None)
    middleware.process_request(posted)
    assert middleware.process_view(posted, lambda request: None, (), {}) is None


def test_a_conditional_get_is_answered_304_at_the_front(front):
    make_article()
    front("/")
    etag = dict(front("/")[1])["ETag"]

    status, headers, body = front("/", HTTP_IF_NONE_MATCH=etag)

    assert (status, body) == (304, "")
    assert front.django.calls == 1
    assert "Content-Security-Policy" in dict(headers)
    assert "Content-Type" not in dict(headers)


@pytest.mark.parametrize(
    ("request_kwargs", "status"),
    [
        ({"HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}=abc"}, 200),  # staff
        ({"HTTP_COOKIE": f"{CookieStorage.cookie_name}=abc"}, 200),  # a flash message waiting
        ({"QUERY_STRING": "utm_source=x"}, 200),
        ({"HTTP_HOST": "evil.example"}, 400),
    ],
)
def test_the_front_leaves_everything_else_to_django(front, request_kwargs, status, caplog):
    make_article()
    front("/")
    front("/")  # stored
    calls = front.django.calls

    assert front("/", **request_kwargs)[0] == status
    assert front.django.calls == calls + 1
    assert not [record for record in caplog.records if record.name == "clinic.page_cache"]  # not a failure


def test_the_front_leaves_the_https_redirect_to_django(front, settings):
    settings.SECURE_SSL_REDIRECT = True
    make_article()
    front("/", secure=True)
    front("/", secure=True)  # stored
    calls = front.django.calls

    status, headers, _ = front("/")

    assert front.django.calls == calls + 1

    assert status == 301
    assert dict(headers)["Location"].startswith("https://")


def test_the_front_lets_django_answer_when_it_fails(front, monkeypatch):
    make_article(title="Still answered")
    front("/")
    monkeypatch.setattr(STORE, "current_entry", lambda key: 1 / 0)

    status, _, body = front("/")

    assert status == 200
    assert "Still answered" in body


def test_the_deployed_application_answers_stored_pages_in_front_of_django():
    from clinic.wsgi import application

    assert isinstance(application, PageCacheApp)


def test_a_page_whose_csp_carries_a_nonce_is_never_stored(rf):
    from articles.cache import PageCacheMark
    from clinic.page_cache import PageCacheMiddleware

    def view(request):
        request.page_cache = PageCacheMark(version_key="v", version="1")
        response = HttpResponse(
            '<form><input type="hidden" name="csrfmiddlewaretoken" value="' + "a" * 64 + '"></form>'
        )
        response["Content-Security-Policy"] = "script-src 'nonce-abc123'"
        return response

    middleware = PageCacheMiddleware(view)
    request = rf.get("/")

    assert middleware.render_and_store(request, "page:nonce")[0] is None
    assert cache.get("page:nonce") is None
