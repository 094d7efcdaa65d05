"""Staff notifications through a durable outbox: stored with the data, sent after commit, retried.

`notification_queue()` is called inside the transaction that stores a message or comment.
After commit, one send is tried straight away (with `EMAIL_TIMEOUT`, failures only logged);
`manage.py send_pending_notifications` (cron, every minute) retries whatever is still unsent.
A row is claimed before sending, so two senders never deliver the same notification twice: a new
row is stored already claimed by the request that queued it (no second query to claim it), and a
failed send gives the claim back at once; should that request die before sending, the claim
lapses after `CLAIM_FOR` and the cron sends it.
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from contacts.notifications.models import Notification

logger = logging.getLogger(__name__)

CLAIM_FOR = timedelta(minutes=5)
MAX_ATTEMPTS = 50


def notification_queue(*, recipients: list[str], subject: str, body: str) -> Notification | None:
    """Store a notification and try to send it once the surrounding transaction commits.

    Must only ever be given text without patient data. Returns None when no recipient is
    configured (nothing to notify; the item still waits in the admin).
    """
    recipients = [address for address in recipients if address]
    if not recipients:
        return None
    notification = Notification.objects.create(
        recipients=",".join(recipients), subject=subject, body=body, claimed_until=timezone.now() + CLAIM_FOR
    )
    transaction.on_commit(partial(notification_deliver, notification=notification), robust=True)
    return notification


def notification_send(*, notification: Notification) -> bool:
    """Send one notification unless it was sent or another sender holds it. True if sent now.

    Whether it is still waiting is decided by the database (the claim); only its recipients,
    subject and body, which never change once queued, are taken from `notification`.
    """
    now = timezone.now()
    claimed = Notification.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now), pk=notification.pk, sent_at__isnull=True
    ).update(claimed_until=now + CLAIM_FOR)
    return bool(claimed) and notification_deliver(notification=notification)


def notification_deliver(*, notification: Notification) -> bool:
    """Send a notification whose claim the caller holds and record the outcome. True if sent.

    A failure gives the claim back, so the next `send_pending_notifications` run retries it.
    """
    this = Notification.objects.filter(pk=notification.pk)
    try:
        send_mail(
            notification.subject,
            notification.body,
            settings.DEFAULT_FROM_EMAIL,
            notification.recipients.split(","),
            fail_silently=False,
        )
    except Exception as exc:  # noqa: BLE001 - any mail failure is retried later
        this.update(claimed_until=None, attempts=F("attempts") + 1, last_error=exc.__class__.__name__[:200])
        logger.warning(
            "notification %s not sent (attempt %s): %s",
            notification.pk,
            this.values_list("attempts", flat=True).first(),
            exc.__class__.__name__,
        )
        return False
    this.update(sent_at=timezone.now(), claimed_until=None, attempts=F("attempts") + 1, last_error="")
    return True


def notifications_send_pending() -> tuple[int, int]:
    """Try every unsent notification once, oldest first. Returns (sent, still unsent)."""
    pending = Notification.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).order_by("created_at", "pk")
    sent = sum(notification_send(notification=notification) for notification in list(pending))
    unsent = Notification.objects.filter(sent_at__isnull=True).count()
    return sent, unsent
