"""The embedded default as `gunicorn.conf.py` runs it: several workers, one SQLite file, no Redis.

A change made from another process (a shell) must reach every worker's readers within the
bound; a per-worker copy of anything a page shows would break that.
"""

import re
import secrets
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings

from deploy.local_nginx import free_port
from tests.deploy.web import fetch

BASE_DIR = Path(settings.BASE_DIR)
WORKERS = 3
READS = 40
FRESHNESS_BOUND = 10
PAGE = "/articles/workers/"


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    """Production settings on a fresh SQLite file; no Redis, nothing inherited from the test run."""
    import os

    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("DJANGO_") and name not in {"DATABASE_URL", "REDIS_URL"}
    }
    return {
        **inherited,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'clinic.sqlite3'}",
        # Plain HTTP on loopback (the TLS proxy's job in production).
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_HSTS_SECONDS": "0",
        # No collectstatic needed: pages link unhashed names.
        "DJANGO_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
    }


def manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def shell(env: dict[str, str], code: str) -> None:
    manage(env, "shell", "-c", f"from articles.models import Article, FaqEntry\n{code}")


@pytest.fixture
def gunicorn(production_env, tmp_path):
    """`gunicorn -c gunicorn.conf.py --workers 3` on the migrated file, logging which worker answered."""
    manage(production_env, "migrate", "--noinput")
    shell(
        production_env,
        "from django.utils import timezone\n"
        "article = Article.objects.create(title='Workers', slug='workers', status='published',"
        " published_at=timezone.now() - timezone.timedelta(days=1))\n"
        "FaqEntry.objects.create(article=article, question='Which worker?', answer='The old answer.',"
        " position=1, anchor='which')",
    )
    port = free_port()
    access_log = tmp_path / "access.log"
    output = tmp_path / "gunicorn.log"
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", str(WORKERS),
            "--bind", f"127.0.0.1:{port}", "--access-logfile", str(access_log), "--access-logformat", "%(p)s %(U)s",
            "clinic.wsgi",
        ],
        cwd=BASE_DIR, env=production_env, stdout=output.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, output.read_text()
            try:
                if fetch(f"http://127.0.0.1:{port}", "/healthz").status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"gunicorn did not answer within 30 s:\n{output.read_text()}"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", access_log
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def read_many(url: str, access_log: Path) -> tuple[list[str], set[str]]:
    """READS reads of the page, six at a time (so every worker takes some); the pages and the workers that answered."""
    seen = len(access_log.read_text().splitlines()) if access_log.exists() else 0
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: fetch(url, PAGE), range(READS)))
    assert [answer.status for answer in answers] == [200] * READS
    time.sleep(0.2)  # the log lines of the last answers
    lines = access_log.read_text().splitlines()[seen:]
    workers = {match[1] for line in lines if (match := re.match(r"<(\d+)> " + re.escape(PAGE), line))}
    return [answer.text for answer in answers], workers


def test_a_change_from_a_shell_reaches_the_readers_of_every_worker(gunicorn, production_env):
    url, access_log = gunicorn
    before, workers = read_many(url, access_log)
    assert all("The old answer." in page for page in before)
    assert len(workers) >= 2, f"the reads reached only worker {workers}: nothing to compare"

    shell(production_env, "FaqEntry.objects.filter(anchor='which').update(answer='The new answer.')")
    changed_at = time.monotonic()
    while True:
        after, workers = read_many(url, access_log)
        stale = sum("The old answer." in page for page in after)
        if stale == 0:
            break
        late = time.monotonic() - changed_at
        assert late < FRESHNESS_BOUND, f"{stale} of {READS} reads still showed the old answer {late:.1f} s after"
        time.sleep(0.5)

    assert all("The new answer." in page for page in after)
    assert len(workers) >= 2, f"the reads reached only worker {workers}"
