"""Benchmark the site as production runs it, and print the figures (a script, not a test).

    make bench                                      # SQLite in bench/.data/, local-memory cache
    DATABASE_URL=postgres://…/clinic_bench REDIS_URL=redis://127.0.0.1:6379/1 make bench

It migrates the chosen database, collects static files (hashed and compressed, into
bench/.data/staticfiles), builds the data set (bench/dataset.py: the FAQ article, an article with
40 entries and 2,000 approved comments, 100,000 messages, 20 staff), measures SQL queries per page
in-process (cold: right after the article's content was invalidated; warm: the next request) and
times the admin message list and its filters as a counselor, printing the indexes each query
uses (EXPLAIN) and whether any counts the whole table. Then it starts gunicorn with production
settings (DEBUG off, WhiteNoise, the real middleware) and loads every page with `wrk` (Debian:
`apt-get install wrk`), interleaving the pages round by round so the figures compare on the same
machine at the same moment. Each page's throughput is reported as a ratio to that of a hashed
static file of the same size (a copy of the page) served by WhiteNoise through the same gunicorn
(`clinic.wsgi`, with the page cache in front of Django), measured in the same round, just before
each page; the ratio printed is the median of the rounds' ratios. The contact POST sends a valid form
(CSRF cookie and token, a signed start time, a text unique to each request) with the per-client
limit raised (DJANGO_MESSAGE_RATE_LIMIT: wrk is one client), and compares the rows stored with
the 302 answers; each message also stores the counselors' notification and sends it after commit,
through Django's dummy mail backend (no mail server in the figures). Last, each gunicorn
worker's peak memory (VmHWM) and the machine's load.

Environment (all optional): BENCH_ROUNDS (5), BENCH_DURATION seconds per page per round (5),
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


ROUNDS = env_int("BENCH_ROUNDS", 5)
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
            # Off for plain HTTP on loopback (the TLS proxy's job in production).
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_HSTS_SECONDS": "0",
            # Each message stores the counselors' notification and sends it after commit, as in
            # production; the dummy backend stands in for the mail server (no SMTP in the figures).
            "DJANGO_COUNSELORS_EMAIL": "counselors@clinic.test",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            # wrk is one client: the per-client message limit would refuse all but the first few.
            "DJANGO_MESSAGE_RATE_LIMIT": "1000000000/600",
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
    # A POST target: wrk's environment for report.lua, and the rows stored in each round.
    wrk_env: dict[str, str] = field(default_factory=dict)
    stored: list[int] = field(default_factory=list)
    # The static file whose throughput this target's is reported against (itself when None).
    compare_with: "Target | None" = None


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


ADMIN_TIMINGS = 7  # requests per admin URL; the first is a warm-up, the rest are timed


def admin_list_urls() -> list[tuple[str, str]]:
    from urllib.parse import urlencode

    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from django.utils import timezone

    from bench.dataset import STAFF_PREFIX

    url = reverse("admin:contacts_message_changelist")
    assignee = get_user_model().objects.filter(username=f"{STAFF_PREFIX}7").values_list("pk", flat=True).first()
    # As the admin's own "Past 7 days" link writes it.
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    since, until = today - timezone.timedelta(days=7), today + timezone.timedelta(days=1)
    week = urlencode({"created_at__gte": str(since), "created_at__lt": str(until)})
    return [
        ("open queue (default)", url),
        ("status: new", f"{url}?queue=new"),
        ("status: closed", f"{url}?queue=closed"),
        ("status: all", f"{url}?queue=all"),
        ("urgent: yes", f"{url}?urgent__exact=1"),
        ("assignee", f"{url}?assigned_to__id__exact={assignee}&queue=all"),
        ("date: past 7 days", f"{url}?{week}&queue=all"),
        ("new + urgent", f"{url}?queue=new&urgent__exact=1"),
        ("closed, page 100", f"{url}?queue=closed&p=100"),
    ]


def explain_indexes(sql: str) -> list[str]:
    """The indexes (or full scans) the database plans for one query on the messages table."""
    import re

    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            found = re.findall(r"(?:Index (?:Only )?Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)", plan)
            found += [f"SEQ SCAN {name}" for name in re.findall(r"Seq Scan on (\w+)", plan)]
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            details = [str(row[-1]) for row in cursor.fetchall()]
            found = [name for detail in details for name in re.findall(r"USING (?:COVERING )?INDEX (\w+)", detail)]
            found += [f"FULL SCAN {match[1]}" for d in details if (match := re.fullmatch(r"SCAN (\w+)", d))]
    return list(dict.fromkeys(found)) or ["(no table scan)"]


def measure_admin() -> list[str]:
    """Time the counselors' message list and its filters, and show each query's indexes."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.dataset import COUNSELOR
    from contacts.models import Message

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(
        get_user_model().objects.get(username=COUNSELOR), backend="django.contrib.auth.backends.ModelBackend"
    )
    table = Message._meta.db_table
    lines = [
        f"admin message list as a counselor, {Message.objects.count():,} rows; ms over {ADMIN_TIMINGS - 1} requests:"
    ]
    for label, url in admin_list_urls():
        timings = []
        for attempt in range(ADMIN_TIMINGS):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (url, response.status_code)
            if attempt:
                timings.append(elapsed)
        lines.append(
            f"  {label:<22} median {median(timings):6.1f}  max {max(timings):6.1f}  "
            f"{len(captured.captured_queries)} queries"
        )
        for query in captured.captured_queries:
            sql = query["sql"]
            if f'"{table}"' not in sql or not sql.lstrip().upper().startswith("SELECT"):
                continue
            kind = "count" if "COUNT(" in sql.upper() else "rows "
            where = sql.upper().split(" WHERE ", 1)
            if kind == "count" and len(where) == 1:
                kind = "FULL COUNT"
            lines.append(f"      {kind} {query['time']:>6}s  {', '.join(explain_indexes(sql))}")
    return lines


def write_static_samples(pages: list[Target]) -> list[Target]:
    """For each page, a hashed static file of the same size, so that each compares like for like."""
    from django.conf import settings
    from django.test import Client

    folder = Path(settings.STATIC_ROOT) / "bench"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    samples = []
    for page in pages:
        body = Client(HTTP_HOST="127.0.0.1").get(page.path).content
        digest = hashlib.md5(body, usedforsecurity=False).hexdigest()[:12]
        (folder / f"sample.{digest}.html").write_bytes(body)
        path = f"{settings.STATIC_URL}bench/sample.{digest}.html"
        samples.append(Target(name=f"static, {page.name} size", path=path, size=len(body)))
        page.compare_with = samples[-1]
    return samples


def contact_post_target(port: int) -> Target:
    """A valid message form as a new visitor sends it: the page's CSRF cookie and token, its signed
    start time, and a text made unique per request by report.lua (so duplicate detection, which
    answers a resend with the stored message, never stands in for storing one)."""
    import re
    from http.cookies import SimpleCookie
    from urllib.parse import urlencode

    from django.conf import settings

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/contact/", timeout=10) as response:  # noqa: S310
        page = response.read().decode()
        jar = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
    field_value = {
        name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1) for name in ("csrfmiddlewaretoken", "started")
    }
    body = urlencode(
        {
            **field_value,
            "name": "Sam",
            "preferred_method": "email",
            "email": "sam@example.com",
            "body": "I would like to talk to someone about my pain medication. Reference BENCHSEQ.",
            "voicemail_ok": "no",
            "clinic_name_ok": "no",
            "consent": "on",
            "sent_from": "/contact/",
            "website": "",
        }
    )
    return Target(
        name="contact POST (302 = stored)",
        path="/contact/",
        size=len(body),
        wrk_env={
            "BENCH_METHOD": "POST",
            "BENCH_BODY": body,
            "BENCH_CONTENT_TYPE": "application/x-www-form-urlencoded",
            "BENCH_COOKIE": f"{settings.CSRF_COOKIE_NAME}={jar[settings.CSRF_COOKIE_NAME].value}",
        },
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


def run_wrk(url: str, seconds: int, env: dict[str, str] | None = None) -> dict:
    result = subprocess.run(  # noqa: S603
        ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA_REPORT), url],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {}), "BENCH_RUN": secrets.token_hex(4)},
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


def ensure_database() -> None:
    """Create the PostgreSQL database DATABASE_URL names if it does not exist yet (SQLite creates its own)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    name = connection.settings_dict["NAME"]
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            print(f"  creating database {name}", flush=True)
            cursor.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk (Debian/Ubuntu) or brew install wrk")
    configure_environment()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from bench import dataset
    from contacts.models import Message, Notification

    print("== preparing (migrate, collectstatic, data set)", flush=True)
    ensure_database()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    for line in dataset.build_all():
        print(f"  {line}")
    messages_loaded = Message.objects.count()

    pages = [
        Target("home", "/"),
        Target("FAQ article", f"/articles/{dataset.FAQ_SLUG}/", article_slug=dataset.FAQ_SLUG),
        Target("40 entries+2,000 comments", f"/articles/{dataset.LARGE_SLUG}/", article_slug=dataset.LARGE_SLUG),
        Target("contact GET", "/contact/"),
    ]
    measure_queries(pages)
    statics = write_static_samples(pages[:3])
    pages[3].compare_with = statics[0]  # the contact form is about the home page's size
    print("== admin message list", flush=True)
    admin_lines = measure_admin()
    load_before = os.getloadavg()

    port = env_int("BENCH_PORT", 0) or free_port()
    print(f"== gunicorn on 127.0.0.1:{port}; warming up", flush=True)
    server = start_gunicorn(port)
    try:
        form_loaded = time.monotonic()
        contact_post = contact_post_target(port)
        contact_post.compare_with = statics[1]
        targets = [*statics, *pages, contact_post]
        # Each page right after its static file, so that a ratio compares two measurements taken
        # seconds apart: this VM's speed drifts by tens of percent within a run.
        home, faq, large, contact_get = pages
        run_order = [statics[0], home, contact_get, statics[1], faq, statics[2], large, contact_post]
        for target in run_order:
            if target is contact_post:  # a form sent sooner than this is stored as suspected spam
                time.sleep(max(0.0, settings.MIN_FORM_FILL_SECONDS + 1 - (time.monotonic() - form_loaded)))
            run_wrk(f"http://127.0.0.1:{port}{target.path}", 1, target.wrk_env)
        for round_number in range(1, ROUNDS + 1):
            print(f"== round {round_number}/{ROUNDS}", flush=True)
            for target in run_order:
                before = Message.objects.count() if target is contact_post else 0
                target.rounds.append(run_wrk(f"http://127.0.0.1:{port}{target.path}", DURATION, target.wrk_env))
                if target is contact_post:
                    time.sleep(1)  # the requests wrk left in flight when it stopped
                    target.stored.append(Message.objects.count() - before)
        memory = {pid: peak_memory_mb(pid) for pid in worker_pids(server.pid)}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    load_after = os.getloadavg()

    print()
    for line in describe_machine():
        print(line)
    print()
    header = (
        f"{'page':<36}{'bytes':>8}{'req/s':>9}{'× static':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
        f"{'SQL cold/warm':>15}"
    )
    print(header)
    print("-" * len(header))
    for target in targets:
        rps = median([r["rps"] for r in target.rounds])
        errors = sum(sum(r["errors"].values()) for r in target.rounds)
        queries = "-" if target.queries_cold is None else f"{target.queries_cold}/{target.queries_warm}"
        static = target.compare_with or target
        ratio = median([r["rps"] / s["rps"] for r, s in zip(target.rounds, static.rounds, strict=True)])
        print(
            f"{target.name:<36}{target.size:>8}{rps:>9.0f}{ratio:>10.2f}"
            f"{median([r['p50_us'] for r in target.rounds]) / 1000:>9.1f}"
            f"{median([r['p99_us'] for r in target.rounds]) / 1000:>9.1f}{errors:>8}{queries:>15}"
        )
    print()
    posted = sum(r["redirects"] for r in contact_post.rounds)
    cut_off = sum(r["sent"] - r["answered"] for r in contact_post.rounds)
    stored = sum(contact_post.stored)
    seconds = sum(r["duration_us"] for r in contact_post.rounds) / 1e6
    # A 302 is sent only after the row is committed; requests wrk had sent when it stopped are
    # still stored by the server, unseen. So none is lost when 302s <= rows <= 302s + those.
    lost = posted > stored or stored > posted + cut_off
    print(
        f"contact POST: {posted / seconds:.0f} stored/s over {seconds:.0f} s; 302 answers {posted:,}; "
        f"rows stored {stored:,}; requests still with the server when wrk stopped: at most {cut_off}: "
        + ("MISMATCH" if lost else "none lost")
    )
    received = Message.objects.count() - messages_loaded  # the warm-up's included
    notified = Notification.objects.count()
    sent = Notification.objects.filter(sent_at__isnull=False).count()
    print(
        f"counselors' notifications (dummy mail backend): {notified:,} stored and {sent:,} sent for {received:,} "
        "messages received: " + ("one each" if notified == sent == received else "MISMATCH")
    )
    print("× static: median over the rounds of req/s over that of the static file of the same size in the same round")
    print("  (WhiteNoise, same gunicorn), run just before each page; the contact form against the home page's size and")
    print("  the contact POST against the FAQ article's, a few runs earlier in the round.")
    print("req/s, p50 and p99: medians over the rounds; errors: non-2xx/3xx, timeouts and socket errors, all rounds.")
    print("gunicorn worker peak memory (VmHWM): " + ", ".join(f"{mb:.1f} MB" for mb in memory.values()))
    print(
        "load average (1/5/15 min) before the load runs: "
        + "/".join(f"{x:.1f}" for x in load_before)
        + ", after: "
        + "/".join(f"{x:.1f}" for x in load_after)
    )
    print()
    for line in admin_lines:
        print(line)


if __name__ == "__main__":
    main()
