from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseServerError
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.http import require_GET


@require_GET
def robots_txt(request):
    body = loader.render_to_string("robots.txt", {"request": request}, request=request)
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


def bad_request(request, exception):
    """A plain-language 400, or 413 when a form sent far more than any of our forms can hold.

    Django has already thrown the oversized body away (it cannot be read twice), so the page
    says what happened and how to get the words to us instead.
    """
    too_big = isinstance(exception, RequestDataTooBig | TooManyFieldsSent)
    body = loader.render_to_string(
        "400.html",
        {
            "too_big": too_big,
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


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; send them to the hashed icon."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
