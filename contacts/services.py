"""Writes of the contacts app: each function is the one place its rule lives."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

import phonenumbers
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.views.decorators.debug import sensitive_variables

from contacts.crisis import is_crisis
from contacts.models import AuditEvent, Comment, Message, MessageNote
from contacts.moderation import comment_verdict, comments_are_open
from contacts.notifications import notification_queue

# Comments


class CommentRefused(Exception):
    """A comment that cannot be stored; `message` tells the reader what to do."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


DUPLICATE_MESSAGE = "You have already posted this comment here. It may still be waiting for moderation."
CLOSED_MESSAGE = "Comments are closed on this article, so your comment was not posted."
PARENT_GONE_MESSAGE = (
    "The comment you are replying to is no longer shown, so yours will be posted as a new comment. "
    "Check it and send it again."
)


def comment_is_duplicate(*, article, author_email: str, body: str) -> bool:
    """True when this author already left this exact text on this article (trashed comments aside)."""
    return (
        Comment.objects.filter(article=article, author_email=author_email.strip().lower(), body=body.strip())
        .exclude(status=Comment.Status.TRASH)
        .exists()
    )


def comment_reply_target(*, article, parent_id: int | None) -> Comment | None:
    """The top-level approved comment a reply attaches to: replies to replies join their thread."""
    if not parent_id:
        return None
    parent = Comment.objects.approved().filter(article=article, pk=parent_id).only("id", "parent_id").first()
    if parent is None:
        raise CommentRefused(PARENT_GONE_MESSAGE)
    if parent.parent_id is None:
        return parent
    top = Comment.objects.approved().filter(article=article, pk=parent.parent_id).first()
    if top is None:
        raise CommentRefused(PARENT_GONE_MESSAGE)
    return top


def comment_check(*, article, author_email: str, body: str, parent_id: int | None) -> Comment | None:
    """Raise `CommentRefused` if this comment could not be stored; else return the thread it joins (or None)."""
    if not comments_are_open(article):
        raise CommentRefused(CLOSED_MESSAGE)
    if comment_is_duplicate(article=article, author_email=author_email, body=body):
        raise CommentRefused(DUPLICATE_MESSAGE, field="comment")
    return comment_reply_target(article=article, parent_id=parent_id)


@transaction.atomic
def comment_submit(
    *,
    article,
    author_name: str,
    author_email: str,
    body: str,
    parent_id: int | None = None,
    client_hash: str = "",
    spam_reason: str | None = None,
) -> Comment:
    """Store a reader's comment in the state the moderation rules give it, and tell moderators.

    Guarantees: nothing is stored on a closed article, for a missing or unapproved parent, or
    twice for the same author and text (`CommentRefused` says why); a reply to a reply joins
    its top-level thread; a pending comment queues one notification (comment number, article
    title and admin link only) in the same transaction; spam is stored, never announced.
    Crisis language (`contacts.crisis`) holds the comment for a moderator whatever the other
    rules say, spam signals included, and queues an urgent notification for the counselors.
    """
    author_email = author_email.strip().lower()
    body = body.strip()
    parent = comment_check(article=article, author_email=author_email, body=body, parent_id=parent_id)
    author_name = author_name.strip()
    crisis = is_crisis(body)
    verdict = comment_verdict(
        author_name=author_name, author_email=author_email, body=body, spam_reason=spam_reason, crisis=crisis
    )
    comment = Comment.objects.create(
        article=article,
        parent=parent,
        author_name=author_name,
        author_email=author_email,
        body=body,
        status=verdict.status,
        crisis=crisis,
        auto_reason=verdict.reason,
        client_hash=client_hash,
    )
    if crisis:
        comment_notify_counselors(comment=comment, article_title=article.title)
    if comment.status == Comment.Status.PENDING:
        comment_notify_moderators(comment=comment, article_title=article.title)
    return comment


def comment_notify_moderators(*, comment: Comment, article_title: str) -> None:
    """Queue the moderators' email: the comment's number, the article title and an admin link, nothing else."""
    link = settings.SITE_URL + reverse("admin:contacts_comment_change", args=[comment.pk])
    notification_queue(
        recipients=settings.MODERATORS_EMAIL,
        subject=f"Comment #{comment.pk} is waiting for moderation",
        body=f"Comment #{comment.pk} on '{article_title}' is waiting for moderation: {link}",
    )


def comment_notify_counselors(*, comment: Comment, article_title: str) -> None:
    """Queue the counselors' urgent email for a comment in crisis language: never the comment's words."""
    link = settings.SITE_URL + reverse("admin:contacts_comment_change", args=[comment.pk])
    notification_queue(
        recipients=[*settings.COUNSELORS_EMAIL, *settings.URGENT_EMAIL],
        subject=f"URGENT: comment #{comment.pk} may need a counselor",
        body=f"A comment on '{article_title}' may need a counselor: {link}",
    )


def _comment_moderate(
    *, comments: Iterable[Comment], status: str, moderator, leave_crisis_pending: bool = False
) -> int:
    # A queryset (the admin's "select all") stays a subquery instead of a huge list of ids.
    ids = comments.values("pk") if isinstance(comments, QuerySet) else [comment.pk for comment in comments]
    now = timezone.now()
    changing = Comment.objects.filter(pk__in=ids).exclude(status=status)
    if leave_crisis_pending:
        changing = changing.exclude(crisis=True, status=Comment.Status.PENDING)
    changed = changing.update(status=status, moderated_by=moderator, moderated_at=now, updated_at=now)
    return changed


def comment_approve(*, comments: Iterable[Comment], moderator, one_by_one: bool = True) -> int:
    """Publish the comments; records who did it and when. Returns how many changed state.

    With `one_by_one=False` (a bulk action) pending comments flagged for crisis language stay
    pending: each must be opened and approved on its own, after a counselor has seen it.
    """
    return _comment_moderate(
        comments=comments, status=Comment.Status.APPROVED, moderator=moderator, leave_crisis_pending=not one_by_one
    )


def comment_unapprove(*, comments: Iterable[Comment], moderator) -> int:
    """Take the comments off the page and back to the pending queue. Returns how many changed."""
    return _comment_moderate(comments=comments, status=Comment.Status.PENDING, moderator=moderator)


def comment_mark_spam(*, comments: Iterable[Comment], moderator) -> int:
    """Mark the comments as spam: never shown, kept so repeat senders stand out. Returns how many changed."""
    return _comment_moderate(comments=comments, status=Comment.Status.SPAM, moderator=moderator)


def comment_trash(*, comments: Iterable[Comment], moderator) -> int:
    """Move the comments to the trash: never shown, restorable by approving. Returns how many changed."""
    return _comment_moderate(comments=comments, status=Comment.Status.TRASH, moderator=moderator)


def comments_purge(*, older_than_days: int = 30) -> int:
    """Delete spam and trashed comments left untouched for `older_than_days`, as WordPress empties its trash.

    Approved and pending comments are never touched. Returns how many comments were deleted
    (their replies go with them).
    """
    cutoff = timezone.now() - timedelta(days=older_than_days)
    _, per_model = Comment.objects.filter(
        status__in=[Comment.Status.SPAM, Comment.Status.TRASH], updated_at__lt=cutoff
    ).delete()
    return per_model.get(Comment._meta.label, 0)


# Messages

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
    """Store a patient's message, then notify the counselors after commit. Returns the message.

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


def _notify_counselors(message: Message) -> None:
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


# Audit


def audit_record(
    *, actor, action: str, message_ids: Iterable[int | None], detail: str = "", actor_name: str = ""
) -> int:
    """Append one audit event per message number (None: one event about no single message).

    `actor` is the staff user (or None for a command, named by `actor_name`). `detail` must
    never hold patient data: statuses, usernames, counts and numbers only. Returns how many
    events were written; they commit or roll back with the change they record.
    """
    name = actor_name or (actor.get_username() if actor is not None else "system")
    events = [
        AuditEvent(actor=actor, actor_name=name, action=action, message_id=message_id, detail=detail)
        for message_id in message_ids
    ]
    AuditEvent.objects.bulk_create(events)
    return len(events)


def message_view_record(*, message: Message, user) -> None:
    """Record that `user` opened the message, and mark it read if nobody had opened it yet."""
    message_mark_opened(message=message, user=user)
    audit_record(actor=user, action=AuditEvent.Action.VIEWED, message_ids=[message.pk])


def messages_export_record(*, message_ids: Iterable[int], user) -> int:
    """Record that `user` exported these messages (one event each). Returns how many were recorded."""
    ids = list(message_ids)
    return audit_record(actor=user, action=AuditEvent.Action.EXPORTED, message_ids=ids, detail=f"CSV of {len(ids)}")


# Retention and erasure

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
def messages_delete(*, messages: Iterable[Message], by) -> int:
    """Delete the messages (with their notes) by hand, leaving a "deleted" audit event for each.

    Only clinic admins hold the permission; retention and erasure have their own services.
    Returns how many messages were deleted.
    """
    ids = [message.pk for message in messages]
    _, per_model = Message.objects.filter(pk__in=ids).delete()
    audit_record(actor=by, action=AuditEvent.Action.DELETED, message_ids=ids)
    return per_model.get(Message._meta.label, 0)


class PersonNotFound(Exception):
    """The email or phone given cannot identify anyone (empty, or not a phone number)."""


@dataclass
class PersonRecords:
    """Everything stored about one person: their messages (with notes) and their comments."""

    messages: list[Message]
    comments: list[Comment]

    @property
    def message_ids(self) -> list[int]:
        return [m.pk for m in self.messages]

    @property
    def comment_ids(self) -> list[int]:
        return [c.pk for c in self.comments]


def normalise_phone(phone: str) -> str:
    """The number in E.164 (how messages store it); US numbers may be written any usual way."""
    try:
        number = phonenumbers.parse(phone, "US")
    except phonenumbers.NumberParseException as error:
        raise PersonNotFound(f"'{phone}' is not a phone number.") from error
    if not phonenumbers.is_possible_number(number):
        raise PersonNotFound(f"'{phone}' is not a phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def person_find(*, email: str = "", phone: str = "") -> PersonRecords:
    """Every message (by email or phone) and every comment (by email) of one person.

    Emails match in any case; phones match in any usual US or international format.
    Raises `PersonNotFound` when neither is given or the phone is not a number.
    """
    email = email.strip()
    if not email and not phone.strip():
        raise PersonNotFound("Give --email or --phone.")
    query = Q(pk__in=[])
    if email:
        query |= Q(email__iexact=email)
    if phone.strip():
        query |= Q(phone=normalise_phone(phone))
    messages = list(Message.objects.filter(query).prefetch_related("notes__author").order_by("pk"))
    comments = list(Comment.objects.filter(author_email__iexact=email).order_by("pk")) if email else []
    return PersonRecords(messages=messages, comments=comments)


def _when(value) -> str | None:
    return value.isoformat() if value else None


@sensitive_variables()
def person_export(*, records: PersonRecords) -> dict:
    """Everything found about the person, as JSON-ready data for a privacy request."""
    return {
        "exported_at": timezone.now().isoformat(),
        "messages": [
            {
                "number": m.pk,
                "received": _when(m.created_at),
                "name": m.name,
                "preferred_method": m.preferred_method,
                "phone": m.phone.as_e164 if m.phone else "",
                "email": m.email,
                "best_time": m.best_time,
                "message": m.body,
                "voicemail_ok": m.voicemail_ok,
                "clinic_name_ok": m.clinic_name_ok,
                "consent_at": _when(m.consent_at),
                "status": m.status,
                "first_contacted_at": _when(m.first_contacted_at),
                "sent_from": m.sent_from,
                "notes": [
                    {"written": _when(n.created_at), "by": n.author.get_username() if n.author else "", "text": n.text}
                    for n in m.notes.all()
                ],
            }
            for m in records.messages
        ],
        "comments": [
            {
                "number": c.pk,
                "article": c.article_id,
                "in_reply_to": c.parent_id,
                "posted": _when(c.created_at),
                "name": c.author_name,
                "email": c.author_email,
                "comment": c.body,
                "status": c.status,
            }
            for c in records.comments
        ],
    }


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
