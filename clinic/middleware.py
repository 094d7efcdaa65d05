"""Middleware of our own: health probes and the security headers Django 5.2 does not send."""

from django.conf import settings

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
