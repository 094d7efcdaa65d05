"""Crisis safety wherever a patient writes: urgent beats spam, the direct question, crisis comments."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from contacts.comments.services import comment_submit
from contacts.messages.services import RequestMeta, message_submit
from contacts.models import Comment, Message
from contacts.notifications.outbox import notifications_send_pending
from tests.factories import (
    PATIENT,
    elapsed_ms,
    make_article,
    make_comment,
    make_counselor,
    make_message,
    make_moderator,
)
from tests.factories import message_post_data as message_data

pytestmark = pytest.mark.django_db

CONTACT = reverse("contacts:message-create")
SENT = reverse("contacts:message-sent")
COMMENTS = reverse("admin:contacts_comment_changelist")
MESSAGES = reverse("admin:contacts_message_changelist")


@pytest.fixture(autouse=True)
def _staff_addresses(settings):
    settings.COUNSELORS_EMAIL = ["counselors@clinic.test"]
    settings.MODERATORS_EMAIL = ["moderators@clinic.test"]
    settings.URGENT_EMAIL = []
    settings.SITE_URL = "https://clinic.test"


def sent_text() -> str:
    return "\n".join(f"{email.to} {email.subject}\n{email.body}" for email in mail.outbox)


# Messages: urgent beats spam


def test_a_crisis_message_sent_too_quickly_stays_open_urgent_and_counselors_are_told(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CONTACT, message_data(body="I took way too many pills an hour ago", elapsed=elapsed_ms(1)))
    notifications_send_pending()

    message = Message.objects.get()
    assert (message.status, message.urgent, message.spam_reason) == (Message.Status.NEW, True, "too_fast")
    assert Message.objects.open().filter(urgent=True).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == f"URGENT: new message #{message.pk} (also looks like spam: check it)"
    assert "pills" not in sent_text()
    page = client.get(SENT).content.decode()
    assert 'class="urgent-guidance"' in page


def test_an_ordinary_message_sent_too_quickly_is_still_stored_as_spam_and_announced_to_nobody(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CONTACT, message_data(elapsed=elapsed_ms(1)))
    notifications_send_pending()

    assert Message.objects.get().status == Message.Status.SPAM
    assert mail.outbox == []


@pytest.mark.parametrize("reason", ["honeypot", "bad_token", "too_fast"])
def test_no_spam_signal_turns_an_urgent_message_into_spam(reason, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = message_submit(
            **{**PATIENT, "body": "i want to end my life"}, request_meta=RequestMeta(form_token="t", spam_reason=reason)
        )
    notifications_send_pending()

    assert (message.status, message.urgent, message.spam_reason) == (Message.Status.NEW, True, reason)
    assert len(mail.outbox) == 1


def test_a_crisis_message_is_stored_even_past_the_rate_limit(client, settings, django_capture_on_commit_callbacks):
    settings.MESSAGE_RATE_LIMIT = (1, 600)
    client.post(CONTACT, message_data(body="First message about an appointment."))

    held = client.post(CONTACT, message_data(body="Second, ordinary."))
    with django_capture_on_commit_callbacks(execute=True):
        urgent = client.post(CONTACT, message_data(body="my friend is not breathing after she used"))
    notifications_send_pending()

    assert held.status_code == 429
    assert urgent.status_code == 302
    assert Message.objects.filter(urgent=True).count() == 1


# Messages: the direct question


def test_the_form_asks_the_direct_question_first_in_a_fieldset_with_a_legend(client):
    page = client.get(CONTACT).content.decode()

    question = page.index("Are you thinking about suicide, or are you in danger right now?")
    assert page.rindex("<legend", 0, question) > page.rindex("<fieldset", 0, question)
    assert question < page.index('name="name"')
    assert page.count('name="in_danger"') == 2  # Yes and No, neither required
    assert 'name="in_danger" value="yes" required' not in page


def test_yes_to_the_direct_question_makes_an_ordinary_message_urgent_and_the_confirmation_leads_with_help(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CONTACT, message_data(in_danger="yes", body="Can someone call me back today?"))
    notifications_send_pending()

    message = Message.objects.get()
    assert (message.urgent, message.said_in_danger, message.status) == (True, True, Message.Status.NEW)
    assert mail.outbox[0].subject.startswith("URGENT")
    page = client.get(SENT).content.decode()
    guidance = page.index('class="urgent-guidance"')
    assert page.index('href="tel:911"', guidance) < page.index("A counselor will read it")
    assert page.index('href="tel:988"', guidance) < page.index("A counselor will read it")


@pytest.mark.parametrize("answer", ["no", ""])
def test_no_or_no_answer_to_the_direct_question_leaves_an_ordinary_message_ordinary(client, answer):
    client.post(CONTACT, message_data(in_danger=answer))

    message = Message.objects.get()
    assert (message.urgent, message.said_in_danger) == (False, False)


# Messages: urgent notifications and the counselors' list


def test_urgent_messages_also_go_to_the_on_call_address_and_others_do_not(settings, django_capture_on_commit_callbacks):
    settings.URGENT_EMAIL = ["oncall@clinic.test"]
    with django_capture_on_commit_callbacks(execute=True):
        message_submit(**{**PATIENT, "body": "An appointment, please."}, request_meta=RequestMeta(form_token="a"))
        message_submit(**{**PATIENT, "body": "I can't go on anymore"}, request_meta=RequestMeta(form_token="b"))
    notifications_send_pending()

    ordinary, urgent = mail.outbox
    assert ordinary.to == ["counselors@clinic.test"]
    assert urgent.to == ["counselors@clinic.test", "oncall@clinic.test"]
    assert urgent.subject.startswith("URGENT")
    assert "go on" not in sent_text()


def test_the_list_shows_how_long_each_open_urgent_message_has_waited(client):
    from django.utils import timezone

    make_message(urgent=True, created_at=timezone.now() - timezone.timedelta(hours=2, minutes=5))
    make_message(urgent=True, status=Message.Status.SPAM, spam_reason="too_fast")
    contacted = make_message(urgent=True, status=Message.Status.CONTACTED)
    contacted.first_contacted_at = timezone.now()
    contacted.save()
    client.force_login(make_counselor())

    page = client.get(MESSAGES, {"queue": "all"}).content.decode()

    assert page.count('class="urgent urgent-badge">URGENT<') == 3
    assert "waiting 2 h 5 min" in page
    assert page.count('class="waiting"') == 1


def test_an_urgent_message_that_also_looked_like_spam_says_so_in_the_list_and_on_its_page(client):
    message = make_message(urgent=True, said_in_danger=True, spam_reason="too_fast", body="Please call me")
    client.force_login(make_counselor())

    listing = client.get(MESSAGES).content.decode()
    detail = client.get(reverse("admin:contacts_message_change", args=[message.pk])).content.decode()

    assert "possible spam" in listing
    assert "answered YES" in detail
    assert "It also looked like spam (too fast)" in detail


# Comments


def submit_comment(article, body, **overrides):
    fields = {"author_name": "Sam", "author_email": "sam@example.com", "client_hash": "k"}
    return comment_submit(article=article, body=body, **{**fields, **overrides})


def test_a_crisis_comment_is_held_flagged_and_counselors_are_told_without_its_words(
    settings, django_capture_on_commit_callbacks
):
    settings.COMMENT_AUTO_APPROVE_KNOWN_AUTHORS = True
    settings.URGENT_EMAIL = ["oncall@clinic.test"]
    article = make_article(title="Hyperalgesia")
    make_comment(article, author_email="sam@example.com")  # a known author, normally auto-approved

    with django_capture_on_commit_callbacks(execute=True):
        comment = submit_comment(article, "Honestly I want to kill myself, nothing helps")
    notifications_send_pending()

    assert (comment.status, comment.crisis, comment.auto_reason) == (Comment.Status.PENDING, True, "crisis language")
    counselors = next(email for email in mail.outbox if "counselors@clinic.test" in email.to)
    link = f"https://clinic.test/admin/contacts/comment/{comment.pk}/change/"
    assert counselors.to == ["counselors@clinic.test", "oncall@clinic.test"]
    assert counselors.subject == f"URGENT: comment #{comment.pk} may need a counselor"
    assert counselors.body == f"A comment on 'Hyperalgesia' may need a counselor: {link}"
    assert any("moderators@clinic.test" in email.to for email in mail.outbox)
    assert "kill" not in sent_text() and "Sam" not in sent_text()


def test_a_crisis_comment_that_trips_a_spam_trap_waits_for_a_moderator_marked_possible_spam():
    comment = submit_comment(make_article(), "i dont want to wake up tomorrow", spam_reason="too_fast")

    assert comment.status == Comment.Status.PENDING
    assert comment.crisis is True
    assert comment.auto_reason == "crisis language; possible spam (too fast)"


def test_an_ordinary_comment_is_not_flagged_and_counselors_hear_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        comment = submit_comment(make_article(), "This pain is killing me, thanks for explaining hyperalgesia")
    notifications_send_pending()

    assert comment.crisis is False
    assert all("counselors@clinic.test" not in email.to for email in mail.outbox)


def post_comment(client, article, comment, **overrides):
    data = {"name": "Sam", "email": "sam@example.com", "comment": comment, "parent": "", "website": ""}
    data["elapsed"] = elapsed_ms(60)
    url = reverse("contacts:comment-create", kwargs={"slug": article.slug})
    return client.post(url, {**data, **overrides}, REMOTE_ADDR="203.0.113.9")


def test_the_page_answering_a_crisis_comment_leads_with_help_above_awaiting_moderation(client):
    article = make_article()

    response = post_comment(client, article, "I want to kill myself")
    assert response["Location"] == article.get_absolute_url() + "#comments"
    page = client.get(article.get_absolute_url()).content.decode()

    help_at = page.index('id="comment-crisis-help"')
    assert page.index('id="comments"') < help_at < page.index("Your comment is awaiting moderation")
    block = page[help_at : page.index("Your comment is awaiting moderation")]
    assert "reads as if you may be going through something very hard" in block
    for needed in ('href="tel:911"', 'href="tel:988"', 'href="tel:+18006624357"', f'href="{CONTACT}"'):
        assert needed in block


def test_an_ordinary_comment_gets_no_crisis_help_block(client):
    article = make_article()
    post_comment(client, article, "Thanks, this article helped me a lot")

    assert 'id="comment-crisis-help"' not in client.get(article.get_absolute_url()).content.decode()


def test_a_crisis_comment_sent_back_for_a_mistake_still_shows_where_to_get_help(client):
    response = post_comment(client, make_article(), "I want to die", email="")

    page = response.content.decode()
    assert response.status_code == 400
    assert page.index('id="comment-crisis-help"') < page.index("Your comment was not posted yet")
    assert not Comment.objects.exists()


# Comments: the moderation queue


def test_the_queue_flags_crisis_comments_in_a_column_and_filters_them(client):
    article = make_article()
    make_comment(article, status=Comment.Status.PENDING, crisis=True, body="flagged one")
    make_comment(article, status=Comment.Status.PENDING, body="ordinary one")
    client.force_login(make_moderator())

    everything = client.get(COMMENTS).content.decode()
    flagged = client.get(COMMENTS, {"crisis__exact": "1"}).content.decode()

    assert everything.count("Crisis language</strong>") == 1
    assert "flagged one" in flagged and "ordinary one" not in flagged


def test_bulk_approve_leaves_crisis_comments_pending_and_says_so(client):
    article = make_article()
    flagged = make_comment(article, status=Comment.Status.PENDING, crisis=True, body="I want to die")
    ordinary = make_comment(article, status=Comment.Status.PENDING)
    client.force_login(make_moderator())

    response = client.post(COMMENTS, {"action": "approve", "_selected_action": [flagged.pk, ordinary.pk]})

    flagged.refresh_from_db()
    ordinary.refresh_from_db()
    assert (flagged.status, ordinary.status) == (Comment.Status.PENDING, Comment.Status.APPROVED)
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert "1 comment(s) approved." in said
    assert any("1 comment(s) flagged for crisis language stayed pending" in text for text in said)


def test_a_crisis_comment_is_approved_on_its_own_page(client):
    flagged = make_comment(status=Comment.Status.PENDING, crisis=True, body="I want to die")
    client.force_login(make_moderator())
    change = reverse("admin:contacts_comment_change", args=[flagged.pk])

    client.post(change, {"author_name": flagged.author_name, "author_email": flagged.author_email,
                         "body": flagged.body, "_moderate": "approve"})  # fmt: skip

    flagged.refresh_from_db()
    assert flagged.status == Comment.Status.APPROVED
