"""The site's URLs plus a view that fails while handling a patient's form, for error tests."""

from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from clinic.urls import handler500
from clinic.urls import urlpatterns as site_urlpatterns

__all__ = ["handler500", "urlpatterns"]


@csrf_exempt
def failing_form(request):
    # Fails the way a database error can: quoting what the patient sent.
    message = request.POST.get("message", "")
    email = request.POST.get("email", "")
    raise ValueError(f"could not store {email!r}: {message!r}")


urlpatterns = [path("failing-form/", failing_form), *site_urlpatterns]
