"""Public pages pass axe-core's WCAG 2.1 A/AA rules and work by keyboard and at 200% text size."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import force_font
from tests.factories import make_comment

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


def send(page, button: str) -> None:
    """Press a form's button and wait for the page that answers, as loaded as the patient sees it."""
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def show_form_errors(page) -> None:
    """Send the contact form empty, as a patient pressing Send too early would."""
    send(page, "Send my message")
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


# What readers type that has nowhere to break: a 200-character word, a long link, a long name.
LONG_WORD = "Sooo" + "o" * 188 + "grateful"
LONG_URL = "https://recovery-stories.example.org/" + "/".join(["my-first-year-without-opioids"] * 5) + "?ref=forum"
LONG_NAME = "Maximiliana-Wolfeschlegelsteinhausenbergerdorff-Konstantinopoulou"


def open_message_form_with_long_answers(page, article) -> None:
    page.goto(reverse("contacts:message-create"))
    form = page.locator("form.message-form")
    form.get_by_label("Your name").fill(LONG_NAME)
    form.get_by_label("Email address").fill(f"{LONG_WORD}@example")
    form.get_by_label("Phone number").fill("+1 (708) 613-4750 extension 1234567890123456789")
    form.get_by_label("Your message").fill(f"{LONG_WORD} {LONG_URL}")
    send(page, "Send my message")


def open_message_sent(page, article, *, in_danger: bool = False) -> None:
    page.goto(reverse("contacts:message-create"))
    form = page.locator("form.message-form")
    if in_danger:
        form.get_by_role("group", name=re.compile("in danger right now")).get_by_label("Yes").check()
    form.get_by_label("Your name").fill(LONG_NAME)
    form.get_by_label("Text message").check()
    form.get_by_label("Phone number").fill("708 613 4751")
    form.get_by_label("Your message").fill(f"{LONG_WORD} {LONG_URL}")
    form.get_by_label("I agree that the clinic may contact me about my message").check()
    send(page, "Send my message")
    expect(page).to_have_url(re.compile(re.escape(reverse("contacts:message-sent")) + "$"))


def open_crisis_comment_answer(page, article) -> None:
    page.goto(article.get_absolute_url())
    form = page.get_by_role("form", name="Leave a comment")
    form.get_by_label("Name").fill(LONG_NAME)
    form.get_by_label("Email").fill("robin@example.com")
    form.get_by_label(re.compile(r"^\s*Comment\b")).fill(
        "Honestly I don't want to wake up tomorrow. Nothing helps my pain."
    )
    send(page, "Post comment")
    expect(page.get_by_role("alert").filter(has_text="please don't wait")).to_be_visible()


def open_comment_form_with_errors(page, article) -> None:
    page.goto(article.get_absolute_url())
    form = page.get_by_role("form", name="Leave a comment")
    form.get_by_label("Name").fill(LONG_NAME)
    form.get_by_label("Email").fill(f"{LONG_WORD}@")
    send(page, "Post comment")


# Every public page, blank and with the errors its form can show (the home page's form answers on /contact/).
REFLOW_STATES = {
    "home": lambda page, article: page.goto(reverse("articles:home")),
    "article-list": lambda page, article: page.goto(reverse("articles:list")),
    "article": lambda page, article: page.goto(article.get_absolute_url()),
    "article-comment-errors": open_comment_form_with_errors,
    "contact": lambda page, article: page.goto(reverse("contacts:message-create")),
    "contact-errors": lambda page, article: (page.goto(reverse("contacts:message-create")), show_form_errors(page)),
    "contact-errors-long-answers": open_message_form_with_long_answers,
    "message-sent": open_message_sent,
    "message-sent-in-danger": lambda page, article: open_message_sent(page, article, in_danger=True),
    "article-crisis-comment": open_crisis_comment_answer,
    "not-found": lambda page, article: page.goto("/articles/no-such-page/"),
}


@pytest.mark.parametrize("state", list(REFLOW_STATES))
@pytest.mark.parametrize("width", [320, 390])
def test_text_at_200_percent_hides_nothing_and_needs_no_sideways_scrolling(
    new_context, faq_article, width, state, screenshot
):
    make_comment(faq_article, author_name=LONG_NAME, body=f"Thank you. {LONG_WORD}\nThis helped me: {LONG_URL}")
    context, _log = new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    REFLOW_STATES[state](page, faq_article)

    force_font(page, text_size="200%")

    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{state} scrolls sideways by {overflow}px at {width}px wide with 200% text"
    cut_off = page.evaluate(
        """() => {
            const right = document.documentElement.clientWidth + 1;
            // Out of sight on purpose: for screen readers only, the spam trap, the skip link until focused.
            const hidden = node => node.closest('.visually-hidden, .call-number, .hp-field, .skip-link');
            const boxes = [...document.querySelectorAll(
                    'h1, h2, h3, h4, p, li, a, label, legend, input, textarea, button, .btn, .alert, blockquote')]
                .filter(el => el.getClientRects().length && !hidden(el))
                .filter(el => { const r = el.getBoundingClientRect(); return r.left < -1 || r.right > right; })
                .map(el => el.outerHTML.slice(0, 80));
            // Text can spill out of a box that fits (a word that does not wrap) and be cut by a parent.
            const texts = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {
                const node = walker.currentNode, range = document.createRange();
                if (!node.data.trim() || hidden(node.parentElement)) continue;
                range.selectNodeContents(node);
                if ([...range.getClientRects()].some(r => r.left < -1 || r.right > right))
                    texts.push(node.data.trim().slice(0, 80));
            }
            return boxes.concat(texts);
        }"""
    )
    assert cut_off == [], f"{state}: content cut off at {width}px with 200% text: {cut_off}"
    split = page.evaluate(
        """() => [...document.querySelectorAll('a[href="tel:911"], a[href="tel:988"]')]
            .filter(link => link.getClientRects().length > 1).map(link => link.closest('[class]').className)"""
    )
    assert split == [], f"{state}: an emergency number is split across lines at {width}px with 200% text: {split}"
    for heading in page.locator("h1, h2").all():
        expect(heading).to_be_visible()
    screenshot(page, f"zoom200-{state}")


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
