"""Delete spam and trashed comments that nobody touched for 30 days (as WordPress empties its trash).

Run once a day from cron (`0 4 * * * … manage.py purge_old_comments`). Approved and pending
comments are never deleted; a moderator who restores a comment in time keeps it.
"""

from django.core.management.base import BaseCommand

from contacts.comments.services import comments_purge


class Command(BaseCommand):
    help = "Delete spam and trashed comments older than --days (default 30)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="Keep spam and trash this many days (default 30).")

    def handle(self, *args, days: int, **options):
        deleted = comments_purge(older_than_days=max(days, 1))
        self.stdout.write(f"Deleted {deleted} spam or trashed comment(s) older than {max(days, 1)} days.")
