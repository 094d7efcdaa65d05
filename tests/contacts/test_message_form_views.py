"""The contact form: the page, sending a message, spam traps, the rate limit and where a message came from."""

import re

import pytest
from django.core import mail
from django.test import Client

from contacts.models import Message
from contacts.notifications.outbox import notifications_send_pending
from tests.contacts.message_helpers import SENT, URL, post
from tests.factories import elapsed_ms, make_article, message_post_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("counselors_email")]


def test_the_form_page_has_the_crisis_notice_the_emergency_copy_and_the_form(client):
    body = client.get(URL).content.decode()

    assert body.count("<h1") == 1
    assert 'href="tel:911"' in body and 'href="tel:988"' in body and "1-800-662-4357" in body
    assert "This form is not for emergencies." in body
    assert 'action="/contact/"' in body
    assert "include medical details beyond what a counselor needs" in body
    assert 'class="asteriskField">*</span>' in body
    assert "I agree that the clinic may contact me about my message" in body


def test_the_form_page_has_its_own_title_and_sharing_tags(client):
    head = client.get(URL).content.decode().split("</head>")[0]

    assert "<title>Message a counselor · Lakeside Recovery Clinic</title>" in head
    assert '<meta property="og:title" content="Message a counselor · Lakeside Recovery Clinic">' in head
    assert '<meta property="og:description" content="Send a confidential message to a counselor' in head


def test_the_honeypot_is_hidden_from_people_screen_readers_and_the_keyboard(client):
    body = client.get(URL).content.decode()

    trap = re.search(r'<div\s+class="hp-field"\s+aria-hidden="true">(.*?)</div>\s*</div>', body, re.S)
    assert trap, "honeypot wrapper missing"
    assert 'name="website"' in trap.group(1)
    assert 'tabindex="-1"' in trap.group(1)
    with open("static/css/site.css") as css:
        assert ".hp-field {" in css.read()


def test_a_valid_message_is_stored_and_redirected_to_a_confirmation_without_data_in_the_url(
    client, django_capture_on_commit_callbacks
):
    response = post(client, django_capture_on_commit_callbacks, name="Sam Example", sent_from="/articles/x/")

    assert response.status_code == 302
    assert response["Location"] == SENT
    message = Message.objects.get()
    assert message.name == "Sam Example"
    assert message.phone == "+17086134751"
    assert message.status == Message.Status.NEW
    assert message.sent_from == "/articles/x/"
    assert len(message.client_hash) == 32
    assert len(mail.outbox) == 1
    page = client.get(SENT)
    assert page.status_code == 200
    assert "Your message was sent." in page.content.decode()
    assert "phone call" in page.content.decode()
    assert "urgent-guidance" not in page.content.decode()


def test_the_confirmation_page_without_a_sent_message_goes_back_to_the_form(client):
    response = client.get(SENT)

    assert response.status_code == 302
    assert response["Location"] == URL


def test_the_blank_form_is_public_and_answers_and_the_confirmation_are_never_stored(
    client, django_capture_on_commit_callbacks
):
    assert client.get(URL)["Cache-Control"].startswith("public")
    assert "no-store" in client.post(URL, message_post_data(name=""))["Cache-Control"]
    post(client, django_capture_on_commit_callbacks)
    assert "no-store" in client.get(SENT)["Cache-Control"]


def test_a_double_post_stores_one_message_sends_one_notification_and_shows_the_same_confirmation(
    client, django_capture_on_commit_callbacks
):
    data = message_post_data()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(URL, data)
        second = client.post(URL, data)
    notifications_send_pending()

    assert first["Location"] == second["Location"] == SENT
    assert Message.objects.count() == 1
    assert len(mail.outbox) == 1
    assert client.get(SENT).status_code == 200
    assert client.get(SENT).status_code == 200  # a refresh shows it again, and sends nothing
    assert Message.objects.count() == 1


def test_the_same_message_sent_again_from_a_fresh_form_is_not_stored_twice(client, django_capture_on_commit_callbacks):
    post(client, django_capture_on_commit_callbacks, elapsed=elapsed_ms(120))
    post(client, django_capture_on_commit_callbacks, elapsed=elapsed_ms(30))

    assert Message.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_crisis_message_is_urgent_and_the_confirmation_repeats_988_and_911(
    client, django_capture_on_commit_callbacks
):
    post(client, django_capture_on_commit_callbacks, body="I have been thinking about suicide.")

    assert Message.objects.get().urgent is True
    assert mail.outbox[0].subject.startswith("URGENT")
    page = client.get(SENT).content.decode()
    guidance = page[page.index('class="urgent-guidance"') : page.index("What happens next")]
    assert 'href="tel:911"' in guidance
    assert 'href="tel:988"' in guidance
    assert 'role="alert"' in page


def test_an_invalid_form_keeps_every_value_and_lists_each_error_linking_to_its_field(client):
    response = client.post(
        URL, message_post_data(name="", preferred_method=None, body="Please keep me", consent=None, best_time="noon")
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert Message.objects.count() == 0
    assert "Error: Message a counselor" in body
    summary = body[body.index('id="error-summary"') : body.index("</ul>", body.index('id="error-summary"'))]
    assert 'href="#id_name"' in summary
    assert 'href="#id_preferred_method_0"' in summary
    assert 'href="#id_consent"' in summary
    assert "Please keep me</textarea>" in body
    assert 'value="noon"' in body
    assert 'value="(708) 613-4751"' in body


def test_the_honeypot_stores_spam_notifies_nobody_and_shows_the_normal_confirmation(
    client, django_capture_on_commit_callbacks
):
    response = post(client, django_capture_on_commit_callbacks, website="http://buy.example")

    assert response["Location"] == SENT
    message = Message.objects.get()
    assert (message.status, message.spam_reason) == (Message.Status.SPAM, "honeypot")
    assert mail.outbox == []
    assert "Your message was sent." in client.get(SENT).content.decode()


def test_a_form_sent_too_fast_is_stored_as_spam(client, django_capture_on_commit_callbacks):
    post(client, django_capture_on_commit_callbacks, elapsed=elapsed_ms(0))

    assert Message.objects.get().spam_reason == "too_fast"
    assert mail.outbox == []


def test_a_form_sent_without_the_pages_script_is_not_taken_for_spam(client, django_capture_on_commit_callbacks):
    post(client, django_capture_on_commit_callbacks, elapsed=None, form_token=None)

    message = Message.objects.get()
    assert message.status == Message.Status.NEW
    assert message.spam_reason == ""


def test_over_the_rate_limit_a_patient_gets_a_friendly_429_with_the_phone_and_their_text_kept(
    client, settings, django_capture_on_commit_callbacks
):
    settings.MESSAGE_RATE_LIMIT = (2, 600)
    for n in range(2):
        assert post(client, django_capture_on_commit_callbacks, body=f"Message {n}").status_code == 302

    response = post(client, django_capture_on_commit_callbacks, body="My third message")

    body = response.content.decode()
    assert response.status_code == 429
    assert "We could not send this yet" in body
    assert 'href="tel:+17086134750"' in body
    assert "My third message</textarea>" in body
    assert Message.objects.count() == 2

    other = Client(REMOTE_ADDR="198.51.100.7")
    assert post(other, django_capture_on_commit_callbacks, body="Someone else").status_code == 302
    assert Message.objects.count() == 3


def test_invalid_forms_do_not_use_up_the_rate_limit(client, settings, django_capture_on_commit_callbacks):
    settings.MESSAGE_RATE_LIMIT = (1, 600)
    for _ in range(3):
        assert client.post(URL, message_post_data(name="")).status_code == 200

    assert post(client, django_capture_on_commit_callbacks).status_code == 302


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "https://other.testserver"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
    ],
)
def test_a_cross_site_message_is_refused(headers):
    client = Client(enforce_csrf_checks=True)

    response = client.post(URL, message_post_data(), **headers)

    assert response.status_code == 403
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"},
        {"HTTP_SEC_FETCH_SITE": "none"},
        {"HTTP_ORIGIN": "http://testserver"},
        {},
    ],
)
def test_a_message_from_the_sites_own_page_needs_no_token_or_cookie(headers, django_capture_on_commit_callbacks):
    client = Client(enforce_csrf_checks=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, message_post_data(), **headers)

    assert response["Location"] == SENT
    assert Message.objects.count() == 1


def test_the_home_page_has_the_form_remembering_it_was_sent_from_the_home_page(client):
    body = client.get("/").content.decode()

    assert 'id="home-contact-heading"' in body
    assert 'action="/contact/"' in body
    assert 'name="sent_from" value="/"' in body
    assert 'name="elapsed"' in body


def test_an_article_links_to_the_form_and_the_form_page_is_the_same_whoever_linked_to_it(client):
    make_article(slug="pain")
    assert 'href="/contact/"' in client.get("/articles/pain/").content.decode()

    linked = client.get(URL, HTTP_REFERER="http://testserver/articles/pain/").content
    elsewhere = client.get(URL, HTTP_REFERER="https://elsewhere.example/articles/pain/").content

    # The page's script fills in where the patient came from (tests/browser checks it).
    assert linked == elsewhere
    assert 'name="sent_from" value="/contact/"' in linked.decode()


def test_the_page_a_message_came_from_is_stored_when_it_is_a_path_of_this_site(
    client, django_capture_on_commit_callbacks
):
    post(client, django_capture_on_commit_callbacks, sent_from="/articles/pain/", body="First.")
    post(client, django_capture_on_commit_callbacks, sent_from="https://elsewhere.example/", body="Second.")

    assert list(Message.objects.order_by("pk").values_list("sent_from", flat=True)) == ["/articles/pain/", ""]
