"""A plain HTTP client for talking to nginx as a browser or a script would: no redirects followed,
every header visible (each Set-Cookie too), cookies sent only when a test says so."""

import http.client
import time
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    raw: bytes

    @property
    def text(self) -> str:
        return self.raw.decode(errors="replace")

    @property
    def cache_status(self) -> str:
        return self.headers.get("X-Cache-Status", "")

    @property
    def set_cookies(self) -> list[str]:
        return self.headers.get_all("Set-Cookie") or []

    def cookies(self) -> dict[str, str]:
        jar = SimpleCookie()
        for value in self.set_cookies:
            jar.load(value)
        return {name: morsel.value for name, morsel in jar.items()}


def fetch(
    base_url: str,
    path: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
    form: dict | list | None = None,
    body: bytes | None = None,
) -> Answer:
    parts = urlsplit(base_url)
    headers = dict(headers or {})
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    if form is not None:
        body = urlencode(form, doseq=True).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        conn.close()


def poll(read: Callable[[], bool], *, within: float, every: float = 0.2) -> float | None:
    """Call `read` until it returns True; the seconds that took, or None if not within `within`."""
    started = time.monotonic()
    while True:
        if read():
            return time.monotonic() - started
        if time.monotonic() - started > within:
            return None
        time.sleep(every)


class FormFields(HTMLParser):
    """What a browser would send from the first form whose action contains `action`: hidden values,
    checked boxes and radios, text areas. Tests then fill in what a person types."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.found = action, False, False
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.found and self.action in (attrs.get("action") or ""):
            self.inside = self.found = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button", "file"}:
            if attrs.get("type") in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.fields[name] = attrs.get("value") or ("on" if attrs.get("type") == "checkbox" else "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self.inside = False


def form_fields(page: str, action: str) -> dict[str, str]:
    parser = FormFields(action)
    parser.feed(page)
    assert parser.found, f"no form posting to {action} on the page"
    return parser.fields
