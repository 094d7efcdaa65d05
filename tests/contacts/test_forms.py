import pytest
from crispy_forms.utils import render_crispy_form

from contacts.messages.forms import MessageForm, safe_page_path
from tests.factories import elapsed_ms, message_post_data


def errors_for(**overrides) -> dict:
    form = MessageForm(message_post_data(**overrides))
    assert not form.is_valid()
    return form.errors


def test_a_complete_form_is_valid_and_normalises_the_phone_number():
    form = MessageForm(message_post_data(phone="708.613.4751"))

    assert form.is_valid(), form.errors
    submission = form.submission()
    assert submission["phone"] == "+17086134751"
    assert submission["voicemail_ok"] is False
    assert submission["clinic_name_ok"] is False
    assert form.spam_reason() is None


def test_name_is_required():
    assert errors_for(name="")["name"] == ["This field is required."]


def test_a_contact_method_must_be_chosen():
    assert errors_for(preferred_method=None)["preferred_method"] == ["Choose how you would like us to contact you."]


@pytest.mark.parametrize(("method", "words"), [("phone", "a phone call"), ("text", "a text message")])
def test_phone_is_required_for_a_call_or_a_text_and_the_error_says_why(method, words):
    errors = errors_for(preferred_method=method, phone="")

    assert errors["phone"] == [f"Enter a phone number, because you asked for {words}."]
    assert "email" not in errors


def test_email_is_required_for_an_email_and_the_error_says_why():
    errors = errors_for(preferred_method="email", phone="", email="")

    assert errors["email"] == ["Enter an email address, because you asked for an email."]
    assert "phone" not in errors


def test_email_alone_is_enough_when_email_is_chosen():
    form = MessageForm(message_post_data(preferred_method="email", phone="", email="sam@example.com"))

    assert form.is_valid(), form.errors


@pytest.mark.parametrize("phone", ["12", "not a phone", "+1 000 000 0000", "555-CALL-NOW-PLEASE"])
def test_a_malformed_phone_number_gets_a_clear_error(phone):
    assert errors_for(phone=phone)["phone"] == [
        "Enter a phone number like (708) 555-0123, or one starting with + and the country code."
    ]


def test_an_international_phone_number_is_accepted():
    form = MessageForm(message_post_data(phone="+44 20 7946 0958"))

    assert form.is_valid(), form.errors
    assert form.submission()["phone"] == "+442079460958"


def test_a_malformed_email_gets_a_clear_error():
    assert errors_for(preferred_method="email", email="sam@")["email"] == [
        "Enter an email address like name@example.com."
    ]


def test_message_is_required():
    assert errors_for(body="   ")["body"] == ["Write a short message so a counselor knows how to help."]


def test_message_may_be_5000_characters_but_not_more():
    assert MessageForm(message_post_data(body="a" * 5000)).is_valid()
    assert errors_for(body="a" * 5001)["body"] == [
        "Your message is 5001 characters long; please shorten it to 5,000 or fewer."
    ]


def test_line_breaks_count_once_as_in_the_browser():
    body = "line\r\n" * 833 + "xx"  # 5000 characters once \r\n is one

    form = MessageForm(message_post_data(body=body))

    assert form.is_valid(), form.errors


def test_consent_is_required_and_the_error_says_what_to_do():
    assert errors_for(consent=None)["consent"] == ["Tick the box so we may contact you about your message."]


def test_discreet_preferences_are_read_as_yes_or_no():
    form = MessageForm(message_post_data(voicemail_ok="yes", clinic_name_ok="no"))

    assert form.is_valid()
    assert form.submission()["voicemail_ok"] is True
    assert form.submission()["clinic_name_ok"] is False


@pytest.mark.parametrize("field", ["name", "body", "best_time", "phone"])
def test_nul_bytes_get_a_form_error_not_a_database_error(field):
    assert field in errors_for(**{field: "abc\x00def"})


def test_the_honeypot_and_a_fast_fill_are_reported_as_spam():
    honeypot = MessageForm(message_post_data(website="http://spam.example"))
    fast = MessageForm(message_post_data(elapsed=elapsed_ms(0)))
    unknown = MessageForm(message_post_data(elapsed=None))

    assert honeypot.is_valid() and fast.is_valid() and unknown.is_valid()
    assert (honeypot.spam_reason(), fast.spam_reason(), unknown.spam_reason()) == ("honeypot", "too_fast", None)


def test_a_form_left_open_for_two_days_is_not_spam():
    form = MessageForm(message_post_data(elapsed=elapsed_ms(2 * 86400)))

    assert form.is_valid()
    assert form.spam_reason() is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("/articles/x/", "/articles/x/"), ("//evil.example/", ""), ("https://evil.example/", ""), ("/a\nb", "")],
)
def test_only_same_site_paths_are_kept_as_the_page_a_message_came_from(value, expected):
    assert safe_page_path(value) == expected


def test_a_blank_form_carries_nothing_of_any_reader():
    html = render_crispy_form(MessageForm(initial={"sent_from": "/contact/"}))

    assert 'name="sent_from" value="/contact/"' in html
    assert '<input type="hidden" name="elapsed" id="id_elapsed">' in html
    assert '<input type="hidden" name="form_token" id="id_form_token">' in html


def test_a_form_sent_with_errors_is_rendered_with_the_errors_and_the_values():
    form = MessageForm(message_post_data(name="Typed Name", email="not-an-address", preferred_method="email"))
    assert not form.is_valid()

    html = render_crispy_form(form)

    assert "Typed Name" in html
    assert "Enter an email address like name@example.com." in html
