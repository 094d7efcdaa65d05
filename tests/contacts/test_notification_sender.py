"""The outbox of staff notifications: stored with the data, sent only by the sender, retried for ever."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from contacts.models import Notification
from contacts.notifications.outbox import (
    notifications_send_pending,
    retry_delay,
)
from tests.contacts.notification_helpers import BACKENDS, BrokenBackend, RefusingBackend, make_due, queue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notification_call_counts")]


# Queuing


def test_queuing_stores_a_due_notification_and_sends_nothing_even_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = queue()

    assert callbacks == []
    assert mail.outbox == []
    notification.refresh_from_db()
    assert (notification.sent_at, notification.attempts, notification.claimed_until) == (None, 0, None)
    assert notification.next_attempt_at <= timezone.now()


def test_nothing_is_stored_when_the_transaction_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        queue()
        raise RuntimeError

    assert Notification.objects.count() == 0


def test_without_recipients_nothing_is_queued():
    assert queue(recipients=[""]) is None
    assert Notification.objects.count() == 0


# The sender


def test_the_sender_sends_what_is_due_oldest_first_and_only_once():
    for subject, minutes_ago in [("second", 1), ("first", 3), ("third", 0)]:
        notification = queue(subject=subject)
        Notification.objects.filter(pk=notification.pk).update(
            created_at=timezone.now() - timedelta(minutes=minutes_ago)
        )

    assert notifications_send_pending().sent == 3
    assert notifications_send_pending().sent == 0

    assert [email.subject for email in mail.outbox] == ["first", "second", "third"]
    assert mail.outbox[0].to == ["counselors@clinic.test"]
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0


def test_the_command_says_what_it_sent_and_nothing_when_there_was_nothing(capsys):
    queue()
    out = StringIO()

    call_command("send_pending_notifications", stdout=out)
    call_command("send_pending_notifications", stdout=out)

    assert out.getvalue() == "Sent 1 notification(s); 0 still waiting.\n"
    assert len(mail.outbox) == 1


def test_a_failed_attempt_is_recorded_and_retried_after_a_minute_not_before(settings, caplog):
    settings.EMAIL_BACKEND = f"{BACKENDS}.BrokenBackend"
    notification = queue()

    assert notifications_send_pending().sent == 0

    notification.refresh_from_db()
    assert (notification.attempts, notification.last_error, notification.sent_at) == (1, "SMTPServerDisconnected", None)
    assert timedelta(seconds=55) < notification.next_attempt_at - timezone.now() <= timedelta(minutes=1)
    assert "not sent (attempt 1)" in caplog.text
    assert "mail server down" not in caplog.text  # the exception's text is never logged

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications_send_pending().sent == 0  # not due yet
    make_due(notification)
    assert notifications_send_pending().sent == 1
    notification.refresh_from_db()
    assert (notification.attempts, notification.last_error) == (2, "")
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("attempts", "minutes"), [(1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 32), (7, 60), (8, 60), (200, 60)]
)
def test_retries_back_off_doubling_from_a_minute_up_to_an_hour(attempts, minutes):
    assert retry_delay(attempts) == timedelta(minutes=minutes)


def test_a_notification_that_failed_200_times_is_still_tried_when_due_and_then_backs_off_an_hour(settings):
    settings.EMAIL_BACKEND = f"{BACKENDS}.BrokenBackend"
    notification = queue()
    Notification.objects.filter(pk=notification.pk).update(attempts=200)

    notifications_send_pending()

    notification.refresh_from_db()
    assert BrokenBackend.calls == 1
    assert notification.attempts == 201
    assert timedelta(minutes=59) < notification.next_attempt_at - timezone.now() <= timedelta(hours=1)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_due(notification)
    assert notifications_send_pending().sent == 1
    assert len(mail.outbox) == 1


def test_an_unreachable_mail_server_costs_one_attempt_per_pass_and_the_rest_stay_due(settings):
    settings.EMAIL_BACKEND = f"{BACKENDS}.BrokenBackend"
    first, second, third = queue(), queue(), queue()

    run = notifications_send_pending()

    assert (run.sent, run.backlog.waiting, BrokenBackend.calls) == (0, 3, 1)
    attempts = dict(Notification.objects.values_list("pk", "attempts"))
    assert attempts == {first.pk: 1, second.pk: 0, third.pk: 0}
    assert set(Notification.objects.due(timezone.now()).values_list("pk", flat=True)) == {second.pk, third.pk}

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications_send_pending().sent == 2  # the first waits for its retry


def test_a_server_refusing_one_email_does_not_stop_the_others(settings):
    settings.EMAIL_BACKEND = f"{BACKENDS}.RefusingBackend"
    queue(), queue()

    notifications_send_pending()

    assert RefusingBackend.calls == 2
    assert set(Notification.objects.values_list("attempts", "last_error")) == {(1, "SMTPRecipientsRefused")}
