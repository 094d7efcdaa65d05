"""The nginx template's own rules, in front of a stand-in app server whose every answer the test
chooses: what is stored and for whom, the headers nginx sets, static files, stale copies."""

import gzip
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from deploy.local_nginx import TEMPLATE, render, template_variables
from tests.deploy.conftest import PROBE
from tests.deploy.web import fetch

PUBLIC = {"Cache-Control": "public, max-age=0, s-maxage=60"}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"


class StandIn:
    """An app server answering each path as the test sets it (public for a minute unless told
    otherwise), numbering its answers ("answer 3"), and recording each request nginx sent it."""

    def __init__(self):
        self.headers_for: dict[str, dict[str, str]] = {}
        self.received: list[tuple[str, str, dict[str, str]]] = []
        self.answered = 0
        self.lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                with stand_in.lock:
                    stand_in.received.append((self.command, self.path, dict(self.headers)))
                    stand_in.answered += 1
                    number = stand_in.answered
                path = self.path.split("?")[0]
                if path == "/echo":
                    body = json.dumps(dict(self.headers)).encode()
                    headers = {"Cache-Control": "private, no-cache", "Content-Type": "application/json"}
                else:
                    # Long enough to be worth compressing.
                    body = f"<html><body><p>answer {number}</p>{'<p>text</p>' * 60}</body></html>".encode()
                    headers = {"Content-Type": "text/html; charset=utf-8", **stand_in.headers_for.get(path, PUBLIC)}
                self.send_response(200)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_HEAD = do_POST = answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def requests_for(self, path: str) -> int:
        return sum(1 for _method, received, _headers in self.received if received == path)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def app():
    stand_in = StandIn()
    yield stand_in
    stand_in.stop()


@pytest.fixture
def nginx(start_nginx, app):
    return start_nginx(app.address)


def answer_number(text: str) -> int:
    return int(re.search(r"answer (\d+)", text).group(1))


def test_a_public_page_is_stored_and_the_second_reader_gets_the_copy(nginx, app):
    first = fetch(nginx.url, "/page")
    second = fetch(nginx.url, "/page")

    assert (first.status, second.status) == (200, 200)
    assert (first.cache_status, second.cache_status) == ("MISS", "HIT")
    assert second.text == first.text
    assert app.requests_for("/page") == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Cache-Control": "private, max-age=60"},
        {"Cache-Control": "private, no-cache"},
        {"Cache-Control": "no-store"},
        {**PUBLIC, "Set-Cookie": "messages=abc; Path=/"},
        {},  # no Cache-Control at all (an error page, a redirect)
    ],
    ids=["private", "no-cache", "no-store", "public-with-set-cookie", "no-cache-control"],
)
def test_an_answer_django_does_not_mark_public_or_that_sets_a_cookie_is_never_stored(nginx, app, headers):
    app.headers_for["/page"] = headers

    answers = [fetch(nginx.url, "/page") for _ in range(3)]

    assert [answer.cache_status for answer in answers] == ["MISS"] * 3
    assert app.requests_for("/page") == 3
    assert len({answer_number(answer.text) for answer in answers}) == 3


@pytest.mark.parametrize(
    "cookie",
    [
        "sessionid=abc",
        "__Host-sessionid=abc",
        "csrftoken=abc",
        "__Host-csrftoken=abc",
        "messages=abc",
        "theme=dark; __Host-sessionid=abc",
        "theme=dark;messages=abc",
    ],
)
def test_staff_and_readers_with_a_flash_message_neither_read_nor_fill_the_cache(nginx, app, cookie):
    stored = fetch(nginx.url, "/page")
    assert fetch(nginx.url, "/page").cache_status == "HIT"

    personal = fetch(nginx.url, "/page", headers={"Cookie": cookie})
    # Even an answer marked public (a mistake in the app) is not stored for everyone else.
    after = fetch(nginx.url, "/page")

    assert personal.cache_status == "BYPASS"
    assert answer_number(personal.text) == 2  # from the app, not the copy
    assert after.cache_status == "HIT"
    assert after.text == stored.text


@pytest.mark.parametrize("cookie", ["theme=dark", "mysessionid=abc", "message_sent=abc", "xcsrftoken=1"])
def test_other_cookies_do_not_keep_a_reader_from_the_cache(nginx, app, cookie):
    fetch(nginx.url, "/page")

    assert fetch(nginx.url, "/page", headers={"Cookie": cookie}).cache_status == "HIT"


def test_a_comment_page_number_is_its_own_stored_page(nginx, app):
    first = fetch(nginx.url, "/page?cpage=2")
    again = fetch(nginx.url, "/page?cpage=2")
    other = fetch(nginx.url, "/page?cpage=3")

    assert again.cache_status == "HIT"
    assert again.text == first.text
    assert other.cache_status == "MISS"


@pytest.mark.parametrize("query", ["utm_source=mail", "cpage=2&utm_source=mail", "cpage=two", "CPAGE=2", "q=Jordan"])
def test_any_other_query_string_goes_to_the_app_every_time(nginx, app, query):
    answers = [fetch(nginx.url, f"/page?{query}") for _ in range(2)]

    assert [answer.cache_status for answer in answers] == ["BYPASS", "BYPASS"]
    assert app.requests_for(f"/page?{query}") == 2


def test_posts_always_reach_the_app_and_are_never_stored(nginx, app):
    answers = [fetch(nginx.url, "/page", method="POST", form={"n": n}) for n in range(2)]
    reader = fetch(nginx.url, "/page")

    assert all(answer.cache_status != "HIT" for answer in answers)
    assert [method for method, _path, _headers in app.received] == ["POST", "POST", "GET"]
    assert reader.cache_status == "MISS"


def test_nginx_replaces_the_forwarding_headers_a_client_sends(nginx, app):
    answer = fetch(
        nginx.url,
        "/echo",
        headers={
            "Host": "clinic.test:8443",
            "X-Forwarded-For": "203.0.113.7",
            "X-Forwarded-Proto": "https",
            "Accept-Encoding": "gzip",
        },
    )

    received = json.loads(gzip.decompress(answer.raw) if answer.headers["Content-Encoding"] == "gzip" else answer.raw)
    assert received["X-Forwarded-For"] == "127.0.0.1"
    assert received["X-Forwarded-Proto"] == "http"
    assert received["Host"] == "clinic.test:8443"
    assert "Accept-Encoding" not in received  # pages come uncompressed; nginx compresses


def test_a_body_over_one_megabyte_is_refused_before_it_reaches_the_app(nginx, app):
    refused = fetch(nginx.url, "/page", method="POST", body=b"x" * (1024 * 1024 + 1))
    accepted = fetch(nginx.url, "/page", method="POST", body=b"x" * (900 * 1024))

    assert refused.status == 413
    assert accepted.status == 200
    assert len(app.received) == 1


def test_nginx_refuses_bodies_from_the_size_django_refuses_them(settings):
    # clinic.middleware.RequestBodyLimitMiddleware refuses larger bodies, files included.
    size = re.search(r"^\s*client_max_body_size\s+(\d+)([kKmMgG]?);", TEMPLATE.read_text(), re.MULTILINE)

    assert size, "the template sets no client_max_body_size"
    unit = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[size[2].lower()]
    assert int(size[1]) * unit == settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_pages_are_compressed_for_clients_that_accept_it_from_one_stored_copy(nginx, app):
    plain = fetch(nginx.url, "/page")
    compressed = fetch(nginx.url, "/page", headers={"Accept-Encoding": "gzip"})

    assert "Content-Encoding" not in plain.headers
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert compressed.cache_status == "HIT"
    assert gzip.decompress(compressed.raw) == plain.raw
    assert "Accept-Encoding" in compressed.headers["Vary"]


def test_readers_get_the_last_copy_when_the_app_servers_are_down(nginx, app):
    app.headers_for["/page"] = {"Cache-Control": "public, max-age=0, s-maxage=1"}
    stored = fetch(nginx.url, "/page")
    app.stop()
    time.sleep(2.1)  # the copy has expired (nginx counts whole seconds: 1 s may last 2)

    during_outage = fetch(nginx.url, "/page")
    never_stored = fetch(nginx.url, "/other")

    assert during_outage.status == 200
    assert during_outage.cache_status == "STALE"
    assert during_outage.text == stored.text
    assert never_stored.status == 502


def test_after_a_quiet_spell_the_first_reader_gets_a_fresh_page_not_an_old_copy(nginx, app):
    # An edit must reach readers within s-maxage even when nobody read the page meanwhile:
    # the first reader after the copy expired must not be handed the old one.
    app.headers_for["/page"] = {"Cache-Control": "public, max-age=0, s-maxage=1"}
    fetch(nginx.url, "/page")
    time.sleep(2.1)  # expired (nginx counts whole seconds: 1 s may last 2), and nobody read it

    first_after = fetch(nginx.url, "/page")

    assert answer_number(first_after.text) == 2
    assert first_after.cache_status in {"EXPIRED", "MISS"}


def test_static_files_are_served_by_nginx_from_the_static_root(nginx, app, static_root):
    answer = fetch(nginx.url, f"/static/{PROBE}")

    assert answer.status == 200
    assert answer.raw == (static_root / PROBE).read_bytes()
    assert answer.headers["Cache-Control"] == "public, max-age=60"
    assert fetch(nginx.url, "/static/no-such-file.css").status == 404
    assert app.received == []


def test_hashed_static_files_are_kept_for_a_year_and_sent_precompressed(nginx, static_root):
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/site.css"]

    answer = fetch(nginx.url, f"/static/{hashed}", headers={"Accept-Encoding": "gzip"})

    assert answer.status == 200
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert answer.headers["Content-Type"].startswith("text/css")
    assert answer.headers["Content-Encoding"] == "gzip"
    assert answer.raw == (static_root / f"{hashed}.gz").read_bytes()
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "sandbox" in answer.headers["Content-Security-Policy"]


def test_every_variable_of_the_template_is_documented_and_rendering_leaves_none():
    text = TEMPLATE.read_text()
    variables = template_variables(text)
    docs = DOCS.read_text()

    assert variables == {
        "CLINIC_LISTEN",
        "CLINIC_UPSTREAM",
        "CLINIC_STATIC_ROOT",
        "CLINIC_CACHE_DIR",
        "CLINIC_TLS_INCLUDE",
        "CLINIC_ACCESS_LOG",
    }
    assert [name for name in sorted(variables) if name not in docs] == []
    rendered = render(text, dict.fromkeys(variables, "x"))
    assert template_variables(rendered) == set()
    assert "$http_cookie" in rendered  # nginx's own variables are left alone
