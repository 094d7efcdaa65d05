"""Mail backends that fail, refuse or are slow, and small builders for the notification tests."""

import threading
import time
from datetime import timedelta
from smtplib import SMTPRecipientsRefused, SMTPServerDisconnected

from django.utils import timezone

from contacts.models import Notification
from contacts.notifications.outbox import (
    notification_queue,
)

BACKENDS = "tests.contacts.notification_helpers"


class BrokenBackend:
    """An email backend whose server is down."""

    calls = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        BrokenBackend.calls += 1
        raise SMTPServerDisconnected("mail server down")


class RefusingBackend:
    """A mail server that answers, and refuses every recipient of every email."""

    calls = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        RefusingBackend.calls += 1
        raise SMTPRecipientsRefused({"counselors@clinic.test": (550, b"no such user")})


class SlowBackend:
    """A working mail server taking 20 ms an email; remembers which thread sent what."""

    sent: list[tuple[str, str]] = []
    lock = threading.Lock()

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        time.sleep(0.02)
        with SlowBackend.lock:
            SlowBackend.sent.extend((message.subject, threading.current_thread().name) for message in messages)
        return len(messages)


def queue(**overrides):
    fields = {"recipients": ["counselors@clinic.test"], "subject": "New message #1", "body": "Open it."}
    fields.update(overrides)
    return notification_queue(**fields)


def make_due(notification: Notification) -> None:
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
