"""A patient presses Send, and a reader posts a comment, while the database fails: told so, words kept, help at hand."""

import re
from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse
from playwright.sync_api import expect

from contacts.models import Comment, Message

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = "I would like to talk to someone about starting treatment next month."
COMMENT_BOX = re.compile(r"^\s*Comment\b")  # crispy-forms writes the label across lines


def database_fails(target: str):
    """`target` (a storing function or a read, as the view names it) raises as if the database were gone."""
    return mock.patch(target, side_effect=OperationalError("could not connect to server"))


def test_send_with_the_database_down_says_not_sent_keeps_the_words_and_sends_once_it_is_back(
    page, screenshot, axe_check
):
    page.goto(reverse("contacts:message-create"))
    form = page.locator("form.message-form")
    form.get_by_label("Your name").fill("Morgan")
    form.get_by_label("Text message").check()
    form.get_by_label("Phone number").fill("708 613 4751")
    form.get_by_label("Your message").fill(WORDS)
    form.get_by_label("I agree that the clinic may contact me about my message").check()

    with database_fails("contacts.messages.views.message_submit"):
        form.get_by_role("button", name="Send my message").click()
        notice = page.get_by_role("alert").filter(has_text="Your message was NOT sent")
        expect(notice).to_be_visible()

    expect(page).to_have_title(re.compile("^Not sent: "))
    expect(notice).to_be_focused()
    expect(notice.get_by_role("link", name="(708) 613-4750")).to_have_attribute("href", "tel:+17086134750")
    expect(notice.get_by_role("link", name="911")).to_have_attribute("href", "tel:911")
    expect(page.get_by_label("Your name")).to_have_value("Morgan")
    expect(page.get_by_label("Your message")).to_have_value(WORDS)
    expect(page.get_by_label("I agree that the clinic may contact me about my message")).to_be_checked()
    screenshot(page, "message-not-sent")
    axe_check(page)
    assert Message.objects.count() == 0

    page.get_by_role("button", name="Send my message").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you. Your message was sent.")
    assert Message.objects.get().body == WORDS


def filled_comment_form(page, article):
    """The article's comment form, filled in with WORDS, not yet sent."""
    page.goto(article.get_absolute_url())
    form = page.get_by_role("form", name="Leave a comment")
    form.get_by_label("Name").fill("Ruth")
    form.get_by_label("Email").fill("ruth@example.com")
    form.get_by_label(COMMENT_BOX).fill(WORDS)
    return form


def test_a_comment_with_the_database_failing_at_the_store_comes_back_on_the_article(
    page, faq_article, screenshot, axe_check
):
    form = filled_comment_form(page, faq_article)

    with database_fails("contacts.comments.views.comment_submit"):
        form.get_by_role("button", name="Post comment").click()
        notice = page.get_by_role("alert").filter(has_text="Your comment was NOT posted")
        expect(notice).to_be_visible()

    expect(page.get_by_role("heading", level=1)).to_have_text(faq_article.title)
    # As with the error summary: the page opens at the form (#comment-form), the notice first; Tab reaches its links.
    expect(notice).to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(notice.get_by_role("link").first).to_be_focused()
    expect(notice.get_by_role("link", name="(708) 613-4750")).to_be_visible()
    expect(page.get_by_label(COMMENT_BOX)).to_have_value(WORDS)
    screenshot(page, "comment-not-posted")
    axe_check(page)
    assert Comment.objects.count() == 0


def test_a_comment_with_the_article_unreadable_comes_back_on_its_own_page_and_posts_once_it_is_back(
    page, faq_article, screenshot, axe_check
):
    form = filled_comment_form(page, faq_article)

    with database_fails("contacts.comments.views.get_object_or_404"):
        form.get_by_role("button", name="Post comment").click()
        notice = page.get_by_role("alert").filter(has_text="Your comment was NOT posted")
        expect(notice).to_be_visible()

    expect(page).to_have_title(re.compile("^Not posted: "))
    expect(notice).to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(notice.get_by_role("link").first).to_be_focused()
    expect(page.get_by_label(COMMENT_BOX)).to_have_value(WORDS)
    expect(page.get_by_label("Email")).to_have_value("ruth@example.com")
    screenshot(page, "comment-not-posted-alone")
    axe_check(page)

    page.get_by_role("button", name="Post comment").click()

    expect(page.get_by_text("Thank you. Your comment is awaiting moderation.")).to_be_visible()
    assert Comment.objects.get().body == WORDS
