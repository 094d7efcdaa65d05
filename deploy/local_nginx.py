"""Run the shipped nginx template on this machine, inside a scratch folder (tests and `make bench`).

The template is rendered as `envsubst` renders it with a list of variables (only the CLINIC_*
values given are replaced) and wrapped in a minimal main configuration: nginx in the foreground,
its pid, temporary files, page cache and logs inside the folder, workers as the current user.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "clinic.conf.template"
# Debian and most distributions install it there; `nginx` on PATH wins.
SYSTEM_NGINX = "/usr/sbin/nginx"
VARIABLE = re.compile(r"\$(?:\{(CLINIC_[A-Z0-9_]+)\}|(CLINIC_[A-Z0-9_]+))")


def template_variables(text: str) -> set[str]:
    return {braced or bare for braced, bare in VARIABLE.findall(text)}


def render(text: str, values: Mapping[str, str]) -> str:
    """`envsubst '$CLINIC_A $CLINIC_B'`: the listed variables replaced, every other `$` kept for nginx."""
    return VARIABLE.sub(lambda match: values.get(match[1] or match[2], match[0]), text)


def find_nginx() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return SYSTEM_NGINX if os.access(SYSTEM_NGINX, os.X_OK) else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _mime_types(binary: str) -> str:
    """An include of the installation's mime.types (beside its nginx.conf), else the few types the site uses."""
    built_with = subprocess.run([binary, "-V"], capture_output=True, text=True).stderr  # noqa: S603
    conf_path = re.search(r"--conf-path=(\S+)", built_with)
    mime = Path(conf_path[1]).parent / "mime.types" if conf_path else None
    if mime and mime.is_file():
        return f"include {mime};"
    return (
        "types { text/html html; text/css css; text/javascript js; application/json json map; "
        "image/svg+xml svg; image/png png; image/x-icon ico; font/woff2 woff2; text/plain txt; }"
    )


def _user_line() -> str:
    """As root, nginx would run its workers as nobody, who cannot read a scratch folder."""
    if os.geteuid() != 0:
        return ""
    import grp
    import pwd

    return f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};"


@dataclass
class LocalNginx:
    """nginx serving the template on 127.0.0.1:`port` in front of `upstream` ("host:port")."""

    binary: str
    folder: Path
    upstream: str
    static_root: Path
    port: int = field(default_factory=free_port)
    workers: int = 1
    access_log: bool = True
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def error_log(self) -> Path:
        return self.folder / "error.log"

    def write_config(self) -> Path:
        for name in ("cache", "client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.folder / name).mkdir(parents=True, exist_ok=True)
        server = render(
            TEMPLATE.read_text(),
            {
                "CLINIC_LISTEN": f"127.0.0.1:{self.port}",
                "CLINIC_UPSTREAM": self.upstream,
                "CLINIC_STATIC_ROOT": str(Path(self.static_root).resolve()),
                "CLINIC_CACHE_DIR": str(self.folder / "cache"),
                "CLINIC_TLS_INCLUDE": "/dev/null",
                "CLINIC_ACCESS_LOG": str(self.folder / "access.log") if self.access_log else "/dev/null",
            },
        )
        (self.folder / "clinic.conf").write_text(server)
        main = self.folder / "nginx.conf"
        main.write_text(
            f"""\
daemon off;
worker_processes {self.workers};
pid {self.folder / "nginx.pid"};
error_log {self.error_log} warn;
{_user_line()}
events {{ worker_connections 4096; }}
http {{
    {_mime_types(self.binary)}
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    access_log off;
    client_body_temp_path {self.folder / "client_body"};
    proxy_temp_path {self.folder / "proxy"};
    fastcgi_temp_path {self.folder / "fastcgi"};
    uwsgi_temp_path {self.folder / "uwsgi"};
    scgi_temp_path {self.folder / "scgi"};
    include {self.folder / "clinic.conf"};
}}
"""
        )
        return main

    def start(self) -> "LocalNginx":
        main = self.write_config()
        command = [self.binary, "-p", str(self.folder), "-e", str(self.error_log), "-c", str(main)]
        checked = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True)  # noqa: S603
        if checked.returncode != 0:
            raise RuntimeError(f"nginx refused the configuration:\n{checked.stderr}")
        self.process = subprocess.Popen(command, stderr=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited:\n{self.error_log.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("nginx did not listen within 10 s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> "LocalNginx":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
