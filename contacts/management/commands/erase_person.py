"""Find, export and erase everything one person sent: their messages (with notes) and comments.

Run by hand for a privacy request: `manage.py erase_person --email sam@example.org --export
sam.json`. It prints counts and numbers only. `--export FILE` first writes everything found to
a new JSON file readable by its owner only (0600): it holds the person's data, so hand it over
securely and delete it. `--dry-run` deletes nothing (an export is still written: that alone
answers a request for a copy of one's data).
"""

import json
import os

from django.core.management.base import BaseCommand, CommandError

from contacts.privacy.selectors import PersonNotFound, person_export, person_find
from contacts.privacy.services import person_erase


class Command(BaseCommand):
    help = "Export and delete every message and comment of one person (by email and/or phone)."

    def add_arguments(self, parser):
        parser.add_argument("--email", default="", help="The person's email address (any case).")
        parser.add_argument("--phone", default="", help="The person's phone number, in any usual format.")
        parser.add_argument("--export", metavar="FILE", help="First write everything found to this new JSON file.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would be erased; delete nothing.")

    def handle(self, *args, email: str, phone: str, export: str | None, dry_run: bool, **options):
        try:
            records = person_find(email=email, phone=phone)
        except PersonNotFound as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Found {len(records.messages)} message(s){_numbers(records.message_ids)} "
            f"with {sum(len(m.notes.all()) for m in records.messages)} note(s), "
            f"and {len(records.comments)} comment(s){_numbers(records.comment_ids)}."
        )
        if export:
            _write_private(export, person_export(records=records))
            self.stdout.write(f"Wrote everything found to {export} (readable by you only).")
        if dry_run:
            self.stdout.write("Dry run: nothing was deleted.")
            return
        if not records.messages and not records.comments:
            return
        person_erase(records=records)
        self.stdout.write(f"Erased {len(records.messages)} message(s) and {len(records.comments)} comment(s).")


def _numbers(ids: list[int]) -> str:
    return " (" + ", ".join(f"#{pk}" for pk in ids) + ")" if ids else ""


def _write_private(path: str, data: dict) -> None:
    # Created with mode 0600 from the start, and never over an existing file (whose mode may be wider).
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CommandError(f"{path} already exists; choose a new file name. Nothing was deleted.") from None
    except OSError as error:
        raise CommandError(f"Cannot create {path}: {error.strerror}. Nothing was deleted.") from None
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        json.dump(data, file, ensure_ascii=False, indent=2)
