"""What a patient's and a counselor's browsers send in `make chaos` (deploy/chaos.py), and what came back.

Each request opens its own connection, as separate people's browsers do, and never follows a
redirect: a 302 from the message form is the patient's "sent", anything else is not.
"""

import http.client
import re
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit


@dataclass
class Answer:
    """A status code, or the name of the error when no answer came (the connection was cut)."""

    status: int | str
    seconds: float
    text: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)


def heading(answer: Answer) -> str:
    """What the page says first: its alert's heading if it has one, else its title ("" for neither)."""
    found = re.search(r'role="alert".*?<h[1-6][^>]*>(.*?)</h[1-6]>', answer.text, re.DOTALL) or re.search(
        r"<h1[^>]*>(.*?)</h1>", answer.text, re.DOTALL
    )
    return " ".join(re.sub(r"<[^>]+>", "", found[1]).split()) if found else ""


def request(base: str, method: str, path: str, *, form: dict | None = None, cookies: dict | None = None) -> Answer:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
    headers = {"Host": parts.netloc, "Connection": "close"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    body = None
    if form is not None:
        # As a browser sends a form from the site's own page.
        headers.update(
            {"Content-Type": "application/x-www-form-urlencoded", "Origin": base, "Sec-Fetch-Site": "same-origin"}
        )
        body = urlencode(form)
    started = time.monotonic()
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
    except (OSError, http.client.HTTPException) as exc:
        return Answer(exc.__class__.__name__, time.monotonic() - started)
    finally:
        connection.close()
    set_cookies = {}
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            set_cookies[key] = rest.split(";", 1)[0]
    headers_in = {name.lower(): value for name, value in response.getheaders()}
    return Answer(response.status, time.monotonic() - started, text, headers_in, set_cookies)


@dataclass
class Patient:
    """One patient's message, with the form's one-time token: sending it again is the same message."""

    run: str
    number: int
    token: str = field(default_factory=lambda: secrets.token_hex(16))

    @property
    def reference(self) -> str:
        return f"{self.run}-{self.number}"

    @property
    def words(self) -> str:
        return f"I would like to talk to someone about my pain medication. Reference {self.reference}."

    def send(self, base: str) -> Answer:
        return request(
            base,
            "POST",
            "/contact/",
            form={
                "name": "Sam",
                "preferred_method": "email",
                "email": "sam@example.com",
                "body": self.words,
                "voicemail_ok": "no",
                "clinic_name_ok": "no",
                "consent": "on",
                "sent_from": "/contact/",
                "website": "",
                "elapsed": "60000",  # a person who took a minute
                "form_token": self.token,
            },
        )


def staff_sign_in(base: str, admin_path: str, username: str, password: str) -> tuple[bool, Answer]:
    """Sign in through the admin's login form and open the message list. Returns (signed in, the list's answer);
    the answer's `seconds` are the whole visit's: login page, sign-in and list."""
    started = time.monotonic()
    login = request(base, "GET", f"/{admin_path}login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)
    if login.status != 200 or token is None:
        login.seconds = time.monotonic() - started
        return False, login
    cookies = dict(login.cookies)
    signed = request(
        base,
        "POST",
        f"/{admin_path}login/?next=/{admin_path}",
        form={"username": username, "password": password, "csrfmiddlewaretoken": token[1], "next": f"/{admin_path}"},
        cookies=cookies,
    )
    cookies.update(signed.cookies)
    if signed.status != 302 or "sessionid" not in signed.cookies:
        signed.seconds = time.monotonic() - started
        return False, signed
    listing = request(base, "GET", f"/{admin_path}contacts/message/", cookies=cookies)
    listing.seconds = time.monotonic() - started
    return listing.status == 200, listing
