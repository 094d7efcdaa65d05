"""On a phone, a counselor sees each message's urgency, status, waiting time, assignee and star
without scrolling sideways."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import settle
from tests.factories import make_counselor, make_message

pytestmark = pytest.mark.django_db(transaction=True)

KEY_COLUMNS = ["urgency", "status", "waiting", "assigned_to", "star"]


def test_the_key_columns_of_the_message_list_fit_the_screen(page, viewport, staff_login, screenshot):
    counselor = make_counselor()
    make_message(
        name="A patient with a rather long name indeed",
        urgent=True,
        assigned_to=counselor,
        starred=True,
        created_at=timezone.now() - timezone.timedelta(hours=2, minutes=5),
    )
    make_message(name="Another patient", created_at=timezone.now() - timezone.timedelta(days=3))
    staff_login(page, counselor)

    page.goto(reverse("admin:contacts_message_changelist"))
    settle(page)

    first = page.locator("#result_list tbody tr").first
    expect(first.locator(".urgent-badge")).to_have_text("URGENT")
    expect(first.locator(".field-waiting")).to_have_text("waiting 2 h 5 min")
    expect(first.get_by_role("img", name="Starred for follow-up")).to_be_visible()
    for column in KEY_COLUMNS:
        box = first.locator(f".field-{column}").bounding_box()
        assert box is not None, column
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (column, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, "message-list")
