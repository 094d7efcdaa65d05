from django.conf import settings
from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseServerError
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET


@require_GET
def robots_txt(request):
    context = {"sitemap_url": settings.SITE_URL + reverse("sitemap")}
    body = loader.render_to_string("robots.txt", context, request=request)
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


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
