"""Staff notifications through a durable outbox: stored with the data, sent by the scheduled sender.

`notification_queue()` is called inside the transaction that stores a message or comment and
only stores a row: no request ever talks to the mail server, so a hung or down mail server
never holds a patient's Send. `manage.py send_pending_notifications` (cron every minute, or
`--loop` as a service) sends what is due, oldest first. A failed attempt is retried after 1, 2,
4 … minutes, at most an hour apart, for as long as it takes: nothing is ever given up. A
notification still unsent `NOTIFICATION_ALARM_MINUTES` after it was queued is late: each sender
run logs an ERROR, and the admin home page tells the staff who work messages.

A row is claimed before sending (`claimed_until`), so two senders running at once (cron and the
service, or two servers) never deliver the same notification twice; a sender that dies while
holding a claim loses it after `CLAIM_FOR`.
"""

import enum
import logging
from collections.abc import Iterable
from datetime import timedelta
from smtplib import SMTPRecipientsRefused, SMTPResponseException
from typing import NamedTuple

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from contacts.audit.models import AuditEvent
from contacts.audit.services import audit_record
from contacts.notifications.models import Backlog, Notification

logger = logging.getLogger(__name__)

CLAIM_FOR = timedelta(minutes=5)
FIRST_RETRY_AFTER = timedelta(minutes=1)
LONGEST_RETRY_AFTER = timedelta(hours=1)


class Attempt(enum.Enum):
    """The outcome of `notification_send`."""

    SENT = "sent"
    # The mail server answered this email with an error: the next one may still go through.
    FAILED = "failed"
    # The mail server did not answer at all (refused, timed out, hung up): the next would fail too.
    UNREACHABLE = "unreachable"
    # Not this sender's to send: already sent, not due yet, or another sender holds it.
    SKIPPED = "skipped"


class SenderRun(NamedTuple):
    """What one pass of the sender did, and the backlog it left behind."""

    sent: int
    backlog: Backlog


def notification_queue(*, recipients: list[str], subject: str, body: str) -> Notification | None:
    """Store a notification, due at once, for the scheduled sender; never sends anything itself.

    Call it inside the transaction that stores what it announces: both are kept or neither.
    Must only ever be given text without patient data. Returns None when no recipient is
    configured (nothing to notify; the item still waits in the admin).
    """
    recipients = [address for address in recipients if address]
    if not recipients:
        return None
    return Notification.objects.create(recipients=",".join(recipients), subject=subject, body=body)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: 1, 2, 4 … minutes, never over an hour."""
    doublings = min(max(attempts - 1, 0), 6)  # 2**6 minutes is past the hour already
    return min(FIRST_RETRY_AFTER * 2**doublings, LONGEST_RETRY_AFTER)


def _server_unreachable(exc: Exception) -> bool:
    # Every smtplib error is an OSError; those carrying an SMTP reply are the server's answer.
    return isinstance(exc, OSError) and not isinstance(exc, SMTPResponseException | SMTPRecipientsRefused)


def notification_send(*, notification: Notification) -> Attempt:
    """Send one notification if it is unsent, due and no other sender holds it; record the outcome.

    Whether it is still waiting is decided by the database (the claim); only its recipients,
    subject and body, which never change once queued, are taken from `notification`. A failure
    is retried after `retry_delay(attempts)`, however many attempts failed before.
    """
    now = timezone.now()
    claimed = (
        Notification.objects.due(now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now), pk=notification.pk)
        .update(claimed_until=now + CLAIM_FOR)
    )
    if not claimed:
        return Attempt.SKIPPED
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
        # The claim is ours: no other sender changes the row until it is given back here (a
        # superuser may have deleted it meanwhile: then there is nothing left to update).
        attempts = (this.values_list("attempts", flat=True).first() or 0) + 1
        this.update(
            claimed_until=None,
            attempts=attempts,
            next_attempt_at=timezone.now() + retry_delay(attempts),
            last_error=exc.__class__.__name__[:200],
        )
        logger.warning("notification %s not sent (attempt %s): %s", notification.pk, attempts, exc.__class__.__name__)
        return Attempt.UNREACHABLE if _server_unreachable(exc) else Attempt.FAILED
    this.update(sent_at=timezone.now(), claimed_until=None, attempts=F("attempts") + 1, last_error="")
    return Attempt.SENT


def _send_in_turn(notifications: Iterable[Notification]) -> int:
    """Try each notification in turn until the mail server stops answering. Returns how many were sent.

    A server that does not answer costs one `EMAIL_TIMEOUT`, not one per notification: the rest
    stay due, untouched, for the next pass.
    """
    sent = 0
    for notification in notifications:
        attempt = notification_send(notification=notification)
        sent += attempt is Attempt.SENT
        if attempt is Attempt.UNREACHABLE:
            break
    return sent


def notifications_send_pending() -> SenderRun:
    """One pass of the scheduled sender: send every due notification, oldest first; alarm if any is late.

    While any notification is late (unsent `NOTIFICATION_ALARM_MINUTES` after it was queued)
    the pass logs one ERROR with the count and the oldest one's age, never anything else.
    """
    due = Notification.objects.due(timezone.now()).order_by("created_at", "pk")
    sent = _send_in_turn(list(due.only("pk", "recipients", "subject", "body")))
    now = timezone.now()
    backlog = Notification.objects.backlog(now)
    if backlog.late and backlog.late_since is not None:
        logger.error(
            "%s staff notification(s) late: unsent for over %s minutes, the oldest queued %s minutes ago "
            "(%s waiting in all); is the mail server reachable?",
            backlog.late,
            settings.NOTIFICATION_ALARM_MINUTES,
            int((now - backlog.late_since).total_seconds() // 60),
            backlog.waiting,
        )
    return SenderRun(sent=sent, backlog=backlog)


def notifications_send_again(*, notifications: QuerySet[Notification], actor) -> tuple[int, int]:
    """Make the chosen unsent notifications due now, record who asked, and try each once.

    For staff in the outbox ("Send again now"). Sent ones are left alone. The request is
    audited (the notifications' numbers, never their text) before anything is sent; sending
    stops at the first sign the mail server is not answering, so a hung server costs one
    `EMAIL_TIMEOUT`, and whatever is left is the scheduled sender's. Returns (sent now, still
    waiting of those chosen).
    """
    with transaction.atomic():
        chosen = list(
            notifications.filter(sent_at__isnull=True)
            .order_by("created_at", "pk")
            .only("pk", "recipients", "subject", "body")
        )
        if not chosen:
            return 0, 0
        ids = [notification.pk for notification in chosen]
        Notification.objects.filter(pk__in=ids, sent_at__isnull=True).update(next_attempt_at=timezone.now())
        audit_record(
            actor=actor,
            action=AuditEvent.Action.NOTIFICATIONS_RESENT,
            message_ids=[None],
            detail="notifications " + ", ".join(f"#{pk}" for pk in ids),
        )
    sent = _send_in_turn(chosen)
    return sent, Notification.objects.filter(pk__in=ids, sent_at__isnull=True).count()
