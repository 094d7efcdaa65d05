"""Posting a comment on an article: moderation, spam traps, form errors, rate limits, closed articles."""

import pytest
from django.urls import reverse

from contacts.models import Comment
from tests.contacts.comment_helpers import page, post_comment
from tests.factories import elapsed_ms, make_article, make_comment, make_draft

pytestmark = pytest.mark.django_db


# Posting


def test_a_comment_is_stored_pending_and_the_author_is_told_it_awaits_moderation(client):
    article = make_article()

    response = post_comment(client, article)

    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url() + "#comments"
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.author_name == "Sam Reader"
    assert len(comment.client_hash) == 32
    assert "203.0.113.7" not in comment.client_hash
    body = page(client, article)
    assert "Thank you. Your comment is awaiting moderation." in body
    assert body.index("Thank you.") > body.index('id="comments"')
    assert "This helped me understand" not in body


def test_an_auto_approved_comment_is_published_and_the_author_is_taken_to_it(client, settings):
    settings.COMMENT_AUTO_APPROVE_KNOWN_AUTHORS = True
    article = make_article()
    make_comment(article, author_email="sam@example.com")

    response = post_comment(client, article, comment="Back again, thank you.")

    comment = Comment.objects.get(body="Back again, thank you.")
    assert comment.status == Comment.Status.APPROVED
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    body = page(client, article)
    assert "Your comment is published." in body
    assert "Back again, thank you." in body


def test_an_approved_comment_on_a_later_page_redirects_to_that_page(client, settings):
    settings.COMMENT_AUTO_APPROVE_KNOWN_AUTHORS = True
    article = make_article()
    for _ in range(50):
        make_comment(article)
    make_comment(article, author_email="sam@example.com", status=Comment.Status.APPROVED)

    response = post_comment(client, article)

    comment = Comment.objects.get(body="This helped me understand my pain.")
    assert response["Location"] == f"{article.get_absolute_url()}?cpage=2#comment-{comment.pk}"


@pytest.mark.parametrize("trap", ["honeypot", "too_fast", "forged"])
def test_spam_traps_store_spam_but_answer_like_a_normal_comment(client, trap, settings):
    settings.MODERATORS_EMAIL = ["mods@clinic.test"]
    settings.MIN_FORM_FILL_SECONDS = 600
    article = make_article()
    trap = {
        "honeypot": {"website": "http://spam.example"},
        "too_fast": {"elapsed": elapsed_ms(10)},
        "forged": {"started": "forged"},
    }[trap]

    response = post_comment(client, article, **trap)

    assert response.status_code == 302
    assert Comment.objects.get().status == Comment.Status.SPAM
    assert "Your comment is awaiting moderation." in page(client, article)


def test_form_errors_are_listed_at_the_top_linking_to_fields_and_values_are_kept(client):
    article = make_article()

    response = post_comment(client, article, name="", email="not-an-email", comment="My long careful text")

    body = response.content.decode()
    assert response.status_code == 400
    assert Comment.objects.count() == 0
    summary = body[body.index("error-summary") :]
    assert '<a href="#id_name">Name: Enter your name.' in summary
    assert '<a href="#id_email">Email: Enter an email address in the form name@example.com.</a>' in summary
    assert "My long careful text</textarea>" in body
    assert 'value="not-an-email"' in body
    assert 'aria-invalid="true"' in body
    assert 'aria-describedby="id_email_helptext id_email_error"' in body
    assert body.count("<h1") == 1


def test_a_too_long_comment_says_how_long_it_is_and_keeps_the_text(client):
    article = make_article()

    response = post_comment(client, article, comment="x" * 5001)

    body = response.content.decode()
    assert response.status_code == 400
    assert "at most 5000 characters (it has 5001)" in body
    assert "x" * 5001 in body


def test_a_duplicate_comment_gets_a_clear_error(client):
    article = make_article()
    post_comment(client, article)

    response = post_comment(client, article, remote="198.51.100.2", email="SAM@example.com")

    assert response.status_code == 400
    assert "You have already posted this comment here." in response.content.decode()
    assert Comment.objects.count() == 1


def test_a_second_comment_within_15_seconds_is_told_to_slow_down_and_keeps_the_text(client):
    article = make_article()
    post_comment(client, article)

    response = post_comment(client, article, comment="A second thought I do not want to lose")

    body = response.content.decode()
    assert response.status_code == 429
    assert response["Retry-After"] == "15"
    assert "You are posting too quickly. Slow down." in body
    assert "A second thought I do not want to lose</textarea>" in body
    assert Comment.objects.count() == 1


def test_the_15_second_rule_counts_per_client(client):
    article = make_article()
    post_comment(client, article)

    response = post_comment(client, article, remote="198.51.100.2", comment="Another reader")

    assert response.status_code == 302
    assert Comment.objects.count() == 2


def test_fixing_a_form_error_is_never_counted_as_posting_too_quickly(client):
    article = make_article()
    post_comment(client, article, email="")

    assert post_comment(client, article).status_code == 302


def test_a_client_is_rate_limited_after_the_configured_number_of_comments(client, settings):
    settings.COMMENT_RATE_LIMIT = 2
    settings.COMMENT_FLOOD_SECONDS = 0
    article = make_article()
    for n in range(2):
        assert post_comment(client, article, comment=f"Comment {n}").status_code == 302

    response = post_comment(client, article, comment="One too many")

    assert response.status_code == 429
    assert "several comments in a short time" in response.content.decode()
    assert "One too many</textarea>" in response.content.decode()
    assert Comment.objects.count() == 2


def test_no_comment_form_and_no_posting_on_a_closed_article(client):
    article = make_article(comments_open=False)
    make_comment(article, body="An earlier approved comment")

    body = page(client, article)
    response = post_comment(client, article, comment="Typed before it closed")

    assert "Comments are closed." in body
    assert "An earlier approved comment" in body
    assert 'id="id_comment"' not in body
    assert response.status_code == 403
    assert "Typed before it closed" in response.content.decode()
    assert Comment.objects.count() == 1


def test_text_sent_to_a_closed_article_comes_back_even_when_the_form_has_errors(client):
    article = make_article(comments_open=False)

    response = post_comment(client, article, email="", comment="Words <b>kept</b>")

    assert response.status_code == 403
    assert "Words &lt;b&gt;kept&lt;/b&gt;" in response.content.decode()


def test_comments_close_automatically_after_the_configured_days(client, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 1
    article = make_article()  # published a day ago

    assert "Comments are closed." in page(client, article)
    assert post_comment(client, article).status_code == 403


def test_drafts_take_no_comments(client):
    draft = make_draft()

    assert post_comment(client, draft).status_code == 404


def test_getting_the_post_address_leads_back_to_the_form(client):
    article = make_article()

    response = client.get(reverse("contacts:comment-create", kwargs={"slug": article.slug}))

    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url() + "#comment-form"
