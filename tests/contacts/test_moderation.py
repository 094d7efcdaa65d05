from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.comments.moderation import (
    comment_html,
    comment_verdict,
    comments_are_open,
    disallowed_word_in,
    link_count,
)
from contacts.models import Comment
from tests.factories import make_article, make_comment, make_draft

pytestmark = pytest.mark.django_db


def verdict(body="A kind word.", name="Sam", email="sam@example.com", spam_reason=None):
    return comment_verdict(author_name=name, author_email=email, body=body, spam_reason=spam_reason)


def test_a_new_comment_waits_for_a_moderator_by_default():
    assert verdict().status == Comment.Status.PENDING


@pytest.mark.parametrize("reason", ["honeypot", "too_fast", "bad_token"])
def test_spam_traps_make_spam_and_say_why(reason):
    result = verdict(spam_reason=reason)

    assert result.status == Comment.Status.SPAM
    assert result.reason == reason.replace("_", " ")


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("No links at all.", 0),
        ("See https://example.org/a and http://example.net.", 2),
        ("www.example.org, example.com and https://x.test/path?q=1", 3),
        ("Write to someone@example.com", 0),
        ("javascript:alert(1) is not a link", 0),
    ],
)
def test_links_are_counted_as_the_page_would_show_them(text, links):
    assert link_count(text) == links


def test_more_links_than_the_setting_allows_holds_the_comment(settings):
    settings.COMMENT_MAX_LINKS = 2

    assert verdict("https://a.example.org https://b.example.org").reason == ""
    held = verdict("https://a.example.org https://b.example.org https://c.example.org")

    assert held.status == Comment.Status.PENDING
    assert "3 links" in held.reason


def test_too_many_links_hold_a_known_author_even_where_auto_approval_is_on(settings):
    settings.COMMENT_AUTO_APPROVE_KNOWN_AUTHORS = True
    settings.COMMENT_MAX_LINKS = 0
    make_comment(author_email="sam@example.com", status=Comment.Status.APPROVED)

    assert verdict("Thanks!").status == Comment.Status.APPROVED
    assert verdict("Thanks, see https://example.org").status == Comment.Status.PENDING


def test_known_authors_are_auto_approved_only_when_the_setting_is_on(settings):
    make_comment(author_email="sam@example.com", status=Comment.Status.APPROVED)

    settings.COMMENT_AUTO_APPROVE_KNOWN_AUTHORS = False
    assert verdict().status == Comment.Status.PENDING
    settings.COMMENT_AUTO_APPROVE_KNOWN_AUTHORS = True
    assert verdict(email="SAM@example.com ").status == Comment.Status.APPROVED


@pytest.mark.parametrize("status", [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.TRASH])
def test_an_author_with_no_approved_comment_is_not_known(settings, status):
    settings.COMMENT_AUTO_APPROVE_KNOWN_AUTHORS = True
    make_comment(author_email="sam@example.com", status=status)

    assert verdict().status == Comment.Status.PENDING


def test_disallowed_words_make_spam_even_for_known_authors(settings):
    settings.COMMENT_AUTO_APPROVE_KNOWN_AUTHORS = True
    settings.COMMENT_DISALLOWED_WORDS = ["casino", "cheap pills"]
    make_comment(author_email="sam@example.com", status=Comment.Status.APPROVED)

    result = verdict("Try our CASINO today")

    assert result.status == Comment.Status.SPAM
    assert "casino" in result.reason


@pytest.mark.parametrize(
    ("texts", "found"),
    [
        (["Best Casino here"], "casino"),
        (["casinos are fun"], None),
        (["occasino"], None),
        (["buy cheap pills."], "cheap pills"),
        (["cheap  pills"], None),
        (["fine text", "casino@example.com"], "casino"),
        (["nothing to see"], None),
    ],
)
def test_disallowed_words_match_whole_words_in_any_case(settings, texts, found):
    settings.COMMENT_DISALLOWED_WORDS = ["casino", "cheap pills"]

    assert disallowed_word_in(*texts) == found


def test_disallowed_words_are_checked_in_the_name_and_email_too(settings):
    settings.COMMENT_DISALLOWED_WORDS = ["casino"]

    assert verdict(name="Casino King").status == Comment.Status.SPAM
    assert verdict(email="win@casino.example").status == Comment.Status.SPAM


def test_an_empty_disallowed_list_flags_nothing(settings):
    settings.COMMENT_DISALLOWED_WORDS = []

    assert verdict("anything at all").status == Comment.Status.PENDING


def test_comments_follow_the_articles_own_switch():
    assert comments_are_open(make_article(comments_open=True))
    assert not comments_are_open(make_article(comments_open=False))


def test_drafts_never_take_comments():
    assert not comments_are_open(make_draft())


def test_comments_close_automatically_after_the_set_number_of_days(settings):
    article = make_article(published_at=timezone.now() - timedelta(days=10))

    settings.COMMENTS_CLOSE_AFTER_DAYS = 0
    assert comments_are_open(article)
    settings.COMMENTS_CLOSE_AFTER_DAYS = 11
    assert comments_are_open(article)
    settings.COMMENTS_CLOSE_AFTER_DAYS = 10
    assert not comments_are_open(article)
    assert comments_are_open(article, now=article.published_at + timedelta(days=9))


def test_comment_html_escapes_markup_and_keeps_line_breaks():
    html = comment_html('<script>alert("x")</script>\nsecond line\n\nnew paragraph & more')

    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>second line</p>" in html
    assert "<p>new paragraph &amp; more</p>" in html


def test_comment_html_links_urls_with_the_exact_rel():
    html = comment_html("Read https://example.org/a?b=1&c=2 now.")

    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">' in html
    assert html.count("<a ") == 1


def test_comment_html_cannot_be_tricked_into_extra_attributes():
    html = comment_html('https://example.org/"onmouseover="alert(1) and www.example.org/<b>x</b>')

    assert 'onmouseover="' not in html
    assert "<b>" not in html
    assert html.count('rel="nofollow ugc noopener"') == html.count("<a ")


def test_comment_html_leaves_email_addresses_and_other_schemes_unlinked():
    html = comment_html("mail me at sam@example.com or click javascript:alert(1)")

    assert "<a " not in html
    assert "mailto:" not in html
