"""Reads for a privacy request: everything stored about one person, and its export.

`manage.py erase_person` finds the person's records here, shows or exports them, then hands
them to `contacts.privacy.services.person_erase`.
"""

from dataclasses import dataclass

import phonenumbers
from django.db.models import Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from contacts.comments.models import Comment
from contacts.messages.models import Message


class PersonNotFound(Exception):
    """The email or phone given cannot identify anyone (empty, or not a phone number)."""


@dataclass
class PersonRecords:
    """Everything stored about one person: their messages (with notes) and their comments."""

    messages: list[Message]
    comments: list[Comment]

    @property
    def message_ids(self) -> list[int]:
        return [m.pk for m in self.messages]

    @property
    def comment_ids(self) -> list[int]:
        return [c.pk for c in self.comments]


def normalise_phone(phone: str) -> str:
    """The number in E.164 (how messages store it); US numbers may be written any usual way."""
    try:
        number = phonenumbers.parse(phone, "US")
    except phonenumbers.NumberParseException as error:
        raise PersonNotFound(f"'{phone}' is not a phone number.") from error
    if not phonenumbers.is_possible_number(number):
        raise PersonNotFound(f"'{phone}' is not a phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def person_find(*, email: str = "", phone: str = "") -> PersonRecords:
    """Every message (by email or phone) and every comment (by email) of one person.

    Emails match in any case; phones match in any usual US or international format.
    Raises `PersonNotFound` when neither is given or the phone is not a number.
    """
    email = email.strip()
    if not email and not phone.strip():
        raise PersonNotFound("Give --email or --phone.")
    query = Q(pk__in=[])
    if email:
        query |= Q(email__iexact=email)
    if phone.strip():
        query |= Q(phone=normalise_phone(phone))
    messages = list(Message.objects.filter(query).prefetch_related("notes__author").order_by("pk"))
    comments = list(Comment.objects.filter(author_email__iexact=email).order_by("pk")) if email else []
    return PersonRecords(messages=messages, comments=comments)


def _when(value) -> str | None:
    return value.isoformat() if value else None


@sensitive_variables()
def person_export(*, records: PersonRecords) -> dict:
    """Everything found about the person, as JSON-ready data for a privacy request."""
    return {
        "exported_at": timezone.now().isoformat(),
        "messages": [
            {
                "number": m.pk,
                "received": _when(m.created_at),
                "name": m.name,
                "preferred_method": m.preferred_method,
                "phone": m.phone.as_e164 if m.phone else "",
                "email": m.email,
                "best_time": m.best_time,
                "message": m.body,
                "voicemail_ok": m.voicemail_ok,
                "clinic_name_ok": m.clinic_name_ok,
                "consent_at": _when(m.consent_at),
                "status": m.status,
                "first_contacted_at": _when(m.first_contacted_at),
                "sent_from": m.sent_from,
                "notes": [
                    {"written": _when(n.created_at), "by": n.author.get_username() if n.author else "", "text": n.text}
                    for n in m.notes.all()
                ],
            }
            for m in records.messages
        ],
        "comments": [
            {
                "number": c.pk,
                "article": c.article_id,
                "in_reply_to": c.parent_id,
                "posted": _when(c.created_at),
                "name": c.author_name,
                "email": c.author_email,
                "comment": c.body,
                "status": c.status,
            }
            for c in records.comments
        ],
    }
