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


def test_a_count_in_a_window_starts_at_one_and_expires_with_its_window(redis_cache):
    assert [redis_cache.count_in_window("hits", 60) for _ in range(3)] == [1, 2, 3]
    assert redis_cache.get("hits") == 3  # the same number Django's incr() would have made

    client = redis_cache._cache.get_client("hits")
    assert 0 < client.ttl(redis_cache.make_key("hits")) <= 60  # set by the first hit only
    client.expire(redis_cache.make_key("hits"), 1)
    assert redis_cache.count_in_window("hits", 60) == 4  # a later hit never extends the window
    assert client.ttl(redis_cache.make_key("hits")) <= 1
