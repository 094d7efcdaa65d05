"""Send a message with the database down: the patient is told it was NOT sent, keeps every word, and gets the phone.

The ways the database fails are described in `outage_helpers`.
"""

import html
import re
from unittest import mock

import pytest
from django.core import mail
from django.db import DataError, OperationalError

from contacts.models import Message
from contacts.notifications.models import Notification
from tests.contacts.outage_helpers import (
    NAME,
    URL,
    WORDS,
    alert,
    assert_not_sent_page,
    assert_nothing_private_logged,
    assert_words_kept,
    log_lines,
    needs_postgresql,
    patient_data,
    server_unreachable,
    statements_fail,
)
from tests.factories import make_staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("staff_notified")]


# The message form


def test_a_message_the_database_could_not_store_comes_back_with_every_word_and_was_not_sent(client, caplog):
    with mock.patch("contacts.messages.views.message_submit", side_effect=OperationalError("could not connect")):
        response = client.post(URL, patient_data(voicemail_ok="yes"))

    body = assert_not_sent_page(response, heading="Your message was NOT sent", element_id="not-sent")
    assert_words_kept(body)
    assert re.search(r'value="yes"[^>]*id="id_voicemail_ok_1"[^>]*checked', body)
    assert "<title>Not sent: Message a counselor" in body
    assert Message.objects.count() == 0
    assert "message_sent" not in response.cookies  # the confirmation page would say it was sent
    errors = [line for line in log_lines(caplog) if '"level": "ERROR"' in line]
    assert len(errors) == 1 and "message not stored: database unavailable (OperationalError)" in errors[0]
    assert_nothing_private_logged(caplog, WORDS, NAME, "4751")


def test_once_the_database_is_back_the_same_form_sends_and_stores_one_message(client):
    with mock.patch("contacts.messages.views.message_submit", side_effect=OperationalError("could not connect")):
        assert client.post(URL, patient_data()).status_code == 503

    response = client.post(URL, patient_data())

    assert response.status_code == 302
    assert Message.objects.get().body == WORDS


def test_words_with_markup_characters_come_back_exactly_as_typed(client):
    words = "I can't sleep & I'm scared <really> \"help\""
    with mock.patch("contacts.messages.views.message_submit", side_effect=OperationalError("gone")):
        response = client.post(URL, patient_data(body=words))

    assert f"{html.escape(words)}</textarea>" in response.content.decode()


def test_an_urgent_message_not_sent_leads_with_911_and_988(client):
    with mock.patch("contacts.messages.views.message_submit", side_effect=OperationalError("gone")):
        response = client.post(URL, patient_data(in_danger="yes"))

    body = response.content.decode()
    assert response.status_code == 503
    assert 'class="urgent-guidance"' in body
    assert body.index('id="not-sent"') < body.index('class="urgent-guidance"') < body.index("<form")


def test_with_every_statement_failing_the_message_page_still_renders_and_stores_nothing(
    client, caplog, cache_in_the_database
):
    with statements_fail() as refused:
        response = client.post(URL, patient_data())

    body = assert_not_sent_page(response, heading="Your message was NOT sent", element_id="not-sent")
    assert_words_kept(body)
    assert any("clinic_cache" in sql for sql in refused)  # the rate limit tried its table and let it through
    assert Message.objects.count() == 0 and Notification.objects.count() == 0
    assert_nothing_private_logged(caplog, WORDS, NAME, "4751")


def test_a_failure_after_the_message_row_was_written_leaves_nothing_half_stored(client):
    table = Notification._meta.db_table
    with statements_fail(lambda sql: table in sql) as refused:
        response = client.post(URL, patient_data())

    assert response.status_code == 503
    assert refused, "the notification was never written: this test proves nothing"
    assert Message.objects.count() == 0 and Notification.objects.count() == 0


def test_a_patient_carries_no_session_so_nothing_reads_one_in_an_outage(client):
    with statements_fail() as refused:
        client.post(URL, patient_data())

    assert not any("django_session" in sql for sql in refused)


def test_a_signed_in_staff_member_sending_the_form_in_an_outage_gets_the_page_not_a_500(client):
    client.force_login(make_staff())

    with statements_fail():
        response = client.post(URL, patient_data())

    assert response.status_code == 503
    assert_words_kept(response.content.decode())


def test_a_database_error_that_is_no_outage_keeps_the_words_answers_500_and_reports_it_privately(
    client, settings, caplog
):
    settings.ADMINS = [("Ops", "ops@clinic.test")]
    failure = DataError(f"value too long for type character varying: {WORDS}")

    with mock.patch("contacts.messages.views.message_submit", side_effect=failure):
        response = client.post(URL, patient_data())

    body = response.content.decode()
    assert response.status_code == 500
    assert "Retry-After" not in response  # trying again will not help; the page gives the phone
    assert "no-store" in response["Cache-Control"]
    assert "Your message was NOT sent" in alert(body, "not-sent")
    assert_words_kept(body)
    [report] = mail.outbox
    assert "message not stored: database error (DataError)" in report.subject
    for private in (WORDS, NAME, "4751"):
        assert private not in report.subject + report.body
    assert_nothing_private_logged(caplog, WORDS, NAME, "4751")


def test_a_resend_the_service_resolves_as_a_duplicate_is_not_an_error(client):
    assert client.post(URL, patient_data()).status_code == 302

    response = client.post(URL, patient_data())

    assert response.status_code == 302
    assert Message.objects.count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_with_the_database_server_gone_send_answers_503_with_the_words(client, unused_tcp_port, caplog, settings):
    settings.COUNSELORS_EMAIL = ["counselors@clinic.test"]
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "clinic_cache"}
    }

    with server_unreachable(unused_tcp_port):
        response = client.post(URL, patient_data())

    body = assert_not_sent_page(response, heading="Your message was NOT sent", element_id="not-sent")
    assert_words_kept(body)
    assert Message.objects.count() == 0
    assert_nothing_private_logged(caplog, WORDS, NAME, "4751")


def test_an_outage_is_not_mailed_to_the_admins_from_inside_the_patients_request(client, settings):
    # The mail server may be down with the database: a Send must not wait on it.
    settings.ADMINS = [("Ops", "ops@clinic.test")]

    with mock.patch("contacts.messages.views.message_submit", side_effect=OperationalError("could not connect")):
        assert client.post(URL, patient_data()).status_code == 503

    assert mail.outbox == []
