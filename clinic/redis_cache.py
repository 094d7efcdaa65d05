"""Django's Redis cache backend, keeping one Redis client per connection pool, plus change notices.

Django 5.2's `RedisCacheClient.get_client()` builds a new `redis.Redis` object for every cache
call (about 0.17 ms each here), which is most of what serving a cached page costs. A client is
thread-safe and only wraps the pool, so one per pool serves every call in the same way.

`count_in_window()` counts rate-limit hits in one round trip. `announce()` and `subscribe()`
carry "content changed" notices between app servers over Redis pub/sub (see
`clinic.change_feed`), on a channel named with the cache's key prefix so that sites sharing one
Redis never hear each other.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class PooledClientRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients_by_pool", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class PooledRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledClientRedisCacheClient

    def count_in_window(self, key: str, window: int) -> int:
        """Add one to the count at `key`, which starts at 0 and expires `window` seconds after
        its first hit; returns the new count. One round trip, atomic (MULTI/EXEC), where
        Django's `add()` then `incr()` take two and can race with the expiry."""
        key = self.make_and_validate_key(key)
        pipeline = self._cache.get_client(key, write=True).pipeline(transaction=True)
        pipeline.set(key, 0, ex=window, nx=True)
        pipeline.incr(key)
        return pipeline.execute()[1]

    def announce(self, channel: str, message: str = "") -> None:
        """Publish `message` to every process subscribed to `channel` (on the primary server).

        On return, Redis has written the message to every subscriber's connection: it writes
        what one command produced before it reads the next, and the PING below is the next.
        """
        client = self._cache.get_client(write=True)
        client.publish(self.make_key(channel), message)
        client.ping()

    def subscribe(self, channel: str, timeout: float):
        """A `redis.client.PubSub` subscribed to `channel`, once Redis has confirmed it.

        The confirmation matters: only announcements Redis receives after it reach the
        subscriber, so anything read from the cache after this returns is covered.
        """
        pubsub = self._cache.get_client(write=True).pubsub()
        try:
            pubsub.subscribe(self.make_key(channel))
            confirmed = pubsub.get_message(timeout=timeout)
            if not confirmed or confirmed["type"] != "subscribe":
                raise ConnectionError(f"Redis did not confirm the subscription within {timeout} s")
        except BaseException:
            pubsub.close()
            raise
        return pubsub
