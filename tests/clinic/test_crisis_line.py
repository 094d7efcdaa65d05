"""The emergency numbers are on a short line at the top of every public page, before anyone reads or writes."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import make_article, message_post_data

pytestmark = pytest.mark.django_db

EMERGENCY_LINE = re.compile(r'<aside\b[^>]*\baria-label="Emergency help"[^>]*>(.*?)</aside>', re.S)


def emergency_line(body: str) -> str:
    """The emergency line's HTML; it must come before the page's main content."""
    assert "<main" in body, "the page has no <main>"
    line = EMERGENCY_LINE.search(body[: body.index("<main")])
    assert line, "no emergency line before <main>"
    return line.group(1)


def confirmation_page(client) -> tuple[int, str]:
    client.post(reverse("contacts:message-create"), message_post_data())
    response = client.get(reverse("contacts:message-sent"))
    return response.status_code, response.content.decode()


def page(client, name: str) -> tuple[int, str]:
    if name == "confirmation":
        return confirmation_page(client)
    if name == "too-big":
        response = client.post(reverse("contacts:message-create"), {"body": "x" * (1024 * 1024 + 1)})
        return response.status_code, response.content.decode()
    url = {
        "home": reverse("articles:home"),
        "article-list": reverse("articles:list"),
        "article": make_article(slug="pain", title="Pain").get_absolute_url(),
        "contact": reverse("contacts:message-create"),
        "not-found": "/articles/no-such-page/",
    }[name]
    response = client.get(url)
    return response.status_code, response.content.decode()


PAGES = {
    "home": 200,
    "article-list": 200,
    "article": 200,
    "contact": 200,
    "confirmation": 200,
    "not-found": 404,
    "too-big": 413,
}


@pytest.mark.parametrize("name", list(PAGES))
def test_every_public_page_starts_with_tap_to_call_911_and_call_or_text_988(client, name):
    status, body = page(client, name)

    assert status == PAGES[name]
    line = emergency_line(body)
    assert 'href="tel:911"' in line
    assert 'href="tel:988"' in line
    assert 'href="sms:988"' in line
    assert "Emergency/overdose" in line and "Crisis" in line


@pytest.mark.parametrize("name", ["home", "article", "contact", "confirmation"])
def test_only_the_top_line_is_named_emergency_help_so_screen_readers_list_one_such_landmark(client, name):
    _status, body = page(client, name)

    assert body.count('aria-label="Emergency help"') == 1
    # The fuller notice in the footer is still there, with the helpline, as plain content.
    footer = body[body.index("<footer") :]
    assert 'class="crisis-notice"' in footer and 'href="tel:+18006624357"' in footer


def test_the_helpline_is_on_the_top_line_for_screens_with_room(client):
    line = emergency_line(client.get(reverse("articles:home")).content.decode())

    assert re.search(r'class="crisis-line-more".*href="tel:\+18006624357"', line, re.S)
    with open("static/css/site.css") as css:
        assert re.search(r"@media \(min-width: \d+px\) \{ \.crisis-line-more \{ display: inline; \} \}", css.read())


@pytest.mark.parametrize("url", ["/", "/contact/"])
def test_the_form_notice_gives_the_emergency_numbers_itself_instead_of_pointing_above(client, url):
    body = client.get(url).content.decode()

    notice = re.search(r'<p class="not-emergency">(.*?)</p>', body, re.S).group(1)
    assert "This form is not for emergencies." in notice
    assert "above" not in notice
    assert 'href="tel:911"' in notice and 'href="tel:988"' in notice
    assert 'href="tel:+17086134750"' in notice


def test_the_contact_page_no_longer_repeats_the_full_crisis_notice_above_the_form(client):
    body = client.get(reverse("contacts:message-create")).content.decode()

    main = body[body.index("<main") : body.index("</main>")]
    assert 'class="crisis-notice"' not in main[: main.index('class="message-form"')]


def test_the_crisis_numbers_are_written_in_one_template_only():
    templates = Path(settings.BASE_DIR) / "templates"
    writing_them = sorted(
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if re.search(r"tel:(911|988)|sms:988|tel:\+18006624357", path.read_text())
    )
    assert writing_them == ["includes/_crisis_help.html"]
