"""Moderation shows on the article page at once, and a browser revalidating it gets the new page."""

import pytest

from contacts.comments.services import comment_approve, comment_submit, comment_trash, comment_unapprove
from contacts.models import Comment
from tests.factories import make_article, make_comment, make_entry, make_moderator

pytestmark = pytest.mark.django_db


def page(client, article) -> str:
    return client.get(article.get_absolute_url()).content.decode()


def test_approving_a_comment_shows_it_at_once_and_changes_the_etag(client, django_capture_on_commit_callbacks):
    article = make_article()
    make_entry(article)
    comment = make_comment(article, body="Waiting words.", status=Comment.Status.PENDING)
    assert "Waiting words." not in page(client, article)
    etag = client.get(article.get_absolute_url())["ETag"]
    assert client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 304

    with django_capture_on_commit_callbacks(execute=True):
        comment_approve(comments=[comment], moderator=make_moderator())

    assert "Waiting words." in page(client, article)
    assert client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 200


@pytest.mark.parametrize("remove", [comment_unapprove, comment_trash])
def test_removing_an_approved_comment_hides_it_at_once(client, django_capture_on_commit_callbacks, remove):
    article = make_article()
    comment = make_comment(article, body="Soon gone.")
    assert "Soon gone." in page(client, article)

    with django_capture_on_commit_callbacks(execute=True):
        remove(comments=[comment], moderator=make_moderator())

    assert "Soon gone." not in page(client, article)


def test_an_auto_approved_comment_changes_the_page_etag(client, settings, django_capture_on_commit_callbacks):
    settings.COMMENT_AUTO_APPROVE_KNOWN_AUTHORS = True
    article = make_article()
    make_comment(article, author_email="known@example.com")
    etag = client.get(article.get_absolute_url())["ETag"]
    assert client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 304

    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_submit(
            article=article,
            author_name="Known",
            author_email="known@example.com",
            body="One more question about dosing.",
        )

    assert comment.status == Comment.Status.APPROVED
    assert client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 200
