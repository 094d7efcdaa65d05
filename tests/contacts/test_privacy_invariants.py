"""What must never leak, checked where it would: client keys, admin history, public comment queries."""

import hashlib
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.roles import CLINIC_ADMINS
from contacts.abuse import client_key
from contacts.models import Comment, Message
from tests.factories import (
    PATIENT,
    elapsed_ms,
    make_article,
    make_comment,
    make_counselor,
    make_member,
    make_message,
    make_moderator,
)

pytestmark = pytest.mark.django_db

# The client key


def request_from(address: str):
    return RequestFactory().get("/", REMOTE_ADDR=address)


def test_the_client_key_changes_with_the_secret_key_so_it_cannot_be_recomputed_without_it():
    with override_settings(SECRET_KEY="first-secret-key-for-this-test-0123456789abcdefghijklmnop"):
        first = client_key(request_from("203.0.113.9"))
    with override_settings(SECRET_KEY="second-secret-key-for-this-test-0123456789abcdefghijklmno"):
        second = client_key(request_from("203.0.113.9"))

    assert first != second


@pytest.mark.parametrize("address", ["203.0.113.9", "10.0.0.1", "2001:db8::1"])
def test_the_client_key_is_no_plain_hash_of_the_address(address):
    # Anyone could hash all four billion IPv4 addresses with these and read the address back.
    key = client_key(request_from(address))

    for name in sorted(hashlib.algorithms_guaranteed):
        digest = hashlib.new(name, address.encode())
        hexdigest = digest.hexdigest(64) if name.startswith("shake") else digest.hexdigest()
        assert key not in hexdigest, f"the key is (part of) the {name} of the address"
    assert address not in key


# Admin history (LogEntry rows: "Recent actions" and each object's history page)


def patient_details(message: Message) -> list[str]:
    """Every way a patient's details could be written: name parts, email, phone formats, message text."""
    return [
        *message.name.split(),
        message.email,
        message.phone.as_e164,
        message.phone.as_national,
        str(message.phone.national_number),
        message.body,
    ]


def assert_absent(secrets: list[str], texts: list[str]) -> None:
    for text in texts:
        for secret in secrets:
            assert secret.lower() not in text.lower(), f"{secret!r} written in {text!r}"


def history() -> list[str]:
    return [text for entry in LogEntry.objects.all() for text in (entry.object_repr, entry.change_message)]


def test_a_message_names_itself_by_number_only():
    message = make_message(**PATIENT)

    assert str(message) == f"Message #{message.pk}"


def test_a_counselors_status_assignee_and_note_changes_leave_no_patient_details_in_the_admin_history(client):
    message = make_message(**PATIENT)
    counselor = make_counselor()
    client.force_login(counselor)
    note = f"Called {message.name} at {message.phone.as_national}: no answer."
    data = {"status": Message.Status.CONTACTED, "assigned_to": counselor.pk}

    response = client.post(reverse("admin:contacts_message_change", args=[message.pk]), data)
    noted = client.post(reverse("admin:contacts_message_note", args=[message.pk]), {"text": note})

    assert response.status_code == 302, response.content.decode()[:2000]
    assert noted.status_code == 302
    assert message.notes.filter(text=note).exists()
    assert_absent([*patient_details(message), note], history())
    entry = LogEntry.objects.get()
    assert (entry.object_id, entry.is_change()) == (str(message.pk), True)
    assert "Status" in entry.get_change_message()


def test_a_clinic_admin_deleting_a_message_leaves_no_patient_details_in_the_admin_history(client):
    message = make_message(**PATIENT)
    client.force_login(make_member("boss", CLINIC_ADMINS))

    response = client.post(reverse("admin:contacts_message_delete", args=[message.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Message.objects.filter(pk=message.pk).exists()
    assert_absent(patient_details(message), history())
    assert LogEntry.objects.get().is_deletion()


def test_a_moderator_editing_and_approving_a_comment_leaves_no_author_email_in_the_admin_history(client):
    comment = make_comment(author_email="quenby.reader@example.org", status=Comment.Status.PENDING)
    client.force_login(make_moderator())
    data = {
        "author_name": "Quenby",
        "author_email": "q.reader@example.net",
        "body": "Edited by the moderator.",
        "_moderate": "approve",
    }

    response = client.post(reverse("admin:contacts_comment_change", args=[comment.pk]), data)

    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.author_email, comment.status) == ("q.reader@example.net", Comment.Status.APPROVED)
    assert_absent(["quenby.reader", "q.reader", "example.org", "example.net"], history())
    assert "Email" in LogEntry.objects.get().get_change_message()


def test_a_clinic_admin_deleting_a_comment_leaves_no_author_email_in_the_admin_history(client):
    comment = make_comment(author_email="quenby.reader@example.org")
    client.force_login(make_member("boss", CLINIC_ADMINS))

    response = client.post(reverse("admin:contacts_comment_delete", args=[comment.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert_absent(["quenby.reader", "example.org"], history())
    assert LogEntry.objects.get().is_deletion()


# Public comment pages never load an author's email


EMAIL_COLUMN = '"{}"'.format(Comment._meta.get_field("author_email").column)
COMMENTS_TABLE = f'"{Comment._meta.db_table}"'


def email_reads(queries: list[dict]) -> list[str]:
    """The queries whose select list (their own or a subquery's) names the comment email column."""
    return [
        query["sql"]
        for query in queries
        if any(EMAIL_COLUMN in selected for selected in re.findall(r"SELECT (.*?) FROM ", query["sql"]))
    ]


@pytest.fixture
def thread():
    """An article with an approved comment, an approved reply and a pending comment, each with an email."""
    article = make_article()
    top = make_comment(article, author_email="top.author@example.org", body="The first comment.")
    reply = make_comment(article, author_email="reply.author@example.org", body="A reply.", parent=top)
    make_comment(article, author_email="waiting.author@example.org", status=Comment.Status.PENDING)
    return article, top, reply


def test_reading_an_article_and_its_comment_pages_never_selects_an_email(client, thread):
    article, top, _ = thread
    url = article.get_absolute_url()

    with CaptureQueriesContext(connection) as queries:
        pages = [
            client.get(url),
            client.get(f"{url}?cpage=2"),
            client.get(f"{url}?replyto={top.pk}"),
            client.get(reverse("contacts:comment-create", kwargs={"slug": article.slug}), follow=True),
        ]

    assert [page.status_code for page in pages] == [200, 200, 200, 200]
    assert all("A reply." in page.content.decode() for page in pages)
    assert any(COMMENTS_TABLE in query["sql"] for query in queries.captured_queries)
    assert not email_reads(queries.captured_queries)


def test_a_comment_form_shown_again_with_its_errors_never_selects_an_email(client, thread):
    article, top, _ = thread
    form = {"name": "Sam", "email": "", "comment": "A reply", "parent": str(top.pk), "elapsed": elapsed_ms()}

    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("contacts:comment-create", kwargs={"slug": article.slug}), form)

    assert response.status_code == 400
    assert "Replying to" in response.content.decode()
    assert any(COMMENTS_TABLE in query["sql"] for query in queries.captured_queries)
    assert not email_reads(queries.captured_queries)


def test_posting_a_reply_to_a_reply_never_selects_another_readers_email(client, settings, thread):
    settings.COMMENT_FLOOD_SECONDS = 0
    article, _, reply = thread
    form = {"name": "Sam", "email": "sam@example.com", "comment": "Me too", "parent": str(reply.pk)}

    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("contacts:comment-create", kwargs={"slug": article.slug}), {**form, "elapsed": elapsed_ms()}
        )

    assert response.status_code == 302
    assert Comment.objects.filter(body="Me too", parent=reply.parent).exists()
    # Its own email may be looked up (duplicates, known authors); nobody else's may be read.
    assert not email_reads(queries.captured_queries)
