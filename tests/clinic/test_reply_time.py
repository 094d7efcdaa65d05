"""Patients are told when to expect contact, in the clinic's own words (DJANGO_REPLY_TIME_TEXT,
DJANGO_OFFICE_HOURS_TEXT), before they write and once they have sent their message."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from dotenv import dotenv_values

from tests.factories import message_post_data

pytestmark = pytest.mark.django_db

REPLY = "We answer every message within two hours."
HOURS = "Open every day, 7 am to 11 pm."
PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clinic_hours(settings):
    settings.REPLY_TIME_TEXT = REPLY
    settings.OFFICE_HOURS_TEXT = HOURS


def sent_page(client, **post) -> str:
    client.post(reverse("contacts:message-create"), message_post_data(**post))
    return client.get(reverse("contacts:message-sent")).content.decode()


def test_the_defaults_say_a_business_day_and_the_office_hours(client):
    body = client.get(reverse("contacts:message-create")).content.decode()

    assert "A counselor usually replies within one business day." in body
    assert "Office hours: Monday to Friday, 8 am to 6 pm Central time." in body


def test_the_contact_page_says_when_to_expect_a_reply_before_the_form(client, clinic_hours):
    body = client.get(reverse("contacts:message-create")).content.decode()

    intro = body[body.index("<h1") : body.index('class="message-form"')]
    assert REPLY in intro and HOURS in intro
    assert "one business day" not in body


def test_the_home_page_form_says_when_to_expect_a_reply(client, clinic_hours):
    body = client.get(reverse("articles:home")).content.decode()

    section = body[body.index('id="home-contact-heading"') : body.index('class="message-form"')]
    assert REPLY in section and HOURS in section


def test_the_confirmation_says_when_to_expect_contact(client, clinic_hours):
    body = sent_page(client)

    main = body[body.index("<main") : body.index("</main>")]
    assert REPLY in main and HOURS in main
    assert main.index("Your message was sent") < main.index(REPLY) < main.index("What happens next")


def test_an_urgent_confirmation_still_starts_with_the_emergency_guidance(client, clinic_hours):
    body = sent_page(client, body="I have been thinking about suicide.")

    main = body[body.index("<main") : body.index("</main>")]
    assert main.index('class="urgent-guidance"') < main.index(REPLY)
    assert HOURS in main


def test_empty_texts_leave_no_empty_paragraph(client, settings):
    settings.REPLY_TIME_TEXT = ""
    settings.OFFICE_HOURS_TEXT = ""

    body = client.get(reverse("contacts:message-create")).content.decode()

    assert 'class="reply-time"' not in body


def test_the_texts_come_from_the_documented_environment_variables():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_DEBUG="1", DJANGO_REPLY_TIME_TEXT=f"  {REPLY}  ", DJANGO_OFFICE_HOURS_TEXT=HOURS)
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps([settings.REPLY_TIME_TEXT, settings.OFFICE_HOURS_TEXT]))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env={**env, "DJANGO_SETTINGS_MODULE": "clinic.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == [REPLY, HOURS]
    documented = dotenv_values(PROJECT / ".env.example")
    assert documented["DJANGO_REPLY_TIME_TEXT"] == "A counselor usually replies within one business day."
    assert documented["DJANGO_OFFICE_HOURS_TEXT"] == "Office hours: Monday to Friday, 8 am to 6 pm Central time."
