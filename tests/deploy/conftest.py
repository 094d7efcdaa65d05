"""The shipped nginx template (deploy/nginx/), rendered and run in front of a test upstream.

nginx is taken from PATH, else /usr/sbin/nginx. Without it these tests are skipped on a laptop
(`apt-get install nginx` to run them) and fail in CI (CI=true), which installs it.
"""

import os

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from deploy.local_nginx import LocalNginx, find_nginx

PROBE = "deploy-probe.txt"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


@pytest.fixture(scope="session")
def nginx_binary() -> str:
    binary = find_nginx()
    if binary is None:
        reason = "needs nginx on PATH or at /usr/sbin/nginx (apt-get install nginx)"
        if in_ci():
            pytest.fail(f"CI=true: {reason}", pytrace=False)
        pytest.skip(reason)
    return binary


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """collectstatic with the production storage (hashed names, .gz beside each file), once, plus a
    file only this folder has: what nginx serves from it never came from Django."""
    root = tmp_path_factory.mktemp("staticfiles")
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        call_command("collectstatic", "--noinput", verbosity=0)
    (root / PROBE).write_text("served by nginx from the static root\n")
    return root


@pytest.fixture
def start_nginx(nginx_binary, static_root, tmp_path):
    """`start_nginx("127.0.0.1:8000")`: the template running in front of that upstream; stopped afterwards."""
    started: list[LocalNginx] = []

    def start(upstream: str) -> LocalNginx:
        nginx = LocalNginx(nginx_binary, tmp_path / f"nginx-{len(started)}", upstream, static_root)
        started.append(nginx)
        return nginx.start()

    yield start
    for nginx in started:
        nginx.stop()
