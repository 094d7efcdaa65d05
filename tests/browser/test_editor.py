"""An editor changes an FAQ answer in the admin and the public page (and its search data) show it."""

import json

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import make_editor

pytestmark = pytest.mark.django_db(transaction=True)


def test_editor_changes_an_faq_answer_and_the_public_page_shows_it(page, faq_article, staff_login, screenshot):
    entry = faq_article.entries.all()[0]
    staff_login(page, make_editor("editor"))

    page.goto(reverse("admin:articles_article_change", args=[faq_article.pk]))
    answer = page.locator("textarea[name='entries-0-answer']")
    expect(answer).to_have_value(entry.answer)
    answer.fill("Tapering **slowly**, with your doctor, is the safest way down.")
    screenshot(page, "admin")
    page.locator("input[name='_save']").click()

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.goto(faq_article.get_absolute_url())
    shown = page.locator(f"section[aria-labelledby='{entry.anchor}'] .answer")
    expect(shown).to_have_text("Tapering slowly, with your doctor, is the safest way down.")
    expect(shown.locator("strong")).to_have_text("slowly")
    data = json.loads(page.locator("script[type='application/ld+json']").text_content())
    faq = next(node for node in data["@graph"] if node["@type"] == "FAQPage")
    assert faq["mainEntity"][0]["acceptedAnswer"]["text"] == shown.inner_html()
    screenshot(page, "article")
