"""Writes of patients' messages: a message arriving, and counselors working it (timeline, status, assignee).

Every change a counselor makes is also written to the message's timeline (`MessageNote`) and to
the audit trail (`contacts.audit`). Retention and erasure are in `contacts.privacy`.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.views.decorators.debug import sensitive_variables

from contacts.audit.models import AuditEvent
from contacts.audit.services import audit_record
from contacts.crisis import is_crisis
from contacts.messages.models import Message, MessageNote
from contacts.notifications.models import Notification
from contacts.notifications.outbox import notification_queue

logger = logging.getLogger(__name__)

DUPLICATE_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class RequestMeta:
    """What the request tells us about a submission, already reduced to what may be stored."""

    client_hash: str = ""
    sent_from: str = ""
    form_token: str = ""
    spam_reason: str | None = None


@sensitive_variables()
def message_fingerprint(*, phone: str, email: str, body: str) -> str:
    """A salted hash of contact details and text: equal for a resend of the same message."""
    text = " ".join(body.split())
    return salted_hmac("contacts.message-fingerprint", f"{phone}\n{email.strip().casefold()}\n{text}").hexdigest()


def form_token_hash(token: str) -> str:
    """A salted hash of the form's one-time token from the page's script ("" when there is none)."""
    return salted_hmac("contacts.form-token", token).hexdigest() if token else ""


@sensitive_variables()
def message_is_urgent(*, body: str, said_in_danger: bool) -> bool:
    """A message is urgent when its writer said they are in danger or its words read as a crisis."""
    return said_in_danger or is_crisis(body)


@sensitive_variables()
def message_submit(
    *,
    name: str,
    preferred_method: str,
    phone: str,
    email: str,
    best_time: str,
    body: str,
    voicemail_ok: bool,
    clinic_name_ok: bool,
    said_in_danger: bool = False,
    request_meta: RequestMeta,
) -> Message:
    """Store a patient's message and, with it, the counselors' notification. Returns the message.

    Guarantees: the message is in the database before anything else happens; a resend of the
    same contact details and text within 10 minutes (a refresh, a double click, the same form
    posted twice, even at the same instant) returns the stored message instead of a second
    row; crisis language (`contacts.crisis`) or a "yes" to the direct question marks it urgent;
    suspected spam is stored with status spam and notifies nobody, except that an urgent message
    is never stored as spam: it stays open, keeps its spam signal ("possible spam") and is
    notified like any urgent message. The notification carries only the number, "URGENT" and an
    admin link; urgent ones also go to `URGENT_EMAIL`.
    """
    urgent = message_is_urgent(body=body, said_in_danger=said_in_danger)
    # Safety beats spam control: a patient in danger who pastes fast must still reach a counselor.
    spam = bool(request_meta.spam_reason) and not urgent
    fingerprint = message_fingerprint(phone=phone, email=email, body=body)
    now = timezone.now()
    if duplicate := Message.objects.duplicate_of(fingerprint=fingerprint, spam=spam, since=now - DUPLICATE_WINDOW):
        return duplicate
    token = form_token_hash(request_meta.form_token)
    try:
        # The message and its notification are stored together or not at all.
        with transaction.atomic():
            message = Message.objects.create(
                name=name,
                preferred_method=preferred_method,
                phone=phone,
                email=email,
                best_time=best_time,
                body=body,
                voicemail_ok=voicemail_ok,
                clinic_name_ok=clinic_name_ok,
                consent_at=now,
                status=Message.Status.SPAM if spam else Message.Status.NEW,
                urgent=urgent,
                said_in_danger=said_in_danger,
                spam_reason=request_meta.spam_reason or "",
                client_hash=request_meta.client_hash,
                sent_from=request_meta.sent_from,
                fingerprint=fingerprint,
                form_token=token,
                created_at=now,
            )
            if not spam:
                _notify_counselors(message)
    except IntegrityError:
        # The same form was posted twice at once and the other request stored it first.
        duplicate = Message.objects.filter(form_token=token, fingerprint=fingerprint).first()
        if duplicate is None:
            raise
        return duplicate
    return message


def _notify_counselors(message: Message) -> Notification | None:
    link = settings.SITE_URL + reverse("admin:contacts_message_change", args=[message.pk])
    recipients = settings.COUNSELORS_EMAIL
    title = f"New message #{message.pk}"
    if message.urgent:
        recipients = [*recipients, *settings.URGENT_EMAIL]
        title = f"URGENT: new message #{message.pk}"
        if message.spam_reason:
            title += " (also looks like spam: check it)"
    queued = notification_queue(recipients=recipients, subject=title, body=f"{title} – open it in the admin: {link}")
    if queued is None:
        logger.warning("message %s stored but DJANGO_COUNSELORS_EMAIL is empty: nobody was notified", message.pk)
    return queued


def message_note_add(*, message: Message, author, text: str) -> MessageNote:
    """Add an entry to the message's timeline, written by `author`."""
    return MessageNote.objects.create(message=message, author=author, text=text)


def message_set_status(*, message: Message, status: str, by) -> bool:
    """Move the message to `status`, recording who did it in the timeline. False if unchanged.

    The first move to "contacted" stamps `first_contacted_at`, which later moves never change.
    """
    if message.status == status:
        return False
    old_label = message.get_status_display()
    message.status = status
    update_fields = ["status", "updated_at"]
    if status == Message.Status.CONTACTED and message.first_contacted_at is None:
        message.first_contacted_at = timezone.now()
        update_fields.append("first_contacted_at")
    with transaction.atomic():
        message.save(update_fields=update_fields)
        change = f"{old_label} → {message.get_status_display()}"
        message_note_add(message=message, author=by, text=f"Status: {change}.")
        audit_record(actor=by, action=AuditEvent.Action.STATUS_CHANGED, message_ids=[message.pk], detail=change)
    return True


def message_assign(*, message: Message, assignee, by) -> bool:
    """Give the message to `assignee` (None to unassign); a new message becomes "in progress".

    Records the change in the timeline. False if it was already assigned that way.
    """
    if message.assigned_to_id == (assignee.pk if assignee else None):
        return False
    with transaction.atomic():
        before = message.assigned_to.get_username() if message.assigned_to else "nobody"
        message.assigned_to = assignee
        message.save(update_fields=["assigned_to", "updated_at"])
        who = assignee.get_username() if assignee else "nobody"
        message_note_add(message=message, author=by, text=f"Assigned to {who}.")
        audit_record(actor=by, action=AuditEvent.Action.ASSIGNED, message_ids=[message.pk], detail=f"{before} → {who}")
        if assignee and message.status == Message.Status.NEW:
            message_set_status(message=message, status=Message.Status.IN_PROGRESS, by=by)
    return True


def message_mark_opened(*, message: Message, user) -> bool:
    """Record the first time a counselor opened the message (it is then no longer unread).

    Safe under concurrency: only the first opener is recorded. True if this was the first opening.
    """
    now = timezone.now()
    updated = Message.objects.filter(pk=message.pk, first_opened_at__isnull=True).update(
        first_opened_at=now, first_opened_by=user
    )
    if updated:
        message.first_opened_at, message.first_opened_by = now, user
    return bool(updated)


def message_view_record(*, message: Message, user) -> None:
    """Record that `user` opened the message, and mark it read if nobody had opened it yet."""
    message_mark_opened(message=message, user=user)
    audit_record(actor=user, action=AuditEvent.Action.VIEWED, message_ids=[message.pk])


def messages_export_record(*, message_ids: Iterable[int], user) -> int:
    """Record that `user` exported these messages (one event each). Returns how many were recorded."""
    ids = list(message_ids)
    return audit_record(actor=user, action=AuditEvent.Action.EXPORTED, message_ids=ids, detail=f"CSV of {len(ids)}")


@transaction.atomic
def messages_delete(*, messages: Iterable[Message], by) -> int:
    """Delete the messages (with their notes) by hand, leaving a "deleted" audit event for each.

    Only clinic admins hold the permission; retention and erasure have their own (`contacts.privacy.services`).
    Returns how many messages were deleted.
    """
    ids = [message.pk for message in messages]
    _, per_model = Message.objects.filter(pk__in=ids).delete()
    audit_record(actor=by, action=AuditEvent.Action.DELETED, message_ids=ids)
    return per_model.get(Message._meta.label, 0)


def message_print_record(*, message: Message, user) -> None:
    """Record that `user` printed the message: a "viewed" audit event whose detail says "printed"."""
    message_mark_opened(message=message, user=user)
    audit_record(actor=user, action=AuditEvent.Action.VIEWED, message_ids=[message.pk], detail="printed")


def message_notify_again(*, message: Message, by) -> bool:
    """Queue the counselors' notification for this message once more (number and admin link only).

    Audited as "notifications sent again" for this message. False when no recipient is configured
    (nothing was queued, nothing audited).
    """
    with transaction.atomic():
        notification = _notify_counselors(message)
        if notification is None:
            return False
        audit_record(
            actor=by,
            action=AuditEvent.Action.NOTIFICATIONS_RESENT,
            message_ids=[message.pk],
            detail=f"notification #{notification.pk} queued again",
        )
    return True


@transaction.atomic
def messages_mark_read(*, messages: Iterable[Message], by) -> int:
    """Mark the messages read from the list, as if `by` had opened each (`message_mark_opened`).

    Messages someone already opened keep their first opener. Each message marked read gets an
    audit event ("Unread → Read"). Returns how many were marked read.
    """
    ids = [message.pk for message in messages if message_mark_opened(message=message, user=by)]
    audit_record(
        actor=by, action=AuditEvent.Action.STATUS_CHANGED, message_ids=ids, detail="Unread → Read (from the list)"
    )
    return len(ids)


@transaction.atomic
def messages_star(*, messages: Iterable[Message], starred: bool, by) -> int:
    """Put the follow-up star on the messages (`starred=False`: take it off). Returns how many changed.

    Messages already in that state are left alone; each one changed gets an audit event.
    """
    ids = [message.pk for message in messages if message.starred != starred]
    Message.objects.filter(pk__in=ids).update(starred=starred, updated_at=timezone.now())
    detail = "Follow-up star added" if starred else "Follow-up star removed"
    audit_record(actor=by, action=AuditEvent.Action.STATUS_CHANGED, message_ids=ids, detail=detail)
    return len(ids)
