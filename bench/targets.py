"""What `make bench` loads: each target, its size and SQL cost, and the static file it is compared with."""

import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Target:
    name: str
    path: str
    queries: int | None = None
    size: int = 0
    rounds: list[dict] = field(default_factory=list)
    # "nginx" or "gunicorn": which server wrk loads.
    via: str = "gunicorn"
    # A POST target: wrk's environment for report.lua, and the rows stored in each round.
    wrk_env: dict[str, str] = field(default_factory=dict)
    stored: list[int] = field(default_factory=list)
    # The static file whose throughput this target's is reported against (itself when None).
    compare_with: "Target | None" = None


def measure_queries(targets: list[Target]) -> None:
    """SQL queries of one render of each page (no cache in Django: every render costs them)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    for target in targets:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(target.path)
        assert response.status_code == 200, (target.path, response.status_code)
        target.queries = len(captured.captured_queries)
        target.size = len(response.content)


def write_static_samples(pages: list[Target]) -> list[Target]:
    """For each page, a hashed static file of the same size (a copy of the page), so that each compares
    like for like. WhiteNoise serves it through gunicorn, and nginx from the same static root."""
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


def contact_post_target(nginx_url: str) -> Target:
    """A valid message form as a browser sends it from the site's own page (Fetch Metadata and
    Origin; no token: the page is the same for everyone), as a person who took a minute, with a
    text made unique per request by report.lua (so duplicate detection, which answers a resend with
    the stored message, never stands in for storing one)."""
    from urllib.parse import urlencode

    body = urlencode(
        {
            "name": "Sam",
            "preferred_method": "email",
            "email": "sam@example.com",
            "body": "I would like to talk to someone about my pain medication. Reference BENCHSEQ.",
            "voicemail_ok": "no",
            "clinic_name_ok": "no",
            "consent": "on",
            "sent_from": "/contact/",
            "website": "",
            "elapsed": "60000",
        }
    )
    return Target(
        name="contact POST (302 = stored)",
        path="/contact/",
        size=len(body),
        via="nginx",
        wrk_env={
            "BENCH_METHOD": "POST",
            "BENCH_BODY": body,
            "BENCH_HEADERS": "\n".join(
                [
                    "Content-Type: application/x-www-form-urlencoded",
                    "Sec-Fetch-Site: same-origin",
                    f"Origin: {nginx_url}",
                ]
            ),
        },
    )
