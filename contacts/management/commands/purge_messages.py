"""Delete patients' messages that are past their retention, with their notes.

Run once a day from cron (`30 3 * * * … manage.py purge_messages`). Closed messages go
`DJANGO_MESSAGE_RETENTION_DAYS` (default 365) after their last change, spam after 30 days;
new, in-progress and contacted messages are never deleted. `--dry-run` only reports.
"""

from django.core.management.base import BaseCommand

from contacts.privacy.services import messages_purge


class Command(BaseCommand):
    help = "Delete closed messages past DJANGO_MESSAGE_RETENTION_DAYS and spam older than 30 days."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would be deleted; delete nothing.")

    def handle(self, *args, dry_run: bool, **options):
        result = messages_purge(dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {len(result.closed_ids)} closed message(s), {len(result.spam_ids)} spam message(s) "
            f"and {result.notes} note(s)."
        )
        if dry_run and (result.closed_ids or result.spam_ids):
            self.stdout.write(f"Closed: {_numbers(result.closed_ids)}")
            self.stdout.write(f"Spam: {_numbers(result.spam_ids)}")


def _numbers(ids: list[int]) -> str:
    return ", ".join(f"#{pk}" for pk in ids) or "none"
