"""Whole public pages for anonymous readers from the cache, each with the reader's own form tokens.

The home page and article pages carry forms, so no cached copy may ever hold one reader's CSRF
token or form start time. This middleware (right after WhiteNoise) keeps rendered pages in the
shared cache with both replaced by placeholders, and fills them in per request:

- the cached bytes are rendered for a *synthetic* request with no cookies at all (anonymous, no
  session, a throwaway CSRF secret nobody holds), so nothing of any reader can be in them;
- each served page gets fresh tokens for the reader's own CSRF secret (from their cookie, or a
  new one with the cookie Django would set), through Django's public CSRF API: the
  middleware's `process_request`/`process_response` and `get_token`;
- each form gets a fresh signed start time (`contacts.abuse.form_started_token`).

Only GET requests without a session or messages cookie, without a query string other than a
canonical `?cpage=N`, to the paths below, and only pages whose view says they may be cached
(`request.page_cache`, see `articles.cache.PageCacheMark`: published content, the anonymous
view) are stored. Staff (a session cookie) and readers with a flash message waiting (a messages
cookie) always get the full stack. A page is served only while its content version is current:
the same versions the fragment caches use (`articles.services.article_content_invalidate`).

The headers the rest of the middleware gave the page (CSP, X-Frame-Options, Cache-Control,
Vary...) are stored with it and sent again; SecurityMiddleware, which runs before this one,
adds its own to every response. If the cache is unreachable the page is rendered as usual.
"""

import logging
import re
import secrets

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils.http import parse_etags, quote_etag

from articles.cache import page_etag, release_stamp
from contacts.abuse import form_started_token

logger = logging.getLogger(__name__)

CACHED_PATHS = re.compile(r"^/(?:articles/[-a-zA-Z0-9_]+/)?$")
CANONICAL_QUERY = re.compile(r"^(?:cpage=[1-9][0-9]{0,5})?$")
CSRF_INPUT = re.compile(r'(<input type="hidden" name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(">)')
STARTED_INPUT = re.compile(r'(<input type="hidden" name="started" value=")[-\w:]+(")')
CSRF_SLOT, STARTED_SLOT = "csrf", "started"
# Part of every key: change it whenever the stored entry's shape changes, so servers running the
# new code never read entries written by the old (the release stamp covers templates only).
ENTRY_FORMAT = 2
# Not replayed from the stored page: recomputed for every request.
PER_REQUEST_HEADERS = {"etag", "content-length", "set-cookie"}


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        # Used only through its public hooks, exactly as the CSRF middleware itself runs them.
        self.csrf = CsrfViewMiddleware(get_response)
        # Which version key each page address is checked against, learnt from the stored pages,
        # so a warm page costs one cache round trip (the page and its version together).
        self.version_keys: dict[str, str] = {}

    def __call__(self, request):
        if not self.eligible(request):
            return self.get_response(request)
        request.get_host()  # ALLOWED_HOSTS is checked as CommonMiddleware would (400 otherwise)
        key = f"page:{ENTRY_FORMAT}:{release_stamp()}:{request.path}?{request.META.get('QUERY_STRING', '')}"
        rendered = None
        try:
            entry = self.current_entry(key)
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

    @staticmethod
    def eligible(request) -> bool:
        cookies = request.COOKIES
        return (
            request.method == "GET"
            and CACHED_PATHS.match(request.path_info) is not None
            and CANONICAL_QUERY.match(request.META.get("QUERY_STRING", "")) is not None
            and settings.SESSION_COOKIE_NAME not in cookies
            and CookieStorage.cookie_name not in cookies
        )

    def current_entry(self, key: str) -> dict | None:
        """The stored page if its content version is still current; one cache round trip once warm."""
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
        }
        cache.set(key, entry, timeout=mark.timeout)
        return entry, response

    def serve(self, request, entry: dict):
        etag = quote_etag(page_etag(request, "page", request.get_full_path(), entry["version"]))
        if etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
            response = HttpResponseNotModified()
            self.copy_headers(entry, response, skip={"content-type"})
        else:
            self.csrf.process_request(request)  # the reader's own secret, or a new one
            fill = {CSRF_SLOT: lambda: get_token(request).encode(), STARTED_SLOT: lambda: form_started_token().encode()}
            response = HttpResponse(
                b"".join(fill[part]() if isinstance(part, str) else part for part in entry["parts"])
            )
            self.copy_headers(entry, response)
            self.csrf.process_response(request, response)  # the CSRF cookie, as Django sends it
        response["ETag"] = etag
        return response

    @staticmethod
    def copy_headers(entry: dict, response, skip: frozenset | set = frozenset()) -> None:
        for name, value in entry["headers"]:
            if name.lower() not in skip:
                response[name] = value
