"""Errors and logs never carry a patient's words or contact details."""

import io
import json
import logging

import pytest
from django.core import mail

from clinic.logs import JsonFormatter

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.clinic.urls")]

PATIENT = {
    "name": "Jane Quietly",
    "email": "jane.quietly@example.org",
    "phone": "+1 312 555 0199",
    "message": "I have been using fentanyl for two years",
}


@pytest.fixture
def log_lines():
    """What the configured stdout handler writes, line by line."""
    handler = next(h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter))
    stream = io.StringIO()
    original = handler.setStream(stream)
    yield lambda: stream.getvalue().splitlines()
    handler.setStream(original)


@pytest.fixture
def failing_post(client):
    client.raise_request_exception = False
    client.cookies["__Host-sessionid"] = "secret-session-key"
    return lambda: client.post(
        "/failing-form/?email=jane.quietly%40example.org",
        PATIENT,
        REMOTE_ADDR="203.0.113.77",
        headers={"referer": "https://clinic.example.org/contact/?phone=3125550199"},
    )


def assert_no_patient_data(text: str):
    for value in [*PATIENT.values(), "jane.quietly%40example.org", "3125550199", "203.0.113.77"]:
        assert value not in text
    assert "secret-session-key" not in text


def test_server_error_page_shows_no_details(failing_post):
    response = failing_post()

    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert "(708) 613-4750" in body
    assert "ValueError" not in body
    assert "Traceback" not in body
    assert_no_patient_data(body)


def test_request_log_line_for_an_error_post_is_one_json_line_without_posted_values(failing_post, log_lines):
    failing_post()

    lines = log_lines()
    error_lines = [json.loads(line) for line in lines if '"django.request"' in line]
    assert len(error_lines) == 1
    line = error_lines[0]
    assert line["level"] == "ERROR"
    assert line["status_code"] == 500
    assert line["method"] == "POST"
    assert line["path"] == "/failing-form/"
    assert line["message"] == "Internal Server Error: /failing-form/"
    assert line["exc_type"] == "ValueError"
    assert any("failing_form" in frame for frame in line["exc_frames"])
    for raw in lines:
        json.loads(raw)
        assert_no_patient_data(raw)


def test_error_email_to_admins_carries_no_post_data_cookies_or_exception_text(failing_post, settings):
    settings.ADMINS = [("Ops", "ops@clinic.example.org")]

    failing_post()

    assert len(mail.outbox) == 1
    report = mail.outbox[0]
    assert report.to == ["ops@clinic.example.org"]
    text = report.subject + report.body + "".join(str(alt) for alt in report.alternatives)
    assert_no_patient_data(text)
    # Enough is left to find the bug.
    assert "ValueError" in text
    assert "/failing-form/" in text
    assert "failing_form" in text
    for field in PATIENT:
        assert f"{field} = '********************'" in report.body


def test_no_error_email_is_sent_when_no_admins_are_configured(failing_post, settings):
    settings.ADMINS = []

    failing_post()

    assert mail.outbox == []


def test_client_errors_are_logged_without_query_strings(client, log_lines):
    client.get("/no-such-page/?email=jane.quietly%40example.org")

    lines = [json.loads(line) for line in log_lines() if '"django.request"' in line]
    assert lines[0]["status_code"] == 404
    assert lines[0]["path"] == "/no-such-page/"
    assert "jane" not in json.dumps(lines)
