"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live server.

Chromium is taken from CHROMIUM_PATH, else /usr/bin/chromium; Playwright never downloads one.
Without it the browser tests are skipped with one line saying how to enable them, except in CI
(CI=true), where a missing browser fails the run instead.

Every page records each network request and the test fails if any goes to a host other than the
live server, or if the page reports an error (a script error, a Content-Security-Policy refusal).
`screenshot(page, "label")` writes artifacts/screenshots/<test>-<label>-<size>.png;
`axe_check(page)` asserts zero WCAG 2.1 A/AA violations.

Layout is measured only on a settled page (`settle(page)`: loaded, fonts ready, two frames drawn),
and reflow is judged in one wide font, DejaVu Sans (`force_font(page)`), so the answer does not
depend on the machine's default fonts; .ci/run installs it (fonts-dejavu-core) with Chromium.
Without it the reflow tests are skipped with one line saying how to get it, except in CI.
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

# Playwright's sync API runs an event loop in the test thread, which makes Django refuse ORM
# calls from tests (SynchronousOnlyOperation). The tests use the ORM synchronously on purpose.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
# Generous waits: CI machines are shared and slow; a passing test never waits this long.
expect.set_options(timeout=15_000)

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# The password tests/factories.py gives staff users.
STAFF_PASSWORD = "a-long-test-password"
# Not network requests: nothing leaves the browser for these.
LOCAL_SCHEMES = {"data", "blob", "about"}
# A wide font, and Debian's default sans-serif (fontconfig-config depends on it first): what fits in it fits in most.
REFLOW_FONT = "DejaVu Sans"
REFLOW_FONT_PACKAGE = "fonts-dejavu-core"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def chromium_executable() -> tuple[str | None, str]:
    """The Chromium to drive, or None and the one line that tells a developer how to get one."""
    path = os.environ.get("CHROMIUM_PATH", "").strip() or DEFAULT_CHROMIUM
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return path, ""
    return None, (
        f"browser tests need Chromium, not found at {path}: set CHROMIUM_PATH to a Chromium binary "
        "or install the `chromium` package (apt-get install chromium)"
    )


def settle(page: Page) -> None:
    """Wait until what a person would see is final: the page and its stylesheets loaded, its fonts
    ready, and two frames drawn with them. Measuring earlier measures an unstyled page."""
    page.wait_for_load_state("load")
    page.evaluate(
        """async () => {
            await document.fonts.ready;
            await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
        }"""
    )


def force_font(page: Page, *, text_size: str = "100%") -> None:
    """Draw every element of the page in REFLOW_FONT at `text_size` (of the browser's default), as
    someone who enlarged the text would see it, and settle. Through a constructed stylesheet, which
    the site's Content-Security-Policy does not refuse as it would a <style> element.

    Fails in CI, and skips elsewhere, unless Chromium really draws the text in REFLOW_FONT."""
    settle(page)
    page.evaluate(
        """([family, size]) => {
            const sheet = new CSSStyleSheet();
            sheet.replaceSync(`html { font-size: ${size} !important; }
                               *, *::before, *::after { font-family: "${family}" !important; }`);
            document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
        }""",
        [REFLOW_FONT, text_size],
    )
    settle(page)
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        heading = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
        drawn = {font["familyName"] for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": heading})["fonts"]}
    finally:
        cdp.detach()
    if drawn != {REFLOW_FONT}:
        how_to_get = (
            f"the reflow tests measure text in {REFLOW_FONT}, but Chromium drew {', '.join(sorted(drawn))}: "
            f"install it (apt-get install --no-install-recommends {REFLOW_FONT_PACKAGE})"
        )
        if in_ci():
            pytest.fail(f"CI=true: {how_to_get}", pytrace=False)
        pytest.skip(how_to_get)


def pytest_collection_modifyitems(config, items):
    """Mark the browser tests and run them last, so the fast suite reports first. Without Chromium
    (and outside CI) they are skipped, all under one summary line."""
    here = Path(__file__).parent
    path, how_to_enable = chromium_executable()
    browser, others = [], []
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            if path is None and not in_ci():
                item.add_marker(pytest.mark.skip(reason=how_to_enable))
            browser.append(item)
        else:
            others.append(item)
    items[:] = others + browser


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a skipped browser test counts as a failure: CI must really run them. Elsewhere every
    skipped browser test is reported at this file, so `-ra` folds them into a single line."""
    report = yield
    if report.skipped and item.get_closest_marker("browser"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if in_ci():
            report.outcome = "failed"
            report.longrepr = f"browser test skipped in CI (CI=true), which counts as a failure: {reason}"
        else:
            report.longrepr = (__file__, None, reason)
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    path, how_to_enable = chromium_executable()
    if path is None:
        if in_ci():
            pytest.fail(f"CI=true: {how_to_enable}", pytrace=False)
        pytest.skip(how_to_enable)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _people_in_a_hurry(settings):
    """People in these tests type in milliseconds and post twice within seconds: the spam trap's
    minimum fill time and the comment flood limit would take them for bots."""
    settings.MIN_FORM_FILL_SECONDS = 0
    settings.COMMENT_FLOOD_SECONDS = 0
    settings.COUNSELORS_EMAIL = ["counselors@clinic.test"]


@pytest.fixture
def faq_article(transactional_db):
    """The clinic's real FAQ article, loaded as `make run` loads it."""
    from articles.models import Article

    call_command("load_faq", verbosity=0)
    return Article.objects.prefetch_related("entries").get()


class RequestLog:
    """Every request a browser context made, those that went to another host (blocked), and the
    errors pages reported (script errors, Content-Security-Policy refusals, a resource of the
    page that failed to load)."""

    def __init__(self, allowed_netloc: str):
        self.allowed_netloc = allowed_netloc
        self.urls: list[str] = []
        self.foreign: list[str] = []
        self.errors: list[str] = []

    def console(self, message):
        # Failed loads are judged in `response`: a page answering 400 or 404 is what some tests expect.
        if message.type == "error" and not message.text.startswith("Failed to load resource: the server responded"):
            self.errors.append(f"{message.location.get('url')}: {message.text}")

    def response(self, response):
        # A page's own status is the test's to check; a stylesheet or image that fails is a broken page.
        if response.status >= 400 and response.request.resource_type != "document":
            self.errors.append(f"{response.url}: {response.status} for a {response.request.resource_type}")

    def web_error(self, error):
        self.errors.append(str(error.error))

    def route(self, route):
        url = route.request.url
        self.urls.append(url)
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES or parts.netloc == self.allowed_netloc:
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def assert_only_local(self) -> None:
        assert not self.foreign, "requests to hosts other than the test server:\n" + "\n".join(self.foreign)

    def assert_no_errors(self) -> None:
        assert not self.errors, "the browser reported errors:\n" + "\n".join(self.errors)


@pytest.fixture
def new_context(browser, live_server) -> Iterator[Callable[..., tuple[BrowserContext, RequestLog]]]:
    """Build browser contexts (keyword arguments as for `browser.new_context`) whose every request
    is logged; a request to any host but the live server is blocked and fails the test."""
    opened: list[tuple[BrowserContext, RequestLog]] = []

    def build(**options) -> tuple[BrowserContext, RequestLog]:
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(15_000)
        log = RequestLog(urlsplit(live_server.url).netloc)
        context.route("**/*", log.route)
        context.on("console", log.console)
        context.on("weberror", log.web_error)
        context.on("response", log.response)
        opened.append((context, log))
        return context, log

    yield build
    for context, _log in opened:
        context.close()
    for _context, log in opened:
        log.assert_only_local()
        log.assert_no_errors()


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def size(request) -> str:
    return request.param


@pytest.fixture
def viewport(size) -> dict[str, int]:
    return SIZES[size]


@pytest.fixture
def page(new_context, size, viewport) -> Page:
    """A page at phone (390x844, touch) or desktop (1280x900) size; tests using it run at both."""
    context, _log = new_context(viewport=viewport, has_touch=size == "phone", is_mobile=size == "phone")
    return context.new_page()


@pytest.fixture
def screenshot(request) -> Callable[..., Path]:
    """`screenshot(page, "label")` saves a full-page PNG as artifacts/screenshots/<test>[-label]-<size>.png."""

    def take(page: Page, label: str = "") -> Path:
        size = request.node.callspec.params.get("size") if hasattr(request.node, "callspec") else None
        viewport = page.viewport_size or {}
        size = size or f"{viewport.get('width')}x{viewport.get('height')}"
        name = "-".join(part for part in (request.node.originalname, label, size) if part)
        path = SCREENSHOTS / (re.sub(r"[^A-Za-z0-9_.-]+", "_", name) + ".png")
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def staff_login(live_server) -> Callable[..., None]:
    """`staff_login(page, user)` signs a staff user in through the admin login form, as a person would."""

    def login(page: Page, user, password: str = STAFF_PASSWORD) -> None:
        page.goto(reverse("admin:login"))
        page.get_by_label("Username").fill(user.get_username())
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()

    return login


def approve_every_row(admin: Page) -> None:
    """In the comment moderation queue, tick every row and run the bulk Approve action."""
    for row in admin.locator("#result_list tbody tr").all():
        row.get_by_role("checkbox", name=re.compile("^Select this object")).check()
    admin.get_by_role("combobox", name="Action").select_option(
        label="Approve selected comments (show them on the site)"
    )
    admin.get_by_role("button", name="Go").click()


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def axe_check(axe) -> Callable[[Page], None]:
    """`axe_check(page)` fails with a readable report unless axe-core finds zero WCAG 2.1 A/AA violations."""

    def check(page: Page) -> None:
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"

    return check
