"""Writes of comments: a reader's comment arriving, and moderators approving, rejecting or purging them.

The moderation rules themselves (which state a new comment gets, when comments close) live in
`contacts.comments.moderation`; every function here is the one place its rule is applied.
"""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from contacts.comments.models import Comment
from contacts.comments.moderation import comment_verdict, comments_are_open
from contacts.comments.selectors import comment_is_duplicate
from contacts.crisis import is_crisis
from contacts.notifications.outbox import notification_queue


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


def comment_reply_target(*, article, parent_id: int | None) -> Comment | None:
    """The top-level approved comment a reply attaches to: replies to replies join their thread."""
    if not parent_id:
        return None
    parent = Comment.objects.approved().filter(article=article, pk=parent_id).only("id", "parent_id").first()
    if parent is None:
        raise CommentRefused(PARENT_GONE_MESSAGE)
    if parent.parent_id is None:
        return parent
    top = Comment.objects.approved().filter(article=article, pk=parent.parent_id).only("id", "parent_id").first()
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


REPLY_EMPTY_MESSAGE = "Write the reply before sending it."
REPLY_NO_NAME_MESSAGE = (
    "Your account has no first or last name, so the reply cannot be signed with it: sign it as the clinic's team, "
    "or ask a clinic admin to add your name."
)


def clinic_team_name() -> str:
    """How the clinic signs its replies on the site."""
    return f"{settings.CLINIC_NAME} team"


@transaction.atomic
def comment_reply_as_clinic(*, comment: Comment, body: str, staff_user, sign_with_name: bool = False) -> Comment:
    """Publish a reply from the clinic under `comment`'s thread, at once, and return it.

    Guarantees: the reply joins the thread's top-level comment (replies are one level deep), which
    must be approved (`CommentRefused` otherwise, as for readers); it is stored approved, marked
    `staff_reply`, with `staff_author` and `moderated_by`/`moderated_at` recording who wrote it and
    when; it is signed "<clinic> team" unless `sign_with_name`, then with the staff member's full
    name (refused if their account has none). It carries no email address, is never flagged for
    crisis language and notifies nobody: it is the clinic speaking.
    """
    body = body.strip()
    if not body:
        raise CommentRefused(REPLY_EMPTY_MESSAGE, field="body")
    if sign_with_name:
        author_name = staff_user.get_full_name().strip()
        if not author_name:
            raise CommentRefused(REPLY_NO_NAME_MESSAGE, field="sign_with_name")
    else:
        author_name = clinic_team_name()
    parent = comment_reply_target(article=comment.article, parent_id=comment.pk)
    now = timezone.now()
    return Comment.objects.create(
        article=comment.article,
        parent=parent,
        author_name=author_name[: Comment._meta.get_field("author_name").max_length],
        author_email="",
        body=body,
        status=Comment.Status.APPROVED,
        crisis=False,
        staff_reply=True,
        staff_author=staff_user,
        moderated_by=staff_user,
        moderated_at=now,
    )
