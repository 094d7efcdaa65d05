"""The CSV export of messages that counselor leads download from the admin.

The file is written for spreadsheets, which run a cell as a formula when it starts with `=`, `+`,
`-` or `@` (OWASP, "CSV Injection"):

- every cell is quoted (`csv.QUOTE_ALL`), so commas, semicolons and line breaks stay inside it;
- wherever a cell could start, an apostrophe goes before a formula character (`= + - @`, tab,
  carriage return): at the start of the cell and after any `,` `;` tab or line break in it
  (spaces between are skipped, as a spreadsheet that trims them would), because a spreadsheet
  set to split on another separator (`;` in much of Europe) or one that ignores quotes starts a
  new cell there. The apostrophe is OWASP's advice and what a person types to make a cell text;
  it changes only the file, never the stored message;
- phone numbers (E.164, `+13125550100`) start with `+`, so they get the apostrophe too and stay
  text: the `+` and every digit are kept. Not `="+13125550100"`: that is itself a formula, shown as
  such by any program that reads the file as data;
- the file starts with a UTF-8 byte order mark, so Excel reads accented names as UTF-8.

Recording the export in the audit trail is the caller's part
(`contacts.messages.services.messages_export_record`).
"""

import csv
import re
from collections.abc import Iterable

from django.utils import timezone

from contacts.messages.models import Message

HEADER = [
    "number", "received", "status", "urgent", "assigned to", "name", "preferred method", "phone",
    "email", "best time", "voicemail ok", "clinic name ok", "first contacted", "message",
]  # fmt: skip

BYTE_ORDER_MARK = "\ufeff"

# A formula character where a spreadsheet may start a cell: the cell's start, or after a separator
# (spaces between skipped).
FORMULA_START = re.compile(r"(^|[,;\t\r\n])( *)(?=[=+\-@\t\r])")


def csv_cell(value) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula, however it splits the line."""
    text = "" if value is None else str(value)
    return FORMULA_START.sub(r"\1\2'", text)


def _minutes(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="minutes") if moment else ""


def message_row(m: Message) -> list[str]:
    """One message as a row under `HEADER` (its assignee should be loaded with it), every cell safe."""
    row = [
        m.pk,
        _minutes(m.created_at),
        m.get_status_display(),
        "yes" if m.urgent else "no",
        m.assigned_to.get_username() if m.assigned_to else "",
        m.name,
        m.get_preferred_method_display(),
        m.phone.as_e164 if m.phone else "",
        m.email,
        m.best_time,
        "yes" if m.voicemail_ok else "no",
        "yes" if m.clinic_name_ok else "no",
        _minutes(m.first_contacted_at),
        m.body,
    ]
    return [csv_cell(value) for value in row]


def messages_csv_write(out, messages: Iterable[Message]) -> None:
    """Write the byte order mark, the header and one row per message to `out` (a text file or an HttpResponse)."""
    out.write(BYTE_ORDER_MARK)
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow(HEADER)
    writer.writerows(message_row(m) for m in messages)
