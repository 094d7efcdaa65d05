"""Public pages pass axe-core's WCAG 2.1 A/AA rules and work by keyboard and at 200% text size."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_PAGES = {
    "home": lambda article: reverse("articles:home"),
    "article-list": lambda article: reverse("articles:list"),
    "article": lambda article: article.get_absolute_url(),
    "contact": lambda article: reverse("contacts:message-create"),
    "not-found": lambda article: "/articles/no-such-page/",
}

FOCUSABLE = (
    "a[href]:not([tabindex='-1']), button:not([tabindex='-1']), input:not([type=hidden]):not([tabindex='-1']), "
    "select:not([tabindex='-1']), textarea:not([tabindex='-1']), [tabindex]:not([tabindex='-1'])"
)


@pytest.mark.parametrize("name", list(PUBLIC_PAGES))
def test_public_page_has_no_wcag_21_aa_violations(page, faq_article, axe_check, screenshot, name):
    response = page.goto(PUBLIC_PAGES[name](faq_article))

    assert response.status == (404 if name == "not-found" else 200)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("main")).to_be_visible()
    screenshot(page, name)
    axe_check(page)


def test_tab_from_the_top_reaches_the_skip_link_first_and_it_moves_focus_to_main(page, faq_article):
    page.goto(faq_article.get_absolute_url())

    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    expect(page).to_have_url(f"{faq_article.get_absolute_url()}#main")
    # The next Tab continues inside the main content, not back at the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


def show_form_errors(page) -> None:
    """Send the contact form empty, as a patient pressing Send too early would."""
    page.get_by_role("button", name="Send my message").click()
    expect(page.get_by_role("alert").filter(has_text="before sending")).to_be_visible()


@pytest.mark.parametrize("name", ["home", "article", "contact", "contact-errors"])
def test_keyboard_reaches_every_control_in_order_with_a_visible_focus_outline(page, faq_article, name):
    page.goto(PUBLIC_PAGES[name.removesuffix("-errors")](faq_article))
    if name.endswith("-errors"):
        show_form_errors(page)
        # Focus starts on the error summary: Tab goes on from there, through its links to the form.
        expect(page.locator("#error-summary")).to_be_focused()
    expected = page.evaluate(
        """selector => [...document.querySelectorAll(selector)]
            // From where focus is now: the top of the page, or the error summary.
            .filter(el => document.activeElement === document.body
                          || document.activeElement.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING)
            .filter(el => el.getClientRects().length > 0 || el.classList.contains('skip-link'))
            .filter(el => !el.closest('[aria-hidden=true]'))
            // A radio group is one Tab stop: its checked button, or its first when none is checked.
            .filter(el => el.type !== 'radio' || el === (
                el.form.querySelector(`input[type=radio][name="${el.name}"]:checked`)
                || el.form.querySelector(`input[type=radio][name="${el.name}"]`)))
            .map(el => el.outerHTML.slice(0, 120))""",
        FOCUSABLE,
    )
    reached = []
    for _ in expected:
        page.keyboard.press("Tab")
        focus = page.evaluate(
            """() => {
                const el = document.activeElement, style = getComputedStyle(el);
                return {html: el.outerHTML.slice(0, 120), outline: style.outlineStyle,
                        width: parseFloat(style.outlineWidth), shadow: style.boxShadow};
            }"""
        )
        reached.append(focus["html"])
        visible = (focus["outline"] != "none" and focus["width"] >= 2) or focus["shadow"] != "none"
        assert visible, f"no visible focus indicator on {focus}"

    assert reached == expected
    # The spam trap is out of reach: no Tab lands on it.
    assert not [html for html in reached if 'name="website"' in html]
    if name.startswith("contact"):
        assert any('name="consent"' in html for html in reached)
        expect(page.locator("#id_website")).not_to_be_visible()


@pytest.mark.parametrize("width", [320, 390])
def test_text_at_200_percent_hides_nothing_and_needs_no_sideways_scrolling(new_context, faq_article, width, screenshot):
    context, _log = new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    contact = reverse("contacts:message-create")
    for url in [reverse("articles:home"), faq_article.get_absolute_url(), contact, f"{contact}#errors"]:
        page.goto(url)
        if url.endswith("#errors"):
            show_form_errors(page)
        page.evaluate("document.documentElement.style.fontSize = '200%'")

        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px at {width}px wide with 200% text"
        clipped = page.evaluate(
            """() => [...document.querySelectorAll('h1, h2, p, li, a, .btn')]
                .filter(el => el.getClientRects().length && !el.closest('.skip-link') && !el.matches('.skip-link'))
                .filter(el => { const r = el.getBoundingClientRect();
                                return r.left < -1 || r.right > document.documentElement.clientWidth + 1; })
                .map(el => el.outerHTML.slice(0, 80))"""
        )
        assert clipped == [], f"{url}: content cut off at {width}px with 200% text: {clipped}"
        for heading in page.locator("h1, h2").all():
            expect(heading).to_be_visible()
        screenshot(page, f"zoom200-{url.strip('/#').replace('/', '-').replace('#', '-') or 'home'}")


def test_axe_check_fails_with_a_readable_report_on_a_page_with_violations(new_context, axe_check):
    context, _log = new_context()
    page = context.new_page()
    page.set_content(
        '<html lang="en"><head><title>Bad</title></head><body><main><h1>Bad page</h1>'
        '<p style="color:#bbb;background:#fff">Pale text</p><a href="/x"></a></main></body></html>'
    )

    with pytest.raises(AssertionError) as failure:
        axe_check(page)

    assert "color-contrast" in str(failure.value)
    assert "link-name" in str(failure.value)
