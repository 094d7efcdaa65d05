"""A moderator clears the comment queue from the keyboard, then replies as the clinic."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clinic.roles import MODERATORS
from contacts.models import Comment
from tests.factories import make_article, make_comment, make_member

pytestmark = pytest.mark.django_db(transaction=True)


def keys_ready(page) -> None:
    """Wait until the new page's script listens for keys (it adds the hint once it does): a key
    pressed while the page is still loading would go nowhere."""
    expect(page.locator("#moderation-keys")).to_have_count(1)


def test_a_moderator_moves_with_j_and_k_and_approves_spams_and_trashes_with_keys(page, staff_login, screenshot):
    article = make_article()
    oldest = make_comment(article, body="Oldest words", status=Comment.Status.PENDING)
    middle = make_comment(article, body="Middle words", status=Comment.Status.PENDING)
    newest = make_comment(article, body="Newest words", status=Comment.Status.PENDING)
    staff_login(page, make_member("moderator", MODERATORS))
    expect(page.locator(".pending-nav")).to_contain_text("Comments pending: 3")
    page.goto(reverse("admin:contacts_comment_changelist"))
    expect(page.locator("#moderation-keys")).to_contain_text("j next")
    rows = page.locator("#result_list tbody tr")

    # Keys typed in the search box are words, not commands.
    page.get_by_role("textbox", name=re.compile("Search")).press_sequentially("jat")
    expect(rows.filter(has=page.locator(".moderation-focus"))).to_have_count(0)
    page.locator("body").click(position={"x": 5, "y": 5})

    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile("moderation-focus"))
    expect(rows.nth(1)).to_be_focused()
    screenshot(page, "row-in-focus")
    page.keyboard.press("a")

    expect(page.locator(".messagelist")).to_contain_text(f"Comment #{middle.pk} approved.")
    expect(rows).to_have_count(2)
    keys_ready(page)
    page.keyboard.press("j")
    page.keyboard.press("s")
    expect(page.locator(".messagelist")).to_contain_text(f"Comment #{newest.pk} marked as spam.")
    keys_ready(page)
    page.keyboard.press("j")
    page.keyboard.press("t")
    expect(page.locator(".messagelist")).to_contain_text(f"Comment #{oldest.pk} moved to the trash.")
    expect(page.locator(".pending-nav")).to_contain_text("Comments pending: 0")

    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses == {oldest.pk: "trash", middle.pk: "approved", newest.pk: "spam"}


def test_a_moderator_replies_as_the_clinic_from_the_queue_and_readers_see_it(
    page, new_context, viewport, staff_login, screenshot
):
    article = make_article()
    make_comment(article, author_name="Dana", body="Does the clinic take walk-ins?")
    staff_login(page, make_member("moderator", MODERATORS))
    page.goto(reverse("admin:contacts_comment_changelist") + "?status=approved")

    page.get_by_role("link", name="Reply", exact=True).click()
    page.get_by_label("Reply").fill("Yes, every weekday morning.")
    screenshot(page, "reply-form")
    page.get_by_role("button", name="Publish reply").click()
    expect(page.locator(".messagelist")).to_contain_text("Your reply to comment")

    reader_context, _log = new_context(viewport=viewport)
    reader = reader_context.new_page()
    reader.goto(article.get_absolute_url())
    replies = reader.get_by_role("list", name="Replies to Dana")
    expect(replies).to_contain_text("Yes, every weekday morning.")
    expect(replies).to_contain_text("Clinic team")
    expect(replies).not_to_contain_text("moderator")
    replies.scroll_into_view_if_needed()
    screenshot(reader, "clinic-reply-on-article")
