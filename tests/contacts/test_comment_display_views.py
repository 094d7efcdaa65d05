"""The comments on an article page: what is shown, replies without JavaScript, pagination and speed, CSRF."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from contacts.models import Comment
from tests.contacts.comment_helpers import page, post_comment
from tests.factories import elapsed_ms, make_article, make_comment, make_draft, make_editor

pytestmark = pytest.mark.django_db


# Display


def test_the_form_has_required_marks_the_privacy_copy_and_a_hidden_honeypot(client):
    body = page(client, make_article())

    assert "Your email address will not be published. Required fields are marked" in body
    assert "Comments are public. Please do not share personal health details" in body
    # Drawn by crispy-forms, as the message form is: each required field's label has its star.
    assert len(re.findall(r'<label\s+for="id_(name|email|comment)" class="form-label requiredField">', body)) == 3
    assert body.count('<span class="asteriskField">*</span>') == 3
    assert re.search(r'<div\s+class="hp-field"\s+aria-hidden="true">.*name="website"', body, re.S)
    assert 'name="elapsed"' in body and 'name="form_token"' in body
    assert "csrfmiddlewaretoken" not in body  # the page is the same for every reader


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (Comment.Status.APPROVED, True),
        (Comment.Status.PENDING, False),
        (Comment.Status.SPAM, False),
        (Comment.Status.TRASH, False),
    ],
)
def test_only_approved_comments_are_shown(client, status, shown):
    article = make_article()
    make_comment(article, body="Visible only when approved", status=status)

    assert ("Visible only when approved" in page(client, article)) is shown


def test_comments_are_shown_oldest_first_with_replies_under_their_parent(client):
    article = make_article()
    first = make_comment(article, body="First comment")
    second = make_comment(article, body="Second comment")
    make_comment(article, body="Reply to first", parent=first)
    make_comment(article, body="Hidden reply", parent=second, status=Comment.Status.PENDING)

    body = page(client, article)

    assert body.index("First comment") < body.index("Reply to first") < body.index("Second comment")
    replies = body[body.index('class="comment-replies"') :]
    assert replies.index("Reply to first") < replies.index("Second comment")
    assert "Hidden reply" not in body


def test_a_comment_shows_name_date_and_initials_but_no_external_avatar(client):
    article = make_article()
    make_comment(article, author_name="maria de la cruz", body="Hello")

    body = page(client, article)

    assert "maria de la cruz" in body
    assert '<span class="comment-avatar" aria-hidden="true">MC</span>' in body
    assert "<time datetime=" in body
    assert "gravatar" not in body


def test_script_and_html_in_a_comment_are_escaped(client):
    article = make_article()
    make_comment(
        article,
        author_name='<img src=x onerror="alert(1)">',
        body='<script>alert("hi")</script><b>bold</b>\nnext line',
    )

    body = page(client, article)

    assert "<script>alert" not in body
    assert "<b>bold</b>" not in body
    assert "<img src=x" not in body
    assert "&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;<br>next line" in body


def test_urls_in_comments_become_nofollow_ugc_links(client):
    article = make_article()
    make_comment(article, body="See https://example.org/help for more.")

    body = page(client, article)

    assert '<a href="https://example.org/help" rel="nofollow ugc noopener">https://example.org/help</a>' in body


def test_the_author_email_never_appears_in_any_public_response(client, settings):
    settings.COMMENT_AUTO_APPROVE_KNOWN_AUTHORS = True
    article = make_article()
    top = make_comment(article, author_email="secret.person@example.com")
    make_comment(article, author_email="secret.person@example.com", parent=top)
    make_comment(article, author_email="pending.person@example.com", status=Comment.Status.PENDING)
    post = post_comment(client, article, email="secret.person@example.com", comment="Posted and approved")

    responses = [post]
    for url in [
        "/",
        "/articles/",
        article.get_absolute_url(),
        article.get_absolute_url() + f"?replyto={top.pk}",
        article.get_absolute_url() + "?cpage=2",
        reverse("contacts:comment-create", kwargs={"slug": article.slug}),
        "/robots.txt",
        "/no-such-page/",
    ]:
        responses.append(client.get(url, follow=True))
    for response in responses:
        content = response.content.decode() + str(response.headers)
        assert "secret.person" not in content
        assert "pending.person" not in content
    assert "Posted and approved" in responses[3].content.decode()


def public_urls(article) -> list[str]:
    """Every non-admin URL the site serves, with the article's slug filled in (feeds and sitemaps too)."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route

    urls = []
    for route in walk(get_resolver().url_patterns):
        if route.startswith("admin/") or "(?P<" in route or "^" in route:
            continue
        path = re.sub(r"<slug:\w+>", article.slug, route)
        if "<" not in path:
            urls.append("/" + path)
    return urls


def test_no_public_url_shows_a_comment_authors_email(client):
    article = make_article()
    make_comment(article, author_email="hidden.author@example.com")
    make_comment(article, author_email="waiting.author@example.com", status=Comment.Status.PENDING)

    urls = public_urls(article)

    assert article.get_absolute_url() in urls
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code < 500, url
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        content = raw.decode(errors="replace")
        assert "hidden.author" not in content, url
        assert "waiting.author" not in content, url


# Replies without JavaScript


def test_the_reply_link_sets_the_parent_and_says_who_is_answered(client):
    article = make_article()
    top = make_comment(article, author_name="Alex")

    body = page(client, article)
    assert f'href="?replyto={top.pk}#comment-form"' in body

    body = page(client, article, f"?replyto={top.pk}")
    assert "Replying to <strong>Alex</strong>" in body
    assert f'<input type="hidden" name="parent" value="{top.pk}"' in body
    assert f'<a href="{article.get_absolute_url()}#comment-form">Cancel reply</a>' in body


def test_a_reply_posted_from_the_form_is_threaded(client):
    article = make_article()
    top = make_comment(article, body="Question about tapering")

    post_comment(client, article, parent=str(top.pk), comment="Same here")

    assert Comment.objects.get(body="Same here").parent == top


@pytest.mark.parametrize("replyto", ["abc", "999999", "99999999999999999999999"])
def test_a_bad_replyto_just_shows_the_normal_form(client, replyto):
    body = page(client, make_article(), f"?replyto={replyto}")

    assert "Replying to" not in body
    assert "Leave a comment" in body
    assert '<input type="hidden" name="parent" id="id_parent">' in body


def test_a_replyto_of_a_comment_that_is_not_shown_is_ignored(client):
    article = make_article()
    pending = make_comment(article, status=Comment.Status.PENDING, author_name="Hidden Name")

    body = page(client, article, f"?replyto={pending.pk}")

    assert "Replying to" not in body
    assert "Hidden Name" not in body
    assert '<input type="hidden" name="parent" id="id_parent">' in body


def test_a_reply_to_a_comment_removed_meanwhile_is_offered_back_as_a_new_comment(client):
    article = make_article()
    top = make_comment(article, status=Comment.Status.TRASH)

    response = post_comment(client, article, parent=str(top.pk), comment="My reply text")

    body = response.content.decode()
    assert response.status_code == 400
    assert "no longer shown" in body
    assert 'name="parent" value=""' in body or 'name="parent" id="id_parent"' in body
    assert "My reply text</textarea>" in body


def test_a_mangled_parent_value_posts_a_new_comment(client):
    article = make_article()

    assert post_comment(client, article, parent="<x>").status_code == 302
    assert Comment.objects.get().parent is None


# Pagination and speed


def test_comments_are_paginated_fifty_threads_a_page_with_their_replies(client):
    article = make_article()
    threads = [make_comment(article, body=f"Thread number {n}.") for n in range(51)]
    make_comment(article, parent=threads[50], body="Reply on page two.")
    make_comment(article, parent=threads[0], body="Reply on page one.")

    first = page(client, article)
    second = page(client, article, "?cpage=2")

    assert "Thread number 0." in first and "Thread number 49." in first
    assert "Thread number 50." not in first and "Reply on page two." not in first
    assert "Reply on page one." in first
    assert "Thread number 50." in second and "Reply on page two." in second
    assert "Thread number 0." not in second
    assert "Page 1 of 2" in first
    assert 'href="?cpage=2#comments"' in first
    assert 'Comments <span class="comment-count">(53)</span>' in first
    assert "Thread number 50." in page(client, article, "?cpage=99")
    assert "Thread number 0." in page(client, article, "?cpage=x")


@pytest.mark.parametrize("count", [0, 10, 200])
def test_the_article_page_query_count_does_not_grow_with_comments(client, django_assert_num_queries, count):
    article = make_article()
    threads = [make_comment(article) for _ in range(count)]
    for thread in threads[::2]:
        make_comment(article, parent=thread)

    # article, entries, sources, comment counts, one page of threads with their replies
    with django_assert_num_queries(5):
        response = client.get(article.get_absolute_url())

    assert response.content.decode().count('class="comment"') == min(count, 50) + len(threads[:50:2])


def test_an_editor_previewing_a_draft_sees_no_form(client):
    draft = make_draft()
    client.force_login(make_editor())

    body = client.get(draft.get_absolute_url()).content.decode()

    assert 'id="id_comment"' not in body


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
    ],
)
def test_a_cross_site_comment_is_refused_and_comes_back_with_the_readers_words(headers):
    from django.test import Client

    article = make_article()
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("contacts:comment-create", args=[article.slug]),
        {
            "name": "Robin",
            "email": "robin@example.com",
            "comment": "Words I do not want to lose.",
            "elapsed": elapsed_ms(),
        },
        **headers,
    )

    body = response.content.decode()
    assert response.status_code == 403
    assert "Words I do not want to lose." in body
    assert "press the button again" in body
    assert "robin@example.com" in body  # in the form field only, for the reader to send again
    assert Comment.objects.count() == 0


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_SEC_FETCH_SITE": "same-origin"}, {"HTTP_ORIGIN": "http://testserver"}, {}],
)
def test_a_comment_from_the_sites_own_page_needs_no_token(headers):
    from django.test import Client

    article = make_article()
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("contacts:comment-create", args=[article.slug]),
        {"name": "Robin", "email": "robin@example.com", "comment": "Sent from the page.", "elapsed": elapsed_ms()},
        **headers,
    )

    assert response.status_code == 302
    assert Comment.objects.get().body == "Sent from the page."
