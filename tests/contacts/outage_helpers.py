"""What the database-down tests share: the patient's words, failing statements, and checks on the page."""

import re
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection

from clinic.logs import JsonFormatter
from tests.factories import elapsed_ms, message_post_data

URL = "/contact/"
PHONE_LINK = 'href="tel:+17086134750"'

# The patient's words, distinctive enough to find anywhere they might leak.
WORDS = "I have been using again since March and I am frightened of what my family will say"
NAME = "Quinn Lowry"
PATIENT_PHONE = "(708) 613-4751"
BEST_TIME = "After seven at night"


def patient_data(**overrides):
    return message_post_data(
        **{"name": NAME, "phone": PATIENT_PHONE, "best_time": BEST_TIME, "body": WORDS, **overrides}
    )


def comment_data(**overrides):
    data = {
        "name": "Robin Vale",
        "email": "robin.vale@example.com",
        "comment": "Reading this gave me the courage to call my sister tonight.",
        "parent": "",
        "website": "",
        "elapsed": elapsed_ms(60),
    }
    data.update(overrides)
    return data


# Statements that only manage the test's own transaction (pytest-django rolls it back afterwards).
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@contextmanager
def statements_fail(when=lambda sql: True):
    """Every statement the site sends (that `when` picks) raises OperationalError, as with a server gone.

    Yields the list of statements refused, so a test can tell the failure really happened.
    """
    refused = []

    def fail(execute, sql, params, many, context):
        if not sql.lstrip().upper().startswith(TRANSACTION_CONTROL) and when(sql):
            refused.append(sql)
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail):
        yield refused


def from_first(picks):
    """From the first statement `picks` on, every statement: the database goes down in mid-request."""
    down = False

    def when(sql):
        nonlocal down
        down = down or picks(sql)
        return down

    return when


@contextmanager
def server_unreachable(port: int):
    """The default database's server is gone: every connection is refused (PostgreSQL)."""
    saved = connection.settings_dict
    connection.close()
    connection.settings_dict = {**saved, "HOST": "127.0.0.1", "PORT": str(port)}
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict = saved


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a real outage needs a server to lose (DATABASE_URL=postgres://…)"
)


def alert(body: str, element_id: str) -> str:
    """The "NOT sent" alert's HTML."""
    found = re.search(rf'<div class="alert alert-danger" role="alert" id="{element_id}"[^>]*>(.*?)</div>', body, re.S)
    assert found, f"no #{element_id} alert"
    return found.group(0)


def assert_not_sent_page(response, *, heading: str, element_id: str) -> str:
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert "no-store" in response["Cache-Control"]
    notice = alert(body, element_id)
    assert heading in notice
    assert "autofocus" in notice and 'tabindex="-1"' in notice  # the page opens with the focus on it
    assert PHONE_LINK in notice
    assert 'href="tel:911"' in body and 'href="tel:988"' in body
    assert body.index(f'id="{element_id}"') < body.index("<form")
    return body


def assert_words_kept(body: str) -> None:
    assert f'value="{NAME}"' in body
    assert f'value="{PATIENT_PHONE}"' in body
    assert f'value="{BEST_TIME}"' in body
    assert f"{WORDS}</textarea>" in body
    assert re.search(r'name="consent"[^>]*checked', body)


def log_lines(caplog) -> list[str]:
    """The log records as the JSON lines production writes."""
    formatter = JsonFormatter()
    return [formatter.format(record) for record in caplog.records]


def assert_nothing_private_logged(caplog, *private: str) -> None:
    """Neither the log lines production writes nor any record's message holds the patient's words."""
    everything = "\n".join([*log_lines(caplog), *(record.getMessage() for record in caplog.records)])
    for text in private:
        assert text not in everything
