"""A patient on a phone sends a message from /contact/, the home page and an article; a counselor finds it.

Drives Debian's Chromium through Playwright against the live test server, with JavaScript off
for the patient (the form must work without it).
"""

import pytest
from django.core import mail

from contacts.models import Message
from tests.factories import make_article, make_counselor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(autouse=True)
def _patient_settings(settings):
    settings.MIN_FORM_FILL_SECONDS = 0
    settings.COUNSELORS_EMAIL = ["counselors@clinic.test"]


def fill_and_send(page, *, name: str, body: str):
    page.fill("#id_name", name)
    page.check("#id_preferred_method_1")  # text message
    page.fill("#id_phone", "708 613 4751")
    page.fill("#id_body", body)
    page.check("#id_consent")
    page.click("button[type=submit]")


def test_a_patient_on_a_phone_sends_from_contact_home_and_an_article_and_a_counselor_sees_it(live_server, browser):
    make_article(slug="pain", title="Pain")
    patient = browser.new_page(**PHONE, java_script_enabled=False)

    patient.goto(f"{live_server.url}/contact/")
    fill_and_send(patient, name="From contact", body="Hello from the contact page.")
    assert patient.url == f"{live_server.url}/contact/sent/"
    assert patient.locator("h1").inner_text() == "Thank you. Your message was sent."

    patient.goto(f"{live_server.url}/")
    fill_and_send(patient, name="From home", body="Hello from the home page.")
    assert patient.url == f"{live_server.url}/contact/sent/"

    patient.goto(f"{live_server.url}/articles/pain/")
    patient.click(".cta >> text=message us")
    fill_and_send(patient, name="From article", body="I am scared I will overdose again.")
    assert patient.locator(".urgent-guidance a[href='tel:988']").is_visible()

    sent_from = dict(Message.objects.values_list("name", "sent_from"))
    assert sent_from == {"From contact": "/contact/", "From home": "/", "From article": "/articles/pain/"}
    assert len(mail.outbox) == 3

    counselor = make_counselor()
    counselor.set_password("a-long-test-password-2")
    counselor.save()
    admin = browser.new_page()
    admin.goto(f"{live_server.url}/admin/login/")
    admin.fill("#id_username", "counselor")
    admin.fill("#id_password", "a-long-test-password-2")
    admin.click("input[type=submit]")
    admin.goto(f"{live_server.url}/admin/contacts/message/")
    first_row = admin.locator("#result_list tbody tr").first
    assert "From article" in first_row.inner_text()
    assert "Urgent" in first_row.inner_text()


def test_the_honeypot_is_never_reached_with_the_keyboard(live_server, browser):
    page = browser.new_page(**PHONE)
    page.goto(f"{live_server.url}/contact/")

    focused = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.name || document.activeElement.tagName"))

    assert "consent" in focused
    assert "website" not in focused
    assert not page.locator("#id_website").is_visible()
