"""The "Message a counselor" form."""

import functools

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset
from django import forms
from django.views.decorators.debug import sensitive_variables
from phonenumber_field.formfields import PhoneNumberField

from contacts.abuse import QuietField, SpamTrapFormMixin, public_form_helper
from contacts.messages.models import Message

YES_NO = [("no", "No, please don't"), ("yes", "Yes, that's fine")]


def _yes(value: str) -> bool:
    return value == "yes"


def discreet_question(label: str) -> forms.TypedChoiceField:
    """A yes/no question about discreet contact; "no" until the patient says otherwise."""
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=_yes,
        empty_value=False,
        initial="no",
        required=False,
        widget=forms.RadioSelect,
    )


def safe_page_path(value: str) -> str:
    """A same-site path like "/articles/x/" to remember where a form was sent from, else ""."""
    value = (value or "").strip()
    if not value.startswith("/") or value.startswith("//") or len(value) > 200:
        return ""
    if any(ord(char) < 32 or char in "\\\x7f" for char in value):
        return ""
    return value


class MessageTextField(forms.CharField):
    """Counts a line break as one character, as the browser's own `maxlength` does."""

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


IN_DANGER_QUESTION = "Are you thinking about suicide, or are you in danger right now?"


class MessageForm(SpamTrapFormMixin, forms.Form):
    # Asked first and plainly: "yes" makes the message urgent whatever its words.
    in_danger = forms.TypedChoiceField(
        label=IN_DANGER_QUESTION,
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=_yes,
        empty_value=False,
        required=False,
        widget=forms.RadioSelect,
        help_text="Optional. If you answer yes, a counselor reads your message first.",
    )
    name = forms.CharField(
        label="Your name",
        max_length=100,
        help_text="A first name or nickname is fine.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    preferred_method = forms.ChoiceField(
        label="How should we contact you?",
        choices=Message.Method.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you would like us to contact you."},
    )
    phone = PhoneNumberField(
        label="Phone number",
        required=False,
        help_text="Needed for a phone call or text message.",
        error_messages={
            "invalid": "Enter a phone number like (708) 555-0123, or one starting with + and the country code."
        },
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        help_text="Needed if you would like an email.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "Enter an email address like name@example.com."},
    )
    best_time = forms.CharField(
        label="Best time to reach you (optional)",
        max_length=200,
        required=False,
        help_text="For example: weekday mornings, after 6 pm.",
    )
    body = MessageTextField(
        label="Your message",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=(
            "A few words about what you would like help with (at most 5,000 characters). "
            "Please don't include medical details beyond what a counselor needs to reach you."
        ),
        error_messages={
            "required": "Write a short message so a counselor knows how to help.",
            "max_length": "Your message is %(show_value)d characters long; please shorten it to 5,000 or fewer.",
        },
    )
    voicemail_ok = discreet_question("Is it OK to leave a voicemail?")
    clinic_name_ok = discreet_question("Is it OK to say the clinic's name when we call or text?")
    consent = forms.BooleanField(
        label="I agree that the clinic may contact me about my message",
        error_messages={"required": "Tick the box so we may contact you about your message."},
    )
    sent_from = QuietField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel"})

    @functools.cached_property
    def helper(self) -> FormHelper:
        """crispy-forms' layout, built only when the form is rendered, not for each message sent."""
        return public_form_helper(
            Div("in_danger", css_class="in-danger-question"),
            "name",
            "preferred_method",
            "phone",
            "email",
            "best_time",
            "body",
            Fieldset(
                "Keeping your contact private",
                HTML('<p class="form-text mt-0">We follow your answers when we reach out.</p>'),
                "voicemail_ok",
                "clinic_name_ok",
                css_class="discreet",
            ),
            "consent",
            Field("sent_from"),
        )

    @sensitive_variables()
    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("preferred_method")
        # A field that already has an error (a malformed number) keeps that more precise one.
        if (
            method in (Message.Method.PHONE, Message.Method.TEXT)
            and not cleaned.get("phone")
            and "phone" not in self.errors
        ):
            how = "a phone call" if method == Message.Method.PHONE else "a text message"
            self.add_error("phone", f"Enter a phone number, because you asked for {how}.")
        if method == Message.Method.EMAIL and not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", "Enter an email address, because you asked for an email.")
        return cleaned

    def clean_sent_from(self):
        return safe_page_path(self.cleaned_data.get("sent_from", ""))

    @sensitive_variables()
    def urgency(self) -> dict:
        """What decides whether the message is urgent, as keyword arguments for `message_is_urgent`."""
        return {"body": self.cleaned_data["body"].strip(), "said_in_danger": self.cleaned_data.get("in_danger") is True}

    @sensitive_variables()
    def submission(self) -> dict:
        """The patient's answers as keyword arguments for `message_submit`."""
        data = self.cleaned_data
        return {
            "name": data["name"].strip(),
            "preferred_method": data["preferred_method"],
            "phone": data["phone"].as_e164 if data.get("phone") else "",
            "email": data.get("email", ""),
            "best_time": data.get("best_time", "").strip(),
            "voicemail_ok": data.get("voicemail_ok") is True,
            "clinic_name_ok": data.get("clinic_name_ok") is True,
            **self.urgency(),
        }
