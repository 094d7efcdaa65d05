"""Cross-site protection of the public forms, and the page a form refused as cross-site comes back on.

The public forms (a message, a comment) carry no per-reader token: their pages are the same for
every reader and kept by the HTTP cache. A cross-site POST is refused from the browser's own
Fetch Metadata and Origin headers instead (django-modern-csrf, Go's CrossOriginProtection
algorithm). Staff forms keep Django's tokens.
"""

from django.urls import Resolver404, resolve
from django.utils.decorators import method_decorator
from django.views import csrf
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from modern_csrf.decorators import csrf_protect as cross_origin_protect


def public_form(view_class):
    """Class decorator for a public form's view: no CSRF token, and a cross-site POST refused.

    Django's token check is turned off on `dispatch` (`as_view` copies `csrf_exempt` from it);
    the cross-site check wraps `post` alone, so `View.dispatch` answers first: a method the view
    does not take gets its 405 with a true `Allow` header, never the refusal page.
    """
    view_class = method_decorator(csrf_exempt, name="dispatch")(view_class)
    return method_decorator(cross_origin_protect, name="post")(view_class)


@sensitive_post_parameters()
@sensitive_variables()
def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a refused public form comes back filled in, never lost.

    The public forms are refused when the browser says the POST came from another site (a page
    saved to disk and opened later, a privacy extension, or an attack): the writer sees their
    words again, on our own page, and can send them from there; nothing was stored. The form's
    own view draws that page: a view class that has a `csrf_refused(request, kept, **url_kwargs)`
    class method is given the POSTed values (without any token) and returns the page, or None
    when it has none to show. Every other refused form (staff forms with an expired token) gets
    Django's standard 403 page.
    """
    if request.method == "POST":
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
        refused = getattr(getattr(match.func, "view_class", None), "csrf_refused", None) if match else None
        if refused is not None:
            kept = {key: value for key, value in request.POST.items() if key != "csrfmiddlewaretoken"}
            response = refused(request, kept, **match.kwargs)
            if response is not None:
                return response
    return csrf.csrf_failure(request, reason=reason)
