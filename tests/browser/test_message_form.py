"""A patient sends the message form from /contact/, the home page and an article, with JavaScript off and on."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from contacts.models import Message
from contacts.notifications.outbox import notifications_send_pending
from tests.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)


def fill_and_send(page, *, name: str, body: str) -> None:
    form = page.locator("form.message-form")
    form.get_by_label("Your name").fill(name)
    form.get_by_label("Text message").check()
    form.get_by_label("Phone number").fill("708 613 4751")
    form.get_by_label("Your message").fill(body)
    form.get_by_label("I agree that the clinic may contact me about my message").check()
    form.get_by_role("button", name="Send my message").click()


def test_with_javascript_off_a_patient_sends_from_contact_home_and_an_article(new_context, size, viewport, screenshot):
    article = make_article(slug="pain", title="Pain")
    context, _log = new_context(
        viewport=viewport, java_script_enabled=False, has_touch=size == "phone", is_mobile=size == "phone"
    )
    page = context.new_page()
    sent = reverse("contacts:message-sent")

    page.goto(reverse("contacts:message-create"))
    screenshot(page, "contact")
    fill_and_send(page, name="From contact", body="Hello from the contact page.")
    expect(page).to_have_url(sent)
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you. Your message was sent.")
    screenshot(page, "sent")

    page.goto("/")
    screenshot(page, "home")
    fill_and_send(page, name="From home", body="Hello from the home page.")
    expect(page).to_have_url(sent)

    page.goto(article.get_absolute_url())
    screenshot(page, "article")
    page.get_by_role("region", name="Talk to someone today").get_by_role("link", name="message us").click()
    fill_and_send(page, name="From article", body="I am scared I will overdose again.")
    expect(page).to_have_url(sent)
    expect(page.get_by_role("alert").get_by_role("link", name="988")).to_have_attribute("href", "tel:988")
    screenshot(page, "sent-urgent")

    sent_from = dict(Message.objects.values_list("name", "sent_from"))
    # Without the page's script the form only knows its own page (the page is the same for everyone).
    assert sent_from == {"From contact": "/contact/", "From home": "/", "From article": "/contact/"}
    assert Message.objects.get(name="From article").urgent
    notifications_send_pending()  # the scheduled sender's pass: only it emails the counselors
    assert len(mail.outbox) == 3
    # Nothing about the time the form was open is known without the script, and it counts for nothing.
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.NEW}


def test_with_javascript_the_form_remembers_the_article_and_its_open_time_and_a_double_click_sends_once(
    new_context, viewport
):
    article = make_article(slug="pain", title="Pain")
    context, _log = new_context(viewport=viewport)
    page = context.new_page()

    page.goto(article.get_absolute_url())
    page.get_by_role("region", name="Talk to someone today").get_by_role("link", name="message us").click()
    expect(page.locator('input[name="form_token"]')).to_have_value(re.compile(r"^[0-9a-f]{32}$"))
    page.wait_for_timeout(3100)  # longer than DJANGO_MIN_FORM_FILL_SECONDS
    fill_and_send(page, name="From article", body="Hello from the article.")
    expect(page).to_have_url(reverse("contacts:message-sent"))

    message = Message.objects.get()
    assert message.sent_from == "/articles/pain/"
    assert message.status == Message.Status.NEW
    assert message.form_token  # stored hashed: a second post of this form is the same message
