"""On a phone, a patient sees the emergency numbers on one line at the top of every page, and the
message form starts on the first screen."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.conftest import SIZES

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = {
    "home": lambda article: reverse("articles:home"),
    "article": lambda article: article.get_absolute_url(),
    "contact": lambda article: reverse("contacts:message-create"),
}


def phone_page(new_context) -> Page:
    context, _log = new_context(viewport=SIZES["phone"], has_touch=True, is_mobile=True)
    return context.new_page()


def line_metrics(page: Page) -> dict:
    """Where the emergency line's visible links sit, and how tall its text is in lines."""
    return page.evaluate(
        """() => {
            const text = document.querySelector('.crisis-line-text');
            const style = getComputedStyle(text);
            const lineHeight = parseFloat(style.lineHeight);
            const contentHeight = text.getBoundingClientRect().height
                - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
            const links = [...text.querySelectorAll('a')].filter(a => a.getClientRects().length > 0)
                .map(a => { const r = a.getBoundingClientRect();
                            return {href: a.getAttribute('href'), top: r.top, width: r.width, height: r.height}; });
            return {lines: contentHeight / lineHeight, links,
                    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth};
        }"""
    )


def rows(page: Page, selector: str) -> int:
    """How many rows the matching elements take: a box starting below the previous row's bottom opens a new row."""
    boxes = sorted(
        (box["y"], box["y"] + box["height"]) for el in page.locator(selector).all() if (box := el.bounding_box())
    )
    count, bottom = 0, float("-inf")
    for top, end in boxes:
        if top >= bottom - 1:
            count += 1
            bottom = end
        else:
            bottom = max(bottom, end)
    return count


@pytest.mark.parametrize("name", list(PAGES))
def test_on_a_phone_the_emergency_numbers_fit_on_one_line_above_the_page(
    new_context, faq_article, axe_check, screenshot, name
):
    page = phone_page(new_context)
    page.goto(PAGES[name](faq_article))

    line = page.get_by_role("complementary", name="Emergency help")
    expect(line).to_be_in_viewport()
    expect(line.get_by_role("link", name="911")).to_have_attribute("href", "tel:911")
    expect(line.get_by_role("link", name="988", exact=True)).to_have_attribute("href", "tel:988")
    expect(line.get_by_role("link", name="text 988")).to_have_attribute("href", "sms:988")
    assert line.bounding_box()["y"] + line.bounding_box()["height"] <= page.locator("main").bounding_box()["y"]
    metrics = line_metrics(page)
    assert {link["href"] for link in metrics["links"]} >= {"tel:911", "tel:988", "sms:988"}
    assert len({round(link["top"]) for link in metrics["links"]}) == 1, f"the links are on several lines: {metrics}"
    assert metrics["lines"] < 1.6, f"the emergency line wraps at 390 px: {metrics}"
    assert metrics["overflow"] <= 0, f"the page scrolls sideways by {metrics['overflow']}px"
    for link in metrics["links"]:
        assert link["width"] >= 24 and link["height"] >= 24, f"too small to tap: {link}"
    screenshot(page, name)
    axe_check(page)


def test_on_a_desktop_the_emergency_line_adds_the_samhsa_helpline_and_stays_one_line(new_context, faq_article):
    context, _log = new_context(viewport=SIZES["desktop"])
    page = context.new_page()
    page.goto(reverse("articles:home"))

    line = page.get_by_role("complementary", name="Emergency help")
    expect(line.get_by_role("link", name="1-800-662-4357")).to_have_attribute("href", "tel:+18006624357")
    metrics = line_metrics(page)
    assert len({round(link["top"]) for link in metrics["links"]}) == 1 and metrics["lines"] < 1.6, metrics


def test_on_a_phone_the_helpline_waits_for_a_wider_screen(new_context):
    page = phone_page(new_context)
    page.goto(reverse("articles:home"))

    expect(page.get_by_role("complementary", name="Emergency help").get_by_text("SAMHSA")).to_be_hidden()
    # It is still one tap away, in the footer.
    expect(page.get_by_role("contentinfo").get_by_role("link", name="1-800-662-4357")).to_be_attached()


def test_on_a_phone_the_header_takes_two_rows_and_the_call_button_keeps_the_number_in_its_name(new_context):
    page = phone_page(new_context)
    page.goto(reverse("contacts:message-create"))

    header = page.get_by_role("banner")
    assert rows(page, ".site-header .site-name, .site-header .nav-link, .site-header .btn-call") <= 2
    call = header.get_by_role("link", name="Call (708) 613-4750")
    expect(call).to_have_attribute("href", "tel:+17086134750")
    box = call.bounding_box()
    assert box["x"] + box["width"] <= SIZES["phone"]["width"] and box["height"] >= 44, box


def test_on_a_phone_the_message_form_starts_on_the_first_screen(new_context, axe_check, screenshot):
    page = phone_page(new_context)
    page.goto(reverse("contacts:message-create"))

    first_control = page.evaluate(
        """() => {
            const visible = el => el.type !== 'hidden' && el.getClientRects().length > 0
                                  && !el.closest('[aria-hidden=true]') && !el.closest('.hp-field');
            const el = [...document.querySelectorAll(
                'form.message-form input, form.message-form select, form.message-form textarea')].find(visible);
            const r = el.getBoundingClientRect();
            return {id: el.id, bottom: r.bottom + window.scrollY};
        }"""
    )
    screen = SIZES["phone"]["height"]
    assert first_control["bottom"] <= screen, f"the form's first field ends below the first screen: {first_control}"
    name = page.locator("#id_name").bounding_box()
    assert name["y"] + name["height"] <= screen, f"the name field ends below the first screen: {name}"
    expect(page.get_by_label("Your name")).to_be_in_viewport()
    screenshot(page, "contact")
    axe_check(page)
