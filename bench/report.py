"""How `make bench` prints what it measured: the machine, then one row per target."""

import os
import platform
import statistics
import subprocess
from pathlib import Path

from bench.targets import Target


def median(values) -> float:
    return statistics.median(values) if values else float("nan")


def describe_machine(
    nginx_binary: str, *, workers: int, threads: int, connections: int, rounds: int, duration: int
) -> list[str]:
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
    nginx_version = subprocess.run([nginx_binary, "-v"], capture_output=True, text=True).stderr.strip()  # noqa: S603
    return [
        f"machine: {os.cpu_count()} CPUs (nproc), {cpu}; Linux {platform.release()}",
        f"Python {platform.python_version()}, Django {get_version()}, database {connection.vendor} {db_version}, "
        f"cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}",
        f"gunicorn {workers} sync workers; {nginx_version.removeprefix('nginx version: ')}, "
        f"{os.cpu_count()} workers, the shipped template; Django's s-maxage {settings.SHARED_CACHE_SECONDS} s",
        f"{wrk_version.strip()}: {threads} threads, {connections} connections, "
        f"{rounds} rounds x {duration} s per target, interleaved",
    ]


def print_table(targets: list[Target]) -> None:
    header = f"{'target':<44}{'bytes':>8}{'req/s':>9}{'× static':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'SQL':>6}"
    print(header)
    print("-" * len(header))
    for target in targets:
        rps = median([r["rps"] for r in target.rounds])
        errors = sum(sum(r["errors"].values()) for r in target.rounds)
        static = target.compare_with or target
        ratio = median([r["rps"] / s["rps"] for r, s in zip(target.rounds, static.rounds, strict=True)])
        print(
            f"{target.via + ': ' + target.name:<44}{target.size:>8}{rps:>9.0f}{ratio:>10.2f}"
            f"{median([r['p50_us'] for r in target.rounds]) / 1000:>9.1f}"
            f"{median([r['p99_us'] for r in target.rounds]) / 1000:>9.1f}{errors:>8}"
            f"{'-' if target.queries is None else target.queries:>6}"
        )
