"""The contact form against hostile input, leaks into error reports and URLs, a down mail server and CSRF."""

import io

import pytest
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from contacts.messages.views import MessageCreateView
from contacts.models import Message, Notification
from tests.contacts.message_helpers import SENT, URL, broken_create, exception_report_for, post
from tests.factories import elapsed_ms, message_post_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("counselors_email")]


# Hostile input


def test_html_and_script_are_stored_as_text_and_shown_escaped(client, django_capture_on_commit_callbacks):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    post(client, django_capture_on_commit_callbacks, name=script, body=script)

    assert Message.objects.get().body == script
    again = client.post(URL, message_post_data(name=script, body=script, consent=None)).content.decode()
    assert "<script>alert" not in again
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in again


def test_a_10_mb_body_gets_a_friendly_413_page_not_a_500(client):
    response = client.post(URL, message_post_data(body="x" * (10 * 1024 * 1024)))

    body = response.content.decode()
    assert response.status_code == 413
    assert "That was too much to send" in body
    assert "5,000 characters" in body
    assert 'href="tel:+17086134750"' in body
    assert Message.objects.count() == 0


def test_nul_bytes_get_the_400_page_not_a_500(client):
    # Refused before the form (clinic.middleware.NullCharacterMiddleware); tests/hostile/ has the rest.
    response = client.post(URL, message_post_data(name="Sam\x00", body="hello\x00world"))

    assert response.status_code == 400
    assert "We could not read that request" in response.content.decode()
    assert Message.objects.count() == 0


def test_right_to_left_and_emoji_text_is_stored_intact(client, django_capture_on_commit_callbacks):
    text = "مرحبا، أحتاج إلى مساعدة 🙏 שלום \u202eevil\u202c 👩‍👩‍👧"
    post(client, django_capture_on_commit_callbacks, name="سامي 🌱", body=text)

    message = Message.objects.get()
    assert message.body == text
    assert message.name == "سامي 🌱"


def test_sql_looking_text_is_stored_as_plain_text(client, django_capture_on_commit_callbacks):
    text = "Robert'); DROP TABLE contacts_message;-- ' OR 1=1 --"
    post(client, django_capture_on_commit_callbacks, name=text[:100], body=text)

    assert Message.objects.get().body == text


def test_a_malformed_phone_number_gets_a_clear_error(client):
    response = client.post(URL, message_post_data(phone="call me maybe"))

    assert response.status_code == 200
    assert "Enter a phone number like (708) 555-0123" in response.content.decode()


def test_a_bad_choice_value_gets_a_form_error(client):
    response = client.post(URL, message_post_data(preferred_method="'; DROP TABLE x; --"))

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()


# Privacy


SECRETS = {
    "name": "Quentin Hiddenname",
    "phone": "(708) 613-9876",
    "email": "quentin.hidden@example.com",
    "best_time": "Tuesdays only",
    "body": "A very private sentence about my recovery.",
}
SECRET_FRAGMENTS = ["Quentin", "Hiddenname", "613-9876", "6139876", "quentin.hidden", "Tuesdays", "private sentence"]


def test_an_exception_report_for_a_post_contains_no_message_text_or_contact_details(settings, monkeypatch):
    settings.DEBUG = False  # reports are cleansed only in production mode
    monkeypatch.setattr(Message.objects.__class__, "create", broken_create)

    text, html = exception_report_for(message_post_data(**SECRETS))

    assert "database exploded" in text
    assert "message_submit" in text  # the report does show where it broke
    for fragment in SECRET_FRAGMENTS:
        assert fragment not in text, fragment
        assert fragment not in html, fragment


def test_the_view_hides_every_post_parameter_from_error_reports():
    request = RequestFactory().get(URL)
    request.session = {}

    MessageCreateView.as_view()(request)

    assert request.sensitive_post_parameters == "__ALL__"


def test_confirmation_url_and_redirect_carry_no_patient_data(client, django_capture_on_commit_callbacks):
    response = post(client, django_capture_on_commit_callbacks, **SECRETS)

    message = Message.objects.get()
    assert response["Location"] == SENT
    assert str(message.pk) not in response["Location"]
    assert reverse("contacts:message-sent") == SENT


class BrokenMailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_with_the_mail_server_down_the_patient_still_sees_the_confirmation_and_a_later_run_sends_once(
    client, settings, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "tests.contacts.test_message_form_robustness.BrokenMailBackend"

    response = post(client, django_capture_on_commit_callbacks)

    assert response["Location"] == SENT
    assert client.get(SENT).status_code == 200
    message = Message.objects.get()
    assert mail.outbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Notification.objects.update(next_attempt_at=timezone.now())  # its retry is due
    call_command("send_pending_notifications", stdout=io.StringIO(), stderr=io.StringIO())
    call_command("send_pending_notifications", stdout=io.StringIO(), stderr=io.StringIO())

    assert [email.subject for email in mail.outbox] == [f"New message #{message.pk}"]


def test_the_429_page_says_when_to_try_again(client, settings, django_capture_on_commit_callbacks):
    settings.MESSAGE_RATE_LIMIT = (1, 600)
    post(client, django_capture_on_commit_callbacks, body="first")

    response = post(client, django_capture_on_commit_callbacks, body="second")

    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert "try again in about 10 minutes" in response.content.decode()


def test_a_message_refused_as_cross_site_comes_back_filled_in_and_can_be_sent_from_our_page():
    client = Client(enforce_csrf_checks=True)

    kept_time = elapsed_ms(120)
    response = client.post(
        URL,
        message_post_data(name="Kept Name", body="Kept words", voicemail_ok="yes", elapsed=kept_time),
        HTTP_SEC_FETCH_SITE="cross-site",
    )

    body = response.content.decode()
    assert response.status_code == 403
    assert 'Please press "Send my message" again' in body
    assert 'value="Kept Name"' in body
    assert "Kept words</textarea>" in body
    assert 'value="yes"  id="id_voicemail_ok_1" checked' in body
    assert Message.objects.count() == 0

    assert f'name="elapsed" value="{kept_time}"' in body  # the script adds to it: a resend is not "too fast"
    data = message_post_data(name="Kept Name", body="Kept words", elapsed=kept_time)
    assert client.post(URL, data, HTTP_SEC_FETCH_SITE="same-origin")["Location"] == SENT
    assert Message.objects.get().status == Message.Status.NEW


def test_other_forms_refused_by_csrf_get_the_standard_403():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/admin/login/", {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert "Kept" not in response.content.decode()


@pytest.mark.django_db
def test_sending_creates_no_server_session_and_the_confirmation_cookie_stays_on_the_contact_pages(client):
    from django.contrib.sessions.models import Session

    response = client.post(reverse("contacts:message-create"), message_post_data())

    cookie = response.cookies["message_sent"]
    assert response.status_code == 302
    assert Session.objects.count() == 0
    assert cookie["path"] == reverse("contacts:message-create")
    assert cookie["httponly"]
    assert "Sam" not in cookie.value and "4751" not in cookie.value
    assert client.get(reverse("contacts:message-sent")).status_code == 200


@pytest.mark.django_db
def test_a_forged_confirmation_cookie_leads_back_to_the_form(client):
    client.cookies["message_sent"] = "1:phone"

    response = client.get(reverse("contacts:message-sent"))

    assert response.status_code == 302
    assert response.url == reverse("contacts:message-create")
