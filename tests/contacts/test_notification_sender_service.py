"""The notification sender as a service: two senders at once, a hung mail server, and the --loop."""

import logging
import os
import signal
import threading
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, connections
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from clinic.logs import JsonFormatter
from contacts.models import Notification
from contacts.notifications.outbox import (
    CLAIM_FOR,
    Attempt,
    notification_send,
    notifications_send_pending,
)
from tests.contacts.notification_helpers import BACKENDS, BrokenBackend, SlowBackend, queue
from tests.factories import elapsed_ms, make_article, message_post_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notification_call_counts")]


# Two senders at once (cron and the --loop service, or two servers)


def test_a_claimed_notification_is_not_sent_by_a_second_sender():
    notification = queue()
    Notification.objects.filter(pk=notification.pk).update(claimed_until=timezone.now() + timedelta(minutes=1))

    assert notification_send(notification=notification) is Attempt.SKIPPED
    assert notifications_send_pending().sent == 0
    assert mail.outbox == []


def test_a_notification_already_sent_is_not_sent_again_from_an_older_copy():
    notification = queue()
    older_copy = Notification.objects.get(pk=notification.pk)

    assert notification_send(notification=notification) is Attempt.SENT
    assert notification_send(notification=older_copy) is Attempt.SKIPPED
    assert len(mail.outbox) == 1
    older_copy.refresh_from_db()
    assert older_copy.attempts == 1
    assert older_copy.sent_at is not None


def test_a_sender_that_read_the_list_before_another_failed_it_does_not_retry_it_at_once(settings):
    settings.EMAIL_BACKEND = f"{BACKENDS}.BrokenBackend"
    notification = queue()
    stale = Notification.objects.get(pk=notification.pk)  # read by a second sender's list

    assert notification_send(notification=notification) is Attempt.UNREACHABLE
    assert notification_send(notification=stale) is Attempt.SKIPPED  # backed off meanwhile

    assert BrokenBackend.calls == 1


def test_a_notification_whose_sender_died_holding_it_is_sent_once_the_claim_lapses():
    notification = queue()
    Notification.objects.filter(pk=notification.pk).update(claimed_until=timezone.now() + CLAIM_FOR)
    assert notifications_send_pending().sent == 0

    Notification.objects.filter(pk=notification.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))

    assert notifications_send_pending().sent == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_senders_running_at_once_send_each_notification_exactly_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs the suite on PostgreSQL (runs in the PostgreSQL pass: DATABASE_URL=postgres://…)")
    SlowBackend.sent = []
    subjects = [f"New message #{n}" for n in range(30)]
    for subject in subjects:
        queue(subject=subject)
    barrier = threading.Barrier(2)

    def sender():
        barrier.wait()
        try:
            notifications_send_pending()
        finally:
            connections.close_all()

    with override_settings(EMAIL_BACKEND=f"{BACKENDS}.SlowBackend"):
        threads = [threading.Thread(target=sender) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert sorted(subject for subject, _thread in SlowBackend.sent) == sorted(subjects)
    assert len({thread for _subject, thread in SlowBackend.sent}) == 2  # both really sent some


# No request talks to the mail server


class HangingSMTP:
    """A mail server that accepts the connection and then never answers (until the test ends)."""

    opened: list[str] = []
    release = threading.Event()

    def __init__(self, host="", port=0, *args, **kwargs):
        HangingSMTP.opened.append(f"{host}:{port}")
        HangingSMTP.release.wait(timeout=5)
        raise TimeoutError("timed out")


@pytest.fixture
def hung_mail_server(settings, monkeypatch):
    """The real SMTP backend in front of a hung server; staff addresses configured."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.COUNSELORS_EMAIL = ["counselors@clinic.test"]
    settings.MODERATORS_EMAIL = ["moderators@clinic.test"]
    HangingSMTP.opened = []
    HangingSMTP.release.clear()
    monkeypatch.setattr("smtplib.SMTP", HangingSMTP)
    yield HangingSMTP
    HangingSMTP.release.set()


def test_a_patients_message_is_answered_at_once_with_the_mail_server_hung_and_its_notification_waits(
    client, hung_mail_server, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):  # as if the request's transaction committed
        response = client.post("/contact/", message_post_data(body="Please call me about treatment."))
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert response["Location"] == "/contact/sent/"
    assert elapsed < 2
    assert hung_mail_server.opened == []
    notification = Notification.objects.get()
    assert (notification.sent_at, notification.attempts, notification.claimed_until) == (None, 0, None)


def test_a_readers_comment_is_answered_at_once_with_the_mail_server_hung_and_its_notifications_wait(
    client, hung_mail_server, django_capture_on_commit_callbacks
):
    article = make_article()
    data = {
        "name": "Robin",
        "email": "robin@example.com",
        "comment": "Honestly I don't want to wake up tomorrow.",
        "parent": "",
        "website": "",
        "elapsed": elapsed_ms(60),
    }

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("contacts:comment-create", kwargs={"slug": article.slug}), data)
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert elapsed < 2
    assert hung_mail_server.opened == []
    assert Notification.objects.filter(sent_at__isnull=True, attempts=0).count() == 2  # counselors and moderators


def test_the_sender_gives_a_hung_mail_server_one_timeout_per_pass(settings, hung_mail_server):
    queue(), queue()
    hung_mail_server.release.set()  # the hang ends as EMAIL_TIMEOUT would end it

    run = notifications_send_pending()

    assert (run.sent, run.backlog.waiting) == (0, 2)
    assert len(hung_mail_server.opened) == 1
    assert sorted(Notification.objects.values_list("attempts", "last_error")) == [(0, ""), (1, "TimeoutError")]


# --loop: the sender as a service


@pytest.fixture
def loop_connections(monkeypatch) -> list[int]:
    """Each pass's close_old_connections(), counted and not run: in a test it would close the
    connection holding the test's own transaction (Django's test client skips it too)."""
    from contacts.management.commands import send_pending_notifications as command

    calls: list[int] = []
    monkeypatch.setattr(command, "close_old_connections", lambda: calls.append(1))
    return calls


def test_the_loop_sends_every_interval_until_sigterm_and_stops_after_the_pass_under_way(monkeypatch, loop_connections):
    from contacts.management.commands import send_pending_notifications as command

    passes = []

    def one_pass():
        passes.append(time.monotonic())
        if len(passes) == 1:
            queue()  # arrives between two passes
        if len(passes) == 3:
            os.kill(os.getpid(), signal.SIGTERM)
        return notifications_send_pending()

    monkeypatch.setattr(command, "notifications_send_pending", one_pass)
    before = signal.getsignal(signal.SIGTERM)
    out = StringIO()

    call_command("send_pending_notifications", "--loop", "0.05", stdout=out)

    assert len(passes) == 3
    assert len(loop_connections) == 3  # stale database connections are dropped before each pass
    assert passes[1] - passes[0] >= 0.05
    assert out.getvalue() == "Sent 1 notification(s); 0 still waiting.\n"
    assert len(mail.outbox) == 1
    assert signal.getsignal(signal.SIGTERM) is before


def test_the_loop_refuses_a_zero_interval():
    with pytest.raises(CommandError, match="above 0"):
        call_command("send_pending_notifications", "--loop", "0")


def test_the_loop_outlives_a_database_failure_and_logs_it(monkeypatch, caplog, loop_connections):
    from contacts.management.commands import send_pending_notifications as command

    passes = []

    def one_pass():
        passes.append(1)
        if len(passes) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        os.kill(os.getpid(), signal.SIGTERM)
        return notifications_send_pending()

    monkeypatch.setattr(command, "notifications_send_pending", one_pass)

    call_command("send_pending_notifications", "--loop", "0.01", stdout=StringIO())

    assert len(passes) == 2
    lines = [JsonFormatter().format(record) for record in caplog.records if record.levelno == logging.ERROR]
    assert len(lines) == 1
    assert "the database failed" in lines[0]
    assert '"exc_type": "OperationalError"' in lines[0]
    assert "server closed" not in lines[0]  # an exception's text never reaches a log line
