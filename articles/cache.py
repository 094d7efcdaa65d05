"""Cached rendering of article content, shared by every app server through the default cache.

Rendered parts of an article (its entries and sources now; approved comments later) are stored
under keys that carry the article's *content version*: a random token kept in the cache and
replaced by `articles.services.article_content_invalidate` after every edit commits. A reader
reads the version before it reads the database, so content rendered from an old snapshot can
only ever be stored under a version nobody asks for any more: no reader sees stale content.

The cache is an accelerator, never a dependency: if it is unreachable, pages are rendered from
the database (slower, still correct) and a warning is logged.
"""

import functools
import hashlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from clinic.change_feed import announce_change

logger = logging.getLogger(__name__)

# Old versions are never read again; this only bounds how long they occupy memory.
CONTENT_TIMEOUT = 24 * 60 * 60


def article_version_key(article_id: int) -> str:
    return f"article:{article_id}:content-version"


# The home page lists articles: any article's change gives it a new version too.
HOME_VERSION_KEY = "home:content-version"


def content_version(*, article_id: int) -> str:
    """The article's current content version, or "" when the cache cannot be used.

    A missing version (never set, evicted, cache flushed) is replaced by a fresh random one, so
    a lost key can never bring back content stored under an earlier version.
    """
    return _current_version(article_version_key(article_id))


def home_version() -> str:
    """The home page's current content version (replaced with every article's), or ""."""
    return _current_version(HOME_VERSION_KEY)


def _current_version(key: str) -> str:
    try:
        version = cache.get(key)
        if version is None:
            version = uuid.uuid4().hex
            if not cache.add(key, version, timeout=None):
                version = cache.get(key) or version
    except Exception as exc:  # noqa: BLE001 - a cache outage must not take pages down
        logger.warning("article cache unavailable, rendering from the database: %s", exc.__class__.__name__)
        return ""
    return version


def replace_content_version(*, article_id: int) -> None:
    """Give the article a new content version: everything cached under the old one is unused.

    Call `articles.services.article_content_invalidate` instead: it waits for the commit.
    """
    cache.set_many(
        {article_version_key(article_id): uuid.uuid4().hex, HOME_VERSION_KEY: uuid.uuid4().hex}, timeout=None
    )
    # Processes that keep cached pages in their own memory drop them (clinic.change_feed).
    announce_change()


@dataclass(frozen=True)
class PageCacheMark:
    """Set by a view on `request.page_cache` when the whole page may be cached for anonymous readers.

    `version` was read from `version_key` before anything the page shows; `still_current()` is
    asked once more after rendering (it may re-read what was read before the version). A page
    is kept at most `timeout` seconds (until a scheduled article goes live, comments close...).
    """

    version_key: str
    version: str
    timeout: int = CONTENT_TIMEOUT
    still_current: Callable[[], bool] = lambda: True


@functools.cache
def release_stamp() -> str:
    """A fingerprint of the deployed templates, static files and page texts from settings.

    It is part of every cache key and ETag, so a deployment that changes markup, a hashed
    stylesheet name or a text every page shows (the clinic's name and phone, the reply time)
    never serves pages or fragments rendered by the previous release.
    """
    digest = hashlib.sha256()
    for name in ("CLINIC_NAME", "CLINIC_PHONE", "REPLY_TIME_TEXT", "OFFICE_HOURS_TEXT"):
        digest.update(f"{name}={getattr(settings, name, '')}\n".encode())
    digest.update(str(getattr(staticfiles_storage, "manifest_hash", "") or "").encode())
    for directory in [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]:
        for path in sorted(directory.rglob("*.html")):
            digest.update(str(path.relative_to(directory)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def article_cached(*, article, part: str, version: str, compute: Callable[[], Any]) -> Any:
    """What `compute()` returns for this part of the article, from the cache when possible.

    `version` is `content_version(article_id=article.pk)`, read before the article itself was
    read from the database. The key also carries the article's `updated_at` and the release,
    so an edit saved through any path that touches the article row is never hidden either.
    """
    if not version:
        return compute()
    key = f"article:{article.pk}:{part}:{version}:{article.updated_at.timestamp()}:{release_stamp()}"
    try:
        value = cache.get(key)
    except Exception as exc:  # noqa: BLE001 - see content_version()
        logger.warning("article cache unavailable, rendering from the database: %s", exc.__class__.__name__)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout=CONTENT_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - see content_version()
            logger.warning("article cache unavailable, not storing: %s", exc.__class__.__name__)
    return value


def article_fragment(*, article, part: str, version: str, render: Callable[[], str]) -> SafeString:
    """The HTML `render()` returns for this part of the article, from the cache when possible."""
    html = article_cached(article=article, part=part, version=version, compute=lambda: str(render()))
    return mark_safe(html)  # noqa: S308 - only ever rendered templates are stored


def page_etag(request, *parts) -> str:
    """An ETag for a page built from `parts` (what the page shows) and what the visitor sends.

    The visitor's cookies are part of it: a page carries their CSRF token and any flash
    message, so a new cookie (first visit, login, a message waiting) always gets a fresh page.
    """
    digest = hashlib.sha256()
    for part in (release_stamp(), request.META.get("HTTP_COOKIE", ""), *parts):
        digest.update(str(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()[:32]
