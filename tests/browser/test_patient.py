"""A patient on a phone or a desktop reads the FAQ, jumps through it, finds the phone number and sends a message."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from contacts.models import Message

pytestmark = pytest.mark.django_db(transaction=True)


def assert_in_viewport(page: Page, selector: str) -> None:
    """The element is scrolled into view (waiting out smooth scrolling) and fits the width."""
    expect(page.locator(selector)).to_be_in_viewport()
    box = page.locator(selector).bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"], f"{selector} sticks out: {box}"


def test_patient_reads_the_faq_follows_the_contents_and_sends_a_message_after_fixing_a_mistake(
    page, faq_article, screenshot, axe_check
):
    entries = list(faq_article.entries.all())
    page.goto("/")
    screenshot(page, "home")

    page.get_by_role("link", name=faq_article.title).first.click()

    expect(page).to_have_url(faq_article.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(faq_article.title)
    toc = page.get_by_role("navigation", name="On this page")
    expect(toc.get_by_role("link")).to_have_count(len(entries))
    screenshot(page, "article")
    for entry in (entries[-1], entries[len(entries) // 2]):
        toc.get_by_role("link", name=entry.question, exact=True).click()

        expect(page).to_have_url(f"{faq_article.get_absolute_url()}#{entry.anchor}")
        heading = page.locator(f"h2#{entry.anchor}")
        expect(heading).to_have_text(entry.question)
        assert page.evaluate("document.querySelector(':target').id") == entry.anchor
        assert_in_viewport(page, f"h2#{entry.anchor}")
        expect(page.locator(f"section[aria-labelledby='{entry.anchor}'] .answer")).to_be_visible()
    cta = page.get_by_role("region", name="Talk to someone today")
    expect(cta.get_by_role("link", name="(708) 613-4750")).to_have_attribute("href", "tel:+17086134750")

    # The mistake: a text message asked for, but no phone number given.
    cta.get_by_role("link", name="message us").click()
    expect(page).to_have_url(reverse("contacts:message-create"))
    screenshot(page, "form")
    page.get_by_label("Your name").fill("Sam")
    page.get_by_label("Text message").check()
    page.get_by_label("Your message").fill("I would like to talk about starting treatment.")
    page.get_by_label("Best time to reach you (optional)").fill("After 6 pm")
    page.get_by_label("I agree that the clinic may contact me about my message").check()
    page.get_by_role("button", name="Send my message").click()

    summary = page.get_by_role("alert").filter(has_text="before sending")
    expect(summary).to_be_visible()
    # Focus starts on the summary, so a screen reader reads it and Tab goes to its links.
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert summary.bounding_box()["y"] < page.locator("form.message-form").bounding_box()["y"]
    expect(summary.get_by_role("link")).to_have_count(1)
    expect(page.get_by_label("Your name")).to_have_value("Sam")
    expect(page.get_by_label("Text message")).to_be_checked()
    expect(page.get_by_label("Your message")).to_have_value("I would like to talk about starting treatment.")
    expect(page.get_by_label("Best time to reach you (optional)")).to_have_value("After 6 pm")
    expect(page.get_by_label("I agree that the clinic may contact me about my message")).to_be_checked()
    screenshot(page, "form-error")
    axe_check(page)
    summary.get_by_role("link", name=re.compile("^Phone number: Enter a phone number")).click()
    phone = page.get_by_label("Phone number")
    expect(phone).to_be_focused()
    expect(phone).to_have_attribute("aria-invalid", "true")
    assert_in_viewport(page, "#id_phone")
    assert Message.objects.count() == 0

    phone.fill("708 613 4751")
    page.get_by_role("button", name="Send my message").click()

    expect(page).to_have_url(reverse("contacts:message-sent"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you. Your message was sent.")
    expect(page.get_by_text("contact you by text message")).to_be_visible()
    screenshot(page, "sent")
    axe_check(page)
    message = Message.objects.get()
    assert (message.name, message.preferred_method, message.phone) == ("Sam", "text", "+17086134751")
    assert (message.best_time, message.sent_from) == ("After 6 pm", faq_article.get_absolute_url())


def test_patient_finds_a_large_call_link_with_the_clinic_number_on_every_page(page, faq_article):
    for url in ["/", reverse("articles:list"), faq_article.get_absolute_url(), reverse("contacts:message-create")]:
        page.goto(url)

        call = page.get_by_role("banner").get_by_role("link", name="Call (708) 613-4750")
        expect(call).to_be_visible()
        expect(call).to_have_attribute("href", "tel:+17086134750")
        box = call.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, f"call link is too small to tap on {url}: {box}"
        expect(page.get_by_role("contentinfo").get_by_role("link", name="(708) 613-4750")).to_have_attribute(
            "href", "tel:+17086134750"
        )


def test_article_and_table_of_contents_work_with_javascript_off(new_context, faq_article, viewport, screenshot):
    context, _log = new_context(viewport=viewport, java_script_enabled=False)
    page = context.new_page()
    entry = list(faq_article.entries.all())[-1]

    page.goto(faq_article.get_absolute_url())
    page.get_by_role("navigation", name="On this page").get_by_role("link", name=entry.question, exact=True).click()

    expect(page).to_have_url(f"{faq_article.get_absolute_url()}#{entry.anchor}")
    assert_in_viewport(page, f"h2#{entry.anchor}")
    expect(page.locator(".answer").first).to_be_visible()
    expect(page.get_by_role("link", name="message us")).to_have_attribute("href", reverse("contacts:message-create"))
    screenshot(page, "no-js")


def test_a_request_to_another_host_is_blocked_and_reported(new_context, live_server):
    context, log = new_context()
    page = context.new_page()
    page.goto("/")

    # Bypass the page's own Content-Security-Policy (which would refuse the fetch before it
    # leaves the browser) so that the request log's own guard is what is tested here.
    page.route(f"{live_server.url}/", lambda route: route.fulfill(body="<!doctype html><title>probe</title>"))
    page.goto("/")
    # The promise settles only after the request was routed (and aborted).
    page.evaluate("fetch('https://fonts.example.com/font.woff2').catch(() => null)")

    assert log.foreign == ["https://fonts.example.com/font.woff2"]
    assert any(url.startswith(live_server.url) for url in log.urls)
    with pytest.raises(AssertionError, match="fonts.example.com"):
        log.assert_only_local()
    log.foreign.clear()
    log.errors.clear()  # the blocked fetch's own console error


def test_an_inline_script_refused_by_the_content_security_policy_fails_the_test(new_context, live_server):
    context, log = new_context()
    page = context.new_page()
    page.route(
        f"{live_server.url}/csp-probe",
        lambda route: route.fulfill(
            content_type="text/html",
            headers={"Content-Security-Policy": "script-src 'self'"},
            body='<!doctype html><title>probe</title><script>document.title = "ran"</script>',
        ),
    )

    page.goto("/csp-probe")

    assert page.title() == "probe"
    assert any("Content Security Policy" in error for error in log.errors), log.errors
    with pytest.raises(AssertionError, match="Content Security Policy"):
        log.assert_no_errors()
    log.errors.clear()


def test_a_stylesheet_that_fails_to_load_fails_the_test_but_a_page_answering_404_does_not(new_context, live_server):
    context, log = new_context()
    page = context.new_page()
    page.route(
        f"{live_server.url}/broken-probe",
        lambda route: route.fulfill(
            content_type="text/html",
            body='<!doctype html><title>probe</title><link rel="stylesheet" href="/static/css/missing.css">',
        ),
    )

    assert page.goto("/articles/no-such-page/").status == 404
    assert log.errors == []
    page.goto("/broken-probe")

    assert log.errors == [f"{live_server.url}/static/css/missing.css: 404 for a stylesheet"]
    with pytest.raises(AssertionError, match="missing.css"):
        log.assert_no_errors()
    log.errors.clear()


STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def test_pages_with_structured_data_raise_no_errors_under_a_strict_content_security_policy(
    new_context, faq_article, live_server
):
    context, log = new_context()
    page = context.new_page()

    def with_strict_csp(route):
        if route.request.resource_type != "document" or not route.request.url.startswith(live_server.url):
            route.fallback()  # to the request log, which checks the host
            return
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": STRICT_CSP})

    page.route("**/*", with_strict_csp)
    for url in [reverse("articles:home"), faq_article.get_absolute_url()]:
        page.goto(url)

        expect(page.locator("script[type='application/ld+json']")).to_have_count(1)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert log.errors == []
