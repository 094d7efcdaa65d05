from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from contacts.comments.services import (
    CommentRefused,
    comment_approve,
    comment_mark_spam,
    comment_submit,
    comment_trash,
    comment_unapprove,
)
from contacts.models import Comment, Notification
from contacts.notifications.outbox import notifications_send_pending
from tests.factories import make_article, make_comment, make_moderator

pytestmark = pytest.mark.django_db


def submit(article, **overrides):
    fields = {
        "article": article,
        "author_name": "Sam Reader",
        "author_email": "Sam.Reader@Example.com",
        "body": "This helped me understand my pain.",
        "client_hash": "abc123",
    }
    fields.update(overrides)
    return comment_submit(**fields)


def test_a_submitted_comment_is_pending_with_a_normalised_email():
    comment = submit(make_article())

    assert comment.status == Comment.Status.PENDING
    assert comment.author_email == "sam.reader@example.com"
    assert comment.client_hash == "abc123"


def test_moderators_are_told_a_comment_waits_without_any_commenter_data(settings, django_capture_on_commit_callbacks):
    settings.MODERATORS_EMAIL = ["mods@clinic.test", "lead@clinic.test"]
    settings.SITE_URL = "https://clinic.example.org"
    article = make_article(title="Pain after opioids")

    with django_capture_on_commit_callbacks(execute=True):
        comment = submit(article)
    notifications_send_pending()

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["mods@clinic.test", "lead@clinic.test"]
    assert email.body == (
        f"Comment #{comment.pk} on 'Pain after opioids' is waiting for moderation: "
        f"https://clinic.example.org/admin/contacts/comment/{comment.pk}/change/"
    )
    for secret in ("sam.reader@example.com", "Sam.Reader", "Sam Reader", "helped me"):
        assert secret not in email.body
        assert secret not in email.subject


def test_the_notification_goes_through_the_durable_outbox(settings):
    settings.MODERATORS_EMAIL = ["mods@clinic.test"]

    comment = submit(make_article())

    assert Notification.objects.get().body.startswith(f"Comment #{comment.pk} on ")


def test_spam_and_auto_approved_comments_notify_nobody(settings):
    settings.MODERATORS_EMAIL = ["mods@clinic.test"]
    settings.COMMENT_AUTO_APPROVE_KNOWN_AUTHORS = True
    article = make_article()
    make_comment(article, author_email="known@example.com")

    spam = submit(article, spam_reason="honeypot")
    approved = submit(article, author_email="known@example.com", body="Thanks again")

    assert spam.status == Comment.Status.SPAM
    assert spam.auto_reason == "honeypot"
    assert approved.status == Comment.Status.APPROVED
    assert Notification.objects.count() == 0


def test_a_reply_to_a_reply_joins_the_top_level_thread():
    article = make_article()
    top = make_comment(article)
    reply = make_comment(article, parent=top)

    answer = submit(article, parent_id=reply.pk)

    assert answer.parent == top


def test_a_reply_to_a_top_level_comment_keeps_its_parent():
    article = make_article()
    top = make_comment(article)

    assert submit(article, parent_id=top.pk).parent == top


@pytest.mark.parametrize("status", [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.TRASH])
def test_replying_to_a_comment_that_is_not_shown_is_refused(status):
    article = make_article()
    hidden = make_comment(article, status=status)

    with pytest.raises(CommentRefused, match="no longer shown"):
        submit(article, parent_id=hidden.pk)
    assert Comment.objects.count() == 1


def test_replying_to_a_comment_on_another_article_is_refused():
    other = make_comment(make_article())

    with pytest.raises(CommentRefused):
        submit(make_article(), parent_id=other.pk)


def test_the_same_text_from_the_same_author_on_the_same_article_is_refused():
    article = make_article()
    submit(article)

    with pytest.raises(CommentRefused, match="already posted this comment") as refused:
        submit(article, author_email="sam.reader@EXAMPLE.com", body="  This helped me understand my pain. ")

    assert refused.value.field == "comment"
    assert Comment.objects.count() == 1


def test_the_same_text_is_fine_on_another_article_from_another_author_or_after_trashing(django_user_model):
    article = make_article()
    first = submit(article)
    submit(make_article())
    submit(article, author_email="other@example.com")
    comment_trash(comments=[first], moderator=None)

    submit(article)

    assert Comment.objects.count() == 4


def test_nothing_is_stored_on_a_closed_article():
    with pytest.raises(CommentRefused, match="closed"):
        submit(make_article(comments_open=False))

    assert Comment.objects.count() == 0


@pytest.mark.parametrize(
    ("service", "status"),
    [
        (comment_approve, Comment.Status.APPROVED),
        (comment_unapprove, Comment.Status.PENDING),
        (comment_mark_spam, Comment.Status.SPAM),
        (comment_trash, Comment.Status.TRASH),
    ],
)
def test_moderation_services_record_who_and_when(service, status):
    moderator = make_moderator()
    article = make_article()
    comments = [
        make_comment(article, status=start)
        for start in (Comment.Status.PENDING, Comment.Status.APPROVED, Comment.Status.SPAM, Comment.Status.TRASH)
    ]

    changed = service(comments=Comment.objects.filter(article=article), moderator=moderator)

    assert changed == 3
    for comment in comments:
        comment.refresh_from_db()
        assert comment.status == status
    moved = [c for c in comments if c.moderated_by_id]
    assert len(moved) == 3
    assert all(c.moderated_by == moderator and c.moderated_at is not None for c in moved)


def test_moderation_services_accept_a_list_of_comments():
    moderator = make_moderator()
    comment = make_comment(status=Comment.Status.PENDING)

    assert comment_approve(comments=[comment], moderator=moderator) == 1
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


def test_old_spam_and_trash_are_purged_and_nothing_else():
    article = make_article()
    old = timezone.now() - timedelta(days=31)
    keep = [
        make_comment(article, status=Comment.Status.APPROVED),
        make_comment(article, status=Comment.Status.PENDING),
        make_comment(article, status=Comment.Status.SPAM),
    ]
    gone = [make_comment(article, status=Comment.Status.SPAM), make_comment(article, status=Comment.Status.TRASH)]
    Comment.objects.filter(pk__in=[c.pk for c in keep[:2] + gone]).update(updated_at=old)
    out = StringIO()

    call_command("purge_old_comments", stdout=out)

    assert set(Comment.objects.values_list("pk", flat=True)) == {c.pk for c in keep}
    assert "Deleted 2 spam or trashed comment(s)" in out.getvalue()
