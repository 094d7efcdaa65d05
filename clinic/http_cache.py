"""Which answers a shared HTTP cache (nginx, `deploy/nginx/`) may keep, and for how long.

A public page (`@public_page`) is rendered the same for every anonymous reader and sets no
cookie, so the proxy may keep it for `SHARED_CACHE_SECONDS` (at most 10: the bound on how late
an edit, a moderator's action or an erasure reaches readers) and browsers revalidate it every
time with its ETag (a cheap 304). The middleware takes that back from any answer that is not a
plain page for nobody in particular, and marks every other answer private.
"""

from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.utils.cache import patch_cache_control

PUBLIC_STATUSES = {200, 304}


def public_page(view):
    """Let shared caches keep the view's answers for `SHARED_CACHE_SECONDS` (see the middleware)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=0, s_maxage=settings.SHARED_CACHE_SECONDS)
        return response

    return wrapped


def is_personal(request, response) -> bool:
    """Whether the answer may belong to one visitor: staff, a cookie, an error, anything but a GET."""
    return (
        request.method not in ("GET", "HEAD")
        or response.status_code not in PUBLIC_STATUSES
        or bool(response.cookies)
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or CookieStorage.cookie_name in request.COOKIES
    )


class SharedCacheHeadersMiddleware:
    """Public pages stay public only when nothing personal is in them; everything else is private.

    Placed above the session, CSRF and messages middleware, so it sees every cookie they set.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "public" in response.get("Cache-Control", "") and is_personal(request, response):
            del response["Cache-Control"]
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_cache=True)
        return response
