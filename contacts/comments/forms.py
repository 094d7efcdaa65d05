"""The comment form under each article."""

import functools

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field
from django import forms

from contacts.abuse import QuietField, SpamTrapFormMixin, public_form_helper

COMMENT_MAX_LENGTH = 5000


class CommentForm(SpamTrapFormMixin):
    """A reader's comment: what they must be told to fix. The rules live in `contacts.comments.services`."""

    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="Shown with your comment. A first name or a nickname is fine.",
        error_messages={
            "required": "Enter your name. A first name or a nickname is fine.",
            "max_length": "Shorten your name to at most %(limit_value)d characters (it has %(show_value)d).",
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Email",
        max_length=254,
        help_text="Never shown on the site.",
        error_messages={
            "required": "Enter your email address. It is never shown on the site.",
            "invalid": "Enter an email address in the form name@example.com.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    comment = forms.CharField(
        label="Comment",
        max_length=COMMENT_MAX_LENGTH,
        error_messages={
            "required": "Write your comment.",
            "max_length": "Shorten your comment to at most %(limit_value)d characters (it has %(show_value)d).",
        },
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    parent = QuietField(widget=forms.HiddenInput)

    field_order = ["name", "email", "comment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No maxlength on the text box: a browser would cut a long paste silently; the error says how long it is.
        self.fields["comment"].widget.attrs.pop("maxlength", None)

    @functools.cached_property
    def helper(self) -> FormHelper:
        """crispy-forms' layout (as the message form's), built only when the form is rendered."""
        return public_form_helper(Field("parent"), "name", "email", "comment")

    def clean_parent(self) -> int | None:
        # A mangled hidden value is not the reader's fault: the comment is posted as a new thread.
        value = self.cleaned_data.get("parent") or ""
        if not (value.isascii() and value.isdigit() and len(value) < 20):
            return None
        return int(value) if 0 < int(value) < 2**63 else None
