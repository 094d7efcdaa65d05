"""Whole public pages for anonymous readers from the cache, each with the reader's own form tokens.

The home page and article pages carry forms, so no stored page may ever hold one reader's CSRF
token or form start time. `PageCacheMiddleware` (right after WhiteNoise) stores rendered pages in
the shared cache with both replaced by placeholders; `PageCacheApp` (the WSGI application in
front of Django, `clinic.wsgi`) and the middleware (where the front is absent: the test client,
`runserver`) fill them in per request:

- the stored bytes are rendered for a *synthetic* request with no cookies at all (anonymous, no
  session, a throwaway CSRF secret nobody holds), so nothing of any reader can be in them;
- each answer gets a fresh token for the reader's own CSRF secret (from their cookie, or a new
  one with the cookie Django would set), through the CSRF middleware's own hooks
  (`process_request`/`process_response`) and `csrf_token()` below, Django's `get_token` drawn
  faster;
- each form gets a fresh signed start time (`contacts.abuse.form_started_token`).

Only GET requests without a session or messages cookie, without a query string other than a
canonical `?cpage=N`, to the paths below, and only pages whose view says they may be cached
(`request.page_cache`, see `articles.cache.PageCacheMark`: published content, the anonymous
view) are stored. Staff (a session cookie) and readers with a flash message waiting (a messages
cookie) always get the full stack. A page is served only while its content version is current:
the same versions the fragment caches use (`articles.services.article_content_invalidate`).

The headers the rest of the middleware gave the page (CSP, X-Frame-Options, Cache-Control,
Vary...) are stored with it and sent again; SecurityMiddleware's (it runs before the middleware)
are added to every answer. If the cache is unreachable the page is rendered as usual.

Each process also keeps the pages it read in its own memory, so a warm page costs no round trip:
a copy is used only while `clinic.change_feed` says no content changed since it was read (every
change is announced to every process), and for at most LOCAL_MAX_AGE seconds before it is
checked against the shared cache again.
"""

import logging
import os
import re
import secrets
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, CsrfViewMiddleware
from django.middleware.security import SecurityMiddleware
from django.utils.http import parse_etags, quote_etag

from articles.cache import page_etag, release_stamp
from clinic.change_feed import ChangeFeed
from contacts.abuse import form_started_token

logger = logging.getLogger(__name__)

CACHED_PATHS = re.compile(r"^/(?:articles/[-a-zA-Z0-9_]+/)?$")
CANONICAL_QUERY = re.compile(r"^(?:cpage=[1-9][0-9]{0,5})?$")
CSRF_INPUT = re.compile(r'(<input type="hidden" name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(">)')
STARTED_INPUT = re.compile(r'(<input type="hidden" name="started" value=")[-\w:]+(")')
CSRF_SLOT, STARTED_SLOT = "csrf", "started"
CSP_HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")
# Part of every key: change it whenever the stored entry's shape changes, so servers running the
# new code never read entries written by the old (the release stamp covers templates only).
ENTRY_FORMAT = 3
# Not replayed from the stored page: recomputed for every request.
PER_REQUEST_HEADERS = {"etag", "content-length", "set-cookie"}
# Pages each process keeps in its own memory (at most ~130 KB each), and how long a copy may be
# used before it is checked against the shared cache again even with no change announced: the
# bound on staleness should the change feed's connection die without a sign.
LOCAL_PAGES = 64
LOCAL_MAX_AGE = 2.0


class PageStore:
    """The stored pages of one process: its own copies in front of the shared cache."""

    def __init__(self):
        # Which version key each page address is checked against, learnt from the stored pages,
        # so a page read from the shared cache costs one round trip (the page and its version).
        self.version_keys: dict[str, str] = {}
        self.changes = ChangeFeed()
        # key -> (entry, change feed generation when it was read, monotonic time it was read)
        self.local: OrderedDict[str, tuple[dict, int, float]] = OrderedDict()
        self.lock = threading.Lock()

    def reset(self) -> None:
        """Forget every copy (the cache settings changed: tests)."""
        self.version_keys.clear()
        self.local.clear()
        self.changes.close()
        self.changes = ChangeFeed()

    def current_entry(self, key: str) -> dict | None:
        """The stored page if its content version is still current.

        From this process's memory when no change was announced since it was read, otherwise
        from the shared cache (one round trip once warm).
        """
        generation = self.changes.generation()  # before the shared cache is read
        if generation is not None:
            local = self.local.get(key)
            if (
                local is not None
                and local[1] == generation
                and time.monotonic() - local[2] < LOCAL_MAX_AGE
                and time.time() < local[0]["expires_at"]  # a scheduled article goes live on time
            ):
                return local[0]
        entry = self.shared_entry(key)
        with self.lock:  # threaded workers (gthread) share the copies
            if generation is None or entry is None:
                self.local.pop(key, None)
            else:
                self.local[key] = (entry, generation, time.monotonic())
                self.local.move_to_end(key)
                while len(self.local) > LOCAL_PAGES:
                    self.local.popitem(last=False)
        return entry

    def shared_entry(self, key: str) -> dict | None:
        """The page from the shared cache if its content version is current there."""
        version_key = self.version_keys.get(key)
        if version_key:
            found = cache.get_many([key, version_key])
            entry, version = found.get(key), found.get(version_key)
        else:
            entry, version = cache.get(key), None
        if entry is None:
            return None
        if entry["version_key"] != version_key:
            self.version_keys[key] = entry["version_key"]
            version = cache.get(entry["version_key"])
        return entry if version == entry["version"] else None


# One per process, shared by the middleware and the WSGI front (`PageCacheApp`).
STORE = PageStore()


@receiver(setting_changed)
def _forget_pages_of_another_cache(*, setting, **kwargs):
    if setting == "CACHES":
        STORE.reset()


def eligible(request) -> bool:
    """Whether the request may be answered with a stored page (rendered for nobody in particular)."""
    cookies = request.COOKIES
    return (
        request.method == "GET"
        and CACHED_PATHS.match(request.path_info) is not None
        and CANONICAL_QUERY.match(request.META.get("QUERY_STRING", "")) is not None
        and settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
    )


def page_key(request) -> str:
    return f"page:{ENTRY_FORMAT}:{release_stamp()}:{request.path}?{request.META.get('QUERY_STRING', '')}"


def page_etag_for(request, entry: dict) -> str:
    return quote_etag(page_etag(request, "page", request.get_full_path(), entry["version"]))


def not_modified(request, etag: str) -> bool:
    return etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", ""))


def page_body(request, entry: dict, csrf: CsrfViewMiddleware) -> bytes:
    """The stored page with the reader's own CSRF token and a fresh form start time filled in.

    Call `csrf.process_response(request, response)` afterwards: it sends the CSRF cookie.
    """
    csrf.process_request(request)  # the reader's own secret from their cookie, if any
    fill = {CSRF_SLOT: lambda: csrf_token(request).encode(), STARTED_SLOT: lambda: form_started_token().encode()}
    return b"".join(fill[part]() if isinstance(part, str) else part for part in entry["parts"])


class PageCacheMiddleware:
    """Stores pages as they are rendered, and serves them where `PageCacheApp` is not in front."""

    def __init__(self, get_response):
        self.get_response = get_response
        # Used only through its public hooks, exactly as the CSRF middleware itself runs them.
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        if not eligible(request):
            return self.get_response(request)
        request.get_host()  # ALLOWED_HOSTS is checked as CommonMiddleware would (400 otherwise)
        key = page_key(request)
        rendered = None
        try:
            entry = STORE.current_entry(key)
            if entry is None:
                entry, rendered = self.render_and_store(request, key)
        except Exception as exc:  # noqa: BLE001 - the cache is an accelerator, never a dependency
            logger.warning("page cache unavailable, rendering the page: %s", exc.__class__.__name__)
            entry = None
        if entry is not None:
            return self.serve(request, entry)
        if rendered is not None and not request.environ.get("HTTP_COOKIE"):
            # A reader without cookies got exactly that page (a 404, say): don't render it twice.
            return rendered
        return self.get_response(request)

    def render_and_store(self, request, key: str) -> tuple[dict | None, HttpResponse]:
        """Render the page for a cookieless copy of the request; keep it if the view allows.

        Returns the stored entry (None when the page may not be cached) and the rendered response.
        """
        environ = {name: value for name, value in request.environ.items() if name != "HTTP_COOKIE"}
        anonymous = WSGIRequest(environ)
        response = self.get_response(anonymous)
        mark = getattr(anonymous, "page_cache", None)
        if (
            mark is None
            or response.status_code != 200
            or response.streaming
            or not response.get("Content-Type", "").startswith("text/html")
            or set(response.cookies) - {settings.CSRF_COOKIE_NAME}
            # A CSP nonce belongs to one answer: a page using one is never stored.
            or any("nonce-" in response.get(name, "") for name in CSP_HEADERS)
            or not mark.still_current()
        ):
            return None, response
        csrf_marker, started_marker = f"csrf-{secrets.token_hex(16)}", f"started-{secrets.token_hex(16)}"
        body = response.content.decode(response.charset)
        body = CSRF_INPUT.sub(lambda m: m[1] + csrf_marker + m[2], body)
        body = STARTED_INPUT.sub(lambda m: m[1] + started_marker + m[2], body)
        if "csrfmiddlewaretoken" in body.replace(f'name="csrfmiddlewaretoken" value="{csrf_marker}"', ""):
            logger.warning("page cache: %s has a CSRF token outside a form input; not cached", request.path)
            return None, response
        # The page as bytes between the slots ("csrf", "started") filled in for each request.
        slots = {csrf_marker: CSRF_SLOT, started_marker: STARTED_SLOT}
        parts = [
            slots.get(part) or part.encode(response.charset)
            for part in re.split(f"({csrf_marker}|{started_marker})", body)
        ]
        entry = {
            "parts": parts,
            "headers": [(name, value) for name, value in response.items() if name.lower() not in PER_REQUEST_HEADERS],
            "version_key": mark.version_key,
            "version": mark.version,
            "expires_at": time.time() + mark.timeout,
        }
        cache.set(key, entry, timeout=mark.timeout)
        return entry, response

    def serve(self, request, entry: dict):
        etag = page_etag_for(request, entry)
        if not_modified(request, etag):
            response = HttpResponseNotModified()
            self.copy_headers(entry, response, skip={"content-type"})
        else:
            response = HttpResponse(page_body(request, entry, self.csrf))
            self.copy_headers(entry, response)
            response["Content-Length"] = str(len(response.content))  # as CommonMiddleware would
            self.csrf.process_response(request, response)  # the CSRF cookie, as Django sends it
        response["ETag"] = etag
        return response

    @staticmethod
    def copy_headers(entry: dict, response, skip: frozenset | set = frozenset()) -> None:
        for name, value in entry["headers"]:
            if name.lower() not in skip:
                response[name] = value


class PageCacheApp:
    """The WSGI application in front of Django that answers with stored pages (`clinic.wsgi`).

    A stored page needs nothing of Django's request cycle: answering it here, before Django's
    handler and middleware, costs a fraction of a full pass (the benchmark's pages would
    otherwise be slower than a static file through the same stack). It answers exactly as the
    middleware stack would: the same eligibility, the host checked against ALLOWED_HOSTS,
    SecurityMiddleware's redirect and headers, the middleware's stored headers, the reader's CSRF
    cookie through CsrfViewMiddleware. Anything else (no stored page, another host, a redirect
    to HTTPS, any error) goes to Django, which renders, stores and answers as usual.
    """

    def __init__(self, application):
        self.application = application
        never_called = self._never_called
        self.csrf = CsrfViewMiddleware(never_called)
        self.security = SecurityMiddleware(never_called)

    @staticmethod
    def _never_called(request):
        raise AssertionError("only the middleware hooks are used")

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET" and CACHED_PATHS.match(environ.get("PATH_INFO", "")):
            try:
                answer = self.stored_answer(environ)
            except Exception as exc:  # noqa: BLE001 - Django answers instead
                logger.warning("page cache unavailable, rendering the page: %s", exc.__class__.__name__)
                answer = None
            if answer is not None:
                status, headers, body = answer
                start_response(status, headers)
                return [body]
        return self.application(environ, start_response)

    def stored_answer(self, environ) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """Status, headers and body from a current stored page, or None to let Django answer."""
        request = WSGIRequest(environ)
        if not eligible(request) or self.security.process_request(request) is not None:
            return None  # a redirect to HTTPS is Django's to send
        try:
            request.get_host()
        except DisallowedHost:
            return None  # Django answers 400 and logs it, as for any other address
        entry = STORE.current_entry(page_key(request))
        if entry is None:
            return None
        etag = page_etag_for(request, entry)
        if not_modified(request, etag):
            carrier, body = HttpResponseNotModified(), b""
            stored = [(name, value) for name, value in entry["headers"] if name.lower() != "content-type"]
        else:
            carrier = HttpResponse()  # carries the CSRF cookie and SecurityMiddleware's headers
            body = page_body(request, entry, self.csrf)
            self.csrf.process_response(request, carrier)
            stored = [*entry["headers"], ("Content-Length", str(len(body)))]
        self.security.process_response(request, carrier)
        # What the stack after SecurityMiddleware set wins, as there: SecurityMiddleware only sets
        # headers still missing, and the stored Vary already names Cookie (the page has a form).
        names = {name.lower() for name, _ in stored} | {"content-type"}
        headers = [
            *stored,
            *((name, value) for name, value in carrier.items() if name.lower() not in names),
            ("ETag", etag),
            *(("Set-Cookie", cookie.output(header="")) for cookie in carrier.cookies.values()),
        ]
        return f"{carrier.status_code} {carrier.reason_phrase}", headers, body


# Django's CSRF values (django.middleware.csrf): the cookie holds a secret of 32 characters from
# CSRF_ALLOWED_CHARS; a form holds a fresh 32-character mask followed by the secret shifted by
# it, character by character. Django draws every character with its own os.urandom call, about
# 0.2 ms for a first visitor's secret and token; here each string is one call. Tests check that
# Django accepts what this makes (tests/clinic/test_page_cache.py).
_CSRF_CHARS = CSRF_ALLOWED_CHARS
_CSRF_INDEX = {char: index for index, char in enumerate(_CSRF_CHARS)}
# Random bytes below 248 (4 × 62) map evenly onto the 62 characters; the rest are thrown away.
_CSRF_USABLE = len(_CSRF_CHARS) * (256 // len(_CSRF_CHARS))
_CSRF_BYTE_TO_CHAR = bytes(
    ord(_CSRF_CHARS[byte % len(_CSRF_CHARS)]) if byte < _CSRF_USABLE else 0 for byte in range(256)
)
_CSRF_UNUSABLE = bytes(range(_CSRF_USABLE, 256))


def random_csrf_string() -> str:
    """CSRF_SECRET_LENGTH characters drawn uniformly from CSRF_ALLOWED_CHARS, as Django draws them."""
    drawn = b""
    while len(drawn) < CSRF_SECRET_LENGTH:
        drawn += os.urandom(CSRF_SECRET_LENGTH + 8).translate(_CSRF_BYTE_TO_CHAR, _CSRF_UNUSABLE)
    return drawn[:CSRF_SECRET_LENGTH].decode()


def csrf_token(request) -> str:
    """What `django.middleware.csrf.get_token(request)` returns and records, drawn faster."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = request.META["CSRF_COOKIE"] = random_csrf_string()
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # send (or renew) the cookie, as get_token does
    mask = random_csrf_string()
    shifted = (_CSRF_INDEX[s] + _CSRF_INDEX[m] for s, m in zip(secret, mask, strict=True))
    return mask + "".join(_CSRF_CHARS[index % len(_CSRF_CHARS)] for index in shifted)
