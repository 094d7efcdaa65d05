"""The public pages and the admin work in a real Chromium under our CSP, with no violation reported.

Runs against pytest-django's live server; skipped only when Chromium or Playwright is missing.
"""

import shutil

import pytest
from django.urls import reverse

from tests.factories import make_article, make_entry, make_source, make_staff

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed"),
]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Runs before any page script; the page's own CSP does not apply to it.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def browser_page():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.add_init_script(RECORD_VIOLATIONS)
        problems = []
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        # ERR_ABORTED is the browser dropping a pending request (the favicon) when we navigate on.
        page.on(
            "requestfailed",
            lambda r: problems.append(f"{r.failure}: {r.url}") if "ERR_ABORTED" not in (r.failure or "") else None,
        )
        page.on("response", lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None)
        page.problems = problems
        yield page
        browser.close()


def visit(page, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    assert response.headers["content-security-policy"], url
    page.wait_for_load_state("load")
    assert page.evaluate("window.__cspViolations") == [], url
    assert page.problems == [], url


@pytest.fixture
def article(transactional_db):
    # Built before Playwright starts: its event loop makes Django refuse database calls.
    article = make_article(title="About pain", slug="pain")
    make_entry(article, question="Why?", answer="Because **reasons**.")
    make_source(article)
    make_staff("chief", superuser=True)
    return article


def test_public_pages_and_admin_report_no_csp_violation(article, live_server, browser_page):
    page = browser_page

    for path in ["/", "/articles/", article.get_absolute_url(), reverse("contacts:message-create")]:
        visit(page, live_server.url + path)
    # Bootstrap's stylesheet applied: the page is not unstyled.
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != "Times New Roman"

    visit(page, live_server.url + reverse("admin:login"))
    page.fill("#id_username", "chief")
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))
    assert page.evaluate("window.__cspViolations") == []

    visit(page, live_server.url + reverse("admin:articles_article_changelist"))
    # The actions bar is driven by admin JavaScript: ticking a row enables it and counts it.
    page.check("input.action-select")
    assert "1 of 1 selected" in page.inner_text(".action-counter")

    visit(page, live_server.url + reverse("admin:articles_article_change", args=[article.pk]))
    # Inline formsets' "Add another" link is created by admin JavaScript.
    page.click("#entries-group .add-row a")
    assert page.locator("#entries-group .inline-related:not(.empty-form)").count() == 2

    visit(page, live_server.url + reverse("admin:articles_article_add"))
    # Prepopulated slug is filled by admin JavaScript.
    page.locator("#id_title").press_sequentially("Fresh start")
    assert page.input_value("#id_slug") == "fresh-start"

    assert page.evaluate("window.__cspViolations") == []
    assert page.problems == []
