"""Lets each process know, without asking Redis, whether any article content changed since it last looked.

`articles.cache.replace_content_version` announces every content change on the shared Redis
(pub/sub) right after it stores the new version. Each app server process keeps one subscriber
connection and, before trusting something it copied from the cache into its own memory, reads
whatever notices have arrived on that connection: a look at a local socket, no round trip.

`generation()` is a number that changes whenever content may have changed: a notice arrived,
the subscription was (re)established, or it failed. A copy taken while the generation was N is
current for as long as the generation is still N. It returns None when no such promise can be
made (Redis is unreachable, or a cache backend shared some other way): then every read goes to
the cache. With the local-memory cache (one process's own, `make run` and the tests) only this
process can change what it holds, so its own announcements are all there is to know.

Notices travel with Redis's own delivery: an editor's save is known to every subscribed process
within the time one message takes to cross the network, before the editor's own page reloads.
A connection that dies without a sign (a silent network partition) cannot be noticed here, which
is why copies are also checked against the cache every few seconds (`clinic.page_cache`).
"""

import contextlib
import logging
import os
import threading
import time

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.locmem import LocMemCache

logger = logging.getLogger(__name__)

CHANNEL = "content-changed"
# How long to wait for Redis to confirm a subscription, and before trying again after a failure.
SUBSCRIBE_TIMEOUT = 1.0
RETRY_AFTER = 5.0


# Changes this process announced: the whole story for a local-memory cache.
_announced_here = 0


def announce_change() -> None:
    """Tell every app server process that some content version was replaced (after storing it)."""
    global _announced_here  # noqa: PLW0603 - a per-process counter is what it is
    _announced_here += 1
    if hasattr(cache, "announce"):
        cache.announce(CHANNEL)


class ChangeFeed:
    """One subscriber per process; safe to share between threads and to create before a fork."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pid = None
        self._pubsub = None
        self._generation = 0
        self._retry_at = 0.0

    def generation(self) -> int | None:
        backend = caches[DEFAULT_CACHE_ALIAS]
        if isinstance(backend, LocMemCache):
            return _announced_here
        if not hasattr(backend, "subscribe"):
            return None
        with self._lock:
            if self._pid != os.getpid():  # a forked worker never reads its parent's connection
                self._pubsub, self._pid = None, os.getpid()
            if self._pubsub is None and not self._subscribe():
                return None
            try:
                # Data waiting (or a closed connection) is a change notice, the client's own
                # resubscription after a reconnect (notices may have been missed), or an error:
                # in every case copies taken before are no longer current.
                while self._pubsub.connection.can_read(timeout=0):
                    self._pubsub.get_message(timeout=0.0)
                    self._generation += 1
            except Exception as exc:  # noqa: BLE001 - the feed is an accelerator, never a dependency
                logger.warning("change feed lost, reading every page from the cache: %s", exc.__class__.__name__)
                self._drop()
                return None
            return self._generation

    def _subscribe(self) -> bool:
        if time.monotonic() < self._retry_at:
            return False
        try:
            self._pubsub = caches[DEFAULT_CACHE_ALIAS].subscribe(CHANNEL, timeout=SUBSCRIBE_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - see generation()
            logger.warning("change feed unavailable, reading every page from the cache: %s", exc.__class__.__name__)
            self._drop()
            return False
        self._generation += 1
        return True

    def close(self) -> None:
        """Let go of the subscriber connection (the feed is being replaced)."""
        with self._lock:
            self._drop()

    def _drop(self) -> None:
        if self._pubsub is not None:
            with contextlib.suppress(Exception):  # closing a broken connection may fail too
                self._pubsub.close()
        self._pubsub = None
        self._generation += 1
        self._retry_at = time.monotonic() + RETRY_AFTER
