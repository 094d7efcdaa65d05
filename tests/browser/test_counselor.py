"""A counselor finds the newest message at the top because it is urgent, takes it and records the call."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from contacts.messages.services import RequestMeta, message_submit
from contacts.models import Message
from tests.factories import make_counselor, make_message

pytestmark = pytest.mark.django_db(transaction=True)


def test_counselor_finds_the_new_urgent_message_on_top_assigns_it_to_themself_and_marks_it_contacted(
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
    expect(rows.first.locator(".urgent")).to_contain_text("Urgent: waiting")
    expect(rows.first.locator(".unread")).to_have_text("Unread")
    expect(rows.nth(1)).to_contain_text("Older patient")
    screenshot(page, "list")

    rows.first.get_by_role("link", name="Newest patient").click()

    expect(page).to_have_url(reverse("admin:contacts_message_change", args=[new.pk]))
    expect(page.locator(".message-body")).to_have_text("I am scared I will overdose again.")
    expect(page.locator(".field-urgency_detail .urgent")).to_contain_text("URGENT")
    screenshot(page, "message")
    page.get_by_label("Assigned to").select_option(label="counselor")
    page.get_by_label("Status").select_option(label="Contacted")
    page.locator("input[name='_save']").click()

    expect(page).to_have_url(reverse("admin:contacts_message_changelist"))
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    row = page.locator("#result_list tbody tr").first
    expect(row).to_contain_text("Newest patient")
    expect(row.locator(".field-status")).to_have_text("Contacted")
    expect(row.locator(".field-assigned_to")).to_have_text("counselor")
    expect(row.locator(".field-read_state")).to_have_text("Opened")
    screenshot(page, "list-after")
    new.refresh_from_db()
    assert (new.assigned_to, new.status) == (counselor, Message.Status.CONTACTED)
    assert new.first_contacted_at is not None and new.first_opened_at is not None
    assert list(new.notes.values_list("text", flat=True)) == [
        "Assigned to counselor.",
        "Status: New → In progress.",
        "Status: In progress → Contacted.",
    ]
