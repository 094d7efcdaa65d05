"""A counselor finds the newest message at the top because it is urgent, takes it and records the call."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from contacts.messages.services import RequestMeta, message_submit
from contacts.models import Message
from tests.factories import make_counselor, make_message

pytestmark = pytest.mark.django_db(transaction=True)


def test_counselor_finds_the_new_urgent_message_on_top_and_handles_it_with_one_click_buttons(
    page, staff_login, screenshot
):
    now = timezone.now()
    make_message(name="Older patient", created_at=now - timezone.timedelta(hours=3))
    make_message(name="Earlier patient", created_at=now - timezone.timedelta(hours=1))
    new = message_submit(
        name="Newest patient",
        preferred_method=Message.Method.PHONE,
        phone="+17086134751",
        email="",
        best_time="",
        body="I am scared I will overdose again.",
        voicemail_ok=False,
        clinic_name_ok=False,
        request_meta=RequestMeta(sent_from="/contact/"),
    )
    counselor = make_counselor()
    staff_login(page, counselor)
    screenshot(page, "admin-index")

    page.get_by_role("link", name="Messages", exact=True).click()

    expect(page).to_have_url(reverse("admin:contacts_message_changelist"))
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Newest patient")
    expect(rows.first.locator(".urgent-badge")).to_have_text("URGENT")
    expect(rows.first.locator(".waiting")).to_contain_text("waiting")
    expect(rows.first.locator(".unread")).to_have_text("Unread")
    expect(rows.nth(1)).to_contain_text("Older patient")
    screenshot(page, "list")

    rows.first.get_by_role("link", name="Newest patient").click()

    expect(page).to_have_url(reverse("admin:contacts_message_change", args=[new.pk]))
    expect(page.locator(".message-body")).to_have_text("I am scared I will overdose again.")
    expect(page.locator(".field-urgency_detail .urgent")).to_contain_text("URGENT")
    screenshot(page, "message")
    expect(page.locator("#message-status")).to_have_text("New")
    expect(page.locator("#message-urgent")).to_have_text("Urgent")

    # Assign, note, contacted, close: one click each, no dropdown and no Save.
    page.get_by_role("button", name="Assign to me").click()
    expect(page.locator(".messagelist")).to_contain_text("Assigned to you.")
    expect(page.locator("#message-status")).to_have_text("In progress")
    page.get_by_label("Add a note to the timeline").fill("Called, no answer; will try at 6.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#message-timeline")).to_contain_text("Called, no answer; will try at 6.")
    page.get_by_role("button", name="Mark contacted").click()
    expect(page.locator("#message-status")).to_have_text("Contacted")
    screenshot(page, "message-contacted")
    page.get_by_role("button", name="Close").click()
    expect(page.locator("#message-status")).to_have_text("Closed")
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    expect(page.locator("#message-timeline")).not_to_contain_text("Note on message")

    page.get_by_role("link", name="Next →").click()
    expect(page.locator(".message-body")).to_have_text(re.compile("Message text"))

    new.refresh_from_db()
    assert (new.assigned_to, new.status) == (counselor, Message.Status.CLOSED)
    assert new.first_contacted_at is not None and new.first_opened_at is not None
    assert list(new.notes.values_list("text", flat=True)) == [
        "Assigned to counselor.",
        "Status: New → In progress.",
        "Called, no answer; will try at 6.",
        "Status: In progress → Contacted.",
        "Status: Contacted → Closed.",
    ]
