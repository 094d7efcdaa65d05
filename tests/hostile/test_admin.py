"""Hostile input in the admin, as a counselor, a moderator and a clinic admin would send it: never a 500.

Junk in filters, search, ordering and page numbers, the autocomplete endpoint, change pages
with ids that are not ids, tampered action selections. Run on SQLite and on PostgreSQL
(`DATABASE_URL=postgres://…`): PostgreSQL is where a NUL character fails.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from clinic.roles import CLINIC_ADMINS
from contacts.models import Comment, Message, MessageNote
from tests.factories import make_article, make_comment, make_counselor, make_member, make_message, make_moderator
from tests.hostile.helpers import MARKUP, assert_calm, assert_refused_with_the_400_page

pytestmark = pytest.mark.django_db

ADMIN = "/" + settings.ADMIN_PATH
ROLES = {
    "counselor": make_counselor,
    "moderator": make_moderator,
    "clinic admin": lambda: make_member("clinic-admin", CLINIC_ADMINS),
}
LISTS = ["contacts/message/", "contacts/comment/", "contacts/auditevent/", "articles/article/"]
JUNK_QUERIES = [
    "q=%FF%FE",
    "q=99999999999999999999",
    "q=-99999999999999999999",
    "q=" + "x" * 10_000,
    "q=' OR 1=1 --",
    "client_hash=nothing-like-a-hash",
    "status=unknown",
    "queue=unknown",
    "unread=2",
    "created_at__gte=junk",
    "created_at__gte=2026-99-99",
    "created_at__lt=99999-01-01",
    "o=junk",
    "o=99",
    "o=1.-2.abc",
    "p=junk",
    "p=-1",
    "p=" + "9" * 5000,
    "article__id__exact=abc",
    "assigned_to__id__exact=abc",
    "crisis__exact=maybe",
    "id__in=abc,1",
    "id=99999999999999999999",
    "id__gt=-99999999999999999999",
    "unknown_field=1",
    "_to_field=password",
    "e=1",
    "all=&p=99999999999999999999",
]
NUL_QUERIES = [
    "q=%00",
    "client_hash=%00",
    "status=%00",
    "queue=%00",
    "created_at__gte=%00",
    "o=1.%00",
    "p=%00",
    "phone=%00",
    "email=%00",
    "name__icontains=%00",
    "action=%00",
    "%00=1",
]
AUTOCOMPLETE = [
    "term=%FF&app_label=contacts&model_name=message&field_name=assigned_to",
    "term=x&app_label=contacts&model_name=nothing&field_name=assigned_to",
    "term=x&app_label=nothing&model_name=message&field_name=assigned_to",
    "term=x&app_label=contacts&model_name=message&field_name=body",
    "term=" + "x" * 10_000 + "&app_label=contacts&model_name=comment&field_name=article",
    "",
]
JUNK_IDS = ["abc", "-1", "1.5", "99999999999999999999", "%FF", "%3Cscript%3E", "1%20OR%201=1"]


@pytest.fixture(params=list(ROLES))
def staff(request, client):
    user = ROLES[request.param]()
    client.force_login(user)
    return user


@pytest.fixture
def rows():
    article = make_article()
    return {"message": make_message(), "comment": make_comment(article), "article": article}


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("query", JUNK_QUERIES)
def test_junk_in_a_list_filter_search_ordering_or_page_is_answered_calmly(client, staff, rows, path, query):
    assert_calm(client.get(f"{ADMIN}{path}?{query}"))


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("query", NUL_QUERIES)
def test_a_nul_character_in_a_list_query_is_refused_with_the_400_page(client, staff, rows, path, query):
    assert_refused_with_the_400_page(client.get(f"{ADMIN}{path}?{query}"))


@pytest.mark.parametrize("query", AUTOCOMPLETE)
def test_junk_sent_to_the_autocomplete_endpoint_is_answered_calmly(client, staff, rows, query):
    assert_calm(client.get(f"{ADMIN}autocomplete/?{query}"))


@pytest.mark.parametrize(
    "query",
    [
        "term=%00&app_label=contacts&model_name=message&field_name=assigned_to",
        "term=%00&app_label=contacts&model_name=comment&field_name=article",
        "term=x&app_label=contacts%00&model_name=message&field_name=assigned_to",
    ],
)
def test_a_nul_character_sent_to_the_autocomplete_endpoint_is_refused_with_the_400_page(client, staff, rows, query):
    assert_refused_with_the_400_page(client.get(f"{ADMIN}autocomplete/?{query}"))


@pytest.mark.parametrize("model", ["contacts/message", "contacts/comment", "contacts/auditevent", "articles/article"])
@pytest.mark.parametrize("junk", JUNK_IDS)
@pytest.mark.parametrize("page", ["change", "delete", "history"])
def test_a_change_page_with_an_id_that_is_not_an_id_is_answered_calmly(client, staff, model, junk, page):
    assert_calm(client.get(f"{ADMIN}{model}/{junk}/{page}/"))
    assert_calm(client.post(f"{ADMIN}{model}/{junk}/{page}/", {"post": "yes"}))


@pytest.mark.parametrize("model", ["contacts/message", "contacts/comment", "articles/article"])
def test_a_change_page_with_a_nul_character_in_its_id_is_refused_with_the_400_page(client, staff, model):
    assert_refused_with_the_400_page(client.get(f"{ADMIN}{model}/%00/change/"))
    assert_refused_with_the_400_page(client.get(f"{ADMIN}{model}/1%00/change/"))


@pytest.mark.parametrize("selected", [["abc"], ["1.5"], ["1", "x"], [" "], ["<script>"]])
def test_a_tampered_action_selection_changes_nothing_and_says_so(client, rows, selected):
    client.force_login(make_member("clinic-admin", CLINIC_ADMINS))
    cases = [
        ("contacts/message/", "close", selected),
        ("contacts/comment/", "trash", selected),
        ("articles/article/", "unpublish", selected),
    ]
    for path, action, chosen in cases:
        response = client.post(f"{ADMIN}{path}", {"action": action, "index": "0", "_selected_action": chosen})

        assert response.status_code == 302, path
        shown = client.get(response["Location"]).content.decode()
        assert "The selection was damaged, so nothing was changed" in shown
    rows["message"].refresh_from_db()
    rows["comment"].refresh_from_db()
    rows["article"].refresh_from_db()
    assert rows["message"].status == Message.Status.NEW
    assert rows["comment"].status == Comment.Status.APPROVED
    assert rows["article"].is_published


@pytest.mark.parametrize("selected", ["99999999999999999999", "-1", "0", "123456"])
def test_an_action_on_ids_that_cannot_exist_or_do_not_changes_nothing(client, rows, selected):
    client.force_login(make_counselor())

    response = client.post(
        f"{ADMIN}contacts/message/", {"action": "close", "index": "0", "_selected_action": [selected]}
    )

    assert response.status_code == 302
    rows["message"].refresh_from_db()
    assert rows["message"].status == Message.Status.NEW


def test_a_nul_character_in_a_change_form_is_refused_and_nothing_changes(client, rows):
    client.force_login(make_moderator())
    comment = rows["comment"]
    url = reverse("admin:contacts_comment_change", args=[comment.pk])

    response = client.post(url, {"author_name": "Sam\x00", "author_email": "sam@example.com", "body": "Edited"})

    assert_refused_with_the_400_page(response)
    comment.refresh_from_db()
    assert comment.body != "Edited"


def test_an_overlong_value_in_a_change_form_is_refused_with_an_error_and_nothing_changes(client, rows):
    client.force_login(make_moderator())
    comment = rows["comment"]
    url = reverse("admin:contacts_comment_change", args=[comment.pk])

    response = client.post(url, {"author_name": "x" * 100_000, "author_email": "sam@example.com", "body": "Edited"})

    assert response.status_code == 200
    assert "Ensure this value has at most 100 characters" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body != "Edited"


def test_markup_in_a_counselors_note_is_stored_exactly_and_escaped_on_the_message_page(client, rows):
    client.force_login(make_counselor())
    message = rows["message"]
    url = reverse("admin:contacts_message_change", args=[message.pk])
    note_url = reverse("admin:contacts_message_note", args=[message.pk])

    assert client.post(note_url, {"text": MARKUP}).status_code == 302

    assert MessageNote.objects.get(message=message, author__isnull=False).text == MARKUP
    page = client.get(url).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert" in page


def test_markup_in_a_message_is_escaped_in_the_counselors_search_results(client):
    make_message(name=MARKUP[:100], body=MARKUP)
    client.force_login(make_counselor())

    page = client.get(f"{ADMIN}contacts/message/", {"q": "<script>"}).content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page
