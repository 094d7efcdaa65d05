"""The site `make chaos` breaks (deploy/chaos.py): production settings, started with its faults within reach.

gunicorn (bench/app_server.py) with several workers, nginx with the shipped template in front
when installed (deploy/local_nginx.py), and the counselors' notifications sent by
`send_pending_notifications --loop 5`, as in production. gunicorn and the sender reach
PostgreSQL and Redis through a `TcpProxy` each and mail on a `MailServer` port
(deploy/fault_servers.py): the faults are the script's to cause, and no shared server is touched.
"""

import os
import secrets
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.app_server import start_gunicorn
from deploy.chaos_client import heading, staff_sign_in
from deploy.fault_servers import MailServer, TcpProxy
from deploy.local_nginx import LocalNginx, find_nginx, free_port

BASE_DIR = Path(__file__).resolve().parent.parent
# A scratch database of its own (created when missing): never point it at a live one.
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/clinic_chaos"
COUNSELOR = "chaos-counselor"


def via(url: str, port: int) -> str:
    """`url` with its host and port replaced by 127.0.0.1:`port` (user, password and path kept)."""
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    return urlunsplit(parts._replace(netloc=f"{credentials + '@' if credentials else ''}127.0.0.1:{port}"))


def host_port(url: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or default_port


def configure(folder: Path, *, cache_prefix: str) -> None:
    """Production settings, except plain HTTP on loopback (the TLS proxy's job in production)."""
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "clinic.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_STATIC_ROOT": str(folder / "staticfiles"),
            "DJANGO_STATICFILES_STORAGE": "whitenoise.storage.CompressedManifestStaticFilesStorage",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_HSTS_SECONDS": "0",
            # nginx in front (on loopback) sets X-Forwarded-For, as in production.
            "DJANGO_TRUSTED_PROXIES": "127.0.0.1",
            "DJANGO_CACHE_KEY_PREFIX": cache_prefix,
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "DJANGO_EMAIL_HOST": "127.0.0.1",
            "DJANGO_COUNSELORS_EMAIL": "counselors@clinic.test",
            # Server errors are emailed, as in production.
            "DJANGO_ADMINS": "Ops <ops@clinic.test>",
            # Every patient here comes from one address: the per-client limit would hold most back.
            "DJANGO_MESSAGE_RATE_LIMIT": "1000000000/600",
        }
    )


def prepare(password: str) -> None:
    """Django set up on the scratch database: migrated, static files collected, and a counselor who
    signs in with `password`."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from bench.run import ensure_database
    from clinic.roles import COUNSELORS, roles_sync

    ensure_database()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    roles_sync()
    user, _created = get_user_model().objects.get_or_create(username=COUNSELOR, defaults={"is_staff": True})
    user.set_password(password)
    user.save()
    user.groups.set(Group.objects.filter(name=COUNSELORS))


class Site:
    """The running site. `url` is what browsers talk to; `database`, `redis` (None without Redis) and
    `mail` are the handles on its faults; `server` is the gunicorn master."""

    def __init__(self, folder: Path, *, workers: int):
        self.folder = folder
        self.database = TcpProxy(host_port(os.environ["DATABASE_URL"], 5432)).start()
        self.redis_server, redis_url = self._start_redis()
        self.redis = TcpProxy(host_port(redis_url, 6379)).start() if redis_url else None
        self.mail = MailServer()
        self.mail.up()
        env = {
            **os.environ,
            "DATABASE_URL": via(os.environ["DATABASE_URL"], self.database.port),
            "DJANGO_CACHE_URL": via(redis_url, self.redis.port) if self.redis else "",
            "DJANGO_EMAIL_PORT": str(self.mail.port),
        }
        port = free_port()
        self.server = start_gunicorn(port, workers=workers, log_path=folder / "gunicorn.log", env=env)
        self.url = f"http://127.0.0.1:{port}"
        self.nginx = None
        if binary := find_nginx():
            from django.conf import settings

            self.nginx = LocalNginx(binary, folder / "nginx", f"127.0.0.1:{port}", Path(settings.STATIC_ROOT))
            self.url = self.nginx.start().url
        self.sender = subprocess.Popen(
            [sys.executable, "manage.py", "send_pending_notifications", "--loop", "5"],
            cwd=BASE_DIR,
            env=env,
            stdout=(folder / "sender.log").open("w"),
            stderr=subprocess.STDOUT,
        )

    def _start_redis(self) -> tuple[subprocess.Popen | None, str]:
        """A private redis-server on a free port when installed, else REDIS_URL's server, else none ("")."""
        binary = shutil.which("redis-server")
        if binary is None:
            return None, os.environ.get("REDIS_URL", "")
        port = free_port()
        process = subprocess.Popen(  # noqa: S603 - the installed redis-server, our arguments
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=(self.folder / "redis.log").open("w"),
        )
        return process, f"redis://127.0.0.1:{port}/0"

    def describe(self) -> str:
        front = "nginx in front (the shipped template)" if self.nginx else "gunicorn alone (nginx is not installed)"
        redis = "a private redis-server" if self.redis_server else ("REDIS_URL" if self.redis else "none")
        return f"{front}; Redis: {redis}; the notification sender runs every 5 s"

    def counselor_visit(self, password: str) -> str:
        """A counselor signs in and opens the message list: what they saw, and how long it took."""
        from django.conf import settings

        signed_in, answer = staff_sign_in(self.url, settings.ADMIN_PATH, COUNSELOR, password)
        page = heading(answer)
        what = "signed in and opened the message list" if signed_in else f"could not sign in: {answer.status}"
        if not signed_in and page:
            what += f" “{page}”"
        return f"{what} in {answer.seconds * 1000:.0f} ms"

    def stop(self) -> None:
        for process in (self.sender, self.server):
            process.send_signal(signal.SIGTERM)
        if self.nginx:
            self.nginx.stop()
        for process in (self.sender, self.server, self.redis_server):
            if process is None:
                continue
            if process is self.redis_server:
                process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for proxy in (self.database, self.redis):
            if proxy:
                proxy.cut()
        self.mail.down()
