"""Two app servers, one PostgreSQL and one Redis: any server can answer any request, at once.

Starts two gunicorn servers (production settings, DEBUG off) on free loopback ports against the
test database and the run's Redis (`TEST_REDIS_URL`, see tests/conftest.py; under a key prefix of
its own). Select with `pytest -m scale_out`.

Needs the suite to run on PostgreSQL (SQLite's test database lives in one process's memory):
in the SQLite pass it is skipped with that reason. Without a reachable Redis it is skipped on a
laptop and fails in CI (`CI=true`).
"""

import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from articles.models import FaqEntry
from tests.factories import STAFF_PASSWORD, make_article, make_editor, make_entry

pytestmark = [pytest.mark.scale_out, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    """The run's DATABASE_URL (server, credentials, options as given) naming the test database instead."""
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{connection.settings_dict['NAME']}"))


@pytest.fixture
def production_env(redis_url, redis_key_prefix) -> dict[str, str]:
    """Production settings shared by every server process: same Redis, same secret key."""
    return {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_CACHE_URL": redis_url,
        "DJANGO_CACHE_KEY_PREFIX": redis_key_prefix,
        # No collectstatic needed: pages link unhashed names.
        "DJANGO_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        # Plain HTTP on loopback (the TLS proxy's job in production).
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_HSTS_SECONDS": "0",
        # The message form: 3 per client, and no wait before sending (the test types fast).
        "DJANGO_MESSAGE_RATE_LIMIT": "3/600",
        "DJANGO_MIN_FORM_FILL_SECONDS": "0",
    }


@pytest.fixture
def server_env(production_env) -> dict[str, str]:
    """...and the same PostgreSQL database: the one this test run writes to."""
    if connection.vendor != "postgresql":
        pytest.skip("needs the suite on PostgreSQL (runs in the PostgreSQL pass: DATABASE_URL=postgres://…)")
    # CONN_MAX_AGE 0: no connection outlives a request, so the test database can be dropped at the end.
    return {**production_env, "DATABASE_URL": _database_url(), "DJANGO_CONN_MAX_AGE": "0"}


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log: Path
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, *, form: dict | list | None = None, cookies: dict | None = None):
        """Send one request; returns (status, headers, body). Redirects are not followed."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        headers = {}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read().decode()
        conn.close()
        return response.status, response.headers, content


@pytest.fixture
def two_servers(server_env, tmp_path):
    servers = []
    for name in ("a", "b"):
        port = _free_port()
        log = tmp_path / f"gunicorn-{name}.log"
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "gunicorn", "clinic.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
            cwd=BASE_DIR,
            env=server_env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        servers.append(Server(port=port, process=process, log=log))
    try:
        for server in servers:
            _wait_until_serving(server)
        yield servers
    finally:
        for server in servers:
            server.process.terminate()
        for server in servers:
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.process.kill()


def _wait_until_serving(server: Server) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"gunicorn exited:\n{server.log.read_text()}")
        try:
            if server.request("GET", "/robots.txt")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within 30 s:\n{server.log.read_text()}")


class FormFields(HTMLParser):
    """The values a browser would submit from the form with the given id."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "__prefix__" in (attrs.get("name") or ""):
            return
        if tag == "input" and attrs.get("name") and attrs.get("type") not in {"submit", "button", "file"}:
            if attrs.get("type") in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.fields.append([attrs["name"], attrs.get("value") or ("on" if attrs.get("type") == "checkbox" else "")])
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = [attrs["name"], ""]
            self.fields.append(self._textarea)
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append([self._select, attrs.get("value", "")])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self._textarea[1] = self._textarea[1].removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False


def _cookies(headers) -> dict[str, str]:
    jar = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return {name: morsel.value for name, morsel in jar.items()}


def make_server_staff(username: str) -> None:
    """An editor whose password the servers can check (they use the production hashers, not the tests')."""
    user = make_editor(username)
    user.password = PBKDF2PasswordHasher().encode(STAFF_PASSWORD, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])


def _log_in(server: Server, username: str) -> dict[str, str]:
    status, headers, body = server.request("GET", "/admin/login/")
    cookies = _cookies(headers)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    status, headers, _ = server.request(
        "POST",
        "/admin/login/?next=/admin/",
        form={"csrfmiddlewaretoken": token, "username": username, "password": STAFF_PASSWORD, "next": "/admin/"},
        cookies=cookies,
    )
    assert status == 302, f"login failed on port {server.port}"
    cookies.update(_cookies(headers))
    assert "sessionid" in cookies
    return cookies


def test_a_change_made_anywhere_shows_on_every_server_at_once(two_servers):
    server_a, server_b = two_servers
    article = make_article(slug="shared")
    make_entry(article, question="First question?", anchor="first", position=1)
    make_entry(article, question="Second question?", anchor="second", position=2)
    make_server_staff("scale-editor")

    assert "Second question?" in server_a.request("GET", "/articles/shared/")[2]
    # Changed behind every service (a shell, another server): both show it on the next request.
    FaqEntry.objects.filter(article=article, anchor="second").update(question="Changed behind the admin?")
    status, headers, body = server_b.request("GET", "/articles/shared/")
    assert status == 200
    assert "Changed behind the admin?" in body
    assert "Changed behind the admin?" in server_a.request("GET", "/articles/shared/")[2]
    etag_on_b = headers["ETag"]

    cookies = _log_in(server_a, "scale-editor")
    change_url = f"/admin/articles/article/{article.pk}/change/"
    status, _, form_page = server_a.request("GET", change_url, cookies=cookies)
    assert status == 200
    parser = FormFields("article_form")
    parser.feed(form_page)
    fields = parser.fields
    for pair in fields:
        if pair[0] == "entries-0-question":
            pair[1] = "Edited on server A?"
    status, _, body = server_a.request("POST", change_url, form=[tuple(pair) for pair in fields], cookies=cookies)
    assert status == 302, body[:3000]

    status, _, body = server_b.request("GET", "/articles/shared/")
    assert "Edited on server A?" in body
    assert "First question?" not in body
    conn = http.client.HTTPConnection("127.0.0.1", server_b.port, timeout=20)
    conn.request("GET", "/articles/shared/", headers={"If-None-Match": etag_on_b})
    assert conn.getresponse().status == 200  # the old ETag is no longer current on B either
    conn.close()


def test_a_staff_session_started_on_one_server_works_on_the_other(two_servers):
    server_a, server_b = two_servers
    make_server_staff("scale-staff")

    cookies = _log_in(server_a, "scale-staff")
    status, _, body = server_b.request("GET", "/admin/", cookies=cookies)

    assert status == 200
    assert "Site administration" in body
    assert 'name="password"' not in body
    assert server_b.request("GET", "/admin/")[0] == 302  # without the cookie: off to the login page


def _contact_post(server: Server, number: int) -> int:
    """Open /contact/ on `server` as a new browser, then send the form; returns the POST's status."""
    status, headers, _ = server.request("GET", "/contact/")
    assert status == 200
    assert not _cookies(headers)  # the page is the same for everyone: no token, no cookie
    form = {
        "elapsed": "60000",  # what the page's script sends: open for a minute
        "name": "Sam",
        "preferred_method": "email",
        "email": "sam@example.com",
        # A different text each time, so duplicate detection never answers instead of the limit.
        "body": f"Please call me about treatment options (message {number}).",
        "voicemail_ok": "no",
        "clinic_name_ok": "no",
        "consent": "on",
        "sent_from": "/contact/",
        "website": "",
    }
    return server.request("POST", "/contact/", form=form)[0]


def test_message_rate_limit_counted_by_one_server_holds_on_the_other(two_servers):
    from contacts.models import Message

    server_a, server_b = two_servers  # both allow 3 messages per client (production_env)

    assert [_contact_post(server_a, 1), _contact_post(server_a, 2)] == [302, 302]
    assert _contact_post(server_b, 3) == 302  # B counts on from A's two
    assert _contact_post(server_b, 4) == 429  # over the limit on B...
    assert _contact_post(server_a, 5) == 429  # ...and on A
    assert Message.objects.count() == 3
