import logging

from axes.helpers import get_cool_off
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponsePermanentRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from clinic.http_methods import allow_methods

logger = logging.getLogger(__name__)


@allow_methods("GET", "HEAD")
def robots_txt(request):
    context = {"admin_path": settings.ADMIN_PATH, "sitemap_url": settings.SITE_URL + reverse("sitemap")}
    body = loader.render_to_string("robots.txt", context, request=request)
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


def _probe_response(body: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
    add_never_cache_headers(response)
    return response


def healthz(request):
    """Liveness: the process answers. Never touches the database, so a database outage does
    not make the load balancer restart healthy app servers."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return _probe_response("ok\n")


def readyz(request):
    """Readiness: 200 when the database answers `SELECT 1`, 503 when it does not, so the load
    balancer stops sending patients to a server that cannot save their message."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.error("readiness check failed: database unavailable (%s)", exc.__class__.__name__)
        return _probe_response("database unavailable\n", status=503)
    return _probe_response("ok\n")


def login_locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a calm 429 page with the clinic's phone, after too many failed sign-ins.

    Retry-After says when to try again: the whole cool-off, since this refused try started it
    again (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT). Never stored by any cache.
    """
    seconds = int(get_cool_off(request).total_seconds())
    response = render(request, "login_locked_out.html", {"cooloff_minutes": seconds // 60}, status=429)
    response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response


def bad_request(request, exception):
    """A plain-language 400, or 413 when a form sent far more than any of our forms can hold.

    Django has already thrown the oversized body away (it cannot be read twice), so the page
    says what happened and how to get the words to us instead. A form sent with a file attached
    (none of ours has a file field) is a 400 that says so.
    """
    too_big = isinstance(exception, RequestDataTooBig | TooManyFieldsSent)
    body = loader.render_to_string(
        "400.html",
        {
            "too_big": too_big,
            "with_file": isinstance(exception, TooManyFilesSent),
            "clinic_name": settings.CLINIC_NAME,
            "clinic_phone": settings.CLINIC_PHONE,
            "clinic_phone_e164": settings.CLINIC_PHONE_E164,
        },
    )
    return HttpResponse(body, status=413 if too_big else 400)


def server_error(request):
    """Branded 500 page rendered without the request, so a broken context cannot break it too."""
    body = loader.render_to_string(
        "500.html",
        {
            "clinic_name": settings.CLINIC_NAME,
            "clinic_phone": settings.CLINIC_PHONE,
            "clinic_phone_e164": settings.CLINIC_PHONE_E164,
        },
    )
    return HttpResponseServerError(body)


@allow_methods("GET", "HEAD")
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; send them to the hashed icon."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
