"""Content change notices between app servers: a process learns of any change without a round trip."""

import socket

import pytest

from articles.cache import replace_content_version
from clinic.change_feed import CHANNEL, ChangeFeed
from clinic.redis_cache import PooledRedisCache


def another_server(redis_url: str, prefix: str) -> PooledRedisCache:
    """The shared cache as another app server's process has it: its own connections."""
    return PooledRedisCache(redis_url, {"KEY_PREFIX": prefix})


def test_with_the_local_memory_cache_the_generation_follows_this_process_announcements():
    feed = ChangeFeed()
    before = feed.generation()  # the tests' cache: one process's own memory

    assert feed.generation() == before
    replace_content_version(article_id=1)
    assert feed.generation() not in (before, None)


def test_a_cache_shared_by_other_means_gets_no_promise(settings, tmp_path):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)}
    }

    assert ChangeFeed().generation() is None


def test_the_generation_holds_while_nothing_changes(shared_cache):
    feed = ChangeFeed()
    generation = feed.generation()

    shared_cache.set("unrelated", 1)

    assert generation is not None
    assert feed.generation() == generation


def test_a_change_announced_by_another_server_moves_the_generation_at_once(shared_cache, redis_url, redis_key_prefix):
    feed = ChangeFeed()
    before = feed.generation()

    another_server(redis_url, redis_key_prefix).announce(CHANNEL)

    assert feed.generation() not in (before, None)


def test_replacing_an_articles_content_version_is_announced(shared_cache):
    feed = ChangeFeed()
    before = feed.generation()

    replace_content_version(article_id=1)

    assert feed.generation() not in (before, None)


def test_a_site_sharing_the_redis_under_another_prefix_is_not_heard(shared_cache, redis_url):
    feed = ChangeFeed()
    before = feed.generation()

    another_server(redis_url, "another-site").announce(CHANNEL)

    assert feed.generation() == before


def test_a_lost_connection_never_keeps_the_old_generation(shared_cache, redis_url, redis_key_prefix):
    feed = ChangeFeed()
    before = feed.generation()

    feed._pubsub.connection._sock.shutdown(socket.SHUT_RDWR)  # the connection dies (Redis restarted...)
    after = feed.generation()
    another_server(redis_url, redis_key_prefix).announce(CHANNEL)

    assert after != before  # a new number or None: copies taken before are never trusted again
    final = feed.generation()
    assert final is None or final not in (after, before)  # changes are heard again, or nothing is promised


def test_without_a_reachable_redis_the_feed_promises_nothing(settings, unused_tcp_port):
    settings.CACHES = {
        "default": {
            "BACKEND": "clinic.redis_cache.PooledRedisCache",
            "LOCATION": f"redis://127.0.0.1:{unused_tcp_port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }

    assert ChangeFeed().generation() is None


@pytest.mark.parametrize("announcements", [1, 3])
def test_every_pending_notice_is_read_in_one_look(shared_cache, redis_url, redis_key_prefix, announcements):
    feed = ChangeFeed()
    before = feed.generation()
    server = another_server(redis_url, redis_key_prefix)
    for _ in range(announcements):
        server.announce(CHANNEL)

    after = feed.generation()

    assert after == before + announcements
    assert feed.generation() == after


def test_a_closed_feed_lets_go_of_its_connection(shared_cache):
    feed = ChangeFeed()
    feed.generation()
    pubsub = feed._pubsub

    feed.close()

    assert feed._pubsub is None
    assert pubsub.connection is None  # returned to the pool, no subscription left open
