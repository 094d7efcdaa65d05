"""Security headers for static files, which whitenoise serves before Django's middleware runs."""

from django.conf import settings

# A file is never a page: if someone opens an SVG directly, nothing in it may run or load.
STATIC_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"


def add_security_headers(headers, path: str, url: str) -> None:
    """WHITENOISE_ADD_HEADERS_FUNCTION: computed once per file when whitenoise starts.

    SecurityMiddleware still adds HSTS, Referrer-Policy and COOP on the way out; these are the
    headers it does not know, plus nosniff so a file's type can never be guessed as a script.
    """
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Cross-Origin-Resource-Policy"] = settings.CROSS_ORIGIN_RESOURCE_POLICY
    headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    headers["Content-Security-Policy"] = STATIC_CSP
