import pytest
from django.test import RequestFactory

from contacts.abuse import SpamTrapFormMixin, client_key, rate_limit_exceeded
from tests.factories import elapsed_ms


def request_from(remote: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


# Whom X-Forwarded-For is believed from: tests/clinic/test_client_address.py.


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
    ("elapsed", "website", "reason"),
    [
        (elapsed_ms(30), "", None),
        (elapsed_ms(30), "http://spam", "honeypot"),
        (elapsed_ms(0.5), "", "too_fast"),
        (elapsed_ms(2.9), "", "too_fast"),
        (elapsed_ms(3), "", None),
    ],
)
def test_spam_traps(elapsed, website, reason):
    form = TrapForm({"website": website, "elapsed": elapsed})
    assert form.is_valid()

    assert form.spam_reason() == reason


@pytest.mark.parametrize("elapsed", ["", "forged", "-5", "1e9", "9" * 40])
def test_a_missing_or_unreadable_time_counts_for_nothing(elapsed):
    # Without the page's script (or with a bot's junk) the time is unknown, not suspicious.
    form = TrapForm({"elapsed": elapsed})
    assert form.is_valid()

    assert form.spam_reason() is None


def test_an_unbound_form_carries_nothing_per_reader():
    form = TrapForm()

    assert form["elapsed"].value() is None
    assert form["form_token"].value() is None


@pytest.mark.parametrize(
    ("sent", "kept"), [("0123456789abcdef" * 2, "0123456789abcdef" * 2), ("x" * 500, ""), ("", "")]
)
def test_only_a_token_as_the_script_makes_it_is_kept(sent, kept):
    form = TrapForm({"form_token": sent})
    assert form.is_valid()

    assert form.cleaned_data["form_token"] == kept
