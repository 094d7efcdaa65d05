"""Replying as the clinic from the admin: published at once under the thread, signed as the team."""

import pytest
from django.urls import reverse

from clinic.roles import CLINIC_ADMINS
from contacts.comments.services import CommentRefused, comment_reply_as_clinic
from contacts.models import Comment
from contacts.notifications.models import Notification
from tests.factories import make_article, make_comment, make_counselor, make_member, make_moderator

pytestmark = pytest.mark.django_db


def reply_url(comment, filters=""):
    url = reverse("admin:contacts_comment_reply", args=[comment.pk])
    return f"{url}?_changelist_filters={filters}" if filters else url


@pytest.fixture
def moderator():
    user = make_moderator("sam")
    user.first_name, user.last_name, user.email = "Sam", "Rivera", "sam.rivera@clinic.test"
    user.save()
    return user


def test_a_moderator_replies_as_the_clinic_and_it_appears_at_once_under_the_comment(client, settings, moderator):
    settings.CLINIC_NAME = "Lakeside Recovery Clinic"
    article = make_article()
    comment = make_comment(article, author_name="Dana", author_email="dana@example.com", body="Is tapering safe?")
    client.force_login(moderator)
    form = client.get(reply_url(comment)).content.decode()
    assert "Is tapering safe?" in form and "dana@example.com" not in form

    response = client.post(reply_url(comment, "status%3Dapproved"), {"body": "Talk to your doctor first."})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:contacts_comment_changelist") + "?status=approved"
    reply = Comment.objects.get(staff_reply=True)
    assert reply.parent == comment
    assert reply.status == Comment.Status.APPROVED
    assert reply.author_name == "Lakeside Recovery Clinic team"
    assert reply.author_email == ""
    assert reply.staff_author == moderator and reply.moderated_by == moderator and reply.moderated_at
    assert not reply.crisis
    client.logout()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Talk to your doctor first." in page
    assert "Lakeside Recovery Clinic team" in page
    assert "Clinic team</span>" in page
    assert "Sam" not in page and "Rivera" not in page
    assert "@" not in page.split('id="comments"')[1].split('id="comment-form"')[0]


def test_sign_with_my_name_shows_the_staff_members_name_and_still_no_email(client, moderator):
    article = make_article()
    comment = make_comment(article)
    client.force_login(moderator)

    client.post(reply_url(comment), {"body": "Happy to help.", "sign_with_name": "on"})
    client.logout()

    page = client.get(article.get_absolute_url()).content.decode()
    assert "Sam Rivera" in page and "Clinic team</span>" in page
    assert "sam.rivera@clinic.test" not in page and comment.author_email not in page


def test_a_reply_to_a_reply_joins_the_top_thread(moderator):
    thread = make_comment()
    answer = make_comment(thread.article, parent=thread)

    reply = comment_reply_as_clinic(comment=answer, body="Thanks both.", staff_user=moderator)

    assert reply.parent == thread


def test_a_staff_reply_in_crisis_words_is_not_flagged_and_notifies_nobody(moderator):
    comment = make_comment()

    reply = comment_reply_as_clinic(
        comment=comment, body="If you think about suicide or an overdose, call 988 now.", staff_user=moderator
    )

    assert reply.crisis is False and reply.status == Comment.Status.APPROVED
    assert not Notification.objects.exists()


def test_a_pending_comment_cannot_be_answered_until_approved(client, moderator):
    comment = make_comment(status=Comment.Status.PENDING)
    client.force_login(moderator)

    page = client.get(reply_url(comment)).content.decode()
    client.post(reply_url(comment), {"body": "Too early."})

    assert "approve it first" in page
    assert not Comment.objects.filter(staff_reply=True).exists()
    with pytest.raises(CommentRefused):
        comment_reply_as_clinic(comment=comment, body="Too early.", staff_user=moderator)


def test_signing_with_a_name_the_account_lacks_is_refused_with_a_reason(client):
    nameless = make_moderator("nameless")
    comment = make_comment()
    client.force_login(nameless)

    response = client.post(reply_url(comment), {"body": "Hello.", "sign_with_name": "on"})

    assert response.status_code == 200
    assert "Your account has no first or last name" in response.content.decode()
    assert not Comment.objects.filter(staff_reply=True).exists()


def test_an_empty_reply_is_refused(client, moderator):
    comment = make_comment()
    client.force_login(moderator)

    response = client.post(reply_url(comment), {"body": "   "})

    assert response.status_code == 200
    assert not Comment.objects.filter(staff_reply=True).exists()


def test_staff_who_cannot_moderate_cannot_reply(client):
    counselor = make_counselor()
    comment = make_comment()
    client.force_login(counselor)

    assert client.get(reply_url(comment)).status_code == 403
    assert client.post(reply_url(comment), {"body": "Hi."}).status_code == 403
    assert not Comment.objects.filter(staff_reply=True).exists()


def test_the_row_and_the_change_page_offer_reply_for_approved_comments(client, moderator):
    approved = make_comment()
    pending = make_comment(status=Comment.Status.PENDING)
    client.force_login(moderator)

    listing = client.get(reverse("admin:contacts_comment_changelist") + "?status=all").content.decode()
    change = client.get(reverse("admin:contacts_comment_change", args=[approved.pk])).content.decode()

    assert f'href="{reply_url(approved, "status%3Dall")}">Reply</a>' in listing
    assert reply_url(pending) not in listing
    assert "Reply as the clinic" in change


def test_the_reply_form_reaches_a_clinic_admin(client):
    client.force_login(make_member("boss", CLINIC_ADMINS))

    assert client.get(reply_url(make_comment())).status_code == 200
