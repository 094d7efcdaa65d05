"""Hostile input to the comment form and the article page: never a 500, nothing stored if refused, exact text if kept.

Run on SQLite and on PostgreSQL (`DATABASE_URL=postgres://…`): PostgreSQL is where a NUL
character fails, at the first query that carries it.
"""

import json
import re

import pytest
from django.urls import reverse

from contacts.comments.services import comment_approve
from contacts.models import Comment
from tests.factories import elapsed_ms, make_article, make_comment, make_moderator
from tests.hostile.helpers import MARKUP, assert_calm, assert_refused_with_the_400_page, raw_form_body

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
FIELDS = ["name", "email", "comment", "parent", "elapsed", "form_token", "website"]


def form_data(**overrides) -> dict:
    data = {"name": "Sam Reader", "email": "sam@example.com", "comment": "This helped me.", "elapsed": elapsed_ms()}
    data.update(overrides)
    return data


def comment_url(article) -> str:
    return reverse("contacts:comment-create", kwargs={"slug": article.slug})


def summary_items(response) -> list[str]:
    """The error summary's items as a reader sees them (tags stripped)."""
    body = response.content.decode()
    start = body.index('id="comment-errors"')
    items = re.findall(r"<li>(.*?)</li>", body[start : body.index("</ul>", start)], flags=re.S)
    return [re.sub(r"<[^>]+>", "", item).strip() for item in items]


@pytest.mark.parametrize("field", [*FIELDS, "unknown"])
def test_a_nul_character_in_any_field_is_refused_with_the_400_page_and_nothing_is_stored(client, field):
    article = make_article()

    response = client.post(comment_url(article), form_data(**{field: "1\x00"}))

    assert_refused_with_the_400_page(response)
    assert not Comment.objects.exists()


@pytest.mark.parametrize("field", ["name", "comment"])
def test_invalid_utf8_in_a_typed_field_is_kept_as_the_replacement_character(client, field):
    article = make_article()
    body = raw_form_body(form_data(), **{field: "caf%C3%A9%FF%FEend"})

    response = client.post(comment_url(article), body, content_type=FORM)

    assert response.status_code == 302
    stored = Comment.objects.get()
    assert (stored.author_name if field == "name" else stored.body) == "café\ufffd\ufffdend"


@pytest.mark.parametrize(("field", "label"), [("name", "Name"), ("email", "Email"), ("comment", "Comment")])
def test_a_100_kb_typed_field_is_refused_with_its_field_named_and_nothing_is_stored(client, field, label):
    article = make_article()
    value = "a" * 100_000 + ("@example.com" if field == "email" else "")

    response = client.post(comment_url(article), form_data(**{field: value}))

    assert response.status_code == 400
    assert [item for item in summary_items(response) if item.startswith(f"{label}:")]
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "parent",
    ["abc", "-1", "0", "1.5", " ", "²", "٣", "9" * 19, "9" * 30, "9" * 5000, "p" * 100_000, "<script>"],
)
def test_a_tampered_parent_posts_a_new_thread(client, parent):
    article = make_article()

    response = client.post(comment_url(article), form_data(parent=parent))

    assert response.status_code == 302
    assert Comment.objects.get().parent_id is None


@pytest.mark.parametrize("target", ["pending", "other article"])
def test_a_parent_that_cannot_be_answered_blocks_with_a_summary_item_a_reader_can_act_on(client, target):
    article = make_article()
    if target == "pending":
        parent = make_comment(article, status=Comment.Status.PENDING)
    else:
        parent = make_comment(make_article())

    response = client.post(comment_url(article), form_data(parent=str(parent.pk)))

    assert_calm(response)
    if response.status_code == 400:
        items = summary_items(response)
        assert items and all(items)
        assert Comment.objects.count() == 1
    else:
        assert Comment.objects.get(body="This helped me.").parent_id is None


@pytest.mark.parametrize(
    ("field", "value"), [("elapsed", "-1"), ("elapsed", "9" * 100_000), ("form_token", "<b>"), ("form_token", "f" * 99)]
)
def test_a_tampered_hidden_value_is_ignored_and_the_comment_is_stored(client, field, value):
    response = client.post(comment_url(make_article()), form_data(**{field: value}))

    assert response.status_code == 302
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_a_filled_honeypot_is_stored_as_spam_without_an_error(client):
    response = client.post(comment_url(make_article()), form_data(website="x" * 100_000))

    assert response.status_code == 302
    assert Comment.objects.get().status == Comment.Status.SPAM


def test_markup_is_stored_exactly_and_escaped_on_the_article_and_the_moderators_pages(client):
    article = make_article()
    response = client.post(comment_url(article), form_data(name=MARKUP[:100], comment=MARKUP))

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.author_name, comment.body) == (MARKUP[:100], MARKUP)
    moderator = make_moderator()
    comment_approve(comments=[comment], moderator=moderator)
    client.force_login(moderator)
    for url in (
        article.get_absolute_url(),
        reverse("admin:contacts_comment_changelist") + "?status=all",
        reverse("admin:contacts_comment_change", args=[comment.pk]),
    ):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;alert" in page, url


def test_markup_sent_back_with_an_error_is_shown_escaped_in_the_form(client):
    response = client.post(comment_url(make_article()), form_data(name=MARKUP[:100], comment=MARKUP, email="not"))

    page = response.content.decode()
    assert response.status_code == 400
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert not Comment.objects.exists()


def test_unknown_fields_are_ignored_and_of_a_duplicated_field_the_last_value_counts(client):
    data = {**form_data(), "name": ["First", "Second"], "status": "approved", "article": "1"}

    response = client.post(comment_url(make_article()), data)

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.author_name, comment.status) == ("Second", Comment.Status.PENDING)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", json.dumps(form_data())),
        ("text/plain", "name=Sam&comment=hello"),
        ("multipart/form-data", "no boundary"),
    ],
)
def test_a_body_that_is_not_a_form_stores_nothing(client, content_type, body):
    response = client.post(comment_url(make_article()), body, content_type=content_type)

    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_very_many_fields_are_refused_as_too_much_and_nothing_is_stored(client):
    data = {**form_data(), **{f"f{n}": "x" for n in range(1500)}}

    assert client.post(comment_url(make_article()), data).status_code == 413
    assert not Comment.objects.exists()


# The article page's own query string


@pytest.mark.parametrize(
    "query",
    ["cpage=-1", "cpage=0", "cpage=2.5", "cpage=²", "cpage=%FF", "cpage=" + "9" * 5000, "replyto=-1", "replyto=0"]
    + ["replyto=²", "replyto=٣", "replyto=" + "9" * 19, "replyto=" + "9" * 5000, "replyto=%FF", "replyto=<b>"]
    + ["cpage=1&cpage=2", "replyto=1&replyto=abc", "unknown=%FF"],
)
def test_a_junk_page_or_reply_target_in_the_article_url_shows_the_normal_page(client, query):
    article = make_article()
    make_comment(article, body="A visible comment.")

    response = client.get(f"{article.get_absolute_url()}?{query}")

    assert response.status_code == 200
    assert "A visible comment." in response.content.decode()
    assert "Leave a comment" in response.content.decode()


@pytest.mark.parametrize("query", ["cpage=%00", "replyto=%00", "replyto=1%00", "%00=1"])
def test_a_nul_character_in_the_article_url_is_refused_with_the_400_page(client, query):
    article = make_article()

    assert_refused_with_the_400_page(client.get(f"{article.get_absolute_url()}?{query}"))


@pytest.mark.parametrize("path", ["/articles/%00/", "/articles/a%00b/comments/", "/%00", "/contact/%00"])
def test_a_nul_character_in_the_path_is_refused_with_the_400_page(client, path):
    assert_refused_with_the_400_page(client.get(path))
