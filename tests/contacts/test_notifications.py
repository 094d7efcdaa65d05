from io import StringIO
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from contacts.models import Notification
from contacts.notifications.outbox import notification_queue, notification_send, notifications_send_pending

pytestmark = pytest.mark.django_db


class BrokenBackend:
    """An email backend whose server is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise SMTPServerDisconnected("mail server down")


def queue(**overrides):
    fields = {"recipients": ["counselors@clinic.test"], "subject": "New message #1", "body": "Open it."}
    fields.update(overrides)
    return notification_queue(**fields)


def test_notification_is_sent_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "New message #1"
    assert mail.outbox[0].to == ["counselors@clinic.test"]
    notification.refresh_from_db()
    assert notification.sent_at is not None


def test_nothing_is_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        queue()
        raise RuntimeError

    assert mail.outbox == []
    assert Notification.objects.count() == 0


def test_without_recipients_nothing_is_queued():
    assert queue(recipients=[""]) is None
    assert Notification.objects.count() == 0


def test_mail_outage_keeps_the_notification_and_a_later_run_sends_it_exactly_once(
    settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "tests.contacts.test_notifications.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue()

    notification.refresh_from_db()
    assert notification.sent_at is None
    assert notification.attempts == 1
    assert notification.last_error == "SMTPServerDisconnected"
    assert "not sent" in caplog.text

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out = StringIO()
    call_command("send_pending_notifications", stdout=out)
    call_command("send_pending_notifications", stdout=out)

    assert len(mail.outbox) == 1
    assert "Sent 1 notification(s); 0 still waiting." in out.getvalue()


def test_a_claimed_notification_is_not_sent_by_a_second_sender():
    notification = Notification.objects.create(recipients="a@clinic.test", subject="s", body="b")
    from django.utils import timezone

    Notification.objects.filter(pk=notification.pk).update(claimed_until=timezone.now() + timezone.timedelta(minutes=1))

    assert notification_send(notification=notification) is False
    assert mail.outbox == []


def test_send_pending_skips_already_sent():
    Notification.objects.create(recipients="a@clinic.test", subject="s", body="b")

    assert notifications_send_pending() == (1, 0)
    assert notifications_send_pending() == (0, 0)
    assert len(mail.outbox) == 1


def test_a_notification_already_sent_is_not_sent_again_from_an_older_copy():
    notification = Notification.objects.create(recipients="a@clinic.test", subject="s", body="b")
    older_copy = Notification.objects.get(pk=notification.pk)

    assert notification_send(notification=notification) is True
    assert notification_send(notification=older_copy) is False
    assert len(mail.outbox) == 1
    older_copy.refresh_from_db()
    assert older_copy.attempts == 1
    assert older_copy.sent_at is not None


def test_the_request_that_queued_a_notification_sends_it_and_a_cron_run_meanwhile_does_not(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        queue()

    assert notifications_send_pending() == (0, 1)  # the cron, between the commit and the request's send
    for callback in callbacks:
        callback()

    assert len(mail.outbox) == 1
    assert notifications_send_pending() == (0, 0)
    assert len(mail.outbox) == 1


def test_a_notification_whose_request_died_before_sending_is_sent_by_the_cron_once_its_claim_lapses(
    django_capture_on_commit_callbacks,
):
    from django.utils import timezone

    from contacts.notifications.outbox import CLAIM_FOR

    with django_capture_on_commit_callbacks():  # the callbacks never run: the worker died
        notification = queue()
    assert notifications_send_pending() == (0, 1)

    Notification.objects.filter(pk=notification.pk).update(claimed_until=timezone.now() - CLAIM_FOR)

    assert notifications_send_pending() == (1, 0)
    assert len(mail.outbox) == 1
