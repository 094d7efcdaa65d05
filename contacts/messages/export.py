"""The CSV export of messages that counselor leads download from the admin.

Every text cell a patient typed is written so a spreadsheet shows it as text and never runs it
as a formula. Recording the export in the audit trail is the caller's part
(`contacts.messages.services.messages_export_record`).
"""

import csv
from collections.abc import Iterable

from django.utils import timezone

from contacts.messages.models import Message

HEADER = [
    "number", "received", "status", "urgent", "assigned to", "name", "preferred method", "phone",
    "email", "best time", "voicemail ok", "clinic name ok", "first contacted", "message",
]  # fmt: skip


def csv_cell(value) -> str:
    """A text cell a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _minutes(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="minutes") if moment else ""


def message_row(m: Message) -> list:
    """One message as a row under `HEADER` (its assignee should be loaded with it)."""
    return [
        m.pk,
        _minutes(m.created_at),
        m.get_status_display(),
        "yes" if m.urgent else "no",
        m.assigned_to.get_username() if m.assigned_to else "",
        csv_cell(m.name),
        m.get_preferred_method_display(),
        m.phone.as_e164 if m.phone else "",
        csv_cell(m.email),
        csv_cell(m.best_time),
        "yes" if m.voicemail_ok else "no",
        "yes" if m.clinic_name_ok else "no",
        _minutes(m.first_contacted_at),
        csv_cell(m.body),
    ]


def messages_csv_write(out, messages: Iterable[Message]) -> None:
    """Write the header and one row per message to `out` (a file or an HttpResponse)."""
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(message_row(m) for m in messages)
