"""Abuse control shared by the message and comment forms: client keys, rate limits, spam traps.

Nothing here stores or logs a client's address: limits are counted under a salted hash of it,
and suspected spam is reported to the caller (who stores it as spam) rather than dropped.
"""

import logging
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)

SIGNING_SALT = "contacts.form-started"


def client_address(request) -> str:
    """The client's IP address, trusting `X-Forwarded-For` only as far as our own proxies.

    With `DJANGO_TRUSTED_PROXY_COUNT=N` the address N hops from the right of the header is the
    client (each of our N proxies appends one); any further-left value was sent by the client
    and could be forged. With 0 (the default) only the socket address counts.
    """
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def client_key(request) -> str:
    """A salted, non-reversible key for the client, for rate limits and abuse columns."""
    return salted_hmac("contacts.client", client_address(request)).hexdigest()[:32]


def rate_limit_exceeded(*, scope: str, key: str, limit: int, window: int) -> bool:
    """Count one hit for `key` in `scope`; True once more than `limit` hits fall in `window` seconds.

    The count lives in the shared cache, so every app server sees the same number. If the cache
    is down, the request is let through (a patient must never be locked out by our outage).
    """
    cache_key = f"ratelimit:{scope}:{key}"
    try:
        if hasattr(cache, "count_in_window"):  # Redis: one round trip (clinic.redis_cache)
            hits = cache.count_in_window(cache_key, window)
        else:
            cache.add(cache_key, 0, timeout=window)
            try:
                hits = cache.incr(cache_key)
            except ValueError:  # expired between add and incr
                cache.add(cache_key, 1, timeout=window)
                hits = 1
    except Exception as exc:  # noqa: BLE001 - any cache failure must fail open
        logger.warning("rate limit cache unavailable, letting request through: %s", exc.__class__.__name__)
        return False
    return hits > limit


def form_started_token() -> str:
    """The signed "now" a form carries in its `started` field (the cached pages fill it in too)."""
    return signing.dumps(time.time(), salt=SIGNING_SALT)


class SpamTrapFormMixin(forms.Form):
    """A honeypot field and a signed start time, checked by `spam_reason()` after validation.

    Neither trap raises a form error: a bot (or a very fast human) is stored as suspected spam,
    never silently dropped. Render `website` inside an element with the `hp-field` class so
    people, screen readers and keyboards never meet it.
    """

    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["started"] = form_started_token()

    def spam_reason(self) -> str | None:
        """'honeypot', 'too_fast' or 'bad_token' when the submission looks automated, else None."""
        if self.cleaned_data.get("website"):
            return "honeypot"
        try:
            started = signing.loads(self.cleaned_data.get("started") or "", salt=SIGNING_SALT, max_age=86400)
        except signing.BadSignature:
            return "bad_token"
        if time.time() - float(started) < settings.MIN_FORM_FILL_SECONDS:
            return "too_fast"
        return None
