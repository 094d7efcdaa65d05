import time

import pytest
from django.core import signing
from django.test import RequestFactory

from contacts.abuse import SIGNING_SALT, SpamTrapFormMixin, client_address, client_key, rate_limit_exceeded
from tests.factories import started_ago


def request_from(remote: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_forwarded_header_is_ignored_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_address(request_from("10.0.0.1", "1.2.3.4")) == "10.0.0.1"


def test_forwarded_header_is_read_only_as_far_as_our_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_address(request_from("10.0.0.1", "6.6.6.6, 1.2.3.4")) == "1.2.3.4"


def test_client_key_is_a_hash_not_the_address():
    key = client_key(request_from("203.0.113.9"))

    assert "203.0.113.9" not in key
    assert key == client_key(request_from("203.0.113.9"))
    assert key != client_key(request_from("203.0.113.10"))


@pytest.fixture(params=["local memory", "redis"])
def any_cache(request):
    """The rate limit counts in the tests' local-memory cache and in Redis, as on the servers."""
    if request.param == "redis":
        request.getfixturevalue("shared_cache")


def test_rate_limit_allows_up_to_the_limit_then_refuses(any_cache):
    results = [rate_limit_exceeded(scope="t", key="k", limit=3, window=60) for _ in range(5)]

    assert results == [False, False, False, True, True]
    assert rate_limit_exceeded(scope="t", key="other", limit=3, window=60) is False


@pytest.mark.parametrize(
    "backend", ["django.core.cache.backends.redis.RedisCache", "clinic.redis_cache.PooledRedisCache"]
)
def test_rate_limit_fails_open_when_the_cache_is_down(settings, backend):
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "redis://127.0.0.1:1/0"}}

    assert rate_limit_exceeded(scope="t", key="k", limit=0, window=60) is False


class TrapForm(SpamTrapFormMixin):
    pass


@pytest.mark.parametrize(
    ("seconds_ago", "website", "reason"),
    [
        (30, "", None),
        (30, "http://spam", "honeypot"),
        (0, "", "too_fast"),
        (None, "", "bad_token"),
    ],
)
def test_spam_traps(seconds_ago, website, reason):
    # Signed here, not at collection time, so a slow run cannot turn "too fast" into "fine".
    data = {"website": website, "started": started_ago(seconds_ago) if seconds_ago is not None else "forged"}
    form = TrapForm(data)
    assert form.is_valid()

    assert form.spam_reason() == reason


def test_missing_start_time_is_a_bad_token():
    form = TrapForm({})
    assert form.is_valid()

    assert form.spam_reason() == "bad_token"


def test_unbound_form_carries_a_signed_start_time():
    value = TrapForm().initial["started"]

    assert abs(signing.loads(value, salt=SIGNING_SALT) - time.time()) < 5
