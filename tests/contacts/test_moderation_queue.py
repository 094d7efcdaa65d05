"""The comment queue as quick as WordPress: one-click buttons per row, the whole text, links, crisis, the count."""

import pytest
from django.urls import reverse

from contacts.models import Comment
from tests.factories import make_article, make_comment, make_counselor, make_editor, make_moderator

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:contacts_comment_changelist")


def moderate_url(comment, choice, filters=""):
    url = reverse("admin:contacts_comment_moderate", args=[comment.pk, choice])
    return f"{url}?_changelist_filters={filters}" if filters else url


@pytest.mark.parametrize(
    ("choice", "start", "status"),
    [
        ("approve", Comment.Status.PENDING, Comment.Status.APPROVED),
        ("unapprove", Comment.Status.APPROVED, Comment.Status.PENDING),
        ("spam", Comment.Status.PENDING, Comment.Status.SPAM),
        ("trash", Comment.Status.PENDING, Comment.Status.TRASH),
    ],
)
def test_a_row_button_changes_the_state_records_who_and_returns_to_the_filtered_list(client, choice, start, status):
    moderator = make_moderator()
    comment = make_comment(status=start)
    client.force_login(moderator)

    response = client.post(moderate_url(comment, choice, "status%3Dpending%26q%3Dpain"))

    assert response.status_code == 302
    assert response["Location"] == f"{CHANGELIST}?status=pending&q=pain"
    comment.refresh_from_db()
    assert comment.status == status
    assert comment.moderated_by == moderator and comment.moderated_at is not None
    listing = client.get(response["Location"]).content.decode()
    assert f"Comment #{comment.pk}" in listing


def test_the_queue_shows_each_row_its_buttons_posting_to_the_admin_with_the_filters(client):
    pending = make_comment(status=Comment.Status.PENDING)
    approved = make_comment(status=Comment.Status.APPROVED)
    client.force_login(make_moderator())

    body = client.get(CHANGELIST + "?status=all").content.decode()

    assert 'name="csrfmiddlewaretoken"' in body
    assert f'formaction="{moderate_url(pending, "approve", "status%3Dall")}"' in body
    assert f'formaction="{moderate_url(pending, "spam", "status%3Dall")}"' in body
    assert f'formaction="{moderate_url(pending, "trash", "status%3Dall")}"' in body
    assert f'formaction="{moderate_url(approved, "unapprove", "status%3Dall")}"' in body
    assert moderate_url(pending, "unapprove") not in body
    assert moderate_url(approved, "approve") not in body
    assert 'src="/static/js/admin-moderation.js"' in body


def test_a_row_button_refuses_get(client):
    comment = make_comment(status=Comment.Status.PENDING)
    client.force_login(make_moderator())

    response = client.get(moderate_url(comment, "approve"))

    assert response.status_code == 405
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


@pytest.mark.parametrize("who", ["counselor", "editor"])
def test_a_row_button_refuses_staff_who_cannot_moderate_and_they_see_none(client, who):
    comment = make_comment(status=Comment.Status.PENDING)
    user = make_counselor() if who == "counselor" else make_editor()
    client.force_login(user)

    response = client.post(moderate_url(comment, "approve"))

    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING and comment.moderated_by is None
    if who == "counselor":
        assert "data-moderate" not in client.get(CHANGELIST).content.decode()


def test_a_row_button_for_an_unknown_move_is_not_found(client):
    comment = make_comment(status=Comment.Status.PENDING)
    client.force_login(make_moderator())

    assert client.post(moderate_url(comment, "delete")).status_code == 404


def test_a_crisis_comment_is_approved_from_its_row_only_after_a_confirmation(client):
    moderator = make_moderator()
    comment = make_comment(status=Comment.Status.PENDING, crisis=True, body="I can't go on <b>tonight</b>")
    client.force_login(moderator)

    first = client.post(moderate_url(comment, "approve", "status%3Dpending"))

    assert first.status_code == 200
    page = first.content.decode()
    assert "a counselor has seen it" in page
    assert "I can&#x27;t go on &lt;b&gt;tonight&lt;/b&gt;" in page
    assert 'name="crisis_confirmed" value="yes"' in page
    assert comment.author_email not in page
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING

    confirmed = client.post(moderate_url(comment, "approve", "status%3Dpending"), {"crisis_confirmed": "yes"})

    assert confirmed.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED and comment.moderated_by == moderator


def test_a_crisis_comment_goes_to_spam_or_trash_in_one_click(client):
    comment = make_comment(status=Comment.Status.PENDING, crisis=True)
    client.force_login(make_moderator())

    client.post(moderate_url(comment, "trash"))

    comment.refresh_from_db()
    assert comment.status == Comment.Status.TRASH


def test_the_whole_comment_is_shown_escaped_and_wrapped(client):
    long_text = "Word " * 60 + "<script>alert(1)</script>\nSecond line & more"
    make_comment(status=Comment.Status.PENDING, body=long_text, author_email="hidden@example.com")
    client.force_login(make_moderator())

    body = client.get(CHANGELIST).content.decode()

    assert "Word " * 60 in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Second line &amp; more" in body
    assert "<script>alert(1)</script>" not in body
    assert '<div class="comment-full">' in body


def test_each_row_links_to_its_place_in_the_thread(client):
    article = make_article()
    approved = make_comment(article, status=Comment.Status.APPROVED)
    pending = make_comment(article, status=Comment.Status.PENDING)
    client.force_login(make_moderator())

    body = client.get(CHANGELIST + "?status=all").content.decode()

    assert f'href="{reverse("admin:contacts_comment_thread", args=[approved.pk])}">View in thread</a></p>' in body
    assert f'href="{reverse("admin:contacts_comment_thread", args=[pending.pk])}">View in thread</a>' in body
    assert "(not public yet)" in body
    to_approved = client.get(reverse("admin:contacts_comment_thread", args=[approved.pk]))
    to_pending = client.get(reverse("admin:contacts_comment_thread", args=[pending.pk]))
    assert to_approved["Location"] == approved.get_absolute_url()
    assert to_pending["Location"] == f"{article.get_absolute_url()}#comments"


def test_a_pending_reply_links_to_its_threads_place(client):
    article = make_article()
    thread = make_comment(article, status=Comment.Status.APPROVED)
    reply = make_comment(article, parent=thread, status=Comment.Status.PENDING)
    client.force_login(make_moderator())

    response = client.get(reverse("admin:contacts_comment_thread", args=[reply.pk]))

    assert response["Location"] == f"{article.get_absolute_url()}#comment-{thread.pk}"


def test_the_crisis_flag_is_a_column_and_a_filter(client):
    make_comment(status=Comment.Status.PENDING, crisis=True, body="Flagged words")
    make_comment(status=Comment.Status.PENDING, body="Ordinary words")
    client.force_login(make_moderator())

    flagged = client.get(CHANGELIST + "?status=pending&crisis__exact=1").content.decode()

    assert "Crisis language" in flagged
    assert "Flagged words" in flagged and "Ordinary words" not in flagged
    assert "column-crisis_flag" in flagged


def test_the_pending_count_is_in_the_navigation_of_every_admin_page_for_moderators(client):
    make_comment(status=Comment.Status.PENDING)
    make_comment(status=Comment.Status.PENDING)
    make_comment(status=Comment.Status.APPROVED)
    client.force_login(make_moderator())

    body = client.get(reverse("admin:password_change")).content.decode()

    assert 'class="pending-nav"' in body
    assert "Comments pending: <strong>2</strong>" in body
    assert f'href="{CHANGELIST}?status=pending"' in body


def test_the_pending_count_is_not_shown_to_staff_who_cannot_moderate(client):
    make_comment(status=Comment.Status.PENDING)
    client.force_login(make_editor())

    body = client.get(reverse("admin:password_change")).content.decode()

    assert "Comments pending" not in body


def test_the_queue_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    article = make_article()
    for _ in range(30):
        make_comment(article, status=Comment.Status.PENDING)
    client.force_login(make_moderator())

    with django_assert_max_num_queries(14):
        assert client.get(CHANGELIST).status_code == 200
