"""The HTTP methods a public address takes; any other gets 405 with a true `Allow` and one plain line.

Class-based views answer from `View.dispatch` before anything else in the view runs (a public
form's cross-site check wraps only its `post`, see `clinic.csrf.public_form`), and
`AllowedMethodsMixin` gives that 405 a body. Function views (robots.txt, the sitemap, the feed)
say what they take with `@allow_methods(...)`, which also answers OPTIONS as `View` does.

A view that takes only safe methods is exempt from Django's CSRF token check: it has nothing a
forged request could make it do, and the check, which runs before the view, would answer a PUT
or DELETE with the 403 page instead of the 405. A view that takes an unsafe method keeps the check.
"""

from functools import wraps

from django.http import HttpResponse, HttpResponseNotAllowed
from django.utils.log import log_response

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def method_not_allowed(request, allowed: list[str]) -> HttpResponseNotAllowed:
    """405 with `Allow`, and a line of plain text for whoever meets it in a browser (never a form of ours)."""
    response = HttpResponseNotAllowed(
        allowed,
        f"Method not allowed. This address takes only: {', '.join(allowed)}.\n",
        content_type="text/plain; charset=utf-8",
    )
    log_response("Method Not Allowed (%s): %s", request.method, request.path, response=response, request=request)
    return response


class AllowedMethodsMixin:
    """For a public class-based view: its 405 (with the `Allow` `View` computes) says what happened."""

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)
        taken = {method.upper() for method in cls.http_method_names if hasattr(cls, method)}
        if taken <= SAFE_METHODS:
            view.csrf_exempt = True
        return view

    def http_method_not_allowed(self, request, *args, **kwargs):
        return method_not_allowed(request, self._allowed_methods())


def allow_methods(*methods: str):
    """For a function view: the methods it takes (list HEAD with GET); OPTIONS is answered here."""
    allowed = [*methods, "OPTIONS"]

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "OPTIONS":
                return HttpResponse(headers={"Allow": ", ".join(allowed), "Content-Length": "0"})
            if request.method not in allowed:
                return method_not_allowed(request, allowed)
            return view(request, *args, **kwargs)

        if set(allowed) <= SAFE_METHODS:
            wrapped.csrf_exempt = True
        return wrapped

    return decorator
