"""The shared cache backend: Django's Redis cache, with one client per connection pool."""

import pytest

from clinic.redis_cache import PooledRedisCache


@pytest.fixture
def redis_cache(redis_url, redis_key_prefix):
    return PooledRedisCache(redis_url, {"KEY_PREFIX": redis_key_prefix})


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
