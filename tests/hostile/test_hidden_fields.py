"""The public forms' hidden fields never block a writer with an error nobody could see or fix.

The NUL refusal at the door (`clinic.middleware.NullCharacterMiddleware`) keeps a NUL from ever
reaching the forms; these tests check the forms on their own, in case it is ever bypassed.
"""

import pytest
from django import forms
from django.template.loader import render_to_string

from contacts.comments.forms import CommentForm
from contacts.messages.forms import MessageForm
from tests.factories import elapsed_ms, message_post_data

COMMENT = {"name": "Sam", "email": "sam@example.com", "comment": "Thank you.", "elapsed": elapsed_ms()}
DAMAGED = "Something in the page was damaged"


@pytest.mark.parametrize("field", ["sent_from", "elapsed", "form_token"])
def test_a_nul_character_in_a_hidden_field_of_the_message_form_is_ignored(field):
    form = MessageForm(message_post_data(**{field: "/\x00"}))

    assert form.is_valid(), form.errors
    assert form.cleaned_data[field] in ("", None)


@pytest.mark.parametrize("field", ["parent", "elapsed", "form_token"])
def test_a_nul_character_in_a_hidden_field_of_the_comment_form_is_ignored(field):
    form = CommentForm({**COMMENT, field: "1\x00"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data[field] in ("", None)


@pytest.mark.parametrize(
    "form", [MessageForm(message_post_data(website="\x00")), CommentForm({**COMMENT, "website": "\x00"})]
)
def test_a_nul_character_in_the_honeypot_counts_as_filled_in_without_an_error(form):
    assert form.is_valid(), form.errors
    assert form.spam_reason() == "honeypot"


@pytest.mark.parametrize("parent", ["²", "٣", "9" * 5000, "-1", "0", str(2**63)])
def test_a_reply_target_that_is_not_a_plain_id_cleans_to_none(parent):
    form = CommentForm({**COMMENT, "parent": parent})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["parent"] is None


class FormWithAHiddenCheck(forms.Form):
    name = forms.CharField(label="Your name")
    token = forms.CharField(widget=forms.HiddenInput)


def test_an_error_on_a_hidden_field_is_named_in_the_summary_as_a_damaged_page():
    form = FormWithAHiddenCheck({"name": "Sam"})
    assert not form.is_valid()

    summary = render_to_string("includes/_error_summary.html", {"form": form})

    assert "Please check one thing before sending" in summary
    assert summary.count("<li>") == 1
    assert DAMAGED in summary


def test_a_summary_without_hidden_field_errors_does_not_mention_a_damaged_page():
    form = FormWithAHiddenCheck({"token": "x"})
    assert not form.is_valid()

    summary = render_to_string("includes/_error_summary.html", {"form": form})

    assert "Your name: This field is required." in summary
    assert DAMAGED not in summary
