"""Middleware of our own: health probes, security headers Django 5.2 does not send, a body size cap, no NUL."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import QueryDict

from clinic import views

HEALTH_VIEWS = {"/healthz": views.healthz, "/readyz": views.readyz}


class HealthCheckMiddleware:
    """Answers `/healthz` and `/readyz` itself, before any middleware reads the Host header.

    A load balancer probes each app server by its private address, which is not (and should not
    be) in ALLOWED_HOSTS; Django validates the host lazily, on the first `request.get_host()`,
    which CommonMiddleware makes. Placed after SecurityMiddleware (probes are exempt from the
    HTTPS redirect through SECURE_REDIRECT_EXEMPT) and before sessions, so a probe never
    touches a session, a user or a cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = HEALTH_VIEWS.get(request.path_info)
        if view is not None:
            return view(request)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Adds Cross-Origin-Resource-Policy and Permissions-Policy to every response from Django.

    Static files served by whitenoise never reach this middleware; they get the same headers
    from `clinic.static_headers.add_security_headers`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CROSS_ORIGIN_RESOURCE_POLICY:
            response.headers.setdefault("Cross-Origin-Resource-Policy", settings.CROSS_ORIGIN_RESOURCE_POLICY)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class RequestBodyLimitMiddleware:
    """Refuses a request whose body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE, files included, with the 413 page.

    Django's own limit counts only a form's fields: a multipart body's file parts, whatever their
    size, would be read (into memory or a temporary file) before any view could say no. The
    declared Content-Length is checked before anything reads the body. A body without one (or
    with an unreadable one) is not read at all: Django's WSGI request reads at most Content-Length
    bytes, and nginx in front always sends it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        declared = request.META.get("CONTENT_LENGTH") or ""
        if limit is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
            return views.bad_request(request, RequestDataTooBig("Request body exceeded DATA_UPLOAD_MAX_MEMORY_SIZE."))
        return self.get_response(request)


def _holds_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


class NullCharacterMiddleware:
    """Refuses with the 400 page a request whose path, query string or form fields hold a NUL character.

    No browser sends one from a page a person filled in, and PostgreSQL can neither store text
    holding one nor compare with it: psycopg2 raises ValueError (a 500) wherever such a value
    reaches a query. Django's form CharField refuses it, but the admin's filters (`?client_hash=`),
    its autocomplete (`?term=`) and anything read straight from the request do not; one refusal at
    the door covers them all, on every page, staff or public. Below RequestBodyLimitMiddleware, so a
    form body is read only once known to be small (Django reads a POST's fields for POST alone).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or _holds_nul(request.GET) or _holds_nul(request.POST):
            return views.bad_request(request, SuspiciousOperation("NUL character in the request."))
        return self.get_response(request)
