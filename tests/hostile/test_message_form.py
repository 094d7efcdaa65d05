"""Hostile input to the "Message a counselor" form: never a 500, nothing stored when refused, exact text when kept.

Run on SQLite and on PostgreSQL (`DATABASE_URL=postgres://…`): PostgreSQL is where a NUL
character fails, at the first query that carries it.
"""

import json

import pytest
from django.urls import reverse

from contacts.models import Message
from tests.factories import make_counselor, message_post_data
from tests.hostile.helpers import MARKUP, assert_calm, assert_refused_with_the_400_page, raw_form_body

pytestmark = pytest.mark.django_db

URL = reverse("contacts:message-create")
FORM = "application/x-www-form-urlencoded"
TYPED_FIELDS = ["name", "best_time", "body"]
ALL_FIELDS = [
    *TYPED_FIELDS,
    *["in_danger", "preferred_method", "phone", "email", "voicemail_ok", "clinic_name_ok", "consent"],
    *["sent_from", "elapsed", "form_token", "website"],
]


def error_summary(response) -> str:
    body = response.content.decode()
    assert 'class="alert alert-danger error-summary"' in body
    return body[body.index("error-summary") : body.index("</ul>", body.index("error-summary"))]


@pytest.mark.parametrize("field", [*ALL_FIELDS, "unknown_field"])
def test_a_nul_character_in_any_field_is_refused_with_the_400_page_and_nothing_is_stored(client, field):
    response = client.post(URL, message_post_data(**{field: "Sam\x00"}))

    assert_refused_with_the_400_page(response)
    assert not Message.objects.exists()


@pytest.mark.parametrize("query", ["?x=%00", "?%00=1", "?sent_from=%2F%00"])
def test_a_nul_character_in_the_query_string_is_refused_for_the_page_and_the_form(client, query):
    assert_refused_with_the_400_page(client.get(URL + query))
    assert_refused_with_the_400_page(client.post(URL + query, message_post_data()))
    assert not Message.objects.exists()


def test_a_nul_character_in_a_field_name_is_refused(client):
    response = client.post(URL, raw_form_body(message_post_data(), **{"na%00me": "Sam"}), content_type=FORM)

    assert_refused_with_the_400_page(response)
    assert not Message.objects.exists()


@pytest.mark.parametrize("field", TYPED_FIELDS)
def test_invalid_utf8_in_a_typed_field_is_kept_as_the_replacement_character(client, field):
    data = message_post_data()
    response = client.post(URL, raw_form_body(data, **{field: "caf%C3%A9%FF%FEend"}), content_type=FORM)

    assert response.status_code == 302
    assert getattr(Message.objects.get(), field) == "café\ufffd\ufffdend"


@pytest.mark.parametrize("query", ["?%FF=%FF", "?sent_from=%C0%AF", "?cpage=%ff"])
def test_invalid_utf8_in_the_query_string_changes_nothing(client, query):
    assert client.get(URL + query).status_code == 200
    assert client.post(URL + query, message_post_data()).status_code == 302
    assert Message.objects.get().name == "Sam"


@pytest.mark.parametrize(
    ("field", "label"), [("name", "Your name"), ("best_time", "Best time"), ("body", "Your message")]
)
def test_a_100_kb_typed_field_is_refused_with_its_field_named_and_nothing_is_stored(client, field, label):
    response = client.post(URL, message_post_data(**{field: "x" * 100_000}))

    assert response.status_code == 200
    assert label in error_summary(response)
    assert not Message.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("email", "a" * 100_000 + "@example.com"), ("phone", "1" * 100_000)])
def test_a_100_kb_contact_detail_is_refused_with_its_field_named(client, field, value):
    response = client.post(URL, message_post_data(preferred_method=field, **{field: value}))

    assert response.status_code == 200
    assert ("Email address" if field == "email" else "Phone number") in error_summary(response)
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sent_from", "/" + "a" * 100_000),
        ("sent_from", "//evil.example/"),
        ("sent_from", "javascript:alert(1)"),
        ("sent_from", "/articles/\x7f"),
        ("elapsed", "9" * 100_000),
        ("elapsed", "-5000"),
        ("elapsed", "1e9"),
        ("elapsed", "²"),
        ("form_token", "f" * 100_000),
        ("form_token", "<script>"),
    ],
)
def test_a_tampered_hidden_field_is_ignored_and_the_message_is_stored(client, field, value):
    response = client.post(URL, message_post_data(**{field: value}))

    assert response.status_code == 302
    message = Message.objects.get()
    sent_from = "" if field == "sent_from" else message_post_data()["sent_from"]
    assert (message.sent_from, message.form_token, message.status) == (sent_from, "", Message.Status.NEW)


def test_a_filled_honeypot_is_stored_as_spam_without_an_error(client):
    response = client.post(URL, message_post_data(website="x" * 100_000))

    assert response.status_code == 302
    assert Message.objects.get().status == Message.Status.SPAM


def test_markup_in_every_typed_field_is_stored_exactly_and_escaped_on_the_counselors_pages(client):
    response = client.post(URL, message_post_data(name=MARKUP[:100], best_time=MARKUP, body=MARKUP))

    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.name, message.best_time, message.body) == (MARKUP[:100], MARKUP, MARKUP)
    client.force_login(make_counselor())
    for url in (
        reverse("admin:contacts_message_changelist"),
        reverse("admin:contacts_message_change", args=[message.pk]),
    ):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert" in page


def test_markup_sent_back_with_an_error_is_shown_escaped_in_the_form(client):
    response = client.post(URL, message_post_data(name=MARKUP[:100], body=MARKUP, consent=None))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert not Message.objects.exists()


def test_unknown_fields_are_ignored_and_of_a_duplicated_field_the_last_value_counts(client):
    data = {**message_post_data(), "name": ["First", "Second"], "is_staff": "1", "status": "closed", "urgent": "1"}

    response = client.post(URL, data)

    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.name, message.status, message.urgent) == ("Second", Message.Status.NEW, False)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", json.dumps(message_post_data())),
        ("text/plain", "name=Sam&body=hello"),
        ("application/xml", "<message><name>Sam</name></message>"),
        ("multipart/form-data", "no boundary at all"),
        ("multipart/form-data; boundary=x", "--x\r\nnot a part\r\n--x--"),
    ],
)
def test_a_body_that_is_not_a_form_stores_nothing(client, content_type, body):
    response = client.post(URL, body, content_type=content_type)

    assert_calm(response)
    assert response.status_code in (200, 400)
    assert not Message.objects.exists()


def test_very_many_fields_are_refused_as_too_much_and_nothing_is_stored(client):
    data = {**message_post_data(), **{f"field{n}": "x" for n in range(1500)}}

    response = client.post(URL, data)

    assert response.status_code == 413
    assert not Message.objects.exists()


def test_a_body_over_the_size_limit_is_refused_as_too_big_before_anything_looks_for_nul(client):
    response = client.post(URL, message_post_data(body="\x00" * 2_000_000))

    assert response.status_code == 413
    assert not Message.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options"])
def test_other_methods_with_a_form_body_store_nothing(client, method):
    response = getattr(client, method)(URL, raw_form_body(message_post_data(name="Sam\x00")), content_type=FORM)

    assert_calm(response)
    assert not Message.objects.exists()
