import os
import uuid

import pytest
import redis

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    """Fast password hashing, a fresh local cache per test, and no real email."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def unused_tcp_port() -> int:
    """A loopback port nothing listens on right now (for a dead cache, or a test server)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_url() -> str:
    """The Redis on this machine: a test needing it is skipped on a laptop without one, fails in CI."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise  # CI starts Redis: a missing one is a failure there, not a skip
        pytest.skip("needs Redis on 127.0.0.1:6379 (CI starts it)")
    return REDIS_URL


@pytest.fixture
def redis_key_prefix(redis_url):
    """A key prefix of the test's own on the shared Redis; its keys are deleted afterwards."""
    prefix = f"test-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def shared_cache(settings, redis_url, redis_key_prefix):
    """The default cache on Redis, configured as on the app servers."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": redis_key_prefix,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    return caches["default"]
