"""Benchmark the site as production runs it, and print the figures (a script, not a test).

    make bench                                      # SQLite in bench/.data/, no Redis
    DATABASE_URL=postgres://…/clinic_bench make bench

Needs `wrk` and `nginx` (Debian: `apt-get install wrk nginx`). It migrates the chosen database,
collects static files (hashed and compressed, into bench/.data/staticfiles), builds the data set
(bench/dataset.py: the FAQ article, an article with 40 entries and 2,000 approved comments,
100,000 messages, 20 staff), counts the SQL queries each page costs (in-process) and times the
admin message list (bench/admin_list.py). Then it starts gunicorn with production settings
(DEBUG off, WhiteNoise, the real middleware) and, in front of it, nginx with the shipped template
(deploy/nginx/clinic.conf.template, through deploy/local_nginx.py), and loads every target with
wrk, interleaved round by round so the figures compare on the same machine at the same moment:

- through nginx: the anonymous FAQ article (from nginx's page cache, refilled from gunicorn each
  time Django's s-maxage runs out), against a static file of the same size that nginx sends
  from the static root (the issue's target: at least 0.6 of it);
- gunicorn alone: each page against a static file of its size served by WhiteNoise through the
  same gunicorn;
- the contact POST through nginx, as a browser sends it from the site's own page, with the
  per-client limit raised (DJANGO_MESSAGE_RATE_LIMIT: wrk is one client); rows stored are
  compared with the 302 answers, and each message must have stored one counselors' notification
  in the outbox (the request never sends it: `send_pending_notifications` does, outside the
  figures, so no mail server is involved).

A ratio compares two measurements taken seconds apart (each target right after its static
file); the ratio printed is the median of the rounds' ratios. Last, each gunicorn worker's memory
(resident now and peak) and the machine's load.

Environment (all optional): BENCH_ROUNDS (5), BENCH_DURATION seconds per target per round (5),
BENCH_CONNECTIONS (10), BENCH_THREADS (2), BENCH_WORKERS (2 × cores + 1), BENCH_PORT (a free one).
"""

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / "bench" / ".data"
LUA_REPORT = BASE_DIR / "bench" / "report.lua"
sys.path.insert(0, str(BASE_DIR))

from bench.app_server import memory_mb, start_gunicorn, worker_pids  # noqa: E402
from bench.report import describe_machine, median, print_table  # noqa: E402
from bench.targets import Target, contact_post_target, measure_queries, write_static_samples  # noqa: E402
from deploy.local_nginx import LocalNginx, find_nginx, free_port  # noqa: E402


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


ROUNDS = env_int("BENCH_ROUNDS", 5)
DURATION = env_int("BENCH_DURATION", 5)
CONNECTIONS = env_int("BENCH_CONNECTIONS", 10)
THREADS = env_int("BENCH_THREADS", 2)
WORKERS = env_int("BENCH_WORKERS", 2 * (os.cpu_count() or 1) + 1)
MEMORY_BUDGET_MB = 120
NGINX_TARGET_RATIO = 0.6


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
            # nginx in front (on loopback) sets X-Forwarded-For, as in production.
            "DJANGO_TRUSTED_PROXIES": "127.0.0.1",
            # Each message stores the counselors' notification, as in production; no request sends
            # mail (the scheduled sender does, and the bench does not run it). The dummy backend
            # makes sure nothing reaches a mail server should anything try.
            "DJANGO_COUNSELORS_EMAIL": "counselors@clinic.test",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            # wrk is one client: the per-client message limit would refuse all but the first few.
            "DJANGO_MESSAGE_RATE_LIMIT": "1000000000/600",
        }
    )


def cache_status(url: str) -> str:
    """What nginx's page cache did with a second read of the page (HIT when the page is cacheable)."""
    for _ in range(2):
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
            status = response.headers.get("X-Cache-Status", "")
            control = response.headers.get("Cache-Control", "")
            cookies = response.headers.get_all("Set-Cookie") or []
    return f"X-Cache-Status {status or '-'}; Cache-Control {control or '-'}; Set-Cookie: {len(cookies)}"


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
    nginx_binary = find_nginx()
    if nginx_binary is None:
        sys.exit("nginx is needed: apt-get install nginx (Debian/Ubuntu) or brew install nginx")
    configure_environment()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from bench import dataset
    from bench.admin_list import measure_admin
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
        Target("FAQ article", f"/articles/{dataset.FAQ_SLUG}/"),
        Target("40 entries+2,000 comments", f"/articles/{dataset.LARGE_SLUG}/"),
        Target("contact GET", "/contact/"),
    ]
    measure_queries(pages)
    statics = write_static_samples(pages[:3])
    pages[3].compare_with = statics[0]  # the contact form is about the home page's size
    faq = pages[1]
    nginx_static = Target(statics[1].name, statics[1].path, size=statics[1].size, via="nginx")
    nginx_faq = Target(faq.name, faq.path, queries=faq.queries, size=faq.size, via="nginx", compare_with=nginx_static)
    print("== admin message list", flush=True)
    admin_lines = measure_admin()
    load_before = os.getloadavg()

    port = env_int("BENCH_PORT", 0) or free_port()
    print(f"== gunicorn on 127.0.0.1:{port}, nginx in front; warming up", flush=True)
    server = start_gunicorn(port, workers=WORKERS, log_path=DATA_DIR / "gunicorn.log")
    nginx = LocalNginx(
        nginx_binary,
        DATA_DIR / "nginx",
        f"127.0.0.1:{port}",
        Path(settings.STATIC_ROOT),
        workers=os.cpu_count() or 1,
        access_log=False,
    )
    shutil.rmtree(nginx.folder, ignore_errors=True)
    nginx.start()
    try:
        cached = cache_status(nginx.url + nginx_faq.path)
        urls = {"gunicorn": f"http://127.0.0.1:{port}", "nginx": nginx.url}
        contact_post = contact_post_target(nginx.url)
        contact_post.compare_with = nginx_static
        # Each target right after its static file, so that a ratio compares two measurements taken
        # seconds apart: this VM's speed drifts by tens of percent within a run.
        home, _faq, large, contact_get = pages
        run_order = [
            nginx_static, nginx_faq,
            statics[0], home, contact_get, statics[1], faq, statics[2], large,
            contact_post,
        ]  # fmt: skip
        for target in run_order:
            run_wrk(urls[target.via] + target.path, 1, target.wrk_env)
        for round_number in range(1, ROUNDS + 1):
            print(f"== round {round_number}/{ROUNDS}", flush=True)
            for target in run_order:
                before = Message.objects.count() if target is contact_post else 0
                target.rounds.append(run_wrk(urls[target.via] + target.path, DURATION, target.wrk_env))
                if target is contact_post:
                    time.sleep(1)  # the requests wrk left in flight when it stopped
                    target.stored.append(Message.objects.count() - before)
        memory = {pid: memory_mb(pid) for pid in worker_pids(server.pid)}
    finally:
        nginx.stop()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    load_after = os.getloadavg()

    print()
    for line in describe_machine(
        nginx_binary, workers=WORKERS, threads=THREADS, connections=CONNECTIONS, rounds=ROUNDS, duration=DURATION
    ):
        print(line)
    print()
    print_table(run_order[:2] + statics + pages + [contact_post])
    print()
    ratio = median([r["rps"] / s["rps"] for r, s in zip(nginx_faq.rounds, nginx_static.rounds, strict=True)])
    print(
        f"FAQ article through nginx: {median([r['rps'] for r in nginx_faq.rounds]):.0f} req/s, "
        f"{ratio:.2f} × nginx's static file of the same size (target >= {NGINX_TARGET_RATIO}): "
        + ("met" if ratio >= NGINX_TARGET_RATIO else "NOT MET")
        + f"; gunicorn alone: {median([r['rps'] for r in faq.rounds]):.0f} req/s"
    )
    print(f"  before the run, a second read through nginx gave: {cached}")
    posted = sum(r["redirects"] for r in contact_post.rounds)
    cut_off = sum(r["sent"] - r["answered"] for r in contact_post.rounds)
    stored = sum(contact_post.stored)
    seconds = sum(r["duration_us"] for r in contact_post.rounds) / 1e6
    # A 302 is sent only after the row is committed; requests wrk had sent when it stopped are
    # still stored by the server, unseen. So none is lost when 302s <= rows <= 302s + those.
    lost = posted > stored or stored > posted + cut_off
    print(
        f"contact POST through nginx: {posted / seconds:.0f} stored/s over {seconds:.0f} s; 302 answers {posted:,}; "
        f"rows stored {stored:,}; requests still with the server when wrk stopped: at most {cut_off}: "
        + ("MISMATCH" if lost else "none lost")
    )
    received = Message.objects.count() - messages_loaded  # the warm-up's included
    notified = Notification.objects.count()
    sent = Notification.objects.filter(sent_at__isnull=False).count()
    print(
        f"counselors' notifications: {notified:,} stored in the outbox for {received:,} messages received, "
        f"{sent:,} sent by a request: " + ("one each, none sent" if notified == received and not sent else "MISMATCH")
    )
    print("× static: median over the rounds of req/s over that of the static file of the same size in the same round,")
    print("  run just before it: through nginx, nginx's own static file; from gunicorn, WhiteNoise's through the same")
    print("  gunicorn (the contact form against the home page's size; the contact POST against nginx's FAQ-size file).")
    print("req/s, p50 and p99: medians over the rounds; errors: non-2xx/3xx, timeouts and socket errors, all rounds.")
    print("SQL: queries of one render of the page (nginx's cached copies cost none).")
    worst = max((peak for _rss, peak in memory.values()), default=float("nan"))
    print(
        "gunicorn workers' memory, resident now / peak (VmRSS/VmHWM): "
        + ", ".join(f"{rss:.1f}/{peak:.1f} MB" for rss, peak in memory.values())
        + f": {'within' if worst < MEMORY_BUDGET_MB else 'OVER'} the {MEMORY_BUDGET_MB} MB budget"
    )
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
