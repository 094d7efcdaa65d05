"""Fixtures every test may use, and the shared services a test run finds from the environment.

Several runs can share one machine:
- Redis: `TEST_REDIS_URL`, else the site's own `DJANGO_CACHE_URL` / `REDIS_URL`, else database 0 of
  the local Redis. Each test keeps its keys under a prefix of its own and deletes them; give a run
  a database of its own (`TEST_REDIS_URL=redis://127.0.0.1:6379/5`) to keep runs wholly apart.
- PostgreSQL: the test database is `test_` followed by the database name in `DATABASE_URL`
  (Django's default, which pytest-django keeps), so runs given different names never meet.
"""

import os
import uuid
from urllib.parse import urlsplit

import pytest
import redis

REDIS_URL = (
    os.environ.get("TEST_REDIS_URL")
    or os.environ.get("DJANGO_CACHE_URL")
    or os.environ.get("REDIS_URL")
    or "redis://127.0.0.1:6379/0"
)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def redis_address(url: str) -> str:
    """Host, port and database of a Redis URL, for messages: never the password it may carry."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or 6379}{parts.path}"


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
    """The Redis of this run (see above): a test needing it is skipped on a laptop without one, fails in CI."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        reason = f"needs Redis at {redis_address(REDIS_URL)} (TEST_REDIS_URL), unreachable: {exc.__class__.__name__}"
        if in_ci():
            pytest.fail(f"CI starts Redis: {reason}")
        pytest.skip(reason)
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
