"""Benchmark the site as production runs it, and print the figures (a script, not a test).

    make bench                                      # SQLite in bench/.data/, local-memory cache
    DATABASE_URL=postgres://…/clinic_bench REDIS_URL=redis://127.0.0.1:6379/1 make bench

It migrates the chosen database, collects static files (hashed and compressed, into
bench/.data/staticfiles), builds the data set (bench/dataset.py), measures SQL queries per page
in-process (cold: right after the article's content was invalidated; warm: the next request),
then starts gunicorn with production settings (DEBUG off, WhiteNoise, the real middleware) and
loads every page with `wrk` (Debian: `apt-get install wrk`), interleaving the pages round by
round so the figures compare on the same machine at the same moment. Throughput is reported as a
ratio to a hashed static file of the FAQ page's size served by WhiteNoise through the same
gunicorn. Last, each gunicorn worker's peak memory (VmHWM).

Environment (all optional): BENCH_ROUNDS (3), BENCH_DURATION seconds per page per round (5),
BENCH_CONNECTIONS (10), BENCH_THREADS (2), BENCH_WORKERS (2 × cores + 1), BENCH_PORT (a free one).
"""

import hashlib
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / "bench" / ".data"
LUA_REPORT = BASE_DIR / "bench" / "report.lua"


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


ROUNDS = env_int("BENCH_ROUNDS", 3)
DURATION = env_int("BENCH_DURATION", 5)
CONNECTIONS = env_int("BENCH_CONNECTIONS", 10)
THREADS = env_int("BENCH_THREADS", 2)
WORKERS = env_int("BENCH_WORKERS", 2 * (os.cpu_count() or 1) + 1)


def configure_environment() -> None:
    """Production settings, except plain HTTP on loopback (the TLS proxy's job in production)."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{DATA_DIR / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("DJANGO_CACHE_KEY_PREFIX", "clinic-bench")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "clinic.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_STATIC_ROOT": str(DATA_DIR / "staticfiles"),
            "DJANGO_STATICFILES_STORAGE": "whitenoise.storage.CompressedManifestStaticFilesStorage",
            # Whichever of these the security settings read: off for plain HTTP on loopback.
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SESSION_COOKIE_SECURE": "0",
            "DJANGO_CSRF_COOKIE_SECURE": "0",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    sys.path.insert(0, str(BASE_DIR))


@dataclass
class Target:
    name: str
    path: str
    article_slug: str | None = None
    queries_cold: int | None = None
    queries_warm: int | None = None
    size: int = 0
    rounds: list[dict] = field(default_factory=list)


def measure_queries(targets: list[Target]) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from articles.cache import replace_content_version
    from articles.models import Article

    client = Client(HTTP_HOST="127.0.0.1")
    for target in targets:
        if target.article_slug:
            replace_content_version(article_id=Article.objects.get(slug=target.article_slug).pk)
        counts = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(target.path)
            assert response.status_code == 200, (target.path, response.status_code)
            counts.append(len(captured.captured_queries))
        target.queries_cold, target.queries_warm = counts
        target.size = len(response.content)


def write_static_sample(size_like: Target) -> Target:
    """A hashed static file as big as a page, so the two compare like for like."""
    from django.conf import settings
    from django.test import Client

    body = Client(HTTP_HOST="127.0.0.1").get(size_like.path).content
    digest = hashlib.md5(body, usedforsecurity=False).hexdigest()[:12]
    folder = Path(settings.STATIC_ROOT) / "bench"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / f"sample.{digest}.html").write_bytes(body)
    return Target(
        name="static file (WhiteNoise)", path=f"{settings.STATIC_URL}bench/sample.{digest}.html", size=len(body)
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int) -> subprocess.Popen:
    log = (DATA_DIR / "gunicorn.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "gunicorn", "clinic.wsgi", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited; see {DATA_DIR / 'gunicorn.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=5) as response:  # noqa: S310
                if response.status == 200 and len(worker_pids(process.pid)) == WORKERS:
                    return process
        except OSError:
            pass
        time.sleep(0.3)
    process.terminate()
    sys.exit("gunicorn did not start within 60 s")


def worker_pids(master: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.append(int(stat.parent.name))
    return sorted(pids)


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_wrk(url: str, seconds: int) -> dict:
    result = subprocess.run(  # noqa: S603
        ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA_REPORT), url],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    line = [line for line in result.stdout.splitlines() if line.startswith("{")][-1]
    data = json.loads(line)
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    return data


def median(values) -> float:
    return statistics.median(values) if values else float("nan")


def describe_machine() -> list[str]:
    from django import get_version
    from django.conf import settings
    from django.db import connection

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "unknown CPU",
    )
    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if connection.vendor == "sqlite" else "show server_version")
        db_version = cursor.fetchone()[0]
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split(" Copyright")[0]  # noqa: S607
    return [
        f"machine: {os.cpu_count()} CPUs (nproc), {cpu}; Linux {platform.release()}",
        f"Python {platform.python_version()}, Django {get_version()}, database {connection.vendor} {db_version}, "
        f"cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}",
        f"gunicorn {WORKERS} sync workers; {wrk_version.strip()}: {THREADS} threads, {CONNECTIONS} connections, "
        f"{ROUNDS} rounds x {DURATION} s per page, interleaved",
    ]


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk (Debian/Ubuntu) or brew install wrk")
    configure_environment()
    import django

    django.setup()
    from django.core.management import call_command

    from bench import dataset

    print("== preparing (migrate, collectstatic, data set)", flush=True)
    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    for line in dataset.build_all():
        print(f"  {line}")

    pages = [
        Target("home", "/"),
        Target("FAQ article", f"/articles/{dataset.FAQ_SLUG}/", article_slug=dataset.FAQ_SLUG),
        Target("40-entry article", f"/articles/{dataset.LARGE_SLUG}/", article_slug=dataset.LARGE_SLUG),
        Target("contact GET", "/contact/"),
    ]
    slots = [
        ("2,000-comment article", "needs contacts.Comment: fill in dataset.build_comments (the 40-entry article)"),
        ("contact POST", "needs the message form: add a POST target (report.lua reads BENCH_METHOD/BENCH_BODY)"),
        ("admin message list (100,000)", "needs contacts.Message: time admin:contacts_message_changelist"),
    ]
    measure_queries(pages)
    static = write_static_sample(pages[1])
    targets = [static, *pages]

    port = env_int("BENCH_PORT", 0) or free_port()
    print(f"== gunicorn on 127.0.0.1:{port}; warming up", flush=True)
    server = start_gunicorn(port)
    try:
        for target in targets:
            run_wrk(f"http://127.0.0.1:{port}{target.path}", 1)
        for round_number in range(1, ROUNDS + 1):
            print(f"== round {round_number}/{ROUNDS}", flush=True)
            for target in targets:
                target.rounds.append(run_wrk(f"http://127.0.0.1:{port}{target.path}", DURATION))
        memory = {pid: peak_memory_mb(pid) for pid in worker_pids(server.pid)}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    static_rps = median([r["rps"] for r in static.rounds])
    print()
    for line in describe_machine():
        print(line)
    print()
    header = (
        f"{'page':<28}{'bytes':>8}{'req/s':>9}{'× static':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
        f"{'SQL cold/warm':>15}"
    )
    print(header)
    print("-" * len(header))
    for target in targets:
        rps = median([r["rps"] for r in target.rounds])
        errors = sum(sum(r["errors"].values()) for r in target.rounds)
        queries = "-" if target.queries_cold is None else f"{target.queries_cold}/{target.queries_warm}"
        print(
            f"{target.name:<28}{target.size:>8}{rps:>9.0f}{rps / static_rps:>10.2f}"
            f"{median([r['p50_us'] for r in target.rounds]) / 1000:>9.1f}"
            f"{median([r['p99_us'] for r in target.rounds]) / 1000:>9.1f}{errors:>8}{queries:>15}"
        )
    for name, why in slots:
        print(f"{name:<30}not measured yet: {why}")
    print()
    print("req/s, p50 and p99: medians over the rounds; errors: non-2xx/3xx, timeouts and socket errors, all rounds.")
    print("gunicorn worker peak memory (VmHWM): " + ", ".join(f"{mb:.1f} MB" for mb in memory.values()))


if __name__ == "__main__":
    main()
