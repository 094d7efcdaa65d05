from io import StringIO
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone

from contacts.messages.services import (
    RequestMeta,
    form_token_hash,
    message_assign,
    message_fingerprint,
    message_mark_opened,
    message_set_status,
    message_submit,
)
from contacts.models import Message, MessageNote, Notification
from contacts.notifications.outbox import notifications_send_pending
from tests.factories import PATIENT, make_counselor, make_message

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _counselors(settings):
    settings.COUNSELORS_EMAIL = ["counselors@clinic.test"]
    settings.SITE_URL = "https://clinic.test"


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise SMTPServerDisconnected("mail server down")


def submit(capture, meta: RequestMeta | None = None, **overrides) -> Message:
    """Submit as the form does, then run the notification sender once, as cron would."""
    with capture(execute=True):
        message = message_submit(**{**PATIENT, **overrides}, request_meta=meta or RequestMeta(form_token="t1"))
    notifications_send_pending()
    return message


def test_a_message_is_stored_and_counselors_get_a_notification_without_patient_data(
    django_capture_on_commit_callbacks,
):
    message = submit(django_capture_on_commit_callbacks)

    assert Message.objects.get() == message
    assert message.status == Message.Status.NEW
    assert message.urgent is False
    assert message.consent_at is not None
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["counselors@clinic.test"]
    assert email.subject == f"New message #{message.pk}"
    assert email.body == (
        f"New message #{message.pk} – open it in the admin: https://clinic.test/admin/contacts/message/{message.pk}/change/"
    )
    sent = f"{email.subject}\n{email.body}"
    for secret in ("Jordan", "Private", "7086134751", "613-4751", "jordan.private", "secret", "treatment", "after 6"):
        assert secret not in sent


def test_crisis_language_makes_the_message_urgent_and_the_notification_says_so(django_capture_on_commit_callbacks):
    message = submit(django_capture_on_commit_callbacks, body="I took too much, I think I overdosed.")

    assert message.urgent is True
    assert mail.outbox[0].subject == f"URGENT: new message #{message.pk}"
    assert mail.outbox[0].body.startswith(f"URGENT: new message #{message.pk} – open it in the admin: ")
    assert "overdosed" not in mail.outbox[0].body


def test_the_same_contact_and_text_within_ten_minutes_is_one_message_and_one_notification(
    django_capture_on_commit_callbacks,
):
    first = submit(django_capture_on_commit_callbacks, meta=RequestMeta(form_token="page-1"))
    again = submit(
        django_capture_on_commit_callbacks, meta=RequestMeta(form_token="page-2"), body=f"  {PATIENT['body']}\n"
    )

    assert again.pk == first.pk
    assert Message.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_same_text_from_a_new_form_after_ten_minutes_is_a_new_message(django_capture_on_commit_callbacks):
    first = submit(django_capture_on_commit_callbacks, meta=RequestMeta(form_token="page-1"))
    Message.objects.filter(pk=first.pk).update(created_at=timezone.now() - timezone.timedelta(minutes=11))

    second = submit(django_capture_on_commit_callbacks, meta=RequestMeta(form_token="page-2"))

    assert second.pk != first.pk
    assert len(mail.outbox) == 2


def test_the_same_form_posted_again_later_is_still_the_same_message(django_capture_on_commit_callbacks):
    first = submit(django_capture_on_commit_callbacks, meta=RequestMeta(form_token="page-1"))
    Message.objects.filter(pk=first.pk).update(created_at=timezone.now() - timezone.timedelta(hours=2))

    again = submit(django_capture_on_commit_callbacks, meta=RequestMeta(form_token="page-1"))

    assert again.pk == first.pk
    assert len(mail.outbox) == 1


def test_a_different_text_from_the_same_form_is_a_new_message(django_capture_on_commit_callbacks):
    # The Back button brings back the same form; a patient who edits and resends is not ignored.
    first = submit(django_capture_on_commit_callbacks, meta=RequestMeta(form_token="same-page"))
    second = submit(
        django_capture_on_commit_callbacks, meta=RequestMeta(form_token="same-page"), body="Something else."
    )

    assert second.pk != first.pk
    assert Message.objects.count() == 2


def test_the_database_refuses_a_second_row_for_the_same_form_post():
    fingerprint = message_fingerprint(phone=PATIENT["phone"], email=PATIENT["email"], body=PATIENT["body"])
    make_message(fingerprint=fingerprint, form_token=form_token_hash("tok"))

    with pytest.raises(IntegrityError):
        make_message(fingerprint=fingerprint, form_token=form_token_hash("tok"))


def test_a_simultaneous_double_post_returns_the_stored_message(django_capture_on_commit_callbacks, monkeypatch):
    # The other request stored it between our duplicate check and our insert.
    fingerprint = message_fingerprint(phone=PATIENT["phone"], email=PATIENT["email"], body=PATIENT["body"])
    stored = make_message(fingerprint=fingerprint, form_token=form_token_hash("tok"))
    monkeypatch.setattr(Message.objects.__class__, "duplicate_of", lambda self, **kw: None)

    message = submit(django_capture_on_commit_callbacks, meta=RequestMeta(form_token="tok"))

    assert message.pk == stored.pk
    assert Message.objects.count() == 1
    assert mail.outbox == []


def test_spam_is_stored_with_its_reason_and_notifies_nobody(django_capture_on_commit_callbacks):
    message = submit(django_capture_on_commit_callbacks, meta=RequestMeta(spam_reason="honeypot"))

    assert message.status == Message.Status.SPAM
    assert message.spam_reason == "honeypot"
    assert mail.outbox == []
    assert Notification.objects.count() == 0


def test_a_real_message_is_not_swallowed_by_an_earlier_spam_copy(django_capture_on_commit_callbacks):
    spam = submit(django_capture_on_commit_callbacks, meta=RequestMeta(spam_reason="too_fast"))
    real = submit(django_capture_on_commit_callbacks, meta=RequestMeta(form_token="t2"))

    assert real.pk != spam.pk
    assert real.status == Message.Status.NEW
    assert len(mail.outbox) == 1


def test_mail_server_down_keeps_the_message_and_a_later_run_sends_exactly_once(
    settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "tests.contacts.test_services.BrokenBackend"

    message = submit(django_capture_on_commit_callbacks)

    assert Message.objects.filter(pk=message.pk).exists()
    assert Notification.objects.get().sent_at is None
    assert "not sent" in caplog.text
    for secret in ("Jordan", "7086134751", "jordan.private", "secret message"):
        assert secret not in caplog.text

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Notification.objects.update(next_attempt_at=timezone.now())  # its retry is due
    call_command("send_pending_notifications", stdout=StringIO(), stderr=StringIO())
    call_command("send_pending_notifications", stdout=StringIO(), stderr=StringIO())

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == f"New message #{message.pk}"


def test_without_counselor_addresses_the_message_is_still_stored_and_the_gap_is_logged(
    settings, django_capture_on_commit_callbacks, caplog
):
    settings.COUNSELORS_EMAIL = []

    message = submit(django_capture_on_commit_callbacks)

    assert Message.objects.filter(pk=message.pk).exists()
    assert "DJANGO_COUNSELORS_EMAIL is empty" in caplog.text


def test_no_raw_address_is_stored_only_the_hash_given():
    message = message_submit(**PATIENT, request_meta=RequestMeta(client_hash="abc123", sent_from="/articles/x/"))

    assert message.client_hash == "abc123"
    assert message.sent_from == "/articles/x/"
    field_names = {field.name for field in Message._meta.get_fields()}
    assert not field_names & {"ip", "ip_address", "user_agent", "remote_addr"}


def test_assigning_a_new_message_puts_it_in_progress_and_writes_the_timeline():
    counselor = make_counselor()
    message = make_message()

    assert message_assign(message=message, assignee=counselor, by=counselor) is True

    message.refresh_from_db()
    assert message.assigned_to == counselor
    assert message.status == Message.Status.IN_PROGRESS
    assert list(message.notes.values_list("text", flat=True)) == [
        "Assigned to counselor.",
        "Status: New → In progress.",
    ]
    assert message_assign(message=message, assignee=counselor, by=counselor) is False


def test_first_contacted_is_stamped_once():
    counselor = make_counselor()
    message = make_message()

    message_set_status(message=message, status=Message.Status.CONTACTED, by=counselor)
    first = Message.objects.get(pk=message.pk).first_contacted_at
    message_set_status(message=message, status=Message.Status.IN_PROGRESS, by=counselor)
    message_set_status(message=message, status=Message.Status.CONTACTED, by=counselor)

    assert first is not None
    assert Message.objects.get(pk=message.pk).first_contacted_at == first
    assert MessageNote.objects.filter(message=message).count() == 3


def test_setting_the_same_status_changes_nothing():
    message = make_message()

    assert message_set_status(message=message, status=Message.Status.NEW, by=None) is False
    assert message.notes.count() == 0


def test_only_the_first_opening_is_recorded():
    first, second = make_counselor("first"), make_counselor("second")
    message = make_message()

    assert message_mark_opened(message=message, user=first) is True
    assert message_mark_opened(message=message, user=second) is False
    message.refresh_from_db()
    assert message.first_opened_by == first
