"""The shared cache backend: Django's Redis cache, with one client per connection pool."""

import os
import uuid

import pytest
import redis

from clinic.redis_cache import PooledRedisCache


@pytest.fixture
def redis_cache():
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise  # CI starts Redis: a missing one is a failure there, not a skip
        pytest.skip("needs Redis on 127.0.0.1:6379 (CI starts it)")
    return PooledRedisCache(url, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})


def test_the_backend_stores_reads_counts_and_deletes_like_djangos(redis_cache):
    redis_cache.set("a", {"parts": [b"x", "csrf"]}, 30)
    assert redis_cache.get("a") == {"parts": [b"x", "csrf"]}
    assert redis_cache.add("n", 0, 30) is True
    assert redis_cache.incr("n") == 1
    assert redis_cache.get_many(["a", "n", "missing"]) == {"a": {"parts": [b"x", "csrf"]}, "n": 1}
    redis_cache.delete_many(["a", "n"])
    assert redis_cache.get("a") is None


def test_every_call_reuses_one_client_per_pool(redis_cache):
    client = redis_cache._cache.get_client("a")

    assert redis_cache._cache.get_client("b") is client
    assert redis_cache._cache.get_client("c", write=True) is client  # one server: one pool
