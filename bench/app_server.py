"""gunicorn as production runs it (gunicorn.conf.py, clinic.wsgi), for `make bench`: started on a
port of its own, its workers found, their memory read from /proc."""

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def start_gunicorn(port: int, *, workers: int, log_path: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """gunicorn on 127.0.0.1:`port`, returned once it answers and all its workers run.

    `env`, when given, is its whole environment instead of this process's."""
    log = log_path.open("w")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", str(workers),
            "--bind", f"127.0.0.1:{port}", "clinic.wsgi",
        ],
        cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited; see {log_path}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=5) as response:
                if response.status == 200 and len(worker_pids(process.pid)) == workers:
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


def memory_mb(pid: int) -> tuple[float, float]:
    """A process's resident memory now (VmRSS) and at its peak (VmHWM), in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in {"VmRSS", "VmHWM"}:
            values[name] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", float("nan")), values.get("VmHWM", float("nan"))
