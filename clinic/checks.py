"""System checks for settings the project package owns."""

import os

from django.conf import settings
from django.core.checks import Error, Warning, register


@register
def trusted_proxy_count_check(app_configs, **kwargs):
    """DJANGO_TRUSTED_PROXY_COUNT is no longer read: a deployment still setting it must be told."""
    count = os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "").strip()
    if not count:
        return []
    hint = (
        "Remove DJANGO_TRUSTED_PROXY_COUNT and set DJANGO_TRUSTED_PROXIES to your proxies' addresses "
        "(comma-separated addresses or networks; 127.0.0.1 for nginx on the same machine)."
    )
    # With 0 nothing is lost; with DJANGO_TRUSTED_PROXIES set the proxies are known: only a stale line is left.
    if count == "0" or settings.TRUSTED_PROXIES:
        return [Warning("DJANGO_TRUSTED_PROXY_COUNT is set but no longer read.", hint=hint, id="clinic.W001")]
    return [
        Error(
            "DJANGO_TRUSTED_PROXY_COUNT was replaced by DJANGO_TRUSTED_PROXIES, which is empty: "
            "X-Forwarded-For is ignored, so every client behind the proxy shares one rate limit and lockout.",
            hint=hint,
            id="clinic.E001",
        )
    ]
