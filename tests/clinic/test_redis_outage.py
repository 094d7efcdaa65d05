"""Redis accelerates, it never decides: with it stopped or hung, staff sign in and triage, patients' messages are kept.

Starts a Redis server of the test's own on a free port (so several runs can share a machine),
uses it as the site's cache, then stops it (SIGKILL) or hangs it (SIGSTOP).
"""

import os
import shutil
import signal
import subprocess
import time

import pytest
import redis
from django.core.cache import caches
from django.urls import reverse

from contacts.models import Message
from tests.factories import STAFF_PASSWORD, make_counselor, message_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_redis(settings, unused_tcp_port, tmp_path):
    """A Redis server of this test's own as the default cache; yields its process."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is needed in CI")
        pytest.skip("needs redis-server")
    process = subprocess.Popen(  # noqa: S603 - the installed redis-server and our own arguments
        [binary, "--port", str(unused_tcp_port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{unused_tcp_port}/0"
    for _ in range(50):
        try:
            redis.Redis.from_url(url, socket_connect_timeout=0.2).ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    yield process
    if process.poll() is None:
        process.send_signal(signal.SIGCONT)
        process.kill()
    process.wait()


def staff_works_and_a_message_is_kept(client, django_capture_on_commit_callbacks, body: str) -> None:
    signed_in = client.post(
        reverse("admin:login"), {"username": "counselor", "password": STAFF_PASSWORD, "next": reverse("admin:index")}
    )
    assert signed_in.status_code == 302, signed_in.content.decode()[:500]
    assert client.get(reverse("admin:contacts_message_changelist")).status_code == 200
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(reverse("contacts:message-create"), message_post_data(body=body))
    assert sent["Location"] == reverse("contacts:message-sent")
    assert Message.objects.filter(body=body).exists()
    assert client.get("/").status_code == 200


def test_the_cache_really_is_redis_while_it_runs(own_redis):
    caches["default"].set("probe", "here")
    assert caches["default"].get("probe") == "here"


@pytest.mark.parametrize("fault", [signal.SIGKILL, signal.SIGSTOP], ids=["stopped", "hung"])
def test_with_redis_stopped_or_hung_staff_sign_in_and_triage_and_messages_are_stored(
    client, own_redis, django_capture_on_commit_callbacks, fault
):
    make_counselor()
    staff_works_and_a_message_is_kept(client, django_capture_on_commit_callbacks, "Sent while Redis was up.")

    own_redis.send_signal(fault)
    if fault == signal.SIGKILL:
        own_redis.wait()

    staff_works_and_a_message_is_kept(client, django_capture_on_commit_callbacks, "Sent while Redis was down.")
    assert Message.objects.count() == 2
