"""Deletions privacy requires: messages past their retention, and one person's data on request.

Both leave audit events with numbers only (`contacts.audit`); neither is run by the site itself:
`manage.py purge_messages` (daily) and `manage.py erase_person` (on request) call them.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from contacts.audit.models import AuditEvent
from contacts.audit.services import audit_record
from contacts.comments.models import Comment
from contacts.messages.models import Message, MessageNote
from contacts.privacy.selectors import PersonRecords

SPAM_RETENTION_DAYS = 30


@dataclass(frozen=True)
class PurgeResult:
    closed_ids: list[int]
    spam_ids: list[int]
    notes: int
    dry_run: bool


def messages_purge(*, retention_days: int | None = None, dry_run: bool = False, actor_name: str = "") -> PurgeResult:
    """Delete closed messages and spam that are past their retention, with their notes.

    Closed messages go `retention_days` (default `MESSAGE_RETENTION_DAYS`) after their last
    change (`updated_at`: closing, reopening or reassigning restarts the clock); spam goes
    after 30 days. New, in-progress and contacted messages are never touched. Each deleted
    message leaves a "purged" audit event (its number only). With `dry_run` nothing changes.
    """
    days = settings.MESSAGE_RETENTION_DAYS if retention_days is None else retention_days
    now = timezone.now()
    closed = Message.objects.filter(status=Message.Status.CLOSED, updated_at__lt=now - timedelta(days=days))
    spam = Message.objects.filter(status=Message.Status.SPAM, updated_at__lt=now - timedelta(days=SPAM_RETENTION_DAYS))
    with transaction.atomic():
        if not dry_run:
            # Locked rows are re-checked after a concurrent change: a message reopened meanwhile is spared.
            closed, spam = closed.select_for_update(), spam.select_for_update()
        closed_ids = sorted(closed.values_list("pk", flat=True))
        spam_ids = sorted(spam.values_list("pk", flat=True))
        ids = closed_ids + spam_ids
        notes = MessageNote.objects.filter(message_id__in=ids).count()
        if not dry_run and ids:
            Message.objects.filter(pk__in=ids).delete()
            name = actor_name or "manage.py purge_messages"
            audit_record(
                actor=None, actor_name=name, action=AuditEvent.Action.PURGED, message_ids=closed_ids,
                detail=f"closed, kept {days} days",
            )  # fmt: skip
            audit_record(
                actor=None, actor_name=name, action=AuditEvent.Action.PURGED, message_ids=spam_ids,
                detail=f"spam, kept {SPAM_RETENTION_DAYS} days",
            )  # fmt: skip
    return PurgeResult(closed_ids=closed_ids, spam_ids=spam_ids, notes=notes, dry_run=dry_run)


@transaction.atomic
def person_erase(*, records: PersonRecords, actor_name: str = "") -> None:
    """Delete the person's messages (with their notes) and comments, for a privacy request.

    Replies by other people to an erased comment are kept and become top-level comments of
    the article (deleting them would erase someone else's words). Articles that showed an
    erased comment are refreshed for readers. Audit events record the message and comment
    numbers only.
    """
    name = actor_name or "manage.py erase_person"
    comment_ids = records.comment_ids
    Comment.objects.filter(parent_id__in=comment_ids).exclude(pk__in=comment_ids).update(parent=None)
    Comment.objects.filter(pk__in=comment_ids).delete()
    Message.objects.filter(pk__in=records.message_ids).delete()
    audit_record(actor=None, actor_name=name, action=AuditEvent.Action.ERASED, message_ids=records.message_ids,
                 detail="privacy request")  # fmt: skip
    if comment_ids:
        ids = ", ".join(f"#{pk}" for pk in comment_ids)
        audit_record(actor=None, actor_name=name, action=AuditEvent.Action.ERASED, message_ids=[None],
                     detail=f"privacy request: {len(comment_ids)} comment(s) {ids}")  # fmt: skip
