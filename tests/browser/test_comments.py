"""A reader comments and replies; a moderator approves both in the admin and they show on the article."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clinic.roles import MODERATORS, roles_sync
from contacts.models import Comment
from tests.browser.conftest import approve_every_row
from tests.factories import make_comment, make_member

pytestmark = pytest.mark.django_db(transaction=True)

AWAITING = "Thank you. Your comment is awaiting moderation."
# Its label reads "Comment (required)" to a screen reader.
COMMENT_BOX = re.compile(r"^\s*Comment\b")  # crispy-forms writes the label across lines


def fill_comment_form(form, *, name: str, email: str, text: str) -> None:
    form.get_by_label("Name").fill(name)
    form.get_by_label("Email").fill(email)
    form.get_by_label(COMMENT_BOX).fill(text)


def test_reader_comments_and_replies_a_moderator_approves_both_and_they_show_on_the_article(
    page, new_context, viewport, faq_article, staff_login, screenshot, axe_check
):
    dana = make_comment(faq_article, author_name="Dana", body="Tapering slowly worked for me.")
    make_comment(faq_article, author_name="Lee", body="Same here, with my doctor's help.", parent=dana)
    page.goto(faq_article.get_absolute_url())
    comments = page.get_by_role("region", name=re.compile("^Comments"))
    expect(comments.locator("article.comment")).to_have_count(2)
    screenshot(page, "article")

    # The mistake: no email address and no comment.
    form = page.get_by_role("form", name="Leave a comment")
    form.get_by_label("Name").fill("Ruth")
    form.get_by_role("button", name="Post comment").click()

    summary = page.get_by_role("alert").filter(has_text="Your comment was not posted yet")
    expect(summary).to_be_visible()
    # The page opens at the form (its #comment-form target), so the next Tab reaches the summary's first link.
    expect(summary).to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(2)
    expect(page.get_by_label("Name")).to_have_value("Ruth")
    expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "comment-error")
    axe_check(page)
    summary.get_by_role("link", name=re.compile("^Email: Enter your email address")).click()
    expect(page.get_by_label("Email")).to_be_focused()

    page.get_by_label("Email").fill("ruth@example.com")
    page.get_by_label(COMMENT_BOX).fill("Thank you, this page helped me call.")
    page.get_by_role("button", name="Post comment").click()

    expect(page).to_have_url(re.compile(re.escape(faq_article.get_absolute_url()) + r"(#.*)?$"))
    expect(comments.get_by_role("status")).to_have_text(AWAITING)
    expect(comments).not_to_contain_text("this page helped me call")
    screenshot(page, "comment-awaiting")

    comments.get_by_role("link", name="Reply to Dana").click()

    reply_form = page.get_by_role("form", name="Leave a reply")
    expect(page.locator("#comment-form .replying-to")).to_contain_text("Replying to Dana")
    fill_comment_form(reply_form, name="Ruth", email="ruth@example.com", text="How long did your taper take?")
    screenshot(page, "reply")
    reply_form.get_by_role("button", name="Post reply").click()

    expect(comments.get_by_role("status")).to_have_text(AWAITING)
    expect(comments.locator("article.comment")).to_have_count(2)
    assert Comment.objects.filter(status=Comment.Status.PENDING).count() == 2
    assert Comment.objects.get(body="How long did your taper take?").parent == dana

    # The moderator, in another browser.
    roles_sync()
    moderator_context, _log = new_context(viewport=viewport)
    admin = moderator_context.new_page()
    staff_login(admin, make_member("moderator", MODERATORS))
    admin.get_by_role("link", name="Comments", exact=True).click()

    expect(admin).to_have_url(reverse("admin:contacts_comment_changelist"))
    expect(admin.locator("#changelist-filter")).to_contain_text("Pending (2)")
    rows = admin.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    screenshot(admin, "moderation-queue")
    approve_every_row(admin)

    expect(admin.locator(".messagelist")).to_contain_text("2 comment(s) approved.")
    expect(admin.locator("#changelist-filter")).to_contain_text("Pending (0)")
    screenshot(admin, "moderation-done")

    page.goto(faq_article.get_absolute_url())
    expect(comments.locator("article.comment")).to_have_count(4)
    expect(comments.locator("article.comment").filter(has_text="this page helped me call")).to_contain_text("Ruth")
    replies = comments.get_by_role("list", name="Replies to Dana")
    expect(replies.locator("article.comment")).to_have_count(2)
    expect(replies).to_contain_text("How long did your taper take?")
    expect(comments).not_to_contain_text("ruth@example.com")
    screenshot(page, "article-with-comments")
    axe_check(page)


def test_with_javascript_off_a_reader_posts_a_comment_and_a_reply(new_context, size, viewport, faq_article, screenshot):
    dana = make_comment(faq_article, author_name="Dana", body="Tapering slowly worked for me.")
    context, _log = new_context(
        viewport=viewport, java_script_enabled=False, has_touch=size == "phone", is_mobile=size == "phone"
    )
    page = context.new_page()
    page.goto(faq_article.get_absolute_url())
    comments = page.get_by_role("region", name=re.compile("^Comments"))

    form = page.get_by_role("form", name="Leave a comment")
    fill_comment_form(form, name="Sam", email="sam@example.com", text="Reading this without scripts.")
    form.get_by_role("button", name="Post comment").click()
    expect(comments.get_by_role("status")).to_have_text(AWAITING)

    comments.get_by_role("link", name="Reply to Dana").click()
    reply_form = page.get_by_role("form", name="Leave a reply")
    fill_comment_form(reply_form, name="Sam", email="sam@example.com", text="Thank you for sharing, Dana.")
    reply_form.get_by_role("button", name="Post reply").click()
    expect(comments.get_by_role("status")).to_have_text(AWAITING)
    screenshot(page, "no-js-comment-awaiting")

    stored = {c.body: c.parent_id for c in Comment.objects.filter(author_email="sam@example.com")}
    assert stored == {"Reading this without scripts.": None, "Thank you for sharing, Dana.": dana.pk}
