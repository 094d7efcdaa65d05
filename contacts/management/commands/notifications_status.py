"""Say whether staff notifications are getting out: the check for monitoring.

`manage.py notifications_status` prints how many staff notifications wait and how many are late
(unsent `DJANGO_NOTIFICATION_ALARM_MINUTES` after they were queued), and exits with status 1
while any is late, 0 otherwise. Run it from monitoring (a Nagios-style check, or a cron job
that pages someone) every few minutes. It reads the database only, so it also notices a sender
that is not running at all. Nothing about patients is printed: counts and times only.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from contacts.notifications.models import Notification


class Command(BaseCommand):
    help = "Print the staff notifications waiting and late; exit status 1 while any is late (for monitoring)."

    def handle(self, *args, **options):
        now = timezone.now()
        backlog = Notification.objects.backlog(now)
        if not backlog.late or backlog.late_since is None:
            self.stdout.write(f"OK: {backlog.waiting} staff notification(s) waiting, none late.")
            return
        since = timezone.localtime(backlog.late_since).strftime("%Y-%m-%d %H:%M %Z")
        minutes = int((now - backlog.late_since).total_seconds() // 60)
        self.stdout.write(
            f"LATE: {backlog.late} staff notification(s) unsent for over {settings.NOTIFICATION_ALARM_MINUTES} "
            f"minutes, the oldest since {since} ({minutes} minutes); {backlog.waiting} waiting in all."
        )
        raise SystemExit(1)
