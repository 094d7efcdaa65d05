"""Post a comment with the database down: it comes back with the reader's words and the crisis help, never a 500.

The ways the database fails are described in `outage_helpers`.
"""

import logging
from unittest import mock

import pytest
from django.db import OperationalError

from contacts.models import Comment
from contacts.notifications.models import Notification
from tests.contacts.outage_helpers import (
    assert_not_sent_page,
    assert_nothing_private_logged,
    comment_data,
    from_first,
    log_lines,
    needs_postgresql,
    server_unreachable,
    statements_fail,
)
from tests.factories import make_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("staff_notified")]


# Comments


def post_comment(client, article, **overrides):
    return client.post(f"/articles/{article.slug}/comments/", comment_data(**overrides))


def assert_comment_kept(body: str) -> None:
    assert 'value="Robin Vale"' in body
    assert 'value="robin.vale@example.com"' in body  # in the form only, for the reader to send again
    assert "Reading this gave me the courage to call my sister tonight.</textarea>" in body


def test_a_comment_the_database_could_not_store_comes_back_on_the_article_page(client):
    article = make_article(title="Talking to family")

    with mock.patch("contacts.comments.views.comment_submit", side_effect=OperationalError("gone")):
        response = post_comment(client, article)

    body = assert_not_sent_page(response, heading="Your comment was NOT posted", element_id="comment-not-posted")
    assert "<h1>Talking to family</h1>" in body
    assert_comment_kept(body)
    assert body.index('id="comment-not-posted"') < body.index('id="id_comment"')
    assert Comment.objects.count() == 0


def test_a_comment_failing_after_its_row_was_written_leaves_nothing_half_stored(client):
    article = make_article()
    table = Notification._meta.db_table

    with statements_fail(lambda sql: table in sql) as refused:
        response = post_comment(client, article)

    assert response.status_code == 503
    assert refused, "the moderators' notification was never written: this test proves nothing"
    assert_comment_kept(response.content.decode())
    assert Comment.objects.count() == 0 and Notification.objects.count() == 0


def test_with_every_statement_failing_a_comment_comes_back_on_a_page_of_its_own(client, caplog, cache_in_the_database):
    article = make_article(slug="talking-to-family")

    with statements_fail():
        response = post_comment(client, article)

    body = assert_not_sent_page(response, heading="Your comment was NOT posted", element_id="comment-not-posted")
    assert_comment_kept(body)
    assert 'action="/articles/talking-to-family/comments/#comment-form"' in body
    assert 'href="/articles/talking-to-family/"' in body
    assert Comment.objects.count() == 0
    assert_nothing_private_logged(caplog, "courage to call my sister", "robin.vale@example.com")


def test_a_comment_in_crisis_language_not_posted_leads_with_the_crisis_help(client):
    article = make_article()

    with statements_fail():
        response = post_comment(client, article, comment="I want to kill myself tonight.")

    body = response.content.decode()
    assert response.status_code == 503
    assert 'id="comment-crisis-help"' in body
    assert "I want to kill myself tonight.</textarea>" in body


def test_when_the_database_goes_down_after_the_article_was_read_the_comment_comes_back_on_its_own_page(client):
    article = make_article(title="Talking to family")

    with statements_fail(from_first(lambda sql: Comment._meta.db_table in sql)) as refused:
        response = post_comment(client, article)

    body = assert_not_sent_page(response, heading="Your comment was NOT posted", element_id="comment-not-posted")
    assert refused, "the comments were never read: this test proves nothing"
    assert "<title>Not posted: your comment" in body  # the article page could not be drawn either
    assert_comment_kept(body)


@pytest.mark.parametrize("fails", ["from the start", "after the article was read"])
def test_a_comment_with_a_mistake_in_an_outage_still_comes_back_not_as_a_500(client, fails):
    # The article page that shows the mistake reads the comments too.
    article = make_article()
    when = (lambda sql: True) if fails == "from the start" else from_first(lambda sql: Comment._meta.db_table in sql)

    with statements_fail(when):
        response = post_comment(client, article, email="not-an-address")

    body = response.content.decode()
    assert response.status_code == 503
    assert "Your comment was NOT posted" in body
    assert "Enter an email address in the form name@example.com." in body
    assert 'value="not-an-address"' in body  # as typed, to be corrected
    assert "Reading this gave me the courage to call my sister tonight.</textarea>" in body


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_with_the_database_server_gone_a_comment_answers_503_with_the_words(client, unused_tcp_port, caplog):
    article = make_article(slug="talking-to-family")

    with server_unreachable(unused_tcp_port):
        response = post_comment(client, article)

    body = assert_not_sent_page(response, heading="Your comment was NOT posted", element_id="comment-not-posted")
    assert_comment_kept(body)
    assert Comment.objects.count() == 0
    assert_nothing_private_logged(caplog, "courage to call my sister", "robin.vale@example.com")


def test_the_outage_is_logged_at_error_by_exception_class_only(client, caplog):
    caplog.set_level(logging.INFO)
    article = make_article()

    with statements_fail():
        post_comment(client, article)

    [line] = [line for line in log_lines(caplog) if '"level": "ERROR"' in line]
    assert "comment not stored: database unavailable (OperationalError)" in line
    assert "server closed the connection" not in line
