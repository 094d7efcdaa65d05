"""A person in danger writes, in a message or a comment: help comes first and counselors are told."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from clinic.roles import MODERATORS, roles_sync
from contacts.models import Comment, Message
from contacts.notifications.outbox import notifications_send_pending
from tests.browser.conftest import approve_every_row
from tests.factories import make_comment, make_member

pytestmark = pytest.mark.django_db(transaction=True)

COMMENT_BOX = re.compile(r"^\s*Comment\b")  # crispy-forms writes the label across lines


def fill_message(page, *, body: str) -> None:
    form = page.locator("form.message-form")
    form.get_by_label("Your name").fill("Alex")
    form.get_by_label("Text message").check()
    form.get_by_label("Phone number").fill("708 613 4751")
    form.get_by_label("Your message").fill(body)
    form.get_by_label("I agree that the clinic may contact me about my message").check()


def test_a_patient_answering_yes_to_the_direct_question_is_urgent_and_sees_911_and_988_first(
    page, settings, screenshot, axe_check
):
    settings.MIN_FORM_FILL_SECONDS = 60  # a quick paste: the time trap fires, urgency still wins
    page.goto(reverse("contacts:message-create"))
    question = page.get_by_role("group", name="Are you thinking about suicide, or are you in danger right now?")
    expect(question).to_be_visible()
    question.get_by_label("Yes").check()
    fill_message(page, body="Please call me back as soon as you can.")
    screenshot(page, "direct-question")
    page.get_by_role("button", name="Send my message").click()

    expect(page).to_have_url(reverse("contacts:message-sent"))
    alert = page.get_by_role("alert")
    expect(alert.get_by_role("link", name="911")).to_have_attribute("href", "tel:911")
    expect(alert.get_by_role("link", name="988")).to_have_attribute("href", "tel:988")
    assert alert.bounding_box()["y"] < page.get_by_text("A counselor will read it").bounding_box()["y"]
    screenshot(page, "urgent-confirmation")
    axe_check(page)
    message = Message.objects.get()
    assert (message.status, message.urgent, message.said_in_danger) == (Message.Status.NEW, True, True)
    assert message.spam_reason == "too_fast"
    notifications_send_pending()  # the scheduled sender's pass: only it emails the counselors
    assert mail.outbox[0].subject.startswith("URGENT")


def test_a_reader_writing_a_crisis_comment_sees_help_first_and_a_moderator_must_approve_it_alone(
    page, new_context, viewport, faq_article, staff_login, screenshot, axe_check
):
    page.goto(faq_article.get_absolute_url())
    form = page.get_by_role("form", name="Leave a comment")
    form.get_by_label("Name").fill("Robin")
    form.get_by_label("Email").fill("robin@example.com")
    form.get_by_label(COMMENT_BOX).fill("Honestly I don't want to wake up tomorrow. Nothing helps my pain.")
    form.get_by_role("button", name="Post comment").click()

    comments = page.get_by_role("region", name=re.compile("^Comments"))
    help_block = comments.get_by_role("alert")
    expect(help_block).to_be_in_viewport()
    expect(help_block.get_by_role("link", name="911")).to_have_attribute("href", "tel:911")
    expect(help_block.get_by_role("link", name="988")).to_have_attribute("href", "tel:988")
    expect(help_block.get_by_role("link", name="send a private message to a counselor")).to_have_attribute(
        "href", reverse("contacts:message-create")
    )
    awaiting = comments.get_by_role("status")
    expect(awaiting).to_have_text("Thank you. Your comment is awaiting moderation.")
    assert help_block.bounding_box()["y"] < awaiting.bounding_box()["y"]
    screenshot(page, "crisis-comment-answer")
    axe_check(page)
    assert Comment.objects.get().crisis
    notifications_send_pending()
    assert any("may need a counselor" in email.body for email in mail.outbox)
    assert all("wake up" not in f"{email.subject} {email.body}" for email in mail.outbox)

    make_comment(faq_article, status=Comment.Status.PENDING, body="Thanks for the clear explanation.")
    roles_sync()
    context, _log = new_context(viewport=viewport)
    admin = context.new_page()
    staff_login(admin, make_member("moderator", MODERATORS))
    admin.goto(reverse("admin:contacts_comment_changelist"))
    rows = admin.locator("#result_list tbody tr")
    expect(rows.filter(has_text="Crisis language")).to_have_count(1)
    screenshot(admin, "queue-with-crisis-flag")
    approve_every_row(admin)

    expect(admin.locator(".messagelist")).to_contain_text("1 comment(s) approved.")
    expect(admin.locator(".messagelist")).to_contain_text("1 comment(s) flagged for crisis language stayed pending")
    screenshot(admin, "bulk-approve-left-crisis-pending")
    assert Comment.objects.get(crisis=True).status == Comment.Status.PENDING
    assert Comment.objects.get(crisis=False).status == Comment.Status.APPROVED
