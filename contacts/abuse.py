"""Abuse control shared by the message and comment forms: client keys, rate limits, spam traps.

Nothing here stores or logs a client's address: limits are counted under a salted hash of it,
and suspected spam is reported to the caller (who stores it as spam) rather than dropped.
"""

import logging
import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.crypto import salted_hmac

from clinic.client_address import client_address

logger = logging.getLogger(__name__)

# What the page's script writes into `form_token`: 32 hex digits (anything else is ignored).
FORM_TOKEN = re.compile(r"[0-9a-f]{32}")


def client_key(request) -> str:
    """A salted, non-reversible key for the client, for rate limits and abuse columns."""
    return salted_hmac("contacts.client", client_address(request)).hexdigest()[:32]


def rate_limit_exceeded(*, scope: str, key: str, limit: int, window: int) -> bool:
    """Count one hit for `key` in `scope`; True once more than `limit` hits fall in `window` seconds.

    The count lives in the default cache (Redis, or the database table every worker shares), so
    every app server sees about the same number (`incr`, or `add` for a window's first hit; the
    database cache's `incr` is not atomic and may miss a hit when two race, which a limit of a few
    per ten minutes can afford). If the cache is down, the request is let
    through: a patient must never be locked out by our outage.
    """
    cache_key = f"ratelimit:{scope}:{key}"
    try:
        try:
            hits = cache.incr(cache_key)  # one round trip for a client already counted
        except ValueError:  # the first hit in this window: start the count, with its expiry
            hits = 1 if cache.add(cache_key, 1, timeout=window) else cache.incr(cache_key)
    except Exception as exc:  # noqa: BLE001 - any cache failure must fail open
        logger.warning("rate limit cache unavailable, letting request through: %s", exc.__class__.__name__)
        return False
    return hits > limit


class QuietField(forms.CharField):
    """A field no person fills in (a hidden value, the honeypot): it never shows an error.

    Nobody could see or fix an error on it, and the error summary could not name it. A value
    Django's CharField refuses (one holding a NUL character) cleans to `damaged` instead: "" (not
    known) for a hidden value, something for the honeypot, which no person fills in either.
    The form's `clean_<field>()` decides what any other odd value means.
    """

    def __init__(self, *, damaged: str = "", **kwargs):
        self.damaged = damaged
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        try:
            return super().clean(value)
        except ValidationError:
            return self.damaged


class SpamTrapFormMixin(forms.Form):
    """A honeypot field and the time the form was open, checked by `spam_reason()` after validation.

    The page is the same for every reader (it is kept by the HTTP cache), so no start time can be
    written into it: the page's own script (`static/js/forms.js`) counts how long the form was
    open and writes it into `elapsed` (milliseconds, added to any value kept from an earlier
    try) just before it is sent, and a random `form_token` when the page opens (it makes a
    double-click store one message). Without the script both stay empty and count for nothing.
    Neither trap raises a form error: a bot (or a very fast human) is stored as suspected spam,
    never silently dropped. Render `website` inside an element with the `hp-field` class so
    people, screen readers and keyboards never meet it.
    """

    website = QuietField(
        damaged="damaged",
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    # No length limits: hidden values are never the writer's fault, so they never show an error.
    elapsed = QuietField(widget=forms.HiddenInput)
    form_token = QuietField(widget=forms.HiddenInput)

    def clean_elapsed(self) -> int | None:
        # Whatever a script or a bot put here, an unreadable value only means "not known".
        value = self.cleaned_data.get("elapsed") or ""
        return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None

    def clean_form_token(self) -> str:
        value = self.cleaned_data.get("form_token") or ""
        return value if FORM_TOKEN.fullmatch(value) else ""

    def spam_reason(self) -> str | None:
        """'honeypot' or 'too_fast' when the submission looks automated, else None."""
        if self.cleaned_data.get("website"):
            return "honeypot"
        elapsed = self.cleaned_data.get("elapsed")
        if elapsed is not None and elapsed < settings.MIN_FORM_FILL_SECONDS * 1000:
            return "too_fast"
        return None


def public_form_helper(*fields) -> FormHelper:
    """crispy-forms' layout of a public form: `fields`, then the spam traps of `SpamTrapFormMixin`.

    No <form> tag (the template writes it) and no CSRF token (the page is the same for everyone).
    """
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(
        *fields,
        Field("elapsed"),
        Field("form_token"),
        # A trap for bots: hidden from people, screen readers and the keyboard.
        Div("website", css_class="hp-field", aria_hidden="true"),
    )
    return helper
